import * as os from 'node:os';
import * as path from 'node:path';

/** The spans file cannot be opened for appending; the message names the flag and the fix. */
export class OutputFileError extends Error {
  override readonly name = 'OutputFileError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Turns the error of opening `file` into a one-line OutputFileError naming `flag` and a path that works. */
export function outputFileError(file: string, err: NodeJS.ErrnoException, flag: string): OutputFileError {
  const elsewhere = `${flag} ${path.join(os.tmpdir(), 'spans.jsonl')}`;
  const fix: Record<string, string> = {
    EISDIR: `it is a directory; give a file in it, e.g. ${flag} ${path.join(file, 'spans.jsonl')}`,
    EACCES: `permission denied; give a writable path, e.g. ${elsewhere}`,
    EROFS: `the file system is read-only; give a writable path, e.g. ${elsewhere}`,
    ENOTDIR: `a parent of it is a file, not a directory; give another path, e.g. ${elsewhere}`,
  };
  const text = (err.code !== undefined ? fix[err.code] : undefined) ?? `${err.message}; give another path, e.g. ${elsewhere}`;
  return new OutputFileError(`trace-sink: cannot append spans to ${file} (${flag}): ${text}`, err.code);
}
