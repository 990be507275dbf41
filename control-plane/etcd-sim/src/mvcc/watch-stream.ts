import type { MvccEvent, WatchCreateRequest, WatchResponse } from '../../../etcd-proto/src/etcd-types';
import { EtcdError } from '../../../etcd-proto/src/etcd-errors';
import type { KeyRange } from './key-range';
import { isInRange, keyRangeOf } from './key-range';
import type { CommittedTxn, MvccStore } from './mvcc-store';

/** clientv3.InvalidWatchID: the watch id of a stream-wide progress notification (client/v3/watch.go). */
export const INVALID_WATCH_ID = -1;

interface Watcher {
  readonly id: number;
  readonly range: KeyRange;
  readonly prevKv: boolean;
  readonly noPut: boolean;
  readonly noDelete: boolean;
  readonly progressNotify: boolean;
  /** Events of revisions below this are not sent (a start_revision in the future waits for it). */
  readonly startRevision: number;
}

/**
 * One gRPC Watch stream's watchers (server/etcdserver/api/v3rpc/watch.go serverWatchStream,
 * server/storage/mvcc/watchable_store.go @v3.6.14):
 * - create answers `created` with the watch id (auto ids count from 0 per stream; a taken explicit id is
 *   refused with `canceled`), then replays every event since `start_revision` when it is not in the future;
 *   a start revision below the compacted one cancels the watch with `compact_revision` set.
 * - each committed transaction sends one response per watcher with that revision's events in its range
 *   (after NOPUT/NODELETE filters), `prev_kv` only when asked.
 * - progress requests answer the current revision with watch id -1; cancel answers `canceled`.
 */
export class WatchStream {
  private readonly watchers = new Map<number, Watcher>();
  private nextId = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: MvccStore,
    private readonly header: (revision: number) => NonNullable<WatchResponse['header']>,
    private readonly send: (response: WatchResponse) => void,
  ) {
    this.unsubscribe = store.onCommit((txn) => this.deliver(txn));
  }

  create(req: WatchCreateRequest): void {
    let id = req.watch_id ?? 0;
    if (id === 0 || id === undefined) {
      while (this.watchers.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    } else if (this.watchers.has(id)) {
      this.send({ header: this.currentHeader(), watch_id: id, created: true, canceled: true, cancel_reason: 'etcdserver: duplicate watch ID', events: [] });
      return;
    }
    const watcher: Watcher = {
      id,
      range: keyRangeOf(req.key, req.range_end),
      prevKv: req.prev_kv === true,
      noPut: (req.filters ?? []).includes('NOPUT'),
      noDelete: (req.filters ?? []).includes('NODELETE'),
      progressNotify: req.progress_notify === true,
      startRevision: req.start_revision ?? 0,
    };
    const start = watcher.startRevision;
    if (start > 0 && start < this.store.compactedRevision) {
      this.send({ header: this.currentHeader(), watch_id: id, created: true, events: [] });
      this.send({ header: this.currentHeader(), watch_id: id, canceled: true, compact_revision: this.store.compactedRevision, events: [] });
      return;
    }
    this.watchers.set(id, watcher);
    this.send({ header: this.currentHeader(), watch_id: id, created: true, events: [] });
    if (start > 0 && start <= this.store.currentRevision) {
      let replay: MvccEvent[];
      try {
        replay = this.store.eventsSince(watcher.range, start, watcher.prevKv);
      } catch (err) {
        if (!(err instanceof EtcdError)) throw err;
        this.watchers.delete(id);
        this.send({ header: this.currentHeader(), watch_id: id, canceled: true, compact_revision: this.store.compactedRevision, events: [] });
        return;
      }
      const filtered = replay.filter((e) => this.passes(watcher, e));
      if (filtered.length > 0) this.send({ header: this.currentHeader(), watch_id: id, events: filtered });
    }
  }

  cancel(watchId: number): void {
    if (!this.watchers.delete(watchId)) return;
    this.send({ header: this.currentHeader(), watch_id: watchId, canceled: true, events: [] });
  }

  progress(): void {
    this.send({ header: this.currentHeader(), watch_id: INVALID_WATCH_ID, events: [] });
  }

  /** Periodic progress notification for watchers that asked for it (watchable_store.go progressIfSync). */
  notifyProgress(): void {
    for (const w of this.watchers.values()) {
      if (w.progressNotify) this.send({ header: this.currentHeader(), watch_id: w.id, events: [] });
    }
  }

  close(): void {
    this.unsubscribe();
    this.watchers.clear();
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  private deliver(txn: CommittedTxn): void {
    for (const w of this.watchers.values()) {
      if (txn.revision < w.startRevision) continue;
      const events = txn.events.filter((e) => isInRange(w.range, e.kv.key.toString('latin1')) && this.passes(w, e));
      if (events.length === 0) continue;
      this.send({
        header: this.header(txn.revision),
        watch_id: w.id,
        events: w.prevKv ? events : events.map((e) => ({ type: e.type, kv: e.kv, prev_kv: null })),
      });
    }
  }

  private passes(w: Watcher, e: MvccEvent): boolean {
    return !((e.type === 'PUT' && w.noPut) || (e.type === 'DELETE' && w.noDelete));
  }

  private currentHeader() {
    return this.header(this.store.currentRevision);
  }
}
