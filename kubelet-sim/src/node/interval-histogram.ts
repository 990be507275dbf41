// Relist-interval histograms of a kubelet-sim fleet (./fleet-stats.ts).

/** Width of one bucket of the fleet's relist-interval histograms. */
const BUCKET_MS = 10;
/** Intervals above this land in the last bucket. */
const MAX_MS = 60_000;

/**
 * Relist intervals at 10 ms resolution, for quantiles; encoded on kubelet-sim's fleet summary line so that a
 * launcher can merge the histograms of several process pairs (node-demo fleet shards) into one.
 */
export class IntervalHistogram {
  private readonly counts = new Uint32Array(MAX_MS / BUCKET_MS + 1);
  total = 0;
  maxMs = 0;

  /** Reads encode()'s text; undefined if it is not one. */
  static decode(text: string): IntervalHistogram | undefined {
    const histogram = new IntervalHistogram();
    if (text === '-') return histogram;
    for (const part of text.split(',')) {
      const m = /^(\d+):(\d+)$/.exec(part);
      if (m === null || Number(m[1]) >= histogram.counts.length) return undefined;
      histogram.counts[Number(m[1])] += Number(m[2]);
      histogram.total += Number(m[2]);
      histogram.maxMs = Math.max(histogram.maxMs, Number(m[1]) * BUCKET_MS);
    }
    return histogram;
  }

  /** Adds `other`'s observations to this one. */
  add(other: IntervalHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  record(ms: number): void {
    this.counts[Math.min(this.counts.length - 1, Math.max(0, Math.ceil(ms / BUCKET_MS)))]++;
    this.total++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The interval (ms, rounded up to the bucket, at most the maximum) that `q` of the observations are at or below. */
  quantileMs(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      // A bucket's upper bound, but never above the largest interval seen (p99 1120 ms beside max 1115 ms reads as a bug).
      if (seen >= rank) return Math.min(i * BUCKET_MS, Math.ceil(this.maxMs));
    }
    return MAX_MS;
  }

  /** Non-empty buckets as `index:count,...` (index × 10 ms is the bucket's upper bound), for merging fleets' histograms. */
  encode(): string {
    const parts: string[] = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] > 0) parts.push(`${i}:${this.counts[i]}`);
    return parts.length === 0 ? '-' : parts.join(',');
  }

  summary(prefix: string): string {
    if (this.total === 0) return `${prefix}s=0`;
    const key = (name: string): string => `${prefix}Interval${name}`;
    return `${prefix}s=${this.total} ${key('P50')}=${this.quantileMs(0.5)}ms ${key('P99')}=${this.quantileMs(0.99)}ms ${key('Max')}=${Math.round(this.maxMs)}ms`;
  }
}
