/**
 * Latency distributions of a runtime model, in milliseconds. Sampling is a pure function of the
 * distribution and two uniform numbers in (0, 1), so the caller decides where randomness comes from
 * (./call-decider.ts derives them from the seed and the call; tests pass fixed values).
 *
 * Every sample is clamped to [minMs, maxMs]; minMs defaults to 0, so no delay is ever negative.
 *   fixed      valueMs
 *   uniform    minMs .. maxMs
 *   normal     meanMs, stddevMs (Box-Muller), optional minMs / maxMs
 *   logNormal  meanMs, stddevMs of the delay itself (not of its logarithm), optional minMs / maxMs.
 *              Right-skewed with a long tail, the usual shape of RPC latencies; the parameters of
 *              the underlying normal are derived: sigma^2 = ln(1 + stddev^2 / mean^2),
 *              mu = ln(mean) - sigma^2 / 2.
 */

export const LATENCY_DISTRIBUTION = {
  FIXED: 'fixed',
  UNIFORM: 'uniform',
  NORMAL: 'normal',
  LOG_NORMAL: 'logNormal',
} as const;

export type LatencyDistribution =
  | { readonly distribution: 'fixed'; readonly valueMs: number }
  | { readonly distribution: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | {
      readonly distribution: 'normal' | 'logNormal';
      readonly meanMs: number;
      readonly stddevMs: number;
      readonly minMs?: number;
      readonly maxMs?: number;
    };

/** Whether sampling needs random numbers at all (a fixed or zero-width distribution does not). */
export function isRandom(d: LatencyDistribution): boolean {
  switch (d.distribution) {
    case 'fixed':
      return false;
    case 'uniform':
      return d.maxMs > d.minMs;
    default:
      return d.stddevMs > 0;
  }
}

/** A standard normal deviate from two uniforms in (0, 1) (Box-Muller, cosine branch). */
export function standardNormal(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function clamp(value: number, minMs: number | undefined, maxMs: number | undefined): number {
  const lo = Math.max(0, minMs ?? 0);
  const hi = maxMs ?? Number.POSITIVE_INFINITY;
  return Math.min(hi, Math.max(lo, value));
}

/**
 * One delay in milliseconds. `u1`, `u2` must lie in (0, 1) (exclusive: Box-Muller takes log(u1)).
 */
export function sampleLatencyMs(d: LatencyDistribution, u1: number, u2: number): number {
  switch (d.distribution) {
    case 'fixed':
      return clamp(d.valueMs, 0, undefined);
    case 'uniform':
      return clamp(d.minMs + u1 * (d.maxMs - d.minMs), d.minMs, d.maxMs);
    case 'normal':
      return clamp(d.meanMs + d.stddevMs * standardNormal(u1, u2), d.minMs, d.maxMs);
    case 'logNormal': {
      if (d.meanMs <= 0) return clamp(0, d.minMs, d.maxMs);
      const sigma2 = Math.log(1 + (d.stddevMs * d.stddevMs) / (d.meanMs * d.meanMs));
      const mu = Math.log(d.meanMs) - sigma2 / 2;
      return clamp(Math.exp(mu + Math.sqrt(sigma2) * standardNormal(u1, u2)), d.minMs, d.maxMs);
    }
    default: {
      const never: never = d;
      throw new Error(`unknown latency distribution ${JSON.stringify(never)}`);
    }
  }
}
