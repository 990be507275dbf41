/** Rounds of one setting folded into medians with min–max, and volumes pooled over the rounds. */
import { median } from '../bench-stats';
import type { NodeRunResult, ProcessFigures } from './node-run';
import type { SamplingSetting } from './sampling-settings';
import type { NameVolume, Volume } from './span-figures';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

export interface ProcessSummary {
  cpuSecondsPerLifecycle: Spread;
  peakRssMiB: Spread;
  /** Window rates of this process's spans at the receiver. */
  spansPerSecond: Spread;
  bytesPerSecond: Spread;
  gzipBytesPerSecond: Spread;
  /** Sums over the rounds; undefined when the process ran untraced. */
  exported: number | undefined;
  lost: number | undefined;
  dropped: number | undefined;
  /** Spans the receiver got from it over the whole runs. */
  received: number;
}

export interface LatencySummary {
  p50Ms: Spread;
  p99Ms: Spread;
  /** Samples over all rounds (latencies come from sampled spans only). */
  samples: number;
}

export interface SettingSummary {
  setting: SamplingSetting;
  /** Spans went to the user's collector: spans/s are the processes' own export counts, bytes unknown. */
  external: boolean;
  rounds: number;
  lifecycles: number;
  windowSeconds: number;
  kubelet: ProcessSummary;
  runtime: ProcessSummary;
  syncPod: LatencySummary;
  podStartup: LatencySummary;
  criClient: LatencySummary;
  /** Per pod lifecycle, pooled over rounds, by service and span name. */
  perLifecycle: NameVolume[];
  /** Per node-hour of background loops, pooled over rounds, by service and span name. */
  perNodeHour: NameVolume[];
  /** Pooled window totals per second, split by who decided the sampling. */
  kubeletRootedPerSecond: Volume;
  runtimeRootedPerSecond: Volume;
  /** Window totals per pod lifecycle of the lifecycle traces (sum of perLifecycle). */
  lifecyclePerLifecycle: Volume;
  /** Traces outside pod worker syncs that pod changes pace (./trace-pacing.ts), per pod lifecycle. */
  kubeletChurnDrivenPerLifecycle: Volume;
  runtimeChurnDrivenPerLifecycle: Volume;
  kubeletRootSpans: number;
}

export function summariseSetting(setting: SamplingSetting, runs: readonly NodeRunResult[]): SettingSummary {
  const windowS = (r: NodeRunResult): number => (r.window.endMs - r.window.startMs) / 1000;
  const windowSeconds = runs.reduce((n, r) => n + windowS(r), 0);
  const lifecycles = runs.reduce((n, r) => n + r.lifecycles, 0);
  const proc = (who: 'kubelet' | 'runtime'): ProcessSummary => {
    const service = who === 'kubelet' ? 'kubelet' : (runs[0]?.runtimeService ?? 'crio');
    const rate = (pick: (v: Volume) => number) => spread(runs.map((r) => pick(r.spans.byService[service] ?? { spans: 0, bytes: 0, gzipBytes: 0 }) / windowS(r)));
    const external = runs.some((r) => r.external);
    const unknown = spread([]);
    const sumExit = (pick: (f: ProcessFigures) => number | undefined): number | undefined =>
      runs.every((r) => r[who].exit === undefined) ? undefined : runs.reduce((n, r) => n + (pick(r[who]) ?? 0), 0);
    return {
      cpuSecondsPerLifecycle: spread(runs.map((r) => r[who].cpuSecondsPerLifecycle)),
      peakRssMiB: spread(runs.map((r) => r[who].peakRssMiB)),
      spansPerSecond: external ? spread(runs.map((r) => r[who].exportedPerSecond ?? 0)) : rate((v) => v.spans),
      bytesPerSecond: external ? unknown : rate((v) => v.bytes),
      gzipBytesPerSecond: external ? unknown : rate((v) => v.gzipBytes),
      exported: sumExit((f) => f.exit?.exported),
      lost: sumExit((f) => f.exit?.lost),
      dropped: sumExit((f) => f.exit?.dropped),
      received: runs.reduce((n, r) => n + r[who].received.spans, 0),
    };
  };
  const latency = (pick: (r: NodeRunResult) => { samples: number; p50Ms: number; p99Ms: number }): LatencySummary => ({
    p50Ms: spread(runs.map((r) => pick(r).p50Ms)),
    p99Ms: spread(runs.map((r) => pick(r).p99Ms)),
    samples: runs.reduce((n, r) => n + pick(r).samples, 0),
  });
  const perLifecycle = pool(runs.flatMap((r) => r.spans.lifecycleByName), lifecycles);
  return {
    setting,
    external: runs.some((r) => r.external),
    rounds: runs.length,
    lifecycles,
    windowSeconds,
    kubelet: proc('kubelet'),
    runtime: proc('runtime'),
    syncPod: latency((r) => r.spans.syncPod),
    podStartup: latency((r) => r.spans.podStartup),
    criClient: latency((r) => r.spans.criClient),
    perLifecycle,
    perNodeHour: pool(runs.flatMap((r) => r.spans.backgroundByName), windowSeconds / 3600),
    kubeletRootedPerSecond: scale(sum(runs.map((r) => r.spans.kubeletRooted)), windowSeconds),
    runtimeRootedPerSecond: scale(sum(runs.map((r) => r.spans.runtimeRooted)), windowSeconds),
    lifecyclePerLifecycle: sum(perLifecycle),
    kubeletChurnDrivenPerLifecycle: scale(sum(runs.map((r) => r.spans.kubeletChurnDriven)), lifecycles),
    runtimeChurnDrivenPerLifecycle: scale(sum(runs.map((r) => r.spans.runtimeChurnDriven)), lifecycles),
    kubeletRootSpans: runs.reduce((n, r) => n + r.spans.kubeletRootSpans, 0),
  };
}

function sum(volumes: readonly Volume[]): Volume {
  return volumes.reduce((a, v) => ({ spans: a.spans + v.spans, bytes: a.bytes + v.bytes, gzipBytes: a.gzipBytes + v.gzipBytes }), { spans: 0, bytes: 0, gzipBytes: 0 });
}

function scale(v: Volume, divisor: number): Volume {
  if (!(divisor > 0)) return { spans: 0, bytes: 0, gzipBytes: 0 };
  return { spans: v.spans / divisor, bytes: v.bytes / divisor, gzipBytes: v.gzipBytes / divisor };
}

/** Sums the rows of each service and name, divided by `divisor`. */
function pool(rows: readonly NameVolume[], divisor: number): NameVolume[] {
  const byKey = new Map<string, NameVolume>();
  for (const row of rows) {
    const key = `${row.service}\u0000${row.name}`;
    const entry = byKey.get(key) ?? { service: row.service, name: row.name, spans: 0, bytes: 0, gzipBytes: 0 };
    entry.spans += row.spans;
    entry.bytes += row.bytes;
    entry.gzipBytes += row.gzipBytes;
    byKey.set(key, entry);
  }
  return [...byKey.values()].map((e) => ({ ...e, ...scale(e, divisor) })).sort((a, b) => b.bytes - a.bytes);
}
