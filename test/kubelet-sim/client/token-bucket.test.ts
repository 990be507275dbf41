import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from '../../../kubelet-sim/src/client/token-bucket';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';

describe('TokenBucket (kubeAPIQPS / kubeAPIBurst)', () => {
  it('lets a burst through at once, then paces at qps', async () => {
    const clock = new FakeClock();
    const sleeps: number[] = [];
    const bucket = new TokenBucket(5, 2, clock, async (ms) => {
      sleeps.push(ms);
      clock.step(ms);
    });
    await bucket.wait();
    await bucket.wait();
    assert.deepEqual(sleeps, [], 'the burst of 2 needs no wait');
    await bucket.wait();
    assert.deepEqual(sleeps, [200], 'the third waits 1/qps');
  });

  it('never waits with qps 0 (no limit)', async () => {
    const bucket = new TokenBucket(0, 0, new FakeClock(), async () => assert.fail('no sleep expected'));
    for (let i = 0; i < 100; i++) await bucket.wait();
  });
});
