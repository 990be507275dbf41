import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ContainerState } from '../container/pod-status';
import type { PodCache } from '../container/pod-status';
import type { KubeRuntimeManager, RuntimePod } from '../kuberuntime/kuberuntime-manager';
import { formatGoDuration, msToNanos } from '../config/go-duration';
import type { Clock } from '../util/clock';
import type { KubeletMetrics } from '../metrics/kubelet-metrics';
import { recordRunningPodsAndContainers } from '../metrics/running-pod-metrics';
import type { PodLifecycleEvent, PodLifecycleEventType } from './pleg';
import { GENERIC_PLEG, POD_LIFECYCLE_EVENT } from './pleg';

type PlegState = ContainerState | 'non-existent';

/**
 * The generic PLEG (pkg/kubelet/pleg/generic.go): every relist period it lists all sandboxes and containers,
 * compares each container's state with the previous relist, and for every pod that changed refreshes the pod
 * cache (GetPodStatus) and emits lifecycle events. It runs in `context.Background()` upstream, so its CRI
 * calls are root CLIENT spans, each its own trace.
 */
export class GenericPleg {
  private oldPods = new Map<string, RuntimePod>();
  private lastRelistMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private relisting = false;
  /** Events dropped because the consumer's channel was full (upstream logs and counts them too). */
  droppedEvents = 0;
  private loopRelist: Promise<unknown> | undefined;

  constructor(
    private readonly runtime: KubeRuntimeManager,
    private readonly cache: PodCache,
    private readonly clock: Clock,
    private readonly onEvent: (event: PodLifecycleEvent) => boolean,
    private readonly relistPeriodMs: number = GENERIC_PLEG.RELIST_PERIOD_MS,
    /** kubelet_pleg_relist_{duration,interval}_seconds, kubelet_pleg_last_seen_seconds, running pods/containers. */
    private readonly metrics?: KubeletMetrics,
  ) {
  }

  start(): void {
    // wait.Until: relist, then wait a period, so slow relists do not pile up.
    const loop = async (): Promise<void> => {
      this.loopRelist = this.relist().catch(() => undefined);
      await this.loopRelist;
      this.loopRelist = undefined;
      if (this.timer !== undefined) this.timer = setTimeout(loop, this.relistPeriodMs).unref();
    };
    this.timer = setTimeout(loop, 0).unref();
  }

  /** Stops relisting; resolves once a relist in flight has finished (its CRI calls' spans end before tracing stops). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.loopRelist;
  }

  /** Healthy while the last successful relist is within the threshold (generic.go Healthy). */
  healthy(): { ok: boolean; message: string } {
    if (this.lastRelistMs === undefined) return { ok: false, message: 'pleg has yet to be successful' };
    // generic.go Healthy exports the last relist time (whole Unix seconds) each time it is asked.
    this.metrics?.plegLastSeen.set(Math.floor(this.lastRelistMs / 1000));
    const since = this.clock.nowMs() - this.lastRelistMs;
    if (since > GENERIC_PLEG.RELIST_THRESHOLD_MS) {
      return { ok: false, message: `pleg was last seen active ${formatGoDuration(msToNanos(since))} ago; threshold is ${formatGoDuration(msToNanos(GENERIC_PLEG.RELIST_THRESHOLD_MS))}` };
    }
    return { ok: true, message: '' };
  }

  get lastRelistTimeMs(): number | undefined {
    return this.lastRelistMs;
  }

  /** One relist; exported so tests drive it by hand. Overlapping calls are skipped. */
  async relist(): Promise<void> {
    if (this.relisting) return;
    this.relisting = true;
    try {
      await context.with(ROOT_CONTEXT, () => this.relistOnce());
    } finally {
      this.relisting = false;
    }
  }

