/**
 * What a simulated container prints, and how the runtime writes it to the container's log file in the
 * CRI logging format the kubelet and `crictl logs` read (kubelet pkg/kubelet/kuberuntime/logs/logs.go):
 *
 *   <timestamp> <stream> <tag> <content>\n
 *
 * timestamp RFC 3339 with nanoseconds, stream `stdout` | `stderr`, tag `F` (full line) or `P` (partial:
 * the runtime split a long line; the next record continues it).
 *
 * Lines come from the annotation `sim.cri.io/log-lines` (read per ./scoped-annotation.ts): one log line
 * per text line; a line starting with `stderr: ` goes to stderr (the prefix is dropped). Without it the
 * container prints a few deterministic start-up lines derived from the seed and its name. Exec output
 * is never logged (it goes back to the ExecSync caller), and nothing is written at exit: a process's
 * exit is not output.
 */
import { createHash } from 'node:crypto';
import { readScopedAnnotation, type Annotations } from './scoped-annotation';

export const LOG_LINES_ANNOTATION = 'sim.cri.io/log-lines';

/** Prefix that sends an annotated line to stderr. */
export const STDERR_LINE_PREFIX = 'stderr: ';

/** CRI log stream names and tags (cri-api pkg/apis/runtime/v1 LogStreamType / LogTag). */
export const LOG_STREAM = { STDOUT: 'stdout', STDERR: 'stderr' } as const;
export const LOG_TAG = { FULL: 'F', PARTIAL: 'P' } as const;

export type LogStream = (typeof LOG_STREAM)[keyof typeof LOG_STREAM];

export interface LogLine {
  readonly stream: LogStream;
  readonly text: string;
}

/** How a runtime stamps and splits log records. */
export interface LogFormat {
  /** Renders an int64-nanosecond UTC instant the way the runtime's log writer does. */
  formatTimestamp(ns: bigint): string;
  /** Longest content of one record before the runtime splits the line into P records. */
  readonly maxLineBytes: number;
}

const DEFAULT_LINE_TEMPLATES: readonly ((name: string, n: number) => string)[] = [
  (name) => `starting ${name}`,
  (_name, n) => `loaded configuration (${3 + (n % 9)} settings)`,
  (_name, n) => `listening on 0.0.0.0:${8000 + (n % 1000)}`,
  (_name, n) => `worker pool ready: ${1 + (n % 8)} workers`,
  () => 'ready',
];

/** The lines a container prints at start. */
export function startupLogLines(
  sandboxAnnotations: Annotations,
  containerAnnotations: Annotations,
  containerName: string,
  seed: number,
): LogLine[] {
  const found = readScopedAnnotation(LOG_LINES_ANNOTATION, sandboxAnnotations, containerAnnotations, containerName);
  if (found !== undefined) {
    const text = found.value.endsWith('\n') ? found.value.slice(0, -1) : found.value;
    if (text === '') return [];
    return text.split('\n').map((line) =>
      line.startsWith(STDERR_LINE_PREFIX)
        ? { stream: LOG_STREAM.STDERR, text: line.slice(STDERR_LINE_PREFIX.length) }
        : { stream: LOG_STREAM.STDOUT, text: line },
    );
  }
  const n = parseInt(createHash('sha256').update(`log|${seed}|${containerName}`).digest('hex').slice(0, 8), 16);
  const count = 3 + (n % 3);
  return DEFAULT_LINE_TEMPLATES.slice(0, count - 1)
    .concat(DEFAULT_LINE_TEMPLATES.slice(-1))
    .map((render) => ({ stream: LOG_STREAM.STDOUT, text: render(containerName, n) }));
}

/** Splits `text` into chunks of at most `maxBytes` UTF-8 bytes without cutting a character. */
function splitUtf8(text: string, maxBytes: number): string[] {
  const chunks: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const ch of text) {
    const bytes = Buffer.byteLength(ch);
    if (currentBytes + bytes > maxBytes && current !== '') {
      chunks.push(current);
      current = '';
      currentBytes = 0;
    }
    current += ch;
    currentBytes += bytes;
  }
  chunks.push(current);
  return chunks;
}

/** The CRI log records for one printed line: P records for the split-off parts, then one F record. */
export function formatLogRecords(line: LogLine, atNs: bigint, format: LogFormat): string {
  const stamp = format.formatTimestamp(atNs);
  const parts = splitUtf8(line.text, Math.max(1, format.maxLineBytes));
  return parts
    .map((part, i) => `${stamp} ${line.stream} ${i === parts.length - 1 ? LOG_TAG.FULL : LOG_TAG.PARTIAL} ${part}\n`)
    .join('');
}

function utcParts(ns: bigint): { base: string; frac: string } {
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const frac = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0');
  return { base: iso.slice(0, 19), frac };
}

/**
 * Go's time.RFC3339Nano, as containerd's CRI logger writes it (internal/cri/io/logger.go): trailing zeros
 * of the fraction are dropped, and a zero fraction is dropped with its dot; UTC prints as "Z".
 */
export function formatRfc3339Nano(ns: bigint): string {
  const { base, frac } = utcParts(ns);
  const trimmed = frac.replace(/0+$/, '');
  return trimmed === '' ? `${base}Z` : `${base}.${trimmed}Z`;
}

/**
 * conmon's k8s-file timestamps (conmon src/ctr_logging.c set_k8s_timestamp): always nine fraction
 * digits and a numeric zone offset; the simulator's node runs in UTC, so "+00:00".
 */
export function formatConmonTimestamp(ns: bigint): string {
  const { base, frac } = utcParts(ns);
  return `${base}.${frac}+00:00`;
}
