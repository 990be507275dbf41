import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { SaturationSummary } from './render-ceiling-report';
import { renderSaturationChart } from './render-saturation-chart';
import { samplingSettings } from './sampling-settings';

const one = (v: number) => ({ median: v, min: v, max: v });

function row(id: string, lifecyclesPerSecond: number, kubeletMs: number, runtimeMs: number): SaturationSummary {
  const setting = samplingSettings().find((s) => s.id === id);
  assert.ok(setting, id);
  return {
    setting, rounds: 1, lifecyclesPerSecond: one(lifecyclesPerSecond),
    kubeletCpuSecondsPerLifecycle: one(kubeletMs / 1000), runtimeCpuSecondsPerLifecycle: one(runtimeMs / 1000),
    completed: 30, pods: 30, started: 30, incompleteRounds: 0, exported: { kubelet: undefined, runtime: undefined },
    dropped: undefined, lost: undefined, received: 0, external: false,
  };
}

/** The data points drawn (Vega labels each line vertex and its point alike: distinct labels). */
function datumLabels(svg: string): string[] {
  return [...new Set([...svg.matchAll(/aria-label="(kubelet samplingRatePerMillion: [^"]*)"/g)].map((m) => m[1] as string))];
}

test('the saturation chart draws throughput × off and CPU per lifecycle for every traced setting', async () => {
  const rows = [
    row('follow/off', 8, 30, 25), row('follow/0', 7.9, 31, 25), row('follow/100', 7.8, 31, 26), row('follow/1000000', 6, 40, 45),
    row('all/off', 6.5, 31, 42), row('all/100', 6.4, 32, 43), row('all/1000000', 5.9, 41, 46),
  ];
  const ceiling = { rounds: 1, concurrency: 16, callsPerSecond: one(3000), lifecyclesPerSecond: one(333.3), clientCpuUsPerCall: one(200), serverCpuUsPerCall: one(100) };
  const svg = await renderSaturationChart(rows, ceiling);
  assert.match(svg, /^<svg/);
  assert.ok(svg.includes('tracing off 8.00/s, raw arm 333.3/s'), 'the untraced figure and the ceiling are in the title');
  assert.ok(svg.includes('off: kubelet 30.0, runtime 25.0'), 'the untraced CPU is in the second title');
  for (const legend of ['runtime follows', 'runtime samples all', 'kubelet-sim, runtime follows', 'runtime-sim, runtime samples all']) {
    assert.ok(svg.includes(`>${legend}<`), `legend entry ${legend}`);
  }
  // Rates 100 and 1000000 in both series: 4 throughput points and 8 CPU points, none at rate 0 or untraced.
  const pointLabels = datumLabels(svg);
  assert.equal(pointLabels.length, 12, `points: ${pointLabels.join(' | ')}`);
  assert.ok(pointLabels.includes('kubelet samplingRatePerMillion: 1000000; × off: 0.75; line: runtime follows'), pointLabels.join(' | '));
  assert.ok(!pointLabels.some((l) => /samplingRatePerMillion: 0[;"]/.test(l)), 'no point at rate 0 on the log axis');
});

test('without an untraced run the throughput panel is empty and says so', async () => {
  const svg = await renderSaturationChart([row('follow/100', 7.8, 31, 26)], undefined);
  assert.ok(svg.includes('no untraced run'));
  assert.deepEqual(datumLabels(svg), [
    'kubelet samplingRatePerMillion: 100; CPU ms / lifecycle: 31; line: kubelet-sim, runtime follows',
    'kubelet samplingRatePerMillion: 100; CPU ms / lifecycle: 26; line: runtime-sim, runtime follows',
  ]);
});
