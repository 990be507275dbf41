import { parseGoDurationMs } from '../config/go-duration';
import type { ChurnWorkloadOptions } from '../pod-sources/churn-workload';
import { CHURN_LIMITS } from '../pod-sources/churn-workload';

/** Synthetic workloads `--workload` knows. */
export const WORKLOAD_KIND = {
  CHURN: 'churn',
} as const;

/**
 * What `--workload churn` does when a flag is left out (shown in --help): 50 pods created at 2 per second,
 * each deleted 30 s after its creation, seed 1; the last pod goes away about 55 s into the run.
 */
export const CHURN_DEFAULTS = {
  PODS: '50',
  POD_LIFETIME: '30s',
  CREATION_RATE: '2',
  WORKLOAD_SEED: '1',
} as const;

/** The raw values of the workload flags, as yargs hands them over. */
export interface RawWorkloadFlags {
  workload: string | undefined;
  pods: string | undefined;
  podLifetime: string | undefined;
  creationRate: string | undefined;
  workloadSeed: string | undefined;
}

/** The flags that only mean something with `--workload`. */
const WORKLOAD_ONLY_FLAGS = [['pods', 'pods'], ['podLifetime', 'pod-lifetime'], ['creationRate', 'creation-rate'], ['workloadSeed', 'workload-seed']] as const;

/**
 * Checks `--workload churn [--pods N] [--pod-lifetime D] [--creation-rate R] [--workload-seed S]`, each
 * defaulting to CHURN_DEFAULTS. Throws an Error whose message names the flag in the form cobra uses
 * (`invalid argument "0" for "--pods" flag: ...`); the caller turns it into a flag error. Returns undefined
 * when no workload was asked for.
 */
export function parseWorkloadFlags(raw: RawWorkloadFlags): ChurnWorkloadOptions | undefined {
  if (raw.workload === undefined) {
    const stray = WORKLOAD_ONLY_FLAGS.filter(([key]) => raw[key] !== undefined).map(([, flag]) => `--${flag}`);
    if (stray.length > 0) throw new Error(`${stray.join(', ')} only apply to a synthetic workload: add --workload ${WORKLOAD_KIND.CHURN}`);
    return undefined;
  }
  if (raw.workload !== WORKLOAD_KIND.CHURN) throw new Error(`invalid argument ${JSON.stringify(raw.workload)} for "--workload" flag: supported values: "${WORKLOAD_KIND.CHURN}"`);
  raw = {
    ...raw,
    pods: raw.pods ?? CHURN_DEFAULTS.PODS,
    podLifetime: raw.podLifetime ?? CHURN_DEFAULTS.POD_LIFETIME,
    creationRate: raw.creationRate ?? CHURN_DEFAULTS.CREATION_RATE,
    workloadSeed: raw.workloadSeed ?? CHURN_DEFAULTS.WORKLOAD_SEED,
  };
  const pods = toNumber(raw.pods);
  if (!Number.isInteger(pods) || pods < 1 || pods > CHURN_LIMITS.MAX_PODS) {
    throw new Error(`invalid argument ${JSON.stringify(raw.pods)} for "--pods" flag: must be a whole number from 1 to ${CHURN_LIMITS.MAX_PODS}`);
  }
  const rate = toNumber(raw.creationRate);
  if (!Number.isFinite(rate) || rate <= 0 || rate > CHURN_LIMITS.MAX_CREATION_RATE_PER_SECOND) {
    throw new Error(`invalid argument ${JSON.stringify(raw.creationRate)} for "--creation-rate" flag: must be a number of pods per second greater than 0 and at most ${CHURN_LIMITS.MAX_CREATION_RATE_PER_SECOND}`);
  }
  let lifetimeMs: number;
  try {
    lifetimeMs = parseGoDurationMs(raw.podLifetime as string);
  } catch (err) {
    throw new Error(`invalid argument ${JSON.stringify(raw.podLifetime)} for "--pod-lifetime" flag: ${(err as Error).message} (use a Go duration such as 30s, 2m or 1h30m)`);
  }
  if (lifetimeMs <= 0 || lifetimeMs > CHURN_LIMITS.MAX_POD_LIFETIME_MS) {
    throw new Error(`invalid argument ${JSON.stringify(raw.podLifetime)} for "--pod-lifetime" flag: must be greater than 0 and at most 24h0m0s`);
  }
  const seed = toNumber(raw.workloadSeed);
  if (!Number.isInteger(seed) || seed < 0 || seed > CHURN_LIMITS.MAX_SEED) {
    throw new Error(`invalid argument ${JSON.stringify(raw.workloadSeed)} for "--workload-seed" flag: must be a whole number from 0 to ${CHURN_LIMITS.MAX_SEED}`);
  }
  return { pods, podLifetimeMs: lifetimeMs, creationRatePerSecond: rate, seed };
}

/** A decimal number, or NaN for anything else (`Number('')` would be 0, `Number('0x10')` 16). */
function toNumber(text: string | undefined): number {
  return text !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : NaN;
}
