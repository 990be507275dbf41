import type { Tracer } from '@opentelemetry/api';
import type { KeyValue, WatchResponse } from '../../../etcd-proto/src/etcd-types';
import { withComponentSpan } from './component-base-span';
import type { EtcdKv } from './etcd-client';

/** The storage prefix (--etcd-prefix default "/registry", pkg/server/options/etcd.go). */
export const DEFAULT_ETCD_PREFIX = '/registry';

export interface StoredObject {
  metadata: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
  continue: string;
  remainingItemCount?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR';

/** Storage errors the REST layer turns into Status responses. */
export class StorageError extends Error {
  constructor(
    readonly reason: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired',
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ResourceInfo {
  /** API group ('' for core). */
  group: string;
  /** Plural resource name. */
  resource: string;
  /** Go type name of the internal object, as storage spans report it (getTypeName: reflect type string). */
  typeName: string;
}

/**
 * The apiserver's etcd3 storage (k8s.io/apiserver pkg/storage/etcd3/store.go@v0.34.10) for one resource,
 * storing JSON (as with --storage-media-type=application/json), with its component-base spans and events:
 * - Create: span "Create etcd3" {audit-id, key, type, group, resource}, events About to Encode / Encode
 *   succeeded {len} / TransformToStorage succeeded / Txn call succeeded / decode succeeded {len}; etcd call
 *   OptimisticPut = Txn(mod_revision(key) == 0 ? put).
 * - Get: no span; Range(key, limit 1).
 * - GetList: span "List(recursive=true) etcd3" {audit-id, key, resourceVersion, resourceVersionMatch,
 *   limit, continue}; Range(prefix, prefix end, limit).
 * - GuaranteedUpdate: span "GuaranteedUpdate etcd3"; Range for the current state, then Txn with the
 *   expected mod_revision, retried on conflict.
 * - Delete: no span; Range, then OptimisticDelete = Txn(mod_revision == expected ? delete : range).
 * resourceVersion is the etcd mod_revision of the object, and a list's is the header revision.
 * The watch cache is not emulated: every read goes to etcd, as with --watch-cache=false.
 */
export class Etcd3Store<T extends StoredObject> {
  constructor(
    private readonly kv: EtcdKv,
    private readonly tracer: Tracer,
    readonly info: ResourceInfo,
    private readonly prefix = DEFAULT_ETCD_PREFIX,
  ) {}

  async create(key: string, obj: T, auditId: string): Promise<T> {
    const preparedKey = this.prefix + key;
    return withComponentSpan(this.tracer, 'Create etcd3', this.attrs(auditId, key), async (span) => {
      if (obj.metadata.resourceVersion) throw new Error('resourceVersion should not be set on objects to be created');
      span.addEvent('About to Encode');
      const data = Buffer.from(JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } }));
      span.addEvent('Encode succeeded', { len: data.length });
      span.addEvent('TransformToStorage succeeded');
      let resp;
      try {
        resp = await this.kv.txn({
          compare: [{ key: b(preparedKey), target: 'MOD', result: 'EQUAL', mod_revision: 0, target_union: 'mod_revision' }],
          success: [{ request_put: { key: b(preparedKey), value: data } }],
        });
      } catch (err) {
        span.addEvent('Txn call failed', { err: (err as Error).message });
        throw err;
      }
      span.addEvent('Txn call succeeded');
      if (!resp.succeeded) throw new StorageError('AlreadyExists', key, `key ${preparedKey} already exists`);
      const out = decode<T>(data, resp.header?.revision ?? 0);
      span.addEvent('decode succeeded', { len: data.length });
      return out;
    });
  }

  async get(key: string): Promise<T | undefined> {
    const resp = await this.kv.range({ key: b(this.prefix + key), limit: 1 });
    const kv = resp.kvs[0];
    return kv ? decode<T>(kv.value, kv.mod_revision) : undefined;
  }

  async list(key: string, opts: { limit: number; continueKey: string; resourceVersion: string; auditId: string }): Promise<ListResult<T>> {
    const attributes = {
      'audit-id': opts.auditId,
      key,
      resourceVersion: opts.resourceVersion,
      resourceVersionMatch: '',
      limit: opts.limit,
      continue: opts.continueKey,
    };
    return withComponentSpan(this.tracer, 'List(recursive=true) etcd3', attributes, async () => {
      const prefix = this.prefix + key + (key.endsWith('/') ? '' : '/');
      const start = opts.continueKey !== '' ? Buffer.from(decodeContinue(opts.continueKey, prefix)) : b(prefix);
      const resp = await this.kv.range({ key: start, range_end: b(prefixEnd(prefix)), limit: opts.limit > 0 ? opts.limit : 0 });
      const items = resp.kvs.map((kv: KeyValue) => decode<T>(kv.value, kv.mod_revision));
      const revision = resp.header?.revision ?? 0;
      const last = resp.kvs[resp.kvs.length - 1];
      const more = resp.more && last !== undefined;
      return {
        items,
        resourceVersion: String(revision),
        continue: more ? encodeContinue(last.key.toString('latin1') + '\0', prefix, revision) : '',
        remainingItemCount: more ? resp.count - resp.kvs.length : undefined,
      };
    });
  }

