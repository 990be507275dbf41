/**
 * The markdown for the physical ceiling (the raw grpc-js arm) and the saturation runs: throughput per setting,
 * against tracing off and as a fraction of the ceiling.
 */
import { formatRatio } from '../bench-stats';
import type { RawCeilingResult } from './raw-ceiling-run';
import { spread, type Spread } from './run-summary';
import type { SaturationResult } from './saturation-run';
import { BASELINE_ID, type SamplingSetting } from './sampling-settings';
import { mdTable } from './render-sampling-report';

export interface CeilingSummary {
  rounds: number;
  concurrency: number;
  callsPerSecond: Spread;
  lifecyclesPerSecond: Spread;
  clientCpuUsPerCall: Spread;
  serverCpuUsPerCall: Spread;
}

export function summariseCeiling(runs: readonly RawCeilingResult[], concurrency: number): CeilingSummary {
  return {
    rounds: runs.length,
    concurrency,
    callsPerSecond: spread(runs.map((r) => r.callsPerSecond)),
    lifecyclesPerSecond: spread(runs.map((r) => r.lifecyclesPerSecond)),
    clientCpuUsPerCall: spread(runs.map((r) => r.clientCpuUsPerCall)),
    serverCpuUsPerCall: spread(runs.map((r) => r.serverCpuUsPerCall)),
  };
}

export interface SaturationSummary {
  setting: SamplingSetting;
  rounds: number;
  lifecyclesPerSecond: Spread;
  kubeletCpuSecondsPerLifecycle: Spread;
  runtimeCpuSecondsPerLifecycle: Spread;
  /** Over the rounds: lifecycles completed, pods asked for, pods seen started. */
  completed: number;
  pods: number;
  started: number;
  incompleteRounds: number;
  exported: { kubelet: number | undefined; runtime: number | undefined };
  dropped: number | undefined;
  lost: number | undefined;
  received: number;
  external: boolean;
}

export function summariseSaturation(setting: SamplingSetting, runs: readonly SaturationResult[]): SaturationSummary {
  const sumExit = (pick: (r: SaturationResult) => number | undefined): number | undefined =>
    runs.every((r) => pick(r) === undefined) ? undefined : runs.reduce((n, r) => n + (pick(r) ?? 0), 0);
  return {
    setting,
    rounds: runs.length,
    lifecyclesPerSecond: spread(runs.map((r) => r.lifecyclesPerSecond)),
    kubeletCpuSecondsPerLifecycle: spread(runs.map((r) => r.kubeletCpuSecondsPerLifecycle)),
    runtimeCpuSecondsPerLifecycle: spread(runs.map((r) => r.runtimeCpuSecondsPerLifecycle)),
    completed: runs.reduce((n, r) => n + r.completed, 0),
    pods: runs.reduce((n, r) => n + r.pods, 0),
    started: runs.reduce((n, r) => n + r.started, 0),
    incompleteRounds: runs.filter((r) => !r.complete).length,
    exported: { kubelet: sumExit((r) => r.exit.kubelet?.exported), runtime: sumExit((r) => r.exit.runtime?.exported) },
    dropped: sumExit((r) => (r.exit.kubelet || r.exit.runtime ? (r.exit.kubelet?.dropped ?? 0) + (r.exit.runtime?.dropped ?? 0) : undefined)),
    lost: sumExit((r) => (r.exit.kubelet || r.exit.runtime ? (r.exit.kubelet?.lost ?? 0) + (r.exit.runtime?.lost ?? 0) : undefined)),
    received: runs.reduce((n, r) => n + r.spansReceived, 0),
    external: runs.some((r) => r.external),
  };
}

export function renderCeiling(c: CeilingSummary, churnLifecyclesPerSecond: number | undefined): string {
  const out = [
    `### The physical ceiling: raw grpc-js arm (bare client and server, the lifecycle's 9 CRI calls, ${c.concurrency} lifecycles in flight, no tracing; ${c.rounds} run(s), median (min–max))`,
    '',
    mdTable(
      ['calls/s', '9-call lifecycles/s', 'client CPU µs/call', 'server CPU µs/call'],
      [[cell(c.callsPerSecond, 0), cell(c.lifecyclesPerSecond, 1), cell(c.clientCpuUsPerCall, 0), cell(c.serverCpuUsPerCall, 0)]],
    ),
  ];
  if (churnLifecyclesPerSecond !== undefined) {
    out.push('', `The fixed churn (${churnLifecyclesPerSecond} pod lifecycles/s) is ${pct(churnLifecyclesPerSecond / c.lifecyclesPerSecond.median)} of that ceiling (a kubelet pod lifecycle makes more CRI calls than the raw arm's 9: status, list and PLEG calls).`);
  }
  return out.join('\n') + '\n';
}

export function renderSaturation(rows: readonly SaturationSummary[], ceiling: CeilingSummary | undefined, shape: string): string {
  const base = rows.find((r) => r.setting.id === BASELINE_ID);
  const ceilingRate = ceiling?.lifecyclesPerSecond.median;
  return [
    `### Saturation: pod lifecycles/s the pair sustains (${shape}; median over rounds, min–max; ×off against both processes untraced; ceiling = the raw arm's 9-call lifecycles/s)`,
    '',
    mdTable(
      ['setting', 'lifecycles/s', '×off', 'of ceiling', 'kubelet-sim CPU ms / lifecycle', 'runtime-sim CPU ms / lifecycle', 'completed / pods (started)', 'exported kubelet / runtime / received', 'dropped', 'export failures'],
      rows.map((r) => [
        r.setting.id + (r.incompleteRounds > 0 ? ` (${r.incompleteRounds} incomplete)` : ''),
        cell(r.lifecyclesPerSecond, 2),
        base ? formatRatio(r.lifecyclesPerSecond.median, base.lifecyclesPerSecond.median) : 'n/a',
        ceilingRate ? pct(r.lifecyclesPerSecond.median / ceilingRate) : 'n/a',
        cell(r.kubeletCpuSecondsPerLifecycle, 1, 1000),
        cell(r.runtimeCpuSecondsPerLifecycle, 1, 1000),
        `${r.completed} / ${r.pods} (${r.started})`,
        `${r.exported.kubelet ?? 'untraced'} / ${r.exported.runtime ?? 'untraced'} / ${r.external ? '(your collector)' : r.received}`,
        r.dropped === undefined ? '' : String(r.dropped),
        r.lost === undefined ? '' : String(r.lost),
      ]),
    ),
  ].join('\n') + '\n';
}

function cell(s: Spread, digits: number, factor = 1): string {
  if (!Number.isFinite(s.median)) return 'n/a';
  return `${(s.median * factor).toFixed(digits)} (${(s.min * factor).toFixed(digits)}–${(s.max * factor).toFixed(digits)})`;
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%` : 'n/a';
}
