import type { KubeletMetrics } from '../metrics/kubelet-metrics';

/** Width of one bucket of the fleet's relist-interval histograms. */
const BUCKET_MS = 10;
/** Intervals above this land in the last bucket. */
const MAX_MS = 60_000;

/** Relist intervals at 10 ms resolution, for quantiles. */
class IntervalHistogram {
  private readonly counts = new Uint32Array(MAX_MS / BUCKET_MS + 1);
  total = 0;
  maxMs = 0;

  record(ms: number): void {
    this.counts[Math.min(this.counts.length - 1, Math.max(0, Math.ceil(ms / BUCKET_MS)))]++;
    this.total++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The interval (ms, rounded up to the bucket) that `q` of the observations are at or below. */
  quantileMs(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i * BUCKET_MS;
    }
    return MAX_MS;
  }

  summary(prefix: string): string {
    if (this.total === 0) return `${prefix}s=0`;
    const key = (name: string): string => `${prefix}Interval${name}`;
    return `${prefix}s=${this.total} ${key('P50')}=${this.quantileMs(0.5)}ms ${key('P99')}=${this.quantileMs(0.99)}ms ${key('Max')}=${Math.round(this.maxMs)}ms`;
  }
}

/**
 * Fleet-wide PLEG relist intervals, for the fleet's health: every node's
 * `kubelet_pleg_relist_interval_seconds` observations, kept at 10 ms resolution so the fleet can print
 * p50/p99/max (the metric's own buckets jump from 1 s to 2.5 s, too coarse for "relists on time"), over the
 * whole run and over a steady window that starts when startSteadyWindow() is called (after the start-up
 * burst of a fleet's pods; until then the steady window is the whole run).
 */
export class FleetStats {
  private readonly whole = new IntervalHistogram();
  private steady: IntervalHistogram | undefined;

  /** Adds `metrics`' relist intervals to the fleet's (the node's histogram keeps observing as before). */
  watch(metrics: KubeletMetrics): void {
    const histogram = metrics.plegRelistInterval;
    const observe = histogram.observe.bind(histogram);
    histogram.observe = ((...args: Parameters<typeof histogram.observe>) => {
      const seconds: unknown = (args as unknown[]).find((a) => typeof a === 'number');
      if (typeof seconds === 'number') this.record(seconds * 1000);
      return observe(...args);
    }) as typeof histogram.observe;
  }

  record(ms: number): void {
    this.whole.record(ms);
    this.steady?.record(ms);
  }

  startSteadyWindow(): void {
    this.steady = new IntervalHistogram();
  }

  /** `relists=… relistIntervalP50=…ms …`, then the same for the steady window (`steadyRelists=…`). */
  relistSummary(): string {
    return `${this.whole.summary('relist')} ${(this.steady ?? this.whole).summary('steadyRelist')}`;
  }
}
