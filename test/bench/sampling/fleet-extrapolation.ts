/**
 * What a fleet sends its collector, from one node's measured volume. Assumptions, stated in the output:
 * - traces the kubelet samples (every trace holding a kubelet span: pod lifecycles and the kubelet's
 *   background CRI calls) scale with samplingRatePerMillion, since a ParentBased(TraceIDRatioBased) root
 *   decision keeps a trace whole with probability rate/1e6; their volume at rate r is the series' measured
 *   1,000,000 volume × r/1e6 (a low rate measured directly over a short run is mostly noise);
 * - traces of runtime spans alone (roots the runtime samples itself) are taken as measured at the setting;
 * - traces outside the pod worker syncs are paced either by the loops' timers (periodic: every node sends
 *   them at the benchmark node's rate) or by pod changes (churn-driven: the relist's status calls for changed
 *   pods, GC removals, containerd's own container-event roots), which the fleet sends per pod lifecycle at its
 *   own churn (./trace-pacing.ts); pod lifecycles cost what the churn measured, whatever node they land on.
 */
import type { SettingSummary } from './run-summary';
import type { Volume } from './span-figures';

export interface FleetShape {
  nodes: number;
  /** Pod lifecycles per second across the cluster. */
  podChurnPerSecond: number;
  label: string;
}

/** Defaults when --nodes is not given: an assumed churn of DEFAULT_CHURN_PER_NODE_PER_S lifecycles per node per second. */
export const DEFAULT_CHURN_PER_NODE_PER_S = 0.02;
export const DEFAULT_FLEETS: readonly FleetShape[] = [1_000, 5_000].map((nodes) => ({
  nodes,
  podChurnPerSecond: nodes * DEFAULT_CHURN_PER_NODE_PER_S,
  label: `${nodes.toLocaleString('en-US')} nodes, ${nodes * DEFAULT_CHURN_PER_NODE_PER_S} pod lifecycles/s (assumed ${DEFAULT_CHURN_PER_NODE_PER_S}/node/s)`,
}));

export interface FleetRow {
  fleet: FleetShape;
  settingId: string;
  spansPerSecond: number;
  protobufMBPerSecond: number;
  gzipMBPerSecond: number;
  gzipGBPerDay: number;
}

export function extrapolateFleet(fleet: FleetShape, setting: SettingSummary, fullRateOfSeries: SettingSummary | undefined): FleetRow {
  const rate = setting.setting.kubeletRate;
  const share = rate === undefined || fullRateOfSeries === undefined ? 0 : rate / 1_000_000;
  const full = fullRateOfSeries;
  // Per pod lifecycle: the sync traces and the churn-driven rest, the kubelet's scaled by its sampling share.
  const kubeletPerLifecycle: Volume = full ? plus(full.lifecyclePerLifecycle, full.kubeletChurnDrivenPerLifecycle) : zero();
  const runtimePerLifecycle: Volume = setting.runtimeChurnDrivenPerLifecycle;
  // Per node-second, the periodic rest: the kubelet-sampled volume less its per-lifecycle part at the bench's churn.
  const benchChurn = full && full.windowSeconds > 0 ? full.lifecycles / full.windowSeconds : 0;
  const settingChurn = setting.windowSeconds > 0 ? setting.lifecycles / setting.windowSeconds : 0;
  const kubeletPeriodic: Volume = full ? minus(full.kubeletRootedPerSecond, scaleBy(kubeletPerLifecycle, benchChurn)) : zero();
  const runtimePeriodic: Volume = minus(setting.runtimeRootedPerSecond, scaleBy(runtimePerLifecycle, settingChurn));
  const perSecond = (pick: (v: Volume) => number): number =>
    fleet.nodes * (share * pick(kubeletPeriodic) + pick(runtimePeriodic)) + fleet.podChurnPerSecond * (share * pick(kubeletPerLifecycle) + pick(runtimePerLifecycle));
  const gzip = perSecond((v) => v.gzipBytes);
  return {
    fleet,
    settingId: setting.setting.id,
    spansPerSecond: perSecond((v) => v.spans),
    protobufMBPerSecond: perSecond((v) => v.bytes) / 1e6,
    gzipMBPerSecond: gzip / 1e6,
    gzipGBPerDay: (gzip * 86_400) / 1e9,
  };
}

function zero(): Volume {
  return { spans: 0, bytes: 0, gzipBytes: 0 };
}

function scaleBy(v: Volume, k: number): Volume {
  return { spans: v.spans * k, bytes: v.bytes * k, gzipBytes: v.gzipBytes * k };
}

function plus(a: Volume, b: Volume): Volume {
  return { spans: a.spans + b.spans, bytes: a.bytes + b.bytes, gzipBytes: a.gzipBytes + b.gzipBytes };
}

function minus(a: Volume, b: Volume): Volume {
  return { spans: Math.max(0, a.spans - b.spans), bytes: Math.max(0, a.bytes - b.bytes), gzipBytes: Math.max(0, a.gzipBytes - b.gzipBytes) };
}
