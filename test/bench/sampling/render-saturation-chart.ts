/**
 * The `--saturate` run's SVG chart (Vega-Lite, rendered headless by ./vega-svg.ts): the pod lifecycles/s the
 * pair sustains against tracing off, and each process's CPU per lifecycle, both against samplingRatePerMillion
 * on a log axis. Settings without a kubelet rate above 0 have no place on a log axis; the untraced figure and
 * the raw arm's ceiling are in the titles.
 */
import type { CeilingSummary, SaturationSummary } from './render-ceiling-report';
import { BASELINE_ID } from './sampling-settings';
import { LEGEND, renderVegaLiteSvg, SAMPLING_RATE_AXIS } from './vega-svg';

export async function renderSaturationChart(rows: readonly SaturationSummary[], ceiling: CeilingSummary | undefined): Promise<string> {
  const base = rows.find((r) => r.setting.id === BASELINE_ID);
  const seriesLabel = (r: SaturationSummary): string => (r.setting.series === 'runtime-follows' ? 'runtime follows' : 'runtime samples all');
  const traced = rows.filter((r) => (r.setting.kubeletRate ?? 0) > 0);
  const throughput = base === undefined ? [] : traced
    .map((r) => ({ rate: r.setting.kubeletRate, ratio: r.lifecyclesPerSecond.median / base.lifecyclesPerSecond.median, line: seriesLabel(r) }))
    .filter((d) => Number.isFinite(d.ratio));
  const cpu = traced.flatMap((r) => [
    { rate: r.setting.kubeletRate, ms: r.kubeletCpuSecondsPerLifecycle.median * 1000, line: `kubelet-sim, ${seriesLabel(r)}` },
    { rate: r.setting.kubeletRate, ms: r.runtimeCpuSecondsPerLifecycle.median * 1000, line: `runtime-sim, ${seriesLabel(r)}` },
  ]).filter((d) => Number.isFinite(d.ms));
  const offText = base === undefined ? 'no untraced run' : `tracing off ${base.lifecyclesPerSecond.median.toFixed(2)}/s`;
  const ceilingText = ceiling === undefined ? '' : `, raw arm ${ceiling.lifecyclesPerSecond.median.toFixed(1)}/s`;
  const offCpu = base === undefined ? '' : ` (off: kubelet ${(base.kubeletCpuSecondsPerLifecycle.median * 1000).toFixed(1)}, runtime ${(base.runtimeCpuSecondsPerLifecycle.median * 1000).toFixed(1)})`;
  const x = SAMPLING_RATE_AXIS;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    vconcat: [
      {
        title: `Pod lifecycles/s sustained, × tracing off (${offText}${ceilingText})`,
        width: 420,
        height: 200,
        layer: [
          { data: { values: throughput }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'ratio', type: 'quantitative', title: '× off', scale: { zero: false } }, color: { field: 'line', type: 'nominal', title: null, legend: LEGEND } } },
          { data: { values: [{ level: 1 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'grey' }, encoding: { y: { field: 'level', type: 'quantitative' } } },
        ],
      },
      {
        title: `CPU ms per pod lifecycle at saturation${offCpu}`,
        width: 420,
        height: 200,
        data: { values: cpu },
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'ms', type: 'quantitative', title: 'CPU ms / lifecycle', scale: { zero: false } }, color: { field: 'line', type: 'nominal', title: null, legend: LEGEND } },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return renderVegaLiteSvg(spec);
}
