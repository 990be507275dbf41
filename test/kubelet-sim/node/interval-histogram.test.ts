import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntervalHistogram } from '../../../kubelet-sim/src/node/interval-histogram';

describe('IntervalHistogram (relist intervals at 10 ms)', () => {
  it('round-trips through its text form and merges with others, so shards give one p99', () => {
    const a = new IntervalHistogram();
    const b = new IntervalHistogram();
    for (let i = 0; i < 99; i++) a.record(1_000);
    for (let i = 0; i < 99; i++) b.record(1_004);
    b.record(1_600);
    b.record(2_000);
    assert.equal(a.encode(), '100:99');
    assert.equal(b.encode(), '101:99,160:1,200:1');
    const merged = IntervalHistogram.decode(a.encode())!;
    merged.add(IntervalHistogram.decode(b.encode())!);
    assert.equal(merged.total, 200);
    assert.equal(merged.quantileMs(0.49), 1_000);
    assert.equal(merged.quantileMs(0.5), 1_010);
    assert.equal(merged.quantileMs(0.99), 1_010);
    assert.equal(merged.quantileMs(0.995), 1_600);
    assert.equal(merged.quantileMs(1), 2_000);
    assert.equal(merged.maxMs, 2_000);
  });

  it('reads an empty histogram and refuses text that is not one', () => {
    assert.equal(IntervalHistogram.decode('-')?.total, 0);
    assert.equal(new IntervalHistogram().encode(), '-');
    for (const bad of ['', 'x', '100:', '6002:1', '1:2,', '-1:3']) assert.equal(IntervalHistogram.decode(bad), undefined, bad);
  });
});
