import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binomialBounds } from './binomial-bounds';

describe('binomialBounds', () => {
  it('brackets the mean of Binomial(1000, 0.01) with tails no heavier than asked', () => {
    const { low, high } = binomialBounds(1000, 0.01, 0.001);
    assert.ok(low >= 1 && low < 10 && high > 10 && high < 25, `[${low}, ${high}]`);
  });
  it('gives [0, 0] for p = 0 and [n, n] for p = 1', () => {
    assert.deepEqual(binomialBounds(50, 0, 0.01), { low: 0, high: 0 });
    assert.deepEqual(binomialBounds(50, 1, 0.01), { low: 50, high: 50 });
  });
  it('matches the exact tails of Binomial(3, 0.5) (masses 1/8, 3/8, 3/8, 1/8)', () => {
    assert.deepEqual(binomialBounds(3, 0.5, 0.13), { low: 1, high: 2 });
    assert.deepEqual(binomialBounds(3, 0.5, 0.1), { low: 0, high: 3 });
  });
  it('refuses a negative n and a p outside [0, 1]', () => {
    assert.throws(() => binomialBounds(-1, 0.5, 0.01), /n must be/);
    assert.throws(() => binomialBounds(10, 1.5, 0.01), /p must be/);
  });
});
