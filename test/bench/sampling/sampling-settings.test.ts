import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKubeletRates, samplingSettings } from './sampling-settings';

describe('sampling-bench settings (--series, --rates)', () => {
  it('runs off and every rate of both series by default', () => {
    assert.deepEqual(samplingSettings().map((s) => s.id), [
      'follow/off', 'follow/0', 'follow/100', 'follow/10000', 'follow/1000000',
      'all/off', 'all/0', 'all/100', 'all/10000', 'all/1000000',
    ]);
  });

  it('runs only the rates --rates names, off always (the baseline), in the benchmark\'s order', () => {
    assert.deepEqual(parseKubeletRates('100,0'), [0, 100]);
    assert.deepEqual(parseKubeletRates('off,100'), [100]);
    assert.deepEqual(samplingSettings(['runtime-follows'], parseKubeletRates('0,100')).map((s) => s.id), ['follow/off', 'follow/0', 'follow/100']);
  });

  it('refuses a rate the benchmark does not run, listing those it does', () => {
    for (const bad of ['50', '1e6', '-1', 'all']) {
      assert.throws(() => parseKubeletRates(`0,${bad}`), { message: `--rates: "${bad}" is not one of the benchmark's settings; use any of 0,100,10000,1000000 (off always runs)` });
    }
  });
});
