import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { RUNTIME_CACHE_REFRESH_PERIOD_MS, RuntimeCache } from '../../../kubelet-sim/src/container/runtime-cache';
import type { RuntimePod } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';

/** A getter that counts listings and answers with a fresh list each time (its `all` argument recorded). */
class CountingGetter {
  readonly calls: boolean[] = [];
  constructor(private readonly clock: FakeClock, private readonly listingTakesMs = 0) {}
  async getPods(all: boolean): Promise<RuntimePod[]> {
    this.calls.push(all);
    this.clock.step(this.listingTakesMs);
    return [{ uid: `listing-${this.calls.length}`, name: 'p', namespace: 'default', sandboxes: [], containers: [] }];
  }
}

describe('RuntimeCache', () => {
  let clock: FakeClock;
  let getter: CountingGetter;
  let cache: RuntimeCache;

  beforeEach(() => {
    clock = new FakeClock();
    getter = new CountingGetter(clock, 200);
    cache = new RuntimeCache(getter, clock);
  });

  it('refreshes for 3 s (housekeeping period + warning duration)', () => {
    assert.equal(RUNTIME_CACHE_REFRESH_PERIOD_MS, 3_000);
  });

  it('lists running pods only (GetPods(all=false)) the first time it is read', async () => {
    const pods = await cache.getPods();
    assert.deepEqual(getter.calls, [false]);
    assert.equal(pods[0].uid, 'listing-1');
  });

  it('forceUpdateIfOlder(now) lists again even when the cache is fresh, and getPods then answers from it', async () => {
    await cache.getPods();
    await cache.forceUpdateIfOlder(clock.nowMs());
    const pods = await cache.getPods();
    assert.equal(getter.calls.length, 2);
    assert.equal(pods[0].uid, 'listing-2');
  });

  it('stamps the cache with the time before the listing, so a pass started during a listing lists again', async () => {
    const startedBefore = clock.nowMs();
    await cache.forceUpdateIfOlder(startedBefore);
    await cache.forceUpdateIfOlder(startedBefore);
    assert.equal(getter.calls.length, 1, 'taken at startedBefore: fresh enough');
    await cache.forceUpdateIfOlder(startedBefore + 1);
    assert.equal(getter.calls.length, 2);
  });

  it('answers from the cache within its period and lists again after it', async () => {
    await cache.getPods();
    clock.step(RUNTIME_CACHE_REFRESH_PERIOD_MS - 200);
    await cache.getPods();
    assert.equal(getter.calls.length, 1);
    clock.step(1);
    await cache.getPods();
    assert.equal(getter.calls.length, 2);
  });

  it('serialises callers: two forced updates at once list once', async () => {
    const now = clock.nowMs();
    await Promise.all([cache.forceUpdateIfOlder(now), cache.forceUpdateIfOlder(now)]);
    assert.equal(getter.calls.length, 1);
  });
});
