import { createWriteStream, type WriteStream } from 'node:fs';
import { ChromeTraceWriter } from '../../views/export/chrome-trace-writer';
import { UsageError } from '../cli-options';
import type { TracesCommand } from './traces-args';
import { readTraceFile } from './read-trace-file';
import type { TracesIo } from './traces-io';

/**
 * `traces export --format chrome`: streams the file through ChromeTraceWriter into --out (or stdout), in chunks
 * of about CHUNK_CHARS; when the destination's buffer is full the reader waits for it to drain before the next
 * line, so memory stays flat however big the file.
 */
export async function runExport(cmd: Extract<TracesCommand, { command: 'export' }>, io: TracesIo): Promise<void> {
  const sink: NodeJS.WritableStream = cmd.out === undefined ? process.stdout : await openOut(cmd.out);
  let buffer: string[] = [];
  let buffered = 0;
  let drained: Promise<void> | undefined;
  const flush = (): void => {
    if (buffer.length === 0) return;
    const chunk = buffer.join('');
    buffer = [];
    buffered = 0;
    if (!sink.write(chunk) && drained === undefined) {
      drained = new Promise((resolve) => sink.once('drain', () => {
        drained = undefined;
        resolve();
      }));
    }
  };
  const writer = new ChromeTraceWriter((piece) => {
    buffer.push(piece);
    buffered += piece.length;
    if (buffered >= CHUNK_CHARS) flush();
  });
  writer.begin();
  const read = await readTraceFile(cmd.file, (span) => writer.add(span), io.warn, () => drained);
  writer.end();
  flush();
  await drained;
  if (cmd.out !== undefined) {
    await new Promise<void>((resolve, reject) => (sink as WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
    io.warn(`traces: wrote ${writer.eventCount} Chrome trace events for ${read.spans} spans to ${cmd.out}; open it in ui.perfetto.dev or chrome://tracing`);
  }
}

const CHUNK_CHARS = 1 << 20;

async function openOut(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(new UsageError(`--out ${path}: ${err.message}`)));
  });
  return stream;
}