  private async relistOnce(): Promise<void> {
    // generic.go Relist: the interval since the previous successful relist, then the duration of this one.
    if (this.lastRelistMs !== undefined) this.metrics?.plegRelistInterval.observe((this.clock.nowMs() - this.lastRelistMs) / 1000);
    const timestamp = this.clock.nowMs();
    try {
      await this.relistFrom(timestamp);
    } finally {
      this.metrics?.plegRelistDuration.observe((this.clock.nowMs() - timestamp) / 1000);
    }
  }

  private async relistFrom(timestamp: number): Promise<void> {
    const pods = await this.runtime.getPods();
    this.lastRelistMs = timestamp;
    if (this.metrics) recordRunningPodsAndContainers(this.metrics, pods);
    const current = new Map(pods.map((p) => [p.uid, p]));
    const uids = new Set([...this.oldPods.keys(), ...current.keys()]);
    const eventsByPod = new Map<string, PodLifecycleEvent[]>();
    for (const uid of uids) {
      const oldPod = this.oldPods.get(uid);
      const pod = current.get(uid);
      const ids = new Set([...containerIds(oldPod), ...containerIds(pod)]);
      for (const id of ids) {
        const events = generateEvents(uid, id, stateOf(oldPod, id), stateOf(pod, id));
        if (events.length > 0) eventsByPod.set(uid, [...(eventsByPod.get(uid) ?? []), ...events]);
      }
    }
    for (const [uid, events] of eventsByPod) {
      const pod = current.get(uid) ?? this.oldPods.get(uid);
      if (pod !== undefined) {
        // updateCache: a pod that vanished gets an empty status; otherwise inspect it now.
        if (current.has(uid)) {
          try {
            this.cache.set(uid, await this.runtime.getPodStatus(uid, pod.name, pod.namespace), timestamp);
          } catch {
            continue; // upstream reinspects on the next relist; its events are not sent now
          }
        } else {
          this.cache.set(uid, { uid, name: pod.name, namespace: pod.namespace, sandboxStatuses: [], containerStatuses: [] }, timestamp);
        }
      }
      for (const event of events) {
        if (event.type === POD_LIFECYCLE_EVENT.CONTAINER_CHANGED) continue;
        if (!this.onEvent(event)) this.droppedEvents++;
      }
    }
    this.oldPods = current;
    this.cache.updateTime(timestamp);
  }
}

function containerIds(pod: RuntimePod | undefined): string[] {
  if (!pod) return [];
  return [...pod.sandboxes.map((s) => s.id), ...pod.containers.map((c) => c.id)];
}

function stateOf(pod: RuntimePod | undefined, id: string): PlegState {
  if (!pod) return 'non-existent';
  const found = pod.containers.find((c) => c.id === id) ?? pod.sandboxes.find((s) => s.id === id);
  return found ? found.state : 'non-existent';
}

/** generic.go generateEvents: the event a state transition means. */
export function generateEvents(podId: string, cid: string, oldRaw: PlegState, newRaw: PlegState): PodLifecycleEvent[] {
  // convertState: the kubelet does not use "created" yet and treats it as unknown.
  const oldState = oldRaw === 'created' ? 'unknown' : oldRaw;
  const newState = newRaw === 'created' ? 'unknown' : newRaw;
  if (oldState === newState) return [];
  const ev = (type: PodLifecycleEventType): PodLifecycleEvent => ({ id: podId, type, data: cid });
  switch (newState) {
    case 'running':
      return [ev(POD_LIFECYCLE_EVENT.CONTAINER_STARTED)];
    case 'exited':
      return [ev(POD_LIFECYCLE_EVENT.CONTAINER_DIED)];
    case 'unknown':
      return [ev(POD_LIFECYCLE_EVENT.CONTAINER_CHANGED)];
    case 'non-existent':
      if (oldState === 'exited') return [ev(POD_LIFECYCLE_EVENT.CONTAINER_REMOVED)];
      return [ev(POD_LIFECYCLE_EVENT.CONTAINER_DIED), ev(POD_LIFECYCLE_EVENT.CONTAINER_REMOVED)];
    default:
      return [];
  }
}
