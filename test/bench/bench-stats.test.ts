import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatRatio, median, quantile, renderTable } from './bench-stats';

describe('bench-stats', () => {
  describe('quantile', () => {
    it('interpolates between closest ranks', () => {
      assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
      assert.equal(quantile([10, 20, 30, 40, 50], 0.9), 46);
      assert.equal(quantile([7], 0.99), 7);
    });
    it('is NaN for no samples and rejects q outside [0, 1]', () => {
      assert.ok(Number.isNaN(quantile([], 0.5)));
      assert.throws(() => quantile([1], 1.5), /within \[0, 1\]/);
    });
    it('does not reorder the caller\'s array', () => {
      const samples = [3, 1, 2];
      assert.equal(median(samples), 2);
      assert.deepEqual(samples, [3, 1, 2]);
    });
  });
  describe('formatRatio', () => {
    it('formats value/baseline and refuses a missing or zero baseline', () => {
      assert.equal(formatRatio(150, 100), '1.50x');
      assert.equal(formatRatio(150, 0), 'n/a');
      assert.equal(formatRatio(Number.NaN, 100), 'n/a');
    });
  });
  describe('renderTable', () => {
    it('pads the first column left-aligned and the others right-aligned', () => {
      assert.equal(renderTable(['rate', 'p50'], [['off', '5'], ['1000000', '120']]), ['rate     p50', '-------  ---', 'off        5', '1000000  120'].join('\n'));
    });
  });
});
