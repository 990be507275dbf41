// Bounds, de-duplication and waiting in the in-memory span index.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanIndex } from '../../trace-sink/src/index';
import { flatSpan } from './otlp-fixtures';

const traceA = 'a'.repeat(32);
const traceB = 'b'.repeat(32);
const traceC = 'c'.repeat(32);
const span = (traceId: string, name: string, startMs = 0) =>
  flatSpan({ traceId, spanId: name.padStart(16, '0'), name, service: 'svc', startMs, durationMs: 1 });

describe('SpanIndex', () => {
  it('evicts the least recently updated trace beyond maxSpans and counts drops', () => {
    const index = new SpanIndex(4);
    index.add([span(traceA, '1', 1), span(traceA, '2', 2)]);
    index.add([span(traceB, '3', 3)]);
    index.add([span(traceA, '4', 4)]); // A is now more recent than B
    index.add([span(traceC, '5', 5)]);
    assert.deepEqual(index.traceIds(), [traceA, traceC]);
    assert.deepEqual(index.spans().map((s) => s.name), ['1', '2', '4', '5']);
    assert.equal(index.spanCount, 4);
    assert.equal(index.droppedSpanCount, 1);
    assert.equal(index.droppedTraceCount, 1);
  });

  it('trims the earliest spans of a single trace larger than the bound', () => {
    const index = new SpanIndex(2);
    index.add([span(traceA, '1'), span(traceA, '2'), span(traceA, '3')]);
    assert.deepEqual(index.trace(traceA)?.map((s) => s.name), ['2', '3']);
    assert.equal(index.droppedSpanCount, 1);
    assert.equal(index.droppedTraceCount, 0);
  });

  it('replaces a re-sent span instead of counting it twice', () => {
    const index = new SpanIndex();
    index.add([span(traceA, '1')]);
    index.add([span(traceA, '1')]);
    assert.equal(index.spanCount, 1);
    assert.equal(index.spans().length, 1);
  });

  it('groups by service in name order', () => {
    const index = new SpanIndex();
    index.add([
      flatSpan({ spanId: '01', name: 'x', service: 'kubelet', startMs: 0, durationMs: 1 }),
      flatSpan({ spanId: '02', name: 'y', service: 'crio', startMs: 0, durationMs: 1 }),
    ]);
    assert.deepEqual([...index.spansByService().keys()], ['crio', 'kubelet']);
  });

  it('waitFor resolves with the first truthy predicate result', async () => {
    const index = new SpanIndex();
    const waiting = index.waitFor((ix) => ix.spanCount >= 2 && ix.spans().map((s) => s.name), 1_000);
    index.add([span(traceA, '1')]);
    index.add([span(traceB, '2')]);
    assert.deepEqual(await waiting, ['1', '2']);
  });

  it('waitFor rejects on timeout with what the index holds', async () => {
    const index = new SpanIndex();
    index.add([span(traceA, '1')]);
    await assert.rejects(index.waitFor((ix) => ix.spanCount > 5, 20), /timed out after 20ms \(index holds 1 spans in 1 traces\)/);
  });
});
