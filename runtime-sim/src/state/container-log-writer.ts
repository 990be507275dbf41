/**
 * Where the simulated runtime writes container log files. Injected, so the state machine stays free of
 * real I/O in unit tests (InMemoryLogWriter) while the server writes real files (createFsLogWriter)
 * that the kubelet and `crictl logs` read.
 *
 * Semantics follow the runtimes' log writers: the file is opened in append mode and created with its
 * directory if missing (containerd internal/cri/io/logger.go NewCRILogger via
 * internal/cri/server/helpers createContainerLoggers; conmon opens the log with O_CREAT|O_APPEND).
 * reopen() is what ReopenContainerLog asks for after the kubelet renamed the file away to rotate it:
 * a fresh file at the same path.
 */
import * as nodeFs from 'node:fs';
import * as nodePath from 'node:path';

export interface ContainerLogWriter {
  /** Appends `records` (already in CRI log format) to the file at `path`, creating it if needed. */
  append(path: string, records: string): void;
  /** Whether the directory exists (CRI-O's conmon needs the kubelet to have made it). */
  directoryExists(dir: string): boolean;
  /** Makes sure a file exists at `path` (after rotation renamed the old one away). */
  reopen(path: string): void;
}

/** Writes nothing: the default when no writer is configured (logging off). */
export const NULL_LOG_WRITER: ContainerLogWriter = Object.freeze({
  append: () => undefined,
  directoryExists: () => true,
  reopen: () => undefined,
});

/** The subset of node:fs the file writer uses. */
export interface LogFs {
  mkdirSync(path: string, options: { recursive: true }): unknown;
  appendFileSync(path: string, data: string): void;
  existsSync(path: string): boolean;
}

export interface FsLogWriterOptions {
  readonly fs?: LogFs;
  /** Called when a write fails (e.g. no permission for /var/log/pods); the simulator keeps running. */
  readonly onError?: (path: string, err: Error) => void;
}

/** A container that writes more than this within one loop turn has it written at once. */
export const MAX_PENDING_LOG_BYTES_PER_FILE = 1024 * 1024;
/** Directories remembered as made; forgotten all at once beyond this (a churn run makes one per pod). */
const MAX_REMEMBERED_DIRECTORIES = 10_000;

/**
 * Real files. A simulator often runs unprivileged, so a failed write is reported to onError and
 * counted instead of failing the container start.
 *
 * Off the CRI call's path: appends are gathered per file and written once per event-loop turn (a
 * setImmediate), after the answer to the call that produced them has gone out, in the order they were
 * made; a file holding more than MAX_PENDING_LOG_BYTES_PER_FILE is written at once. reopen() writes what
 * is pending for the file first and then creates it synchronously, since the kubelet goes on with the
 * rotated file as soon as ReopenContainerLog returns. Directories are made once, and again if a write finds
 * them gone (the kubelet removes a deleted pod's log directory).
 */
export function createFsLogWriter(options: FsLogWriterOptions = {}): ContainerLogWriter & { readonly failedWrites: () => number } {
  const fs = options.fs ?? nodeFs;
  let failed = 0;
  const madeDirectories = new Set<string>();
  const pending = new Map<string, string>();
  let scheduled = false;

  const makeDirectory = (dir: string): void => {
    fs.mkdirSync(dir, { recursive: true });
    if (madeDirectories.size >= MAX_REMEMBERED_DIRECTORIES) madeDirectories.clear();
    madeDirectories.add(dir);
  };
  const write = (path: string, data: string): void => {
    try {
      const dir = nodePath.dirname(path);
      if (!madeDirectories.has(dir)) makeDirectory(dir);
      try {
        fs.appendFileSync(path, data);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        makeDirectory(dir);
        fs.appendFileSync(path, data);
      }
    } catch (err) {
      failed++;
      options.onError?.(path, err as Error);
    }
  };
  const writePending = (path: string): void => {
    const data = pending.get(path);
    if (data === undefined) return;
    pending.delete(path);
    write(path, data);
  };
  const writeAllPending = (): void => {
    scheduled = false;
    const batch = [...pending];
    pending.clear();
    for (const [path, data] of batch) write(path, data);
  };
  return {
    append: (path, records) => {
      const data = (pending.get(path) ?? '') + records;
      pending.set(path, data);
      if (data.length > MAX_PENDING_LOG_BYTES_PER_FILE) writePending(path);
      else if (!scheduled) {
        scheduled = true;
        setImmediate(writeAllPending);
      }
    },
    directoryExists: (dir) => fs.existsSync(dir),
    reopen: (path) => {
      writePending(path);
      write(path, '');
    },
    failedWrites: () => failed,
  };
}

/** Keeps "files" in memory; a real feature the state tests lean on. `rotate()` plays the kubelet's rename. */
export class InMemoryLogWriter implements ContainerLogWriter {
  private readonly files = new Map<string, string>();
  private readonly maxFiles: number;
  /** Directories that exist; undefined = every directory does (the kubelet made them all). */
  readonly directories: Set<string> | undefined;

  constructor(maxFiles = 10_000, options: { directories?: Iterable<string> } = {}) {
    this.maxFiles = maxFiles;
    this.directories = options.directories === undefined ? undefined : new Set(options.directories);
  }

  directoryExists(dir: string): boolean {
    return this.directories === undefined || this.directories.has(dir);
  }

  append(path: string, records: string): void {
    if (!this.files.has(path) && this.files.size >= this.maxFiles) {
      throw new Error(`InMemoryLogWriter: more than ${this.maxFiles} files`);
    }
    this.files.set(path, (this.files.get(path) ?? '') + records);
  }

  reopen(path: string): void {
    this.append(path, '');
  }

  read(path: string): string | undefined {
    return this.files.get(path);
  }

  /** Renames `path` to `to`, as the kubelet's container log manager does before ReopenContainerLog. */
  rotate(path: string, to: string): void {
    const content = this.files.get(path);
    if (content === undefined) return;
    this.files.delete(path);
    this.files.set(to, content);
  }

  paths(): string[] {
    return [...this.files.keys()].sort();
  }
}
