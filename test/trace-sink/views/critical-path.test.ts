import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeCriticalPath } from '../../../trace-sink/src/views/critical-path';
import { span, T1 } from './view-spans';

const s = (spanId: string, parentSpanId: string, startMs: number, durationMs: number) => span({ traceId: T1, spanId, parentSpanId, name: spanId, service: 'kubelet', startMs, durationMs });

describe('computeCriticalPath', () => {
  it('walks back through the last-finishing children; the parent owns the gaps', () => {
    // root 0-100; a 10-40; b 20-60 (overlaps a, ends later); c 70-90; b1 30-50 inside b.
    const segs = computeCriticalPath([s('root', '', 0, 100), s('a', 'root', 10, 30), s('b', 'root', 20, 40), s('c', 'root', 70, 20), s('b1', 'b', 30, 20)]);
    assert.deepEqual(
      segs.map((x) => [x.spanId, x.startMs - segs[0]!.startMs, x.endMs - segs[0]!.startMs].join(':')),
      ['root:0:10', 'a:10:20', 'b:20:30', 'b1:30:50', 'b:50:60', 'root:60:70', 'c:70:90', 'root:90:100'],
    );
  });

  it('clips a child that outlives its parent and ignores spans of other roots', () => {
    const segs = computeCriticalPath([s('root', '', 0, 50), s('late', 'root', 40, 30), s('orphan', 'zz', 0, 10)]);
    const base = segs[0]!.startMs;
    assert.deepEqual(segs.map((x) => [x.spanId, x.startMs - base, x.endMs - base].join(':')), ['root:0:40', 'late:40:50']);
  });
});
