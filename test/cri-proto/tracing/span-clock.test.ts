import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spanClockNow, spanClockNowNs } from '../../../cri-proto/src/tracing/span-clock';

const toNs = ([seconds, nanos]: [number, number]): bigint => BigInt(seconds) * 1_000_000_000n + BigInt(nanos);

describe('span-clock', () => {
  it('spanClockNow gives the instant spanClockNowNs gives, as a normalised HrTime', () => {
    for (let i = 0; i < 1000; i++) {
      const before = spanClockNowNs();
      const now = spanClockNow() as [number, number];
      const after = spanClockNowNs();
      assert.ok(Number.isInteger(now[0]) && Number.isInteger(now[1]) && now[1] >= 0 && now[1] < 1_000_000_000, `not normalised: ${now}`);
      assert.ok(before <= toNs(now) && toNs(now) <= after, `${toNs(now)} outside [${before}, ${after}]`);
    }
  });

  it('is close to the wall clock', () => {
    const driftMs = Math.abs(Number(toNs(spanClockNow() as [number, number]) / 1_000_000n) - Date.now());
    assert.ok(driftMs < 50, `${driftMs} ms from Date.now()`);
  });
});
