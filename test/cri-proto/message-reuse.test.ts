import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runtimeServiceDefinition } from '../../cri-proto/src/load-cri';
import { DecodedReuse, deepFreeze, MessageReuse, sameMessage } from '../../cri-proto/src/message-reuse';

describe('sameMessage', () => {
  it('is true for equal plain messages and false for any difference, including map key order', () => {
    const a = { items: [{ id: 'x', labels: { a: '1', b: '2' }, created_at: '5', raw: Buffer.from([1, 2]) }] };
    assert.ok(sameMessage(a, { items: [{ id: 'x', labels: { a: '1', b: '2' }, created_at: '5', raw: Buffer.from([1, 2]) }] }));
    assert.ok(!sameMessage(a, { items: [{ id: 'x', labels: { b: '2', a: '1' }, created_at: '5', raw: Buffer.from([1, 2]) }] }));
    assert.ok(!sameMessage(a, { items: [{ id: 'x', labels: { a: '1', b: '2' }, created_at: '6', raw: Buffer.from([1, 2]) }] }));
    assert.ok(!sameMessage(a, { items: [{ id: 'x', labels: { a: '1', b: '2' }, created_at: '5', raw: Buffer.from([1, 3]) }] }));
    assert.ok(!sameMessage(a, { items: [] }));
    assert.ok(!sameMessage({ items: [] }, { items: {} }));
    assert.ok(!sameMessage({ v: null }, { v: {} }));
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays and leaves Buffers writable', () => {
    const m = deepFreeze({ items: [{ labels: { a: '1' }, raw: Buffer.from([1]) }] });
    assert.throws(() => m.items.push({ labels: { a: '2' }, raw: Buffer.alloc(0) }), TypeError);
    assert.throws(() => ((m.items[0] as { labels: Record<string, string> }).labels.a = '2'), TypeError);
    m.items[0]!.raw[0] = 9;
    assert.equal(m.items[0]!.raw[0], 9);
  });
});

describe('MessageReuse', () => {
  it('gives back the previous answer to the same key while equal, a new one when not, and forgets the oldest key', () => {
    const reuse = new MessageReuse<{ n: number }>(2);
    const first = reuse.reuse('a', { n: 1 });
    assert.ok(Object.isFrozen(first));
    assert.equal(reuse.reuse('a', { n: 1 }), first);
    const changed = reuse.reuse('a', { n: 2 });
    assert.notEqual(changed, first);
    assert.equal(changed.n, 2);
    const b = reuse.reuse('b', { n: 1 });
    assert.notEqual(b, first, 'keys do not share answers');
    reuse.reuse('c', { n: 3 }); // forgets 'a'
    assert.notEqual(reuse.reuse('a', { n: 2 }), changed);
    assert.equal(reuse.reuse('c', { n: 3 }).n, 3);
  });
});

describe('DecodedReuse', () => {
  const decodeCounting = () => {
    let decodes = 0;
    const decode = (bytes: Buffer) => {
      decodes++;
      return { text: bytes.toString('utf8') };
    };
    return { decode, count: () => decodes };
  };

  it('decodes equal bytes once and gives back the same frozen message, even from a reused buffer', () => {
    let now = 0;
    const reuse = new DecodedReuse(() => now, 1000);
    const d = decodeCounting();
    const buf = Buffer.from('hello');
    const m1 = reuse.decode(buf, d.decode);
    buf.write('world'); // grpc-js may reuse its read buffer
    assert.equal(reuse.decode(Buffer.from('hello'), d.decode), m1);
    assert.equal(d.count(), 1);
    assert.ok(Object.isFrozen(m1));
    assert.equal(reuse.decode(buf, d.decode).text, 'world');
    assert.equal(d.count(), 2);
  });

  it('forgets a message read in neither of the last two generations, and keeps one read in each', () => {
    let now = 0;
    const reuse = new DecodedReuse(() => now, 1000);
    const d = decodeCounting();
    const kept = reuse.decode(Buffer.from('kept'), d.decode);
    reuse.decode(Buffer.from('dropped'), d.decode);
    for (let i = 0; i < 3; i++) {
      now += 1000;
      assert.equal(reuse.decode(Buffer.from('kept'), d.decode), kept);
    }
    assert.equal(d.count(), 2);
    reuse.decode(Buffer.from('dropped'), d.decode);
    assert.equal(d.count(), 3);
  });
});

describe('load-cri list response codecs', () => {
  it('give equal bytes for a frozen message and a fresh one, and one decoded message for equal bytes', () => {
    const method = runtimeServiceDefinition().ListContainers;
    const message = { containers: [{ id: 'c1', pod_sandbox_id: 'p1', state: 'CONTAINER_RUNNING', labels: { a: '1' }, annotations: {} }] };
    const fresh = method.responseSerialize(JSON.parse(JSON.stringify(message)));
    const frozen = deepFreeze(JSON.parse(JSON.stringify(message)));
    assert.deepEqual(method.responseSerialize(frozen), fresh);
    assert.equal(method.responseSerialize(frozen), method.responseSerialize(frozen));
    const decoded = method.responseDeserialize(Buffer.from(fresh));
    assert.equal(method.responseDeserialize(Buffer.from(fresh)), decoded);
    assert.ok(Object.isFrozen(decoded.containers));
    assert.equal(decoded.containers[0]?.id, 'c1');
    const status = runtimeServiceDefinition().ContainerStatus;
    const bytes = status.responseSerialize({ status: { id: 'c1' }, info: {} });
    assert.notEqual(status.responseDeserialize(bytes), status.responseDeserialize(bytes), 'other responses are decoded each time');
  });
});
