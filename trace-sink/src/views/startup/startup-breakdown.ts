import type { CriCallRecord } from './startup-records';

/**
 * Where a pod's startup time went. Every instant of the window from the first syncPod to the last container
 * start is counted once: in the highest-priority CRI call running then (PullImage, RunPodSandbox,
 * CreateContainer, StartContainer, any other call), else as waiting for the image puller (between an
 * ImageStatus that found the image missing and the PullImage after it: the kubelet's EnsureImageExists hands
 * the pull to its puller and waits, and the serial puller, the default, runs one pull at a time node-wide;
 * kubernetes pkg/kubelet/images/image_manager.go EnsureImageExists and puller.go, v1.34.0), else as other
 * kubelet time inside a syncPod not covered by a CRI call, else as waiting between syncPods (an init
 * container running, a back-off, the pod worker queue).
 */
export interface StartupBreakdown {
  sandboxMs: number;
  imagePullMs: number;
  pullQueueMs: number;
  containerCreateMs: number;
  containerStartMs: number;
  otherCriMs: number;
  kubeletGapMs: number;
  betweenSyncPodsMs: number;
}

export const BREAKDOWN_PARTS = [
  { key: 'sandboxMs', label: 'sandbox' },
  { key: 'imagePullMs', label: 'image pulls' },
  { key: 'pullQueueMs', label: 'pull queue' },
  { key: 'containerCreateMs', label: 'container create' },
  { key: 'containerStartMs', label: 'container start' },
  { key: 'otherCriMs', label: 'other CRI' },
  { key: 'kubeletGapMs', label: 'kubelet gaps' },
  { key: 'betweenSyncPodsMs', label: 'between syncPods' },
] as const satisfies readonly { key: keyof StartupBreakdown; label: string }[];

/** Highest priority first: a pull overlapping a create (parallel pulls) counts as pull time. */
const CATEGORY_OF_METHOD: Record<string, keyof StartupBreakdown> = {
  PullImage: 'imagePullMs',
  RunPodSandbox: 'sandboxMs',
  CreateContainer: 'containerCreateMs',
  StartContainer: 'containerStartMs',
};
const PRIORITY: readonly (keyof StartupBreakdown)[] = ['imagePullMs', 'sandboxMs', 'containerCreateMs', 'containerStartMs', 'otherCriMs'];

export interface Interval {
  startMs: number;
  endMs: number;
}

/** Splits [windowStart, windowEnd] among CRI calls, syncPod time and waiting; the parts add up to the window. */
export function computeStartupBreakdown(window: Interval, syncPods: readonly Interval[], calls: readonly CriCallRecord[]): StartupBreakdown {
  const out: StartupBreakdown = { sandboxMs: 0, imagePullMs: 0, pullQueueMs: 0, containerCreateMs: 0, containerStartMs: 0, otherCriMs: 0, kubeletGapMs: 0, betweenSyncPodsMs: 0 };
  const clip = (i: Interval): Interval | undefined => {
    const s = Math.max(i.startMs, window.startMs);
    const e = Math.min(i.endMs, window.endMs);
    return e > s ? { startMs: s, endMs: e } : undefined;
  };
  const syncs = syncPods.map(clip).filter((i): i is Interval => i !== undefined);
  const categorised = calls
    .map((c) => ({ interval: clip(c), category: CATEGORY_OF_METHOD[c.method] ?? ('otherCriMs' as const) }))
    .filter((c): c is { interval: Interval; category: keyof StartupBreakdown } => c.interval !== undefined);
  const pullWaits = pullQueueWaits(calls).map(clip).filter((i): i is Interval => i !== undefined);
  const cuts = new Set<number>([window.startMs, window.endMs]);
  for (const i of [...syncs, ...pullWaits]) cuts.add(i.startMs).add(i.endMs);
  for (const c of categorised) cuts.add(c.interval.startMs).add(c.interval.endMs);
  const points = [...cuts].sort((a, b) => a - b);
  for (let k = 0; k + 1 < points.length; k++) {
    const from = points[k]!;
    const to = points[k + 1]!;
    const mid = (from + to) / 2;
    const inside = (i: Interval): boolean => i.startMs <= mid && mid < i.endMs;
    const active = new Set(categorised.filter((c) => inside(c.interval)).map((c) => c.category));
    const category =
      PRIORITY.find((p) => active.has(p)) ??
      (syncs.some(inside) ? (pullWaits.some(inside) ? 'pullQueueMs' : 'kubeletGapMs') : 'betweenSyncPodsMs');
    out[category] += to - from;
  }
  return out;
}

/** From the end of an ImageStatus to the start of the PullImage that is the next call after it. */
function pullQueueWaits(calls: readonly CriCallRecord[]): Interval[] {
  const ordered = [...calls].sort((a, b) => a.startMs - b.startMs);
  const waits: Interval[] = [];
  ordered.forEach((call, i) => {
    const previous = ordered[i - 1];
    if (call.method === 'PullImage' && previous?.method === 'ImageStatus' && previous.endMs < call.startMs) {
      waits.push({ startMs: previous.endMs, endMs: call.startMs });
    }
  });
  return waits;
}
