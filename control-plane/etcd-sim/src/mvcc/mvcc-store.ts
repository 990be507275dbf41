import type {
  Compare,
  ResponseHeader,
  DeleteRangeRequest,
  KeyValue,
  MvccEvent,
  PutRequest,
  RangeRequest,
  RequestOp,
  ResponseOp,
  TxnRequest,
} from '../../../etcd-proto/src/etcd-types';
import { EtcdError } from '../../../etcd-proto/src/etcd-errors';
import { keyBytes, keyRangeOf, keyString } from './key-range';
import type { KeyRange } from './key-range';
import { SortedKeys } from './sorted-keys';

/** One version of a key: the value written at (rev, sub), or a tombstone (`kv` null) left by a delete. */
interface KeyRevision {
  readonly rev: number;
  readonly sub: number;
  readonly kv: KeyValue | null;
}

/** What one committed write transaction changed, in order: watchers get exactly these events. */
export interface CommittedTxn {
  readonly revision: number;
  readonly events: readonly MvccEvent[];
}

export type CommitListener = (txn: CommittedTxn) => void;

/** Result of a range without the response header (the server adds it). */
export interface RangeResult {
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

/** Where the store checks leases: put with a lease needs a live one, and keys are attached to it. */
export interface LeaseAttacher {
  exists(id: number): boolean;
  attach(id: number, key: string): void;
  detach(id: number, key: string): void;
}

/**
 * etcd's multi-version store (server/storage/mvcc/kvstore.go, kvstore_txn.go, key_index.go @v3.6.14), in memory:
 * - the store revision starts at 1 and each write transaction that changes something raises it by one; the
 *   operations inside one transaction are its sub-revisions. Reads never raise it.
 * - a key's `create_revision` is the revision of the put that created it (after a delete, the next put
 *   creates it anew), `mod_revision` that of the last put, `version` counts puts since creation (1 on create);
 *   a delete leaves a tombstone, so later reads do not see the key and its version starts over.
 * - reads at an older revision see the key as it was then; revisions below the compacted one answer
 *   "required revision has been compacted", above the current one "required revision is a future revision".
 */
export class MvccStore {
  private revision = 1;
  private compactRevision = 0;
  private readonly history = new Map<string, KeyRevision[]>();
  private readonly index = new SortedKeys();
  private readonly listeners = new Set<CommitListener>();
  private leases: LeaseAttacher | undefined;

  /** `header` builds the ResponseHeader of a given revision (cluster and member ids, raft term). */
  constructor(private readonly header: (revision: number) => ResponseHeader = (revision) => ({ cluster_id: 0, member_id: 0, revision, raft_term: 0 })) {}

  /** Current store revision (ResponseHeader.revision). */
  get currentRevision(): number {
    return this.revision;
  }

  get compactedRevision(): number {
    return this.compactRevision;
  }

