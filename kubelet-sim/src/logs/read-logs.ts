/**
 * Reads a container's log file in the CRI logging format and writes it out as the kubelet serves
 * `/containerLogs` (pkg/kubelet/kuberuntime/logs/logs.go@v1.34.0 NewLogOptions, ReadLogs, parseCRILog,
 * logWriter; pkg/util/tail FindTailLineStartIndex):
 *
 *   <RFC 3339 nano timestamp> <stdout|stderr> <F|P>[:more tags] <content>
 *
 * `P` records are parts of one long line (no newline between them); a timestamp prefix is written only
 * at the start of a line. Options: tail (last N lines; -1 all), bytes (stop after N bytes written; -1 no
 * limit), since (skip older records), timestamps, follow (keep reading as the runtime appends, until
 * the container is no longer running, checked with ContainerStatus before every wait and at least once
 * a second).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** logs.go LogOptions, with `sinceNs` as nanoseconds since the epoch (0: no lower bound). */
export interface LogOptions {
  readonly tail: number;
  readonly bytes: number;
  readonly sinceNs: bigint;
  readonly follow: boolean;
  readonly timestamps: boolean;
}

/** logForceCheckPeriod: with follow, the container is re-checked at least this often. */
export const LOG_FORCE_CHECK_PERIOD_MS = 1_000;

export interface ParsedLogRecord {
  /** The timestamp as written, for the `timestamps` prefix. */
  readonly timestamp: string;
  readonly timestampNs: bigint;
  readonly stream: 'stdout' | 'stderr';
  /** Content; a full record keeps its newline, a partial one has none. */
  readonly log: Buffer;
}

/** RFC 3339 with up to nine fraction digits and Z or an offset: its instant in ns, or undefined. */
export function parseRfc3339Nano(text: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (Number.isNaN(ms)) return undefined;
  let ns = BigInt(ms) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  if (m[8] !== 'Z') {
    const sign = m[8]!.startsWith('-') ? -1n : 1n;
    const [h, min] = m[8]!.slice(1).split(':').map(Number) as [number, number];
    ns -= sign * BigInt(h * 3600 + min * 60) * 1_000_000_000n;
  }
  return ns;
}

/**
 * Go's RFC3339Nano output of a parsed time: the same text with trailing zeros of the fraction dropped and
 * a zero offset written as `Z` (the `Z07:00` layout), e.g. CRI-O's `…143+00:00` → `…143Z`.
 */
export function formatRfc3339NanoOut(timestamp: string): string {
  const zoned = timestamp.replace(/[+-]00:00$/, 'Z');
  return zoned.replace(/\.(\d+?)0*(Z|[+-]\d{2}:\d{2})$/, (_all, digits: string, zone: string) => (/^0+$/.test(digits) ? zone : `.${digits}${zone}`));
}

/** parseCRILog: one record (with its trailing newline, if any) or an error text. */
export function parseCriLog(line: Buffer): ParsedLogRecord | string {
  const first = line.indexOf(0x20);
  if (first < 0) return 'timestamp is not found';
  const timestamp = line.subarray(0, first).toString();
  const timestampNs = parseRfc3339Nano(timestamp);
  if (timestampNs === undefined) return `unexpected timestamp format "${timestamp}"`;
  const rest = line.subarray(first + 1);
  const second = rest.indexOf(0x20);
  if (second < 0) return 'stream type is not found';
  const stream = rest.subarray(0, second).toString();
  if (stream !== 'stdout' && stream !== 'stderr') return `unexpected stream type "${stream}"`;
  const afterStream = rest.subarray(second + 1);
  const third = afterStream.indexOf(0x20);
  if (third < 0) return 'log tag is not found';
  const partial = afterStream.subarray(0, third).toString().split(':')[0] === 'P';
  let log = afterStream.subarray(third + 1);
  if (partial && log.length > 0 && log[log.length - 1] === 0x0a) log = log.subarray(0, log.length - 1);
  return { timestamp, timestampNs, stream, log };
}

/** tail.FindTailLineStartIndex: the offset where the last `n` lines start (0 for n < 0 or a short file). */
export function findTailLineStartIndex(content: Buffer, n: number): number {
  if (n < 0) return 0;
  let end = content.length;
  // A trailing newline ends the last line; it does not start an empty one.
  if (end > 0 && content[end - 1] === 0x0a) end -= 1;
  let count = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (content[i] === 0x0a) {
      count += 1;
      if (count === n) return i + 1;
    }
  }
  return n === 0 ? content.length : 0;
}

/** Where records go; a missing stream is not requested (PodLogsQuerySplitStreams). */
export interface LogSinks {
  stdout?: (chunk: Buffer) => Promise<void> | void;
  stderr?: (chunk: Buffer) => Promise<void> | void;
}

/** What follow mode asks of the runtime and the host. */
export interface FollowHooks {
  /** isContainerRunning: ContainerStatus, false once exited or gone. */
  isContainerRunning(): Promise<boolean>;
  /** Resolves when the client went away. */
  readonly cancelled: AbortSignal;
}

