import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WatchResponse } from '../../../control-plane/etcd-proto/src/etcd-types';
import { MvccStore } from '../../../control-plane/etcd-sim/src/mvcc/mvcc-store';
import { INVALID_WATCH_ID, WatchStream } from '../../../control-plane/etcd-sim/src/mvcc/watch-stream';
import { Lessor } from '../../../control-plane/etcd-sim/src/lease/lessor';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const header = (revision: number) => ({ cluster_id: 1, member_id: 2, revision, raft_term: 2 });

function watchFixture() {
  const store = new MvccStore(header);
  const sent: WatchResponse[] = [];
  const stream = new WatchStream(store, header, (r) => sent.push(r));
  return { store, sent, stream };
}

describe('WatchStream', () => {
  it('answers created with auto ids from 0, then one response per revision in range', () => {
    const { store, sent, stream } = watchFixture();
    stream.create({ key: b('/registry/pods/'), range_end: b('/registry/pods0') });
    stream.create({ key: b('/registry/ns/'), range_end: b('/registry/ns0') });
    assert.deepEqual(sent.map((r) => [r.watch_id, r.created]), [[0, true], [1, true]]);
    store.put({ key: b('/registry/pods/default/a'), value: b('x') });
    store.put({ key: b('/registry/other'), value: b('y') });
    const events = sent.slice(2);
    assert.equal(events.length, 1);
    assert.equal(events[0].watch_id, 0);
    assert.equal(events[0].header?.revision, 2);
    assert.equal(events[0].events[0].type, 'PUT');
    assert.equal(events[0].events[0].prev_kv, null);
  });

  it('replays history from start_revision, then follows live writes', () => {
    const { store, sent, stream } = watchFixture();
    store.put({ key: b('k'), value: b('1') });
    store.put({ key: b('k'), value: b('2') });
    stream.create({ key: b('k'), start_revision: 3, prev_kv: true });
    assert.equal(sent[0].created, true);
    assert.deepEqual(sent[1].events.map((e) => [e.kv.mod_revision, e.prev_kv?.value.toString()]), [[3, '1']]);
    store.deleteRange({ key: b('k') });
    assert.equal(sent[2].events[0].type, 'DELETE');
    assert.equal(sent[2].events[0].kv.mod_revision, 4);
    assert.equal(sent[2].events[0].prev_kv?.value.toString(), '2');
  });

  it('waits for a start_revision in the future, sending nothing before it', () => {
    const { store, sent, stream } = watchFixture();
    stream.create({ key: b('k'), start_revision: 4 });
    store.put({ key: b('k'), value: b('2') });
    store.put({ key: b('k'), value: b('3') });
    store.put({ key: b('k'), value: b('4') });
    assert.deepEqual(sent.slice(1).map((r) => r.events.map((e) => e.kv.mod_revision)), [[4]]);
  });

  it('cancels a watch that starts below the compacted revision with compact_revision set', () => {
    const { store, sent, stream } = watchFixture();
    store.put({ key: b('k'), value: b('1') });
    store.put({ key: b('k'), value: b('2') });
    store.compact(3);
    stream.create({ key: b('k'), start_revision: 2 });
    assert.equal(sent[1].canceled, true);
    assert.equal(sent[1].compact_revision, 3);
    store.put({ key: b('k'), value: b('3') });
    assert.equal(sent.length, 2);
  });

  it('drops filtered event types, answers progress with watch id -1, stops after cancel', () => {
    const { store, sent, stream } = watchFixture();
    stream.create({ key: b('k'), filters: ['NOPUT'] });
    store.put({ key: b('k'), value: b('1') });
    assert.equal(sent.length, 1);
    store.deleteRange({ key: b('k') });
    assert.equal(sent[1].events[0].type, 'DELETE');
    stream.progress();
    assert.deepEqual([sent[2].watch_id, sent[2].header?.revision], [INVALID_WATCH_ID, 3]);
    stream.cancel(0);
    assert.equal(sent[3].canceled, true);
    store.put({ key: b('k'), value: b('2') });
    store.deleteRange({ key: b('k') });
    assert.equal(sent.length, 4);
  });
});

describe('Lessor', () => {
  it('raises a short TTL to the minimum, deletes attached keys in one revision when the lease expires', () => {
    let now = 0;
    const store = new MvccStore(header);
    const lessor = new Lessor(store, () => now);
    const { id, ttl } = lessor.grant(1);
    assert.equal(ttl, 2);
    store.put({ key: b('a'), value: b('1'), lease: id });
    store.put({ key: b('b'), value: b('1'), lease: id });
    now = 1_500;
    assert.equal(lessor.expire(), 0);
    assert.equal(lessor.keepAlive(id), 2);
    now = 3_400;
    assert.equal(lessor.expire(), 0);
    now = 3_600;
    assert.equal(lessor.expire(), 1);
    assert.equal(store.range({ key: b('\0'), range_end: b('\0') }).count, 0);
    assert.equal(store.currentRevision, 4);
    assert.throws(() => lessor.keepAlive(id), /requested lease not found/);
  });

  it('refuses a put with a lease that does not exist', () => {
    const store = new MvccStore(header);
    new Lessor(store);
    assert.throws(() => store.put({ key: b('a'), value: b('1'), lease: 42 }), /requested lease not found/);
  });
});
