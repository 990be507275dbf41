/**
 * Simulated resource usage of a container's processes, as cgroup counters would report it. Pure and
 * deterministic: the same (seed, container id, running time, limits) always gives the same numbers,
 * so stats move only when the runtime's clock moves.
 *
 * CPU: the process uses `rate(t) = base * (1 + 0.5 * sin(w*t + phase))` cores, always > 0, so the
 * cumulative `usage_core_nano_seconds` (its integral) grows strictly with running time. A CPU limit
 * (cpu_quota / cpu_period) caps the peak rate.
 * Memory: the working set climbs to a plateau over the first ~30 s after start and then wobbles
 * around it; a memory limit caps it below the limit (the simulator never OOM-kills by itself: that is
 * the behaviour model's `sim.cri.io/oom`).
 * Per-container parameters come from a hash of the seed and the id: containers differ, runs repeat.
 */
import { createHash } from 'node:crypto';

const NS_PER_S = 1e9;
const MIB = 1024 * 1024;

export interface ResourceLimits {
  /** CFS quota and period in microseconds (0 = unset), as LinuxContainerResources carries them. */
  readonly cpuQuota: number;
  readonly cpuPeriod: number;
  /** Bytes; 0 = unlimited. */
  readonly memoryLimitInBytes: number;
}

export const NO_LIMITS: ResourceLimits = Object.freeze({ cpuQuota: 0, cpuPeriod: 0, memoryLimitInBytes: 0 });

export interface UsageParameters {
  /** Mean CPU use, cores. */
  readonly baseCores: number;
  /** Angular frequency of the CPU wobble, radians per second. */
  readonly cpuOmega: number;
  readonly cpuPhase: number;
  /** Working-set plateau, bytes. */
  readonly plateauBytes: number;
  readonly memOmega: number;
  readonly memPhase: number;
  /** Page cache on top of the working set, as a share of it. */
  readonly cacheShare: number;
  /** Bytes the writable layer gains per hour of running. */
  readonly layerBytesPerHour: number;
}

function unitFloats(seed: number, id: string, count: number): number[] {
  const hex = createHash('sha256').update(`usage|${seed}|${id}`).digest('hex');
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(parseInt(hex.slice(i * 6, i * 6 + 6), 16) / 0xffffff);
  return out;
}

/** The per-object parameters. `id` may be a container id or a sandbox id (the pause process). */
export function usageParameters(seed: number, id: string, pause = false): UsageParameters {
  const [a, b, c, d, e, f, g, h] = unitFloats(seed, id, 8) as [number, number, number, number, number, number, number, number];
  if (pause) {
    // The pause container sleeps: a fraction of a millicore and well under a MiB.
    return {
      baseCores: 0.0001 + a * 0.0002,
      cpuOmega: 0.05,
      cpuPhase: b * 2 * Math.PI,
      plateauBytes: Math.round((0.3 + c * 0.3) * MIB),
      memOmega: 0.01,
      memPhase: d * 2 * Math.PI,
      cacheShare: 0,
      layerBytesPerHour: 0,
    };
  }
  return {
    // Log-uniform between 2 and 200 millicores: most containers idle, a few busy.
    baseCores: 0.002 * Math.exp(a * Math.log(100)),
    cpuOmega: 2 * Math.PI / (20 + b * 100),
    cpuPhase: c * 2 * Math.PI,
    // Log-uniform between 6 and 300 MiB.
    plateauBytes: Math.round(6 * MIB * Math.exp(d * Math.log(50))),
    memOmega: 2 * Math.PI / (60 + e * 240),
    memPhase: f * 2 * Math.PI,
    cacheShare: 0.05 + g * 0.3,
    layerBytesPerHour: Math.round((4 + h * 60) * 1024),
  };
}

export interface UsageSample {
  /** Cumulative CPU time, nanoseconds (CpuUsage.usage_core_nano_seconds). */
  readonly usageCoreNanoSeconds: bigint;
  readonly workingSetBytes: number;
  readonly usageBytes: number;
  readonly rssBytes: number;
  readonly pageFaults: number;
  readonly majorPageFaults: number;
  /** limit - working set; null when unlimited (the runtimes leave it unset then). */
  readonly availableBytes: number | null;
  readonly writableLayerBytes: number;
  readonly writableLayerInodes: number;
}

function cpuLimitCores(limits: ResourceLimits): number | null {
  return limits.cpuQuota > 0 && limits.cpuPeriod > 0 ? limits.cpuQuota / limits.cpuPeriod : null;
}

/**
 * Usage after `runningNs` of running (0 for a container that never ran).
 * @param runningNs time the process has been running (start to now, or start to exit)
 */
export function usageAfter(params: UsageParameters, runningNs: bigint, limits: ResourceLimits = NO_LIMITS): UsageSample {
  const t = Number(runningNs) / NS_PER_S;
  const limitCores = cpuLimitCores(limits);
  // The peak rate is 1.5 * base; scale down so the peak stays under the CPU limit.
  const base = limitCores === null ? params.baseCores : Math.min(params.baseCores, (limitCores * 0.95) / 1.5);
  const w = params.cpuOmega;
  const cpuSeconds = t <= 0 ? 0 : base * (t + (0.5 * (Math.cos(params.cpuPhase) - Math.cos(w * t + params.cpuPhase))) / w);
  const usageCoreNanoSeconds = BigInt(Math.max(0, Math.floor(cpuSeconds * NS_PER_S)));

  let workingSet = 0;
  if (t > 0) {
    const ramp = 0.6 + 0.4 * (1 - Math.exp(-t / 10));
    const wobble = 1 + 0.08 * Math.sin(params.memOmega * t + params.memPhase);
    workingSet = params.plateauBytes * ramp * wobble;
  }
  if (limits.memoryLimitInBytes > 0) workingSet = Math.min(workingSet, limits.memoryLimitInBytes * 0.9);
  const workingSetBytes = Math.round(workingSet);
  const usageBytes = Math.round(workingSet * (1 + params.cacheShare));
  return {
    usageCoreNanoSeconds,
    workingSetBytes,
    usageBytes,
    rssBytes: Math.round(workingSet * 0.85),
    pageFaults: Math.round(workingSet / 4096 + t * 40),
    majorPageFaults: Math.round(t / 30),
    availableBytes: limits.memoryLimitInBytes > 0 ? Math.max(0, limits.memoryLimitInBytes - workingSetBytes) : null,
    writableLayerBytes: t <= 0 ? 4096 : 4096 + Math.round((params.layerBytesPerHour * t) / 3600),
    writableLayerInodes: t <= 0 ? 1 : 1 + Math.min(200, Math.floor(t / 60)),
  };
}

/**
 * Instantaneous CPU rate from two cumulative samples, as both runtimes derive usage_nano_cores
 * (containerd internal/cri/server/container_stats_list.go getUsageNanoCores): null when there is no
 * earlier sample, the interval is not positive, or the counter went backwards.
 */
export function nanoCoresBetween(
  previous: { readonly timestampNs: bigint; readonly usageCoreNanoSeconds: bigint } | undefined,
  current: { readonly timestampNs: bigint; readonly usageCoreNanoSeconds: bigint },
): bigint | null {
  if (previous === undefined) return null;
  const dt = current.timestampNs - previous.timestampNs;
  if (dt <= 0n || current.usageCoreNanoSeconds < previous.usageCoreNanoSeconds) return null;
  return ((current.usageCoreNanoSeconds - previous.usageCoreNanoSeconds) * 1_000_000_000n) / dt;
}