  setLeaseAttacher(leases: LeaseAttacher): void {
    this.leases = leases;
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  range(req: RangeRequest): RangeResult {
    if (req.key === undefined || req.key.length === 0) throw new EtcdError('emptyKey');
    const atRev = req.revision && req.revision > 0 ? req.revision : this.revision;
    if (atRev > this.revision) throw new EtcdError('futureRev');
    if (atRev < this.compactRevision) throw new EtcdError('compacted');
    return this.rangeAt(req, atRev);
  }

  private rangeAt(req: RangeRequest, atRev: number): RangeResult {
    if (req.key === undefined || req.key.length === 0) throw new EtcdError('emptyKey');
    let kvs = this.kvsAt(keyRangeOf(req.key, req.range_end), atRev);
    kvs = kvs.filter((kv) => passesRevisionFilters(kv, req));
    const count = kvs.length;
    sortKvs(kvs, req);
    const limit = req.limit ?? 0;
    const more = limit > 0 && kvs.length > limit;
    if (limit > 0) kvs = kvs.slice(0, limit);
    if (req.count_only) return { kvs: [], more, count };
    if (req.keys_only) kvs = kvs.map((kv) => ({ ...kv, value: Buffer.alloc(0) }));
    return { kvs, more, count };
  }

  put(req: PutRequest): { prevKv: KeyValue | null; revision: number } {
    const writer = this.beginWrite();
    const prevKv = writer.put(req);
    return { prevKv: req.prev_kv ? prevKv : null, revision: this.commit(writer) };
  }

  deleteRange(req: DeleteRangeRequest): { deleted: number; prevKvs: KeyValue[]; revision: number } {
    const writer = this.beginWrite();
    const prevKvs = writer.deleteRange(req);
    return { deleted: prevKvs.length, prevKvs: req.prev_kv ? prevKvs : [], revision: this.commit(writer) };
  }

  /** Deletes the given keys in one revision (a lease's keys when it expires or is revoked). */
  deleteKeys(keys: Iterable<string>): number {
    const writer = this.beginWrite();
    for (const key of keys) writer.deleteRange({ key: keyBytes(key) });
    return this.commit(writer);
  }

  txn(req: TxnRequest): { succeeded: boolean; responses: ResponseOp[]; revision: number } {
    const succeeded = (req.compare ?? []).every((c) => this.compareHolds(c));
    const ops = (succeeded ? req.success : req.failure) ?? [];
    checkNoDuplicatePuts(ops);
    const writer = this.beginWrite();
    const responses = ops.map((op) => this.applyOp(op, writer));
    const revision = this.commit(writer);
    for (const response of responses) this.fillHeader(response, revision);
    return { succeeded, responses, revision };
  }

  /** Drops history older than `revision`, keeping each key's newest version at or below it (kvstore.go compact). */
  compact(revision: number): void {
    if (revision <= this.compactRevision) throw new EtcdError('compacted');
    if (revision > this.revision) throw new EtcdError('futureRev');
    this.compactRevision = revision;
    for (const [key, versions] of this.history) {
      let keepFrom = 0;
      for (let i = 0; i < versions.length; i++) if (versions[i].rev <= revision) keepFrom = i;
      const kept = versions.slice(keepFrom);
      if (kept.length === 1 && kept[0].kv === null && kept[0].rev <= revision) {
        this.history.delete(key);
        this.index.delete(key);
      } else {
        this.history.set(key, kept);
      }
    }
  }

  /**
   * The events of revisions ≥ `fromRevision` for keys in `range`, in revision order, each PUT/DELETE with
   * the key's previous version when `withPrevKv` (what a watch with start_revision replays).
   */
  eventsSince(range: KeyRange, fromRevision: number, withPrevKv: boolean): MvccEvent[] {
    if (fromRevision < this.compactRevision) throw new EtcdError('compacted');
    const found: Array<{ rev: number; sub: number; event: MvccEvent }> = [];
    for (const key of this.keysIn(range)) {
      const versions = this.history.get(key) ?? [];
      for (let i = 0; i < versions.length; i++) {
        const v = versions[i];
        if (v.rev < fromRevision) continue;
        const prev = i > 0 ? versions[i - 1].kv : null;
        found.push({ rev: v.rev, sub: v.sub, event: toEvent(key, v, withPrevKv ? prev : null) });
      }
    }
    found.sort((a, b) => a.rev - b.rev || a.sub - b.sub);
    return found.map((f) => f.event);
  }

  private fillHeader(response: ResponseOp, revision: number): void {
    const inner = response.response_range ?? response.response_put ?? response.response_delete_range ?? response.response_txn;
    if (inner) inner.header = this.header(revision);
    if (response.response_txn) for (const r of response.response_txn.responses) this.fillHeader(r, revision);
  }

  private applyOp(op: RequestOp, writer: StoreWriter): ResponseOp {
    if (op.request_range) return { response_range: { ...this.rangeDuringWrite(op.request_range, writer) } };
    if (op.request_put) {
      const prev = writer.put(op.request_put);
      return { response_put: { prev_kv: op.request_put.prev_kv ? prev : null } };
    }
    if (op.request_delete_range) {
      const prevKvs = writer.deleteRange(op.request_delete_range);
      return {
        response_delete_range: { deleted: prevKvs.length, prev_kvs: op.request_delete_range.prev_kv ? prevKvs : [] },
      };
    }
    if (op.request_txn) {
      const nested = op.request_txn;
      const succeeded = (nested.compare ?? []).every((c) => this.compareHolds(c));
      const responses = ((succeeded ? nested.success : nested.failure) ?? []).map((inner) => this.applyOp(inner, writer));
      return { response_txn: { succeeded, responses } };
    }
    return {};
  }

  /** A range inside a write transaction sees the transaction's earlier writes (kvstore_txn.go storeTxnWrite). */
  private rangeDuringWrite(req: RangeRequest, writer: StoreWriter): RangeResult {
    const atRev = req.revision && req.revision > 0 ? req.revision : writer.pendingRevision;
    if (atRev > writer.pendingRevision) throw new EtcdError('futureRev');
    if (atRev < this.compactRevision) throw new EtcdError('compacted');
    return this.rangeAt(req, atRev);
  }

  private compareHolds(c: Compare): boolean {
    const range = keyRangeOf(c.key, c.range_end);
    const target = c.target ?? 'VERSION';
    if (range.end === undefined) {
      return compareKv(this.latest(range.start), c, target);
    }
    // With a range_end every key in the range must hold; an empty range holds (etcd apply.go checkRequests).
    return this.kvsAt(range, this.revision).every((kv) => compareKv(kv, c, target));
  }

  private latest(key: string): KeyValue | null {
    const versions = this.history.get(key);
    return versions === undefined ? null : versions[versions.length - 1].kv;
  }

  private kvsAt(range: KeyRange, rev: number): KeyValue[] {
    const out: KeyValue[] = [];
    for (const key of this.keysIn(range)) {
      const kv = versionAt(this.history.get(key), rev);
      if (kv) out.push(kv);
    }
    return out;
  }

  private *keysIn(range: KeyRange): Generator<string> {
    if (range.end === undefined) {
      if (this.history.has(range.start)) yield range.start;
      return;
    }
    yield* this.index.between(range.start, range.end);
  }

  private beginWrite(): StoreWriter {
    return new StoreWriter(this.revision + 1, this.history, this.index, this.leases, (range) => [...this.keysIn(range)]);
  }

  private commit(writer: StoreWriter): number {
    if (writer.events.length === 0) return this.revision;
    this.revision = writer.pendingRevision;
    const committed: CommittedTxn = { revision: this.revision, events: writer.events };
    for (const listener of this.listeners) listener(committed);
    return this.revision;
  }
}

/** The writes of one transaction at revision `pendingRevision`, applied in order with rising sub-revisions. */
class StoreWriter {
  readonly events: MvccEvent[] = [];
  private sub = 0;

