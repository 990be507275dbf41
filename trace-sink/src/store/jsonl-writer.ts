import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Appends JSON lines to a file. Writes are synchronous so a line is on disk
 * (in the page cache) before the export is acknowledged, and nothing is left
 * pending when the process is told to stop.
 */
export class JsonlWriter {
  private fd: number | undefined;
  private lines = 0;

  constructor(readonly filePath: string) {
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    this.fd = fs.openSync(filePath, 'a');
  }

  get linesWritten(): number {
    return this.lines;
  }

  /** Appends `line` plus a newline; `line` must not contain a newline. */
  writeLine(line: string): void {
    if (this.fd === undefined) throw new Error(`trace-sink: ${this.filePath} is already closed`);
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(this.fd, bytes, offset, bytes.length - offset);
    this.lines += 1;
  }

  /** Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }
}
