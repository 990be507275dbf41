import type { PodStartup } from './pod-startup-collector';
import { BREAKDOWN_PARTS, type StartupBreakdown } from './startup-breakdown';

export const STARTUP_PERCENTILES = [50, 90, 99] as const;
export const SLOWEST_PODS = 5;

export interface PercentileRow {
  /** `total`, or a breakdown part such as `imagePullMs`. */
  part: 'totalMs' | keyof StartupBreakdown;
  label: string;
  /** Keyed by percentile ("p50"). */
  values: Record<string, number>;
  max: number;
}

/** What `traces startup --json` prints. */
export interface StartupReport {
  pods: PodStartup[];
  /** Complete pods only. */
  completePods: number;
  incompletePods: number;
  percentiles: PercentileRow[];
  /** The slowest complete pods, slowest first. */
  slowest: PodStartup[];
}

export function summariseStartups(pods: PodStartup[]): StartupReport {
  const complete = pods.filter((p) => p.complete);
  const rows: PercentileRow[] = [
    row('totalMs', 'total', complete.map((p) => p.totalMs)),
    ...BREAKDOWN_PARTS.map((part) => row(part.key, part.label, complete.map((p) => p.breakdown[part.key]))),
  ];
  const slowest = [...complete].sort((a, b) => b.totalMs - a.totalMs).slice(0, SLOWEST_PODS);
  return { pods, completePods: complete.length, incompletePods: pods.length - complete.length, percentiles: rows, slowest };
}

function row(part: PercentileRow['part'], label: string, values: number[]): PercentileRow {
  const sorted = [...values].sort((a, b) => a - b);
  const out: Record<string, number> = {};
  for (const p of STARTUP_PERCENTILES) out[`p${p}`] = nearestRank(sorted, p);
  return { part, label, values: out, max: sorted[sorted.length - 1] ?? 0 };
}

/** Nearest-rank percentile of an ascending list (0 for an empty one). */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}