  constructor(
    readonly pendingRevision: number,
    private readonly history: Map<string, KeyRevision[]>,
    private readonly index: SortedKeys,
    private readonly leases: LeaseAttacher | undefined,
    private readonly keysIn: (range: KeyRange) => string[],
  ) {}

  put(req: PutRequest): KeyValue | null {
    if (req.key === undefined || req.key.length === 0) throw new EtcdError('emptyKey');
    const key = keyString(req.key);
    const versions = this.history.get(key);
    const prev = versions === undefined ? null : versions[versions.length - 1].kv;
    const value = req.ignore_value ? prev?.value : req.value;
    const lease = req.ignore_lease ? (prev?.lease ?? 0) : (req.lease ?? 0);
    if ((req.ignore_value || req.ignore_lease) && prev === null) throw new EtcdError('emptyKey');
    if (lease !== 0 && this.leases && !this.leases.exists(lease)) throw new EtcdError('leaseNotFound');
    const kv: KeyValue = {
      key: keyBytes(key),
      create_revision: prev ? prev.create_revision : this.pendingRevision,
      mod_revision: this.pendingRevision,
      version: prev ? prev.version + 1 : 1,
      value: value ?? Buffer.alloc(0),
      lease,
    };
    if (prev && prev.lease !== 0 && prev.lease !== lease) this.leases?.detach(prev.lease, key);
    if (lease !== 0) this.leases?.attach(lease, key);
    this.record(key, kv);
    this.events.push({ type: 'PUT', kv, prev_kv: prev });
    return prev;
  }

  deleteRange(req: DeleteRangeRequest): KeyValue[] {
    if (req.key === undefined || req.key.length === 0) throw new EtcdError('emptyKey');
    const deleted: KeyValue[] = [];
    for (const key of this.keysIn(keyRangeOf(req.key, req.range_end))) {
      const versions = this.history.get(key);
      const prev = versions === undefined ? null : versions[versions.length - 1].kv;
      if (prev === null) continue;
      if (prev.lease !== 0) this.leases?.detach(prev.lease, key);
      this.record(key, null);
      this.events.push({ type: 'DELETE', kv: tombstoneKv(key, this.pendingRevision), prev_kv: prev });
      deleted.push(prev);
    }
    return deleted;
  }

