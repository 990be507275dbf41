/**
 * The benchmark's SVG chart (Vega-Lite, rendered headless by ./vega-svg.ts): CPU per pod lifecycle against
 * tracing off, and what the fleet sends its collector, both against samplingRatePerMillion on a log axis.
 */
import type { FleetRow } from './fleet-extrapolation';
import type { SettingSummary } from './run-summary';
import { BASELINE_ID } from './sampling-settings';
import { LEGEND, renderVegaLiteSvg, SAMPLING_RATE_AXIS } from './vega-svg';

export async function renderSamplingChart(summaries: readonly SettingSummary[], fleet: readonly FleetRow[]): Promise<string> {
  const base = summaries.find((s) => s.setting.id === BASELINE_ID);
  const seriesLabel = (s: SettingSummary): string => (s.setting.series === 'runtime-follows' ? 'runtime follows' : 'runtime samples all');
  const cpu = summaries
    .filter((s) => (s.setting.kubeletRate ?? 0) > 0 && base !== undefined)
    .flatMap((s) => (['kubelet', 'runtime'] as const).map((who) => ({
      rate: s.setting.kubeletRate,
      ratio: s[who].cpuSecondsPerLifecycle.median / (base as SettingSummary)[who].cpuSecondsPerLifecycle.median,
      line: `${who}-sim, ${seriesLabel(s)}`,
    })))
    .filter((d) => Number.isFinite(d.ratio));
  const firstFleet = fleet[0]?.fleet.label;
  const volume = fleet
    .filter((r) => r.fleet.label === firstFleet)
    .map((r) => ({ row: r, summary: summaries.find((s) => s.setting.id === r.settingId) }))
    .filter((d) => (d.summary?.setting.kubeletRate ?? 0) > 0)
    .map((d) => ({ rate: d.summary?.setting.kubeletRate, mbps: d.row.gzipMBPerSecond, line: seriesLabel(d.summary as SettingSummary) }));
  const x = SAMPLING_RATE_AXIS;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    vconcat: [
      {
        title: 'CPU per pod lifecycle, × tracing off (1.05 = the 5% target)',
        width: 420,
        height: 200,
        layer: [
          { data: { values: cpu }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'ratio', type: 'quantitative', title: '× off', scale: { zero: false } }, color: { field: 'line', type: 'nominal', title: null, legend: LEGEND } } },
          { data: { values: [{ target: 1.05 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'grey' }, encoding: { y: { field: 'target', type: 'quantitative' } } },
        ],
      },
      {
        title: `Collector MB/s (gzip), ${firstFleet ?? 'no fleet'}`,
        width: 420,
        height: 200,
        data: { values: volume },
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'mbps', type: 'quantitative', title: 'MB/s', scale: { type: 'log' } }, color: { field: 'line', type: 'nominal', title: null, legend: LEGEND } },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return renderVegaLiteSvg(spec);
}
