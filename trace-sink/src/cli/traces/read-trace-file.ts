import { statSync } from 'node:fs';
import type { FlatSpan } from '../../store/flat-span';
import { streamSpansFromJsonl, type StreamSpansResult } from '../../store/stream-spans-from-jsonl';
import { UsageError } from '../cli-options';

/** Malformed lines reported one by one before the rest are only counted. */
export const MALFORMED_LINES_SHOWN = 20;

/**
 * Streams every span of `file` to `onSpan`, reporting skipped lines on `warn` as `file:line: skipped: why`
 * (the first MALFORMED_LINES_SHOWN, then a count). A missing file or a directory is a UsageError naming --file.
 */
export async function readTraceFile(
  file: string,
  onSpan: (span: FlatSpan) => void,
  warn: (line: string) => void,
  afterLine?: () => Promise<void> | undefined,
): Promise<StreamSpansResult> {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--file ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}; give the spans file npm start or trace-sink wrote, e.g. --file spans.jsonl`);
  }
  if (!isFile) throw new UsageError(`--file ${file}: not a file; give an OTLP JSON lines file, e.g. --file spans.jsonl`);
  let shown = 0;
  const result = await streamSpansFromJsonl(file, onSpan, {
    ...(afterLine === undefined ? {} : { afterLine }),
    onMalformed: ({ line, message }) => {
      if (shown++ < MALFORMED_LINES_SHOWN) warn(`traces: ${file}:${line}: skipped: ${message}`);
    },
  });
  if (result.malformedLines > MALFORMED_LINES_SHOWN) warn(`traces: ${file}: ${result.malformedLines - MALFORMED_LINES_SHOWN} more malformed lines skipped (${result.malformedLines} in all)`);
  return result;
}
