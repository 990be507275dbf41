import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derivedUniforms } from '../../../runtime-sim/src/model/call-decider';
import {
  isRandom,
  sampleLatencyMs,
  standardNormal,
  type LatencyDistribution,
} from '../../../runtime-sim/src/model/latency-distribution';

const SAMPLES = 20_000;

/** `SAMPLES` delays drawn from one derived stream (the same generator the decider uses). */
function samples(d: LatencyDistribution, seed = 1, stream = 'test'): number[] {
  const out: number[] = [];
  for (let n = 0; n < SAMPLES; n++) {
    const [u1, u2] = derivedUniforms(seed, stream, n);
    out.push(sampleLatencyMs(d, u1, u2));
  }
  return out;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function stddev(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

describe('derivedUniforms', () => {
  it('gives the same numbers for the same seed, stream and index', () => {
    assert.deepEqual(derivedUniforms(7, 'a', 3), derivedUniforms(7, 'a', 3));
  });

  it('gives different numbers for another seed, stream or index', () => {
    const base = derivedUniforms(7, 'a', 3);
    assert.notDeepEqual(derivedUniforms(8, 'a', 3), base);
    assert.notDeepEqual(derivedUniforms(7, 'b', 3), base);
    assert.notDeepEqual(derivedUniforms(7, 'a', 4), base);
  });

  it('stays strictly inside (0, 1) and is roughly uniform', () => {
    const us: number[] = [];
    for (let n = 0; n < SAMPLES; n++) us.push(...derivedUniforms(3, 's', n));
    assert.ok(us.every((u) => u > 0 && u < 1));
    assert.ok(Math.abs(mean(us) - 0.5) < 0.01, `mean ${mean(us)}`);
  });
});

describe('sampleLatencyMs', () => {
  it('fixed: always the value', () => {
    assert.equal(sampleLatencyMs({ distribution: 'fixed', valueMs: 12 }, 0.1, 0.9), 12);
    assert.equal(isRandom({ distribution: 'fixed', valueMs: 12 }), false);
  });

  it('uniform: maps u1 onto [min, max]', () => {
    const d: LatencyDistribution = { distribution: 'uniform', minMs: 10, maxMs: 20 };
    assert.equal(sampleLatencyMs(d, 0.25, 0.5), 12.5);
    const xs = samples(d);
    assert.ok(xs.every((x) => x >= 10 && x <= 20));
    assert.ok(Math.abs(mean(xs) - 15) < 0.2, `mean ${mean(xs)}`);
    assert.equal(isRandom({ distribution: 'uniform', minMs: 5, maxMs: 5 }), false);
  });

  it('normal: mean and spread as configured', () => {
    const xs = samples({ distribution: 'normal', meanMs: 100, stddevMs: 10 });
    assert.ok(Math.abs(mean(xs) - 100) < 0.5, `mean ${mean(xs)}`);
    assert.ok(Math.abs(stddev(xs) - 10) < 0.5, `stddev ${stddev(xs)}`);
  });

  it('normal: clamps below at 0 (never negative) and at minMs / maxMs', () => {
    const wide = samples({ distribution: 'normal', meanMs: 5, stddevMs: 50 });
    assert.ok(wide.every((x) => x >= 0));
    assert.ok(wide.filter((x) => x === 0).length > SAMPLES / 3, 'about half the mass sits below 0 and is clamped');
    const bounded = samples({ distribution: 'normal', meanMs: 100, stddevMs: 50, minMs: 80, maxMs: 120 });
    assert.ok(bounded.every((x) => x >= 80 && x <= 120));
    assert.equal(Math.max(...bounded), 120);
    assert.equal(Math.min(...bounded), 80);
  });

  it('logNormal: the delay itself has the configured mean and stddev, with a right tail', () => {
    const xs = samples({ distribution: 'logNormal', meanMs: 400, stddevMs: 300 });
    assert.ok(xs.every((x) => x > 0));
    assert.ok(Math.abs(mean(xs) - 400) / 400 < 0.03, `mean ${mean(xs)}`);
    assert.ok(Math.abs(stddev(xs) - 300) / 300 < 0.1, `stddev ${stddev(xs)}`);
    const sorted = [...xs].sort((a, b) => a - b);
    assert.ok(sorted[SAMPLES / 2]! < 400, 'median below mean (right-skewed)');
  });

  it('logNormal: maxMs caps the tail; a zero mean gives zero', () => {
    const xs = samples({ distribution: 'logNormal', meanMs: 400, stddevMs: 800, maxMs: 1000 });
    assert.equal(Math.max(...xs), 1000);
    assert.equal(sampleLatencyMs({ distribution: 'logNormal', meanMs: 0, stddevMs: 5 }, 0.3, 0.7), 0);
  });

  it('is a pure function of its inputs', () => {
    const d: LatencyDistribution = { distribution: 'logNormal', meanMs: 50, stddevMs: 20 };
    assert.equal(sampleLatencyMs(d, 0.123, 0.456), sampleLatencyMs(d, 0.123, 0.456));
    assert.deepEqual(samples(d, 5), samples(d, 5));
    assert.notDeepEqual(samples(d, 5), samples(d, 6));
  });

  it('standardNormal: zero at the median point', () => {
    assert.ok(Math.abs(standardNormal(Math.exp(-0.5), 0.25)) < 1e-12);
  });
});