  private record(key: string, kv: KeyValue | null): void {
    let versions = this.history.get(key);
    if (versions === undefined) {
      versions = [];
      this.history.set(key, versions);
      this.index.add(key);
    }
    versions.push({ rev: this.pendingRevision, sub: this.sub++, kv });
  }
}

/** A delete event's kv: the key and the deleting revision, everything else zero (mvcc/watchable_store.go). */
function tombstoneKv(key: string, rev: number): KeyValue {
  return { key: keyBytes(key), create_revision: 0, mod_revision: rev, version: 0, value: Buffer.alloc(0), lease: 0 };
}

function toEvent(key: string, v: KeyRevision, prev: KeyValue | null): MvccEvent {
  return v.kv ? { type: 'PUT', kv: v.kv, prev_kv: prev } : { type: 'DELETE', kv: tombstoneKv(key, v.rev), prev_kv: prev };
}

function versionAt(versions: KeyRevision[] | undefined, rev: number): KeyValue | null {
  if (versions === undefined) return null;
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i].rev <= rev) return versions[i].kv;
  return null;
}

function passesRevisionFilters(kv: KeyValue, req: RangeRequest): boolean {
  if (req.min_mod_revision && kv.mod_revision < req.min_mod_revision) return false;
  if (req.max_mod_revision && kv.mod_revision > req.max_mod_revision) return false;
  if (req.min_create_revision && kv.create_revision < req.min_create_revision) return false;
  if (req.max_create_revision && kv.create_revision > req.max_create_revision) return false;
  return true;
}

/** etcd v3rpc/key.go + apply: sort by target, NONE with a target other than KEY means ascending. */
function sortKvs(kvs: KeyValue[], req: RangeRequest): void {
  const target = req.sort_target ?? 'KEY';
  let order = req.sort_order ?? 'NONE';
  if (order === 'NONE' && target !== 'KEY') order = 'ASCEND';
  if (order === 'NONE') return;
  const field = (kv: KeyValue): number | string =>
    target === 'VERSION' ? kv.version : target === 'CREATE' ? kv.create_revision : target === 'MOD' ? kv.mod_revision : target === 'VALUE' ? kv.value.toString('latin1') : kv.key.toString('latin1');
  kvs.sort((a, b) => {
    const x = field(a);
    const y = field(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return order === 'DESCEND' ? -c : c;
  });
}

/** A missing key compares as version, create and mod revision 0, lease 0 and empty value (mvcc applyCompare). */
function compareKv(kv: KeyValue | null, c: Compare, target: string): boolean {
  let cmp: number;
  switch (target) {
    case 'VALUE': {
      const actual = kv?.value ?? Buffer.alloc(0);
      cmp = Buffer.compare(actual, c.value ?? Buffer.alloc(0));
      break;
    }
    case 'CREATE':
      cmp = Math.sign((kv?.create_revision ?? 0) - (c.create_revision ?? 0));
      break;
    case 'MOD':
      cmp = Math.sign((kv?.mod_revision ?? 0) - (c.mod_revision ?? 0));
      break;
    case 'LEASE':
      cmp = Math.sign((kv?.lease ?? 0) - (c.lease ?? 0));
      break;
    default:
      cmp = Math.sign((kv?.version ?? 0) - (c.version ?? 0));
  }
  switch (c.result ?? 'EQUAL') {
    case 'GREATER':
      return cmp > 0;
    case 'LESS':
      return cmp < 0;
    case 'NOT_EQUAL':
      return cmp !== 0;
    default:
      return cmp === 0;
  }
}

/** etcd rejects a transaction branch that writes the same key twice (v3rpc/key.go checkTxnReqsPermission / checkIntervals). */
function checkNoDuplicatePuts(ops: RequestOp[]): void {
  const seen = new Set<string>();
  for (const op of ops) {
    if (!op.request_put) continue;
    const key = keyString(op.request_put.key);
    if (seen.has(key)) throw new EtcdError('duplicateKey');
    seen.add(key);
  }
}


