import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename } from 'node:path';

/**
 * klog's text format on stderr, so log tools that parse a kubelet's output parse ours:
 *
 *     Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg
 *     I1204 10:00:00.123456   12345 kubelet.ts:237] SyncLoop ADD source="file" pods=["default/web"]
 *
 * as k8s.io/klog/v2 `internal/buffer/buffer.go` (`FormatHeaderPre`) writes it: severity letter, month and
 * day, local wall-clock time with microseconds, the process id right-aligned in 7 columns (klog writes the
 * pid there too, not a thread id), then `file:line] `. The file is the base name of the TypeScript module
 * that called the logger and the line is its line in that module, read through the source map tsc writes
 * next to each compiled file (klog prints the Go file of the caller the same way); without a source map the
 * compiled `.js` file and line are printed instead. Microseconds come from the high-resolution clock.
 */
export type LogLevel = 'I' | 'W' | 'E';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface KlogDeps {
  /** Microseconds since the Unix epoch. */
  nowMicros(): number;
  pid: number;
}

const REAL_DEPS: KlogDeps = {
  nowMicros: () => Math.floor((performance.timeOrigin + performance.now()) * 1000),
  pid: process.pid,
};

/**
 * A klog logger writing whole lines. `component` names the caller when no stack frame can be read (it is
 * printed as `<component>:0`, klog's placeholder line).
 */
export function createKlogLogger(component: string, write: (line: string) => void = (l) => process.stderr.write(l + '\n'), deps: KlogDeps = REAL_DEPS): Logger {
  const logger: Logger = {
    info: (m) => write(formatKlogLine('I', m, callSite(logger.info) ?? `${component}:0`, deps)),
    warn: (m) => write(formatKlogLine('W', m, callSite(logger.warn) ?? `${component}:0`, deps)),
    error: (m) => write(formatKlogLine('E', m, callSite(logger.error) ?? `${component}:0`, deps)),
  };
  return logger;
}

/** One klog line: header, then the message as given. */
export function formatKlogLine(level: LogLevel, message: string, fileLine: string, deps: KlogDeps): string {
  const micros = deps.nowMicros();
  const d = new Date(Math.floor(micros / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  const fraction = String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  // klog keeps the last 7 digits of the pid, space-padded on the left.
  const pid = String(deps.pid % 10_000_000).padStart(7, ' ');
  return `${level}${two(d.getMonth() + 1)}${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${fraction} ${pid} ${fileLine}] ${message}`;
}

/** `kubelet.ts:163` for the code that called `fn`, or undefined when V8 gives no frame. */
function callSite(fn: (m: string) => void): string | undefined {
  const holder: { stack?: NodeJS.CallSite[] } = {};
  const previousPrepare = Error.prepareStackTrace;
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_err, frames) => frames;
    Error.captureStackTrace(holder, fn);
    const frame = holder.stack?.[0];
    const file = frame?.getFileName();
    const line = frame?.getLineNumber();
    if (!frame || !file || !line) return undefined;
    return toSourcePosition(file, line, frame.getColumnNumber() ?? 1);
  } finally {
    Error.prepareStackTrace = previousPrepare;
    Error.stackTraceLimit = previousLimit;
  }
}

/** Source maps by compiled file; null when the file has none (then its own position is printed). */
const sourceMaps = new Map<string, SourceMap | null>();

function toSourcePosition(file: string, line: number, column: number): string {
  const path = file.startsWith('file://') ? new URL(file).pathname : file;
  let map = sourceMaps.get(path);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {
      map = null;
    }
    sourceMaps.set(path, map);
  }
  // findEntry takes and returns zero-based positions.
  const entry = map?.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number } | undefined;
  if (entry?.originalSource !== undefined && entry.originalLine !== undefined) return `${basename(entry.originalSource)}:${entry.originalLine + 1}`;
  return `${basename(path)}:${line}`;
}
