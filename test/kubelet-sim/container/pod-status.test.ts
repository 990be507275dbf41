import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { emptyPodStatus, PodCache } from '../../../kubelet-sim/src/container/pod-status';

describe('PodCache.getNewerThan', () => {
  it('resolves once the global timestamp passes the minimum', async () => {
    const cache = new PodCache();
    const waiting = cache.getNewerThan('uid-a', 100);
    cache.updateTime(101);
    assert.equal(await waiting, undefined);
  });

  it('returns the entry newer than the minimum at once', async () => {
    const cache = new PodCache();
    const status = emptyPodStatus('uid-a', 'a', 'default');
    cache.set('uid-a', status, 200);
    assert.equal(await cache.getNewerThan('uid-a', 100), status);
  });

  it('leaves no abort listener behind after it was woken, however many times it waited', async () => {
    const cache = new PodCache();
    const abort = new AbortController();
    for (let i = 0; i < 25; i++) {
      const waiting = cache.getNewerThan('uid-a', i * 10, abort.signal);
      cache.updateTime(i * 10 + 1);
      await waiting;
    }
    assert.equal(getEventListeners(abort.signal, 'abort').length, 0);
  });

  it('ends a wait when aborted', async () => {
    const cache = new PodCache();
    const abort = new AbortController();
    const waiting = cache.getNewerThan('uid-a', 100, abort.signal);
    abort.abort();
    assert.equal(await waiting, undefined);
  });
});
