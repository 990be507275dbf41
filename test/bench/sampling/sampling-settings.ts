/**
 * The tracing settings the sampling benchmark runs, each in fresh processes: the kubelet's
 * `tracing.samplingRatePerMillion` (component-base `NewProvider`: ParentBased, root TraceIDRatioBased(rate/1e6),
 * never for 0; no `tracing` block = no provider; as kubelet-sim/src/tracing/kubelet-tracing.ts encodes it) and
 * CRI-O's `--tracing-sampling-rate-per-million` (ParentBased(NeverSample | ratio): 0 follows the caller's
 * sampled flag, 1000000 also samples its own roots; cri-o/cri-o PR #6322, as
 * runtime-sim/src/personas/persona-version-spec.ts encodes it).
 */

/** The rates of the issue: 0, the docs' example 100, 1%, everything. */
export const KUBELET_RATES_PER_MILLION = [0, 100, 10_000, 1_000_000] as const;

/** `--rates 0,100`: kubelet rates from the benchmark's set, in its order, each once. */
export function parseKubeletRates(text: string): number[] {
  const given = text.split(',').map((r) => r.trim()).filter((r) => r !== '' && r !== 'off');
  for (const r of given) {
    if (!(KUBELET_RATES_PER_MILLION as readonly number[]).includes(Number(r)) || !/^\d+$/.test(r)) {
      throw new Error(`--rates: "${r}" is not one of the benchmark's settings; use any of ${KUBELET_RATES_PER_MILLION.join(',')} (off always runs)`);
    }
  }
  return KUBELET_RATES_PER_MILLION.filter((r) => given.includes(String(r)));
}

export type Series = 'runtime-follows' | 'runtime-samples-all';

export interface SamplingSetting {
  /** Stable key, e.g. `follow/100`, `follow/off`, `all/0`. */
  readonly id: string;
  readonly series: Series;
  /** kubelet samplingRatePerMillion; undefined = no `tracing` block. */
  readonly kubeletRate: number | undefined;
  /**
   * The runtime's own root rate per million (0 = follows, 1000000 = samples all; for containerd the sampler
   * that means, see bench-persona.ts); undefined = runtime tracing disabled.
   */
  readonly runtimeRate: number | undefined;
}

/**
 * `runtime-follows`: the baseline `off` is both processes untraced; the others run the runtime at rate 0.
 * `runtime-samples-all`: the runtime at 1000000 beside each kubelet setting, `off` included.
 */
export function samplingSettings(series: readonly Series[] = ['runtime-follows', 'runtime-samples-all'], rates: readonly number[] = KUBELET_RATES_PER_MILLION): SamplingSetting[] {
  const out: SamplingSetting[] = [];
  for (const s of series) {
    const prefix = s === 'runtime-follows' ? 'follow' : 'all';
    const runtimeRate = s === 'runtime-follows' ? 0 : 1_000_000;
    out.push({ id: `${prefix}/off`, series: s, kubeletRate: undefined, runtimeRate: s === 'runtime-follows' ? undefined : runtimeRate });
    for (const rate of rates) out.push({ id: `${prefix}/${rate}`, series: s, kubeletRate: rate, runtimeRate });
  }
  return out;
}

/** The setting every ratio of a series is taken against. */
export const BASELINE_ID = 'follow/off';

export function describeSetting(s: SamplingSetting): string {
  const kubelet = s.kubeletRate === undefined ? 'no tracing block' : String(s.kubeletRate);
  const runtime = s.runtimeRate === undefined ? 'off' : s.runtimeRate === 0 ? 'follows' : String(s.runtimeRate);
  return `kubelet ${kubelet}, runtime ${runtime}`;
}
