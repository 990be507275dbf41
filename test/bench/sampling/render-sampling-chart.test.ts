import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DEFAULT_FLEETS, type FleetRow } from './fleet-extrapolation';
import { renderSamplingChart } from './render-sampling-chart';
import type { SettingSummary } from './run-summary';
import { samplingSettings } from './sampling-settings';

const one = (v: number) => ({ median: v, min: v, max: v });

/** Only what the chart reads of a summary: the setting and each process's CPU per lifecycle. */
function summary(id: string, kubeletMs: number, runtimeMs: number): SettingSummary {
  const setting = samplingSettings().find((s) => s.id === id);
  assert.ok(setting, id);
  return { setting, kubelet: { cpuSecondsPerLifecycle: one(kubeletMs / 1000) }, runtime: { cpuSecondsPerLifecycle: one(runtimeMs / 1000) } } as unknown as SettingSummary;
}

test('the sampling chart names every line in full and draws each traced setting', async () => {
  const summaries = [summary('follow/off', 30, 25), summary('follow/100', 31, 26), summary('all/100', 33, 28)];
  const fleet: FleetRow[] = ['follow/100', 'all/100'].map((settingId, i) => ({
    fleet: DEFAULT_FLEETS[0] as FleetRow['fleet'], settingId, spansPerSecond: 10, protobufMBPerSecond: 0.01, gzipMBPerSecond: 0.002 * (i + 1), gzipGBPerDay: 0.1,
  }));
  const svg = await renderSamplingChart(summaries, fleet);
  for (const legend of ['kubelet-sim, runtime follows', 'runtime-sim, runtime follows', 'kubelet-sim, runtime samples all', 'runtime-sim, runtime samples all']) {
    assert.ok(svg.includes(`>${legend}<`), `legend entry ${legend} in full`);
  }
  assert.ok(!svg.includes('…<'), 'no label cut short');
  assert.ok(svg.includes('× off: 1.12; line: runtime-sim, runtime samples all'), 'all/100 runtime at 28/25');
  assert.ok(svg.includes('MB/s: 0.004; line: runtime samples all'), 'the first fleet\'s gzip MB/s per series');
});
