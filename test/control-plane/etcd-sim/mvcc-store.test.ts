import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MvccStore } from '../../../control-plane/etcd-sim/src/mvcc/mvcc-store';
import { EtcdError } from '../../../control-plane/etcd-proto/src/etcd-errors';
import { prefixRangeEnd } from '../../../control-plane/etcd-sim/src/mvcc/key-range';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const text = (buf: Buffer): string => buf.toString('latin1');

function etcdError(name: string) {
  return (err: unknown) => err instanceof EtcdError && err.errorName === name;
}

describe('MvccStore', () => {
  describe('revisions', () => {
    it('starts at revision 1 and raises it by one per write, never for reads', () => {
      const s = new MvccStore();
      assert.equal(s.currentRevision, 1);
      assert.equal(s.put({ key: b('a'), value: b('1') }).revision, 2);
      s.range({ key: b('a') });
      assert.equal(s.currentRevision, 2);
      assert.equal(s.put({ key: b('b'), value: b('1') }).revision, 3);
    });

    it('keeps create_revision, moves mod_revision and counts version on each put', () => {
      const s = new MvccStore();
      s.put({ key: b('k'), value: b('v1') });
      s.put({ key: b('other'), value: b('x') });
      s.put({ key: b('k'), value: b('v2') });
      const [kv] = s.range({ key: b('k') }).kvs;
      assert.deepEqual([kv.create_revision, kv.mod_revision, kv.version, text(kv.value)], [2, 4, 2, 'v2']);
    });

    it('recreates a deleted key with a new create_revision and version 1', () => {
      const s = new MvccStore();
      s.put({ key: b('k'), value: b('v1') });
      const del = s.deleteRange({ key: b('k'), prev_kv: true });
      assert.equal(del.deleted, 1);
      assert.equal(text(del.prevKvs[0].value), 'v1');
      assert.equal(s.range({ key: b('k') }).count, 0);
      s.put({ key: b('k'), value: b('v2') });
      const [kv] = s.range({ key: b('k') }).kvs;
      assert.deepEqual([kv.create_revision, kv.mod_revision, kv.version], [4, 4, 1]);
    });

    it('does not raise the revision for a delete that deletes nothing', () => {
      const s = new MvccStore();
      assert.equal(s.deleteRange({ key: b('missing') }).revision, 1);
      assert.equal(s.currentRevision, 1);
    });
  });

  describe('range', () => {
    it('reads a prefix with limit, count and more, in key order', () => {
      const s = new MvccStore();
      for (const name of ['c', 'a', 'b']) s.put({ key: b(`/registry/pods/default/${name}`), value: b(name) });
      s.put({ key: b('/registry/podsx'), value: b('outside') });
      const prefix = '/registry/pods/';
      const r = s.range({ key: b(prefix), range_end: b(prefixRangeEnd(prefix)), limit: 2 });
      assert.deepEqual(r.kvs.map((kv) => text(kv.value)), ['a', 'b']);
      assert.equal(r.count, 3);
      assert.equal(r.more, true);
    });

    it('reads the past at an older revision and refuses future and compacted ones', () => {
      const s = new MvccStore();
      s.put({ key: b('k'), value: b('old') });
      s.put({ key: b('k'), value: b('new') });
      assert.equal(text(s.range({ key: b('k'), revision: 2 }).kvs[0].value), 'old');
      assert.throws(() => s.range({ key: b('k'), revision: 9 }), etcdError('futureRev'));
      s.compact(3);
      assert.throws(() => s.range({ key: b('k'), revision: 2 }), etcdError('compacted'));
      assert.equal(text(s.range({ key: b('k'), revision: 3 }).kvs[0].value), 'new');
    });

    it('answers count_only without kvs and keys_only without values', () => {
      const s = new MvccStore();
      s.put({ key: b('a'), value: b('1') });
      s.put({ key: b('b'), value: b('2') });
      const all = { key: b('\0'), range_end: b('\0') };
      assert.deepEqual(s.range({ ...all, count_only: true }), { kvs: [], more: false, count: 2 });
      assert.deepEqual(s.range({ ...all, keys_only: true }).kvs.map((kv) => kv.value.length), [0, 0]);
    });

    it('refuses an empty key', () => {
      assert.throws(() => new MvccStore().range({ key: Buffer.alloc(0) }), etcdError('emptyKey'));
    });
  });

  describe('txn', () => {
    it('creates only when mod_revision is 0 (the apiserver OptimisticPut), else runs the failure branch', () => {
      const s = new MvccStore();
      const create = () =>
        s.txn({
          compare: [{ key: b('/registry/ns/a'), target: 'MOD', result: 'EQUAL', mod_revision: 0 }],
          success: [{ request_put: { key: b('/registry/ns/a'), value: b('obj') } }],
          failure: [{ request_range: { key: b('/registry/ns/a') } }],
        });
      const first = create();
      assert.equal(first.succeeded, true);
      assert.equal(first.revision, 2);
      assert.equal(first.responses[0].response_put?.header?.revision, 2);
      const second = create();
      assert.equal(second.succeeded, false);
      assert.equal(second.revision, 2);
      assert.equal(second.responses[0].response_range?.kvs[0].mod_revision, 2);
    });

    it('commits all writes of a branch in one revision', () => {
      const s = new MvccStore();
      const r = s.txn({ success: [{ request_put: { key: b('x'), value: b('1') } }, { request_put: { key: b('y'), value: b('2') } }] });
      assert.equal(r.revision, 2);
      assert.deepEqual(s.range({ key: b('x'), range_end: b('z') }).kvs.map((kv) => kv.mod_revision), [2, 2]);
    });

    it('refuses a branch that puts the same key twice', () => {
      const s = new MvccStore();
      assert.throws(
        () => s.txn({ success: [{ request_put: { key: b('x'), value: b('1') } }, { request_put: { key: b('x'), value: b('2') } }] }),
        etcdError('duplicateKey'),
      );
    });

    it('compares a missing key as version 0 and a value byte by byte', () => {
      const s = new MvccStore();
      assert.equal(s.txn({ compare: [{ key: b('m'), target: 'VERSION', result: 'EQUAL', version: 0 }] }).succeeded, true);
      s.put({ key: b('m'), value: b('abc') });
      assert.equal(s.txn({ compare: [{ key: b('m'), target: 'VALUE', result: 'GREATER', value: b('abb') }] }).succeeded, true);
      assert.equal(s.txn({ compare: [{ key: b('m'), target: 'VERSION', result: 'NOT_EQUAL', version: 1 }] }).succeeded, false);
    });
  });

  describe('eventsSince', () => {
    it('replays puts and deletes in revision order with the previous versions', () => {
      const s = new MvccStore();
      s.put({ key: b('a'), value: b('1') });
      s.put({ key: b('b'), value: b('1') });
      s.put({ key: b('a'), value: b('2') });
      s.deleteRange({ key: b('b') });
      const events = s.eventsSince({ start: 'a', end: '' }, 3, true);
      assert.deepEqual(
        events.map((e) => [e.type, text(e.kv.key), e.kv.mod_revision, e.prev_kv ? text(e.prev_kv.value) : null]),
        [['PUT', 'b', 3, null], ['PUT', 'a', 4, '1'], ['DELETE', 'b', 5, '1']],
      );
    });
  });
});
