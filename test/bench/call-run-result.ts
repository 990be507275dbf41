/** What one load-client run reports to the benchmark (one JSON line on stdout). */

/** CRI calls per pod lifecycle, and spans per sampled lifecycle (3 roots + one CLIENT span per call). */
export const CALLS_PER_POD = 9;
export const CLIENT_SPANS_PER_POD = 3 + CALLS_PER_POD;

export interface CallRunResult {
  /** samplingRatePerMillion, or "off" for no tracing block (no provider, no instrumentation). */
  rate: number | 'off';
  pods: number;
  calls: number;
  /** Per-call round trip, microseconds. */
  p50Us: number;
  p90Us: number;
  p99Us: number;
  /** Client CPU (user + system) over the measured pods and the final flush, per call, microseconds. */
  cpuUsPerCall: number;
  wallMs: number;
  spansExported: number;
  spansLost: number;
}
