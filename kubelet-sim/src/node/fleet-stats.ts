import type { KubeletMetrics } from '../metrics/kubelet-metrics';
import { IntervalHistogram } from './interval-histogram';

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

  /**
   * The histograms themselves (`relistBuckets=… steadyRelistBuckets=…`, see IntervalHistogram.encode), so that a
   * launcher running a fleet as several process pairs can give one p99 for all of them (percentiles do not merge).
   */
  relistHistograms(): string {
    return `relistBuckets=${this.whole.encode()} steadyRelistBuckets=${(this.steady ?? this.whole).encode()}`;
  }

  /** `relists=… relistIntervalP50=…ms …`, then the same for the steady window (`steadyRelists=…`). */
  relistSummary(): string {
    return `${this.whole.summary('relist')} ${(this.steady ?? this.whole).summary('steadyRelist')}`;
  }
}
