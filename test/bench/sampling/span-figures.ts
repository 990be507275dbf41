import { startupReportOf, type FlatSpan } from '../../../trace-sink/src';
import { quantile } from '../bench-stats';
import { KUBELET_SPAN } from '../../../kubelet-sim/src/tracing/kubelet-spans';
import type { ReceivedSpan } from './received-span';
import { isPeriodicRoot } from './trace-pacing';

/** Roots of the pod worker syncs (kubernetes pkg/kubelet/kubelet.go SyncPod/SyncTerminatingPod/SyncTerminatedPod, as KUBELET_SPAN cites). */
const LIFECYCLE_ROOTS: ReadonlySet<string> = new Set([KUBELET_SPAN.SYNC_POD, KUBELET_SPAN.SYNC_TERMINATING_POD, KUBELET_SPAN.SYNC_TERMINATED_POD]);
const KUBELET_SERVICE = 'kubelet';

export interface Volume {
  spans: number;
  bytes: number;
  gzipBytes: number;
}

export interface NameVolume extends Volume {
  service: string;
  name: string;
}

export interface LatencyFigures {
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

/** What one run's received spans say, over the measurement window (span start inside it). */
export interface SpanFigures {
  byService: Record<string, Volume>;
  /** Traces rooted at a kubelet pod worker sync (one pod lifecycle = a few such traces), by service and span name. */
  lifecycleByName: NameVolume[];
  /** Every other trace: the kubelet's and the runtime's background loops, by service and span name. */
  backgroundByName: NameVolume[];
  /** Traces holding a kubelet span (sampled by the kubelet's decision) vs traces of runtime spans only. */
  kubeletRooted: Volume;
  runtimeRooted: Volume;
  /** The part of kubeletRooted / runtimeRooted outside pod worker syncs that pod changes pace (./trace-pacing.ts). */
  kubeletChurnDriven: Volume;
  runtimeChurnDriven: Volume;
  syncPod: LatencyFigures;
  podStartup: LatencyFigures;
  criClient: LatencyFigures;
  /** kubelet root spans received over the whole run: each is one sampling decision that came out sampled. */
  kubeletRootSpans: number;
}

export function spanFigures(received: readonly ReceivedSpan[], window: { startMs: number; endMs: number }): SpanFigures {
  const inWindow = (s: FlatSpan): boolean => s.startTimeMs >= window.startMs && s.startTimeMs < window.endMs;
  const traces = new Map<string, ReceivedSpan[]>();
  for (const r of received) {
    const list = traces.get(r.span.traceId);
    if (list) list.push(r);
    else traces.set(r.span.traceId, [r]);
  }
  const byService: Record<string, Volume> = {};
  const lifecycle = new Map<string, NameVolume>();
  const background = new Map<string, NameVolume>();
  const kubeletRooted = emptyVolume();
  const runtimeRooted = emptyVolume();
  const kubeletChurnDriven = emptyVolume();
  const runtimeChurnDriven = emptyVolume();
  for (const spans of traces.values()) {
    const hasKubelet = spans.some((r) => r.span.service === KUBELET_SERVICE);
    const root = spans.find((r) => r.span.parentSpanId === '' && r.span.service === KUBELET_SERVICE);
    const isLifecycle = root !== undefined && LIFECYCLE_ROOTS.has(root.span.name);
    // A trace whose root span was not received (it started before the run's spans were kept) counts as periodic.
    const anyRoot = root ?? spans.find((r) => r.span.parentSpanId === '');
    const churnDriven = !isLifecycle && anyRoot !== undefined && !isPeriodicRoot(anyRoot.span.name);
    for (const r of spans) {
      if (!inWindow(r.span)) continue;
      addTo((byService[r.span.service] ??= emptyVolume()), r);
      addTo(hasKubelet ? kubeletRooted : runtimeRooted, r);
      if (churnDriven) addTo(hasKubelet ? kubeletChurnDriven : runtimeChurnDriven, r);
      const groups = isLifecycle ? lifecycle : background;
      const key = `${r.span.service}\u0000${r.span.name}`;
      let entry = groups.get(key);
      if (!entry) groups.set(key, (entry = { service: r.span.service, name: r.span.name, ...emptyVolume() }));
      addTo(entry, r);
    }
  }
  const kubeletSpans = received.map((r) => r.span).filter((s) => s.service === KUBELET_SERVICE);
  const windowKubelet = kubeletSpans.filter(inWindow);
  const startup = startupReportOf(received.map((r) => r.span)).pods.filter((p) => p.complete && p.startMs >= window.startMs && p.startMs < window.endMs);
  return {
    byService,
    lifecycleByName: sortedByName(lifecycle),
    backgroundByName: sortedByName(background),
    kubeletRooted,
    runtimeRooted,
    kubeletChurnDriven,
    runtimeChurnDriven,
    syncPod: latency(windowKubelet.filter((s) => s.name === 'syncPod').map((s) => s.durationMs)),
    podStartup: latency(startup.map((p) => p.totalMs)),
    criClient: latency(windowKubelet.filter((s) => s.kind === 'CLIENT' && s.name.startsWith('runtime.v1.')).map((s) => s.durationMs)),
    kubeletRootSpans: kubeletSpans.filter((s) => s.parentSpanId === '').length,
  };
}

function emptyVolume(): Volume {
  return { spans: 0, bytes: 0, gzipBytes: 0 };
}

function addTo(v: Volume, r: ReceivedSpan): void {
  v.spans += 1;
  v.bytes += r.bytes;
  v.gzipBytes += r.gzipBytes;
}

function sortedByName(groups: Map<string, NameVolume>): NameVolume[] {
  return [...groups.values()].sort((a, b) => (a.service === b.service ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.service < b.service ? -1 : 1));
}

function latency(durationsMs: readonly number[]): LatencyFigures {
  return { samples: durationsMs.length, p50Ms: quantile(durationsMs, 0.5), p99Ms: quantile(durationsMs, 0.99) };
}
