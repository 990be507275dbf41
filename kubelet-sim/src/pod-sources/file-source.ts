import { existsSync, statSync, watch } from 'node:fs';
import { basename, join } from 'node:path';
import type { Pod } from '../container/pod';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import { podStoreKey, readStaticPodFile, readStaticPods } from './static-pod-source';

/** file_linux.go startWatch: retryPeriod and maxRetryPeriod of the watch's back-off. */
export const FILE_SOURCE_WATCH = {
  RETRY_PERIOD_MS: 1_000,
  MAX_RETRY_PERIOD_MS: 20_000,
} as const;

/** file.go podEventType. */
export const POD_EVENT_TYPE = {
  ADD: 'podAdd',
  MODIFY: 'podModify',
  DELETE: 'podDelete',
} as const;
export type PodEventType = (typeof POD_EVENT_TYPE)[keyof typeof POD_EVENT_TYPE];

export interface WatchEvent {
  fileName: string;
  eventType: PodEventType;
}

/** An inotify event as fsnotify reports it: the operation and the full path it names. */
export interface FsEvent {
  op: 'create' | 'write' | 'remove' | 'rename' | 'chmod';
  name: string;
}

export interface ManifestWatcher {
  close(): void;
}

/** Starts watching `path` (a directory or one file); throws when it cannot (fsnotify.NewWatcher / Add). */
export type WatchManifests = (path: string, onEvent: (e: FsEvent) => void, onError: (err: Error) => void) => ManifestWatcher;

/**
 * The host's inotify through fs.watch (non-persistent, so it never keeps the process alive). fs.watch says
 * `rename` for both a new and a vanished name and `change` for a write: the file's existence tells the first
 * apart, as fsnotify's Create and Remove would.
 */
export const watchWithFsWatch: WatchManifests = (path, onEvent, onError) => {
  const isDirectory = statSync(path).isDirectory();
  const watcher = watch(path, { persistent: false }, (type, filename) => {
    const name = isDirectory ? join(path, filename === null ? '' : filename.toString()) : path;
    if (type === 'change') onEvent({ op: 'write', name });
    else onEvent({ op: existsSync(name) ? 'create' : 'remove', name });
  });
  watcher.on('error', onError);
  return watcher;
};

/**
 * The kubelet's file source (pkg/kubelet/config/file.go, file_linux.go) over staticPodPath: a store of pods
 * keyed by namespace/name that sends its whole content (a SET) on every change. Two feeds change it, one at a
 * time, as the source's single goroutine takes them: the listing (listConfig, at start and every
 * fileCheckFrequency, which replaces the store) and inotify watch events (consumeWatchEvent, which add,
 * replace or delete one file's pod), so a new or edited manifest reaches the pod workers at once instead of
 * at the next listing. A file that fails to parse on a watch event leaves the store as it was (the next
 * listing drops its pod). The watch is retried every second while the path does not exist, with a back-off
 * from 1 s to 20 s after other errors; names starting with a dot are ignored.
 */
export class StaticPodFileSource {
  private readonly store = new Map<string, Pod>();
  private readonly fileKeyMapping = new Map<string, string>();
  private watcher: ManifestWatcher | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private stopped = false;

  constructor(
    private readonly path: string,
    private readonly nodeName: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** The source's update channel: the store's pods, as a SET. */
    private readonly send: (pods: Pod[]) => void,
    private readonly watchManifests: WatchManifests = watchWithFsWatch,
  ) {}

  /** listConfig: read the whole path and replace the store (errors are logged; an unreadable path sends nothing). */
  listConfig(): void {
    const snapshot = readStaticPods(this.path, this.nodeName, this.clock.nowMs());
    for (const err of snapshot.errors) this.log.error(`"Could not process manifest file" err=${JSON.stringify(err.message)} path=${JSON.stringify(err.source)}`);
    for (const warning of snapshot.warnings) this.log.warn(warning);
    if (!snapshot.hasUpdate) return;
    for (const [file, key] of snapshot.fileKeys) this.fileKeyMapping.set(file, key);
    this.store.clear();
    for (const pod of snapshot.pods) this.store.set(podStoreKey(pod), pod);
    this.send([...this.store.values()]);
  }

  /** consumeWatchEvent: one file's pod added, replaced or deleted, then the store sent. */
  consumeWatchEvent(e: WatchEvent): void {
    if (e.eventType === POD_EVENT_TYPE.DELETE) {
      const key = this.fileKeyMapping.get(e.fileName);
      if (key === undefined) return;
      if (!this.store.has(key)) {
        this.log.error(`"Unable to process watch event" err="the pod with key ${key} doesn't exist in cache"`);
        return;
      }
      this.store.delete(key);
      this.fileKeyMapping.delete(e.fileName);
      this.send([...this.store.values()]);
      return;
    }
    const result = readStaticPodFile(e.fileName, this.nodeName, this.clock.nowMs());
    for (const warning of result.warnings) this.log.warn(warning);
    if (result.error || result.pod === undefined) {
      this.log.error(`"Unable to process watch event" err=${JSON.stringify(`can't process config file ${JSON.stringify(e.fileName)}: ${result.error?.message ?? 'no pod'}`)}`);
      return;
    }
    const key = podStoreKey(result.pod);
    this.fileKeyMapping.set(e.fileName, key);
    this.store.set(key, result.pod);
    this.send([...this.store.values()]);
  }

  /** startWatch: watch the path, retrying until it exists; idempotent. */
  startWatch(): void {
    if (this.stopped || this.watcher !== undefined || this.retryTimer !== undefined) return;
    this.doWatch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private doWatch(): void {
    this.retryTimer = undefined;
    if (this.stopped) return;
    if (!existsSync(this.path)) {
      // Retryable ("path does not exist, ignoring"): tried again after retryPeriod, no back-off.
      this.retry(FILE_SOURCE_WATCH.RETRY_PERIOD_MS);
      return;
    }
    try {
      this.watcher = this.watchManifests(this.path, (e) => this.produceWatchEvent(e), (err) => this.watchFailed(err));
      this.backoffMs = 0;
    } catch (err) {
      this.watchFailed(err as Error);
    }
  }

  private watchFailed(err: Error): void {
    this.log.error(`"Unable to read config path" err="error while watching ${JSON.stringify(this.path)}: ${err.message}" path=${JSON.stringify(this.path)}`);
    this.watcher?.close();
    this.watcher = undefined;
    this.backoffMs = this.backoffMs === 0 ? FILE_SOURCE_WATCH.RETRY_PERIOD_MS : Math.min(this.backoffMs * 2, FILE_SOURCE_WATCH.MAX_RETRY_PERIOD_MS);
    this.retry(this.backoffMs);
  }

  private retry(delayMs: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => this.doWatch(), delayMs).unref();
  }

  /** produceWatchEvent: Create ⇒ add, Write/Chmod ⇒ modify, Remove/Rename ⇒ delete; dot files ignored. */
  private produceWatchEvent(e: FsEvent): void {
    if (this.stopped || basename(e.name).startsWith('.')) return;
    const eventType = e.op === 'create' ? POD_EVENT_TYPE.ADD : e.op === 'write' || e.op === 'chmod' ? POD_EVENT_TYPE.MODIFY : POD_EVENT_TYPE.DELETE;
    this.consumeWatchEvent({ fileName: e.name, eventType });
  }
}
