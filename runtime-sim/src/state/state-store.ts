/**
 * --state-dir: the simulated runtime's records on disk, so they survive a restart of runtime-sim the
 * way CRI-O's and containerd's survive a daemon restart. One file, `runtime-state.json`, rewritten
 * atomically (temp file in the same directory, fsync, rename) whenever the records change.
 *
 * Loading never guesses: a file that does not parse, is of another kind or version, or belongs to the
 * other persona is an error naming the file, the problem and the fix, and the file is left untouched.
 */
import * as nodeFs from 'node:fs';
import * as nodePath from 'node:path';
import {
  decodeSnapshotText,
  encodeSnapshot,
  parseStateSnapshot,
  StateSnapshotError,
  type RuntimeStateSnapshot,
} from './state-snapshot';

export const STATE_FILE_NAME = 'runtime-state.json';

/** A state directory or file that cannot be used; main prints it and exits 1. */
export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

/** The subset of node:fs the store uses (injectable for tests). */
export type StateFs = Pick<
  typeof nodeFs,
  'mkdirSync' | 'statSync' | 'readFileSync' | 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync'
>;

export function stateFilePath(dir: string): string {
  return nodePath.join(dir, STATE_FILE_NAME);
}

function ensureDirectory(dir: string, fs: StateFs): void {
  let stat: nodeFs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    stat = undefined;
  }
  if (stat !== undefined && !stat.isDirectory()) {
    throw new StateFileError(`--state-dir ${dir} exists and is not a directory; give a directory path`);
  }
  if (stat === undefined) {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new StateFileError(`cannot create --state-dir ${dir}: ${(err as Error).message}`);
    }
  }
}

/**
 * Reads `<dir>/runtime-state.json`: undefined when there is none yet (first start; the directory is
 * created), the validated snapshot otherwise. Throws StateFileError for anything unusable.
 */
export function loadStateSnapshot(dir: string, persona: string, fs: StateFs = nodeFs): RuntimeStateSnapshot | undefined {
  ensureDirectory(dir, fs);
  const file = stateFilePath(dir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`cannot read state file ${file}: ${(err as Error).message}`);
  }
  try {
    return parseStateSnapshot(decodeSnapshotText(text), persona);
  } catch (err) {
    if (err instanceof StateSnapshotError) {
      throw new StateFileError(
        `state file ${file} is unusable: ${err.message}. runtime-sim leaves it untouched; ` +
          'repair it, move it away to start empty, or point --state-dir at another directory',
      );
    }
    throw err;
  }
}

/** Writes `text` to `file` atomically: a reader sees the old or the new file, never a torn one. */
export function writeFileAtomically(file: string, text: string, fs: StateFs = nodeFs): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // nothing left to clean
    }
    throw err;
  }
}

export interface StateStoreOptions {
  readonly dir: string;
  /** Reads the current records. */
  readonly snapshot: () => RuntimeStateSnapshot;
  readonly fs?: StateFs;
  /** A failed write (disk full, permissions); the store retries on the next change. */
  readonly onError?: (err: Error) => void;
  /** How a pending save is deferred so a burst of changes writes once. Default: see minIntervalMs. */
  readonly defer?: (fn: () => void) => void;
  /**
   * Without `defer`: a change is saved on the next loop turn, or, when the last save was less than this long
   * ago, when the interval ends, so a stream of CRI calls (each one changing or touching the records, each on
   * its own loop turn) encodes and writes the whole state at most once per interval. Default
   * DEFAULT_STATE_SAVE_INTERVAL_MS; close() always writes the final copy.
   */
  readonly minIntervalMs?: number;
}

/** The longest a change waits for its save while runtime-sim runs (a crash loses at most this much). */
export const DEFAULT_STATE_SAVE_INTERVAL_MS = 100;

/** Saves the records after changes, coalescing bursts; close() writes a final copy. */
export class StateStore {
  readonly file: string;
  private readonly options: StateStoreOptions;
  private readonly fs: StateFs;
  private lastComparable: string | undefined;
  private scheduled = false;
  private closed = false;
  private writes = 0;
  private failures = 0;
  /** performance.now() of the last flush (a save, or a check that found nothing changed). */
  private lastFlushAtMs: number | undefined;

  constructor(options: StateStoreOptions) {
    this.options = options;
    this.fs = options.fs ?? nodeFs;
    this.file = stateFilePath(options.dir);
  }

  get writeCount(): number {
    return this.writes;
  }

  get failedWrites(): number {
    return this.failures;
  }

  /** Something may have changed: save soon. */
  markDirty(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    const save = (): void => {
      this.scheduled = false;
      if (!this.closed) this.flush();
    };
    if (this.options.defer !== undefined) {
      this.options.defer(save);
      return;
    }
    const minIntervalMs = this.options.minIntervalMs ?? DEFAULT_STATE_SAVE_INTERVAL_MS;
    const waitMs = this.lastFlushAtMs === undefined ? 0 : this.lastFlushAtMs + minIntervalMs - performance.now();
    if (waitMs <= 0) setImmediate(save);
    else setTimeout(save, waitMs).unref();
  }

  /** Saves now if the records differ from the last save (the clock high-water mark alone is no change). */
  flush(force = false): void {
    this.lastFlushAtMs = performance.now();
    const snapshot = this.options.snapshot();
    const comparable = encodeSnapshot({ ...snapshot, lastNowNs: 0n });
    if (!force && comparable === this.lastComparable) return;
    try {
      writeFileAtomically(this.file, encodeSnapshot(snapshot), this.fs);
      this.lastComparable = comparable;
      this.writes++;
    } catch (err) {
      this.failures++;
      this.options.onError?.(new StateFileError(`cannot write state file ${this.file}: ${(err as Error).message}`));
    }
  }

  /** Writes the final copy and stops saving. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush(true);
    this.closed = true;
  }
}
