import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { REQUEST_CACHE, RequestCache, TOO_MANY_IN_FLIGHT_MESSAGE } from '../../../runtime-sim/src/streaming/request-cache';

function fakeTime(): { nowMs: () => number; advance: (ms: number) => void } {
  let now = 1_000_000;
  return { nowMs: () => now, advance: (ms) => void (now += ms) };
}

describe('RequestCache', () => {
  it('issues 8-character base64url tokens that are unique', () => {
    const cache = new RequestCache<number>();
    const tokens = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const token = cache.insert(i);
      assert.match(token, /^[A-Za-z0-9_-]{8}$/);
      tokens.add(token);
    }
    assert.equal(tokens.size, 200);
    assert.equal(REQUEST_CACHE.TOKEN_LENGTH, 8);
  });

  it('hands a request out exactly once', () => {
    const cache = new RequestCache<string>();
    const token = cache.insert('exec-1');
    assert.equal(cache.consume(token), 'exec-1');
    assert.equal(cache.consume(token), undefined);
    assert.equal(cache.consume('fooBAR12'), undefined);
    assert.equal(cache.size, 0);
  });

  it('keeps a token valid through its TTL instant and refuses it one millisecond later', () => {
    const time = fakeTime();
    const cache = new RequestCache<string>({ nowMs: time.nowMs });
    const atTtl = cache.insert('a');
    const afterTtl = cache.insert('b');
    time.advance(REQUEST_CACHE.TTL_MS);
    assert.equal(cache.consume(atTtl), 'a');
    time.advance(1);
    assert.equal(cache.consume(afterTtl), undefined);
    assert.equal(REQUEST_CACHE.TTL_MS, 60_000);
  });

  it('refuses new requests with RESOURCE_EXHAUSTED when full, and makes room as entries expire', () => {
    const time = fakeTime();
    const cache = new RequestCache<number>({ nowMs: time.nowMs, maxInFlight: 3 });
    const first = cache.insert(1);
    time.advance(10_000);
    cache.insert(2);
    cache.insert(3);
    assert.throws(() => cache.insert(4), (err: { code?: number; message?: string }) => {
      assert.equal(err.code, GRPC_STATUS.RESOURCE_EXHAUSTED);
      assert.equal(err.message, TOO_MANY_IN_FLIGHT_MESSAGE);
      return true;
    });
    assert.equal(cache.consume(first), 1, 'a full cache does not evict live entries');
    time.advance(REQUEST_CACHE.TTL_MS + 1);
    cache.insert(5);
    assert.equal(cache.size, 1, 'expired entries are collected on insert');
  });

  it('retries a colliding token and gives up after the bounded number of tries', () => {
    const cache = new RequestCache<number>({ randomBytes: (n) => Buffer.alloc(n, 7) });
    cache.insert(1);
    assert.throws(() => cache.insert(2), /failed to generate unique token/);
  });
});