/**
 * ReadLogs. Resolves when done (EOF without follow, the container stopped with follow, the byte limit,
 * or the client left); rejects with the kubelet's error text when the file cannot be opened or read.
 */
export async function readLogs(logPath: string, opts: LogOptions, sinks: LogSinks, follow?: FollowHooks): Promise<void> {
  let fd: number;
  try {
    fd = fs.openSync(logPath, 'r');
  } catch (err) {
    throw new Error(`failed to open log file "${logPath}": ${goFsError(err as NodeJS.ErrnoException, logPath)}`);
  }
  let remain = opts.bytes >= 0 ? opts.bytes : Number.MAX_SAFE_INTEGER;
  let watcher: fs.FSWatcher | undefined;
  try {
    const whole = readFrom(fd, 0);
    let offset = findTailLineStartIndex(whole, opts.tail);
    const limitedMode = opts.tail >= 0 && !opts.follow;
    let limitedNum = opts.tail;
    let isNewLine = true;
    let pending = whole.subarray(offset);
    let stop = false;
    let exited = false;
    const changes: { wake?: () => void; recreated: boolean } = { recreated: false };
    for (;;) {
      if (stop || (limitedMode && limitedNum === 0)) return;
      const nl = pending.indexOf(0x0a);
      let line: Buffer;
      if (nl < 0) {
        if (opts.follow && follow) {
          // At EOF after the container stopped: done (an incomplete last line stays unread, as upstream).
          if (exited || follow.cancelled.aborted) return;
          // Wait for more; the incomplete line is read again afterwards (logs.go seeks back).
          if (!(await follow.isContainerRunning())) {
            // Consume what the container wrote before it stopped, up to the next EOF.
            exited = true;
            pending = readFrom(fd, offset);
            continue;
          }
          watcher ??= watchDir(logPath, changes);
          await waitForChange(changes, follow.cancelled);
          if (follow.cancelled.aborted) return;
          if (changes.recreated) {
            changes.recreated = false;
            fs.closeSync(fd);
            fd = fs.openSync(logPath, 'r');
            offset = 0;
          }
          pending = readFrom(fd, offset);
          continue;
        }
        stop = true;
        if (pending.length === 0) continue;
        line = pending; // an incomplete last line is still written
        pending = Buffer.alloc(0);
      } else {
        line = pending.subarray(0, nl + 1);
        pending = pending.subarray(nl + 1);
      }
      offset += line.length;
      const record = parseCriLog(line);
      if (typeof record === 'string') continue; // logged and skipped upstream
      if (record.timestampNs < opts.sinceNs) {
        isNewLine = record.log.length === 0 || record.log[record.log.length - 1] === 0x0a;
        continue;
      }
      let out = record.log;
      if (opts.timestamps && isNewLine) out = Buffer.concat([Buffer.from(`${formatRfc3339NanoOut(record.timestamp)} `), out]);
      if (out.length > remain) out = out.subarray(0, remain);
      const sink = record.stream === 'stdout' ? sinks.stdout : sinks.stderr;
      if (sink) {
        await sink(out);
        remain -= out.length;
        if (remain <= 0) return;
      }
      if (limitedMode) limitedNum -= 1;
      isNewLine = record.log.length === 0 || record.log[record.log.length - 1] === 0x0a;
    }
  } finally {
    watcher?.close();
    fs.closeSync(fd);
  }
}

function readFrom(fd: number, offset: number): Buffer {
  const size = fs.fstatSync(fd).size;
  if (size <= offset) return Buffer.alloc(0);
  const buf = Buffer.alloc(size - offset);
  fs.readSync(fd, buf, 0, buf.length, offset);
  return buf;
}

/** fsnotify on the log's directory: a write wakes the reader, a re-created file (rotation) is reopened. */
function watchDir(logPath: string, changes: { wake?: () => void; recreated: boolean }): fs.FSWatcher {
  const base = path.basename(logPath);
  const watcher = fs.watch(path.dirname(logPath), (event, name) => {
    if (name !== null && name.toString() === base && event === 'rename' && fs.existsSync(logPath)) changes.recreated = true;
    changes.wake?.();
  });
  watcher.on('error', () => undefined);
  return watcher;
}

function waitForChange(changes: { wake?: () => void }, cancelled: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      cancelled.removeEventListener('abort', done);
      changes.wake = undefined;
      resolve();
    };
    const timer = setTimeout(done, LOG_FORCE_CHECK_PERIOD_MS);
    changes.wake = done;
    cancelled.addEventListener('abort', done, { once: true });
  });
}

function goFsError(err: NodeJS.ErrnoException, file: string): string {
  if (err.code === 'ENOENT') return `open ${file}: no such file or directory`;
  if (err.code === 'EACCES') return `open ${file}: permission denied`;
  return err.message;
}