  async guaranteedUpdate(key: string, auditId: string, update: (current: T) => T): Promise<T> {
    const preparedKey = this.prefix + key;
    return withComponentSpan(this.tracer, 'GuaranteedUpdate etcd3', this.attrs(auditId, key), async (span) => {
      for (;;) {
        const current = await this.kv.range({ key: b(preparedKey), limit: 1 });
        const kv = current.kvs[0];
        if (!kv) throw new StorageError('NotFound', key, `key ${preparedKey} not found`);
        const updated = update(decode<T>(kv.value, kv.mod_revision));
        span.addEvent('About to Encode');
        const data = Buffer.from(JSON.stringify({ ...updated, metadata: { ...updated.metadata, resourceVersion: undefined } }));
        span.addEvent('Encode succeeded', { len: data.length });
        span.addEvent('TransformToStorage succeeded');
        span.addEvent('Transaction prepared');
        const resp = await this.kv.txn({
          compare: [{ key: b(preparedKey), target: 'MOD', result: 'EQUAL', mod_revision: kv.mod_revision, target_union: 'mod_revision' }],
          success: [{ request_put: { key: b(preparedKey), value: data } }],
          failure: [{ request_range: { key: b(preparedKey) } }],
        });
        span.addEvent('Txn call completed');
        span.addEvent('Transaction committed');
        if (!resp.succeeded) {
          span.addEvent('Retry value restored');
          continue;
        }
        const out = decode<T>(data, resp.header?.revision ?? 0);
        span.addEvent('decode succeeded', { len: data.length });
        return out;
      }
    });
  }

  async delete(key: string): Promise<T> {
    const preparedKey = this.prefix + key;
    for (;;) {
      const current = await this.kv.range({ key: b(preparedKey), limit: 1 });
      const kv = current.kvs[0];
      if (!kv) throw new StorageError('NotFound', key, `key ${preparedKey} not found`);
      const resp = await this.kv.txn({
        compare: [{ key: b(preparedKey), target: 'MOD', result: 'EQUAL', mod_revision: kv.mod_revision, target_union: 'mod_revision' }],
        success: [{ request_delete_range: { key: b(preparedKey) } }],
        failure: [{ request_range: { key: b(preparedKey) } }],
      });
      if (resp.succeeded) return decode<T>(kv.value, resp.header?.revision ?? kv.mod_revision);
    }
  }

  /**
   * Watches `key` (an object or a collection prefix) from `resourceVersion` ('' or '0': the current state as
   * ADDED events first, then changes), calling `onEvent` per change with the object before a change where
   * etcd gave it (prev_kv); returns a stop function.
   */
  async watch(
    key: string,
    recursive: boolean,
    resourceVersion: string,
    onEvent: (type: WatchEventType, obj: T | { kind: 'Status'; [k: string]: unknown }, prev?: T) => void,
  ): Promise<() => void> {
    const watchKey = this.prefix + key + (recursive && !key.endsWith('/') ? '/' : '');
    let startRevision = Number(resourceVersion || '0') + 1;
    if (resourceVersion === '' || resourceVersion === '0') {
      const initial = await this.kv.range(recursive ? { key: b(watchKey), range_end: b(prefixEnd(watchKey)) } : { key: b(watchKey) });
      for (const kv of initial.kvs) onEvent('ADDED', decode<T>(kv.value, kv.mod_revision));
      startRevision = (initial.header?.revision ?? 0) + 1;
    }
    const stream = this.kv.watch();
    stream.on('data', (resp: WatchResponse) => {
      if (resp.canceled && resp.compact_revision) {
        onEvent('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${resourceVersion} (${resp.compact_revision})`, reason: 'Expired', code: 410 });
        return;
      }
      for (const e of resp.events) {
        if (e.type === 'DELETE') {
          if (e.prev_kv) onEvent('DELETED', decode<T>(e.prev_kv.value, e.kv.mod_revision));
        } else {
          const prev = e.prev_kv ? decode<T>(e.prev_kv.value, e.prev_kv.mod_revision) : undefined;
          onEvent(e.kv.create_revision === e.kv.mod_revision ? 'ADDED' : 'MODIFIED', decode<T>(e.kv.value, e.kv.mod_revision), prev);
        }
      }
    });
    stream.on('error', () => undefined);
    stream.write({
      create_request: {
        key: b(watchKey),
        range_end: recursive ? b(prefixEnd(watchKey)) : undefined,
        start_revision: startRevision,
        prev_kv: true,
        progress_notify: true,
      },
    });
    return () => stream.cancel();
  }

  private attrs(auditId: string, key: string) {
    return { 'audit-id': auditId, key, type: this.info.typeName, group: this.info.group, resource: this.info.resource };
  }
}

function b(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

function decode<T extends StoredObject>(data: Buffer, revision: number): T {
  const obj = JSON.parse(data.toString('utf8')) as T;
  obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
  return obj;
}

/** clientv3.GetPrefixRangeEnd. */
function prefixEnd(prefix: string): string {
  const bytes = b(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if ((bytes[i] as number) < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = (end[i] as number) + 1;
      return end.toString('latin1');
    }
  }
  return '\0';
}

/** pkg/storage/continue.go EncodeContinue: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<key after prefix>"}. */
function encodeContinue(nextKey: string, prefix: string, revision: number): string {
  const token = JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: nextKey.slice(prefix.length) });
  return Buffer.from(token).toString('base64url');
}

function decodeContinue(token: string, prefix: string): string {
  let parsed: { v?: string; start?: string };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw new StorageError('Expired', prefix, 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.start !== 'string') throw new StorageError('Expired', prefix, 'continue key is not valid: server does not recognize this encoded version');
  return prefix + parsed.start;
}
