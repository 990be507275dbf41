import { setMaxListeners } from 'node:events';
import type { Pod } from '../container/pod';
import type { PodCache, PodStatus } from '../container/pod-status';
import { emptyPodStatus } from '../container/pod-status';
import type { Clock } from '../util/clock';
import { jitter } from '../util/clock';
import type { SyncPodType } from './sync-pod-type';
import { POD_WORKER_TIMING, SYNC_POD_TYPE } from './sync-pod-type';

/** The three sync functions the workers call (pod_workers.go podSyncer). */
export interface PodSyncer {
  /** Returns whether the pod reached a terminal phase; throws when the sync failed. */
  syncPod(updateType: SyncPodType, pod: Pod, status: PodStatus): Promise<{ isTerminal: boolean }>;
  syncTerminatingPod(pod: Pod, status: PodStatus, gracePeriodSeconds: number): Promise<void>;
  syncTerminatedPod(pod: Pod, status: PodStatus): Promise<void>;
}

type WorkerPhase = 'syncing' | 'terminating' | 'terminated' | 'finished';

interface PodWorker {
  pod: Pod;
  phase: WorkerPhase;
  /** The undelivered update; a newer one replaces it (pod_workers.go podSyncStatus.pendingUpdate). */
  pending: SyncPodType | undefined;
  working: boolean;
  lastSyncMs: number;
  /** Work queue entry: when the pod is due for its next resync. */
  dueMs: number | undefined;
  /** When the pending update was dispatched (UpdatePodOptions.StartTime); unset for the workers' own follow-ups. */
  pendingSinceMs?: number;
}

export interface PodWorkersOptions {
  /** syncFrequency: resync interval of a healthy pod (default 1m, jittered ×0.5). */
  resyncIntervalMs: number;
  /** Failed syncs, logged by the caller. */
  onError: (pod: Pod, phase: string, err: unknown) => void;
  random?: () => number;
  /**
   * Called when a sync finishes, ok or not, with the update type (or `terminated`) and when that update was
   * dispatched: kubelet_pod_worker_duration_seconds (pod_workers.go observes it only for updates with a StartTime).
   */
  onSyncCompleted?: (operationType: string, dispatchedAtMs: number) => void;
}

/**
 * One worker per pod UID (pkg/kubelet/pod_workers.go): at most one sync in flight per pod, a newer update
 * replacing an undelivered one, then syncPod until the pod is terminal or killed, syncTerminatingPod once,
 * syncTerminatedPod once. After each sync the pod is requeued for a jittered resync (or back-off after an
 * error); the sync loop asks `podsToSync()` every second.
 */
export class PodWorkers {
  private readonly workers = new Map<string, PodWorker>();
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly syncer: PodSyncer, private readonly cache: PodCache, private readonly clock: Clock, private readonly options: PodWorkersOptions) {
    // Each worker waiting on the cache holds one abort listener (removed when woken); more than Node's
    // default warning threshold of 10 pods is normal, the count is bounded by the number of workers.
    setMaxListeners(0, this.abort.signal);
  }

  updatePod(pod: Pod, updateType: SyncPodType): void {
    if (this.abort.signal.aborted) return;
    let worker = this.workers.get(pod.metadata.uid);
    if (worker === undefined) {
      if (updateType === SYNC_POD_TYPE.KILL) return; // never started: nothing to stop
      worker = { pod, phase: 'syncing', pending: undefined, working: false, lastSyncMs: -Infinity, dueMs: undefined };
      this.workers.set(pod.metadata.uid, worker);
    }
    if (worker.phase === 'finished') return;
    if (updateType === SYNC_POD_TYPE.KILL && worker.phase === 'syncing') worker.phase = 'terminating';
    else if (updateType !== SYNC_POD_TYPE.KILL) worker.pod = pod;
    // The newest update replaces an undelivered one wholesale, type included (pod_workers.go UpdatePod sets
    // status.pendingUpdate = &options); the first sync is still a create because the worker takes it at once.
    worker.pending = updateType;
    worker.pendingSinceMs = this.clock.nowMs();
    worker.dueMs = undefined;
    if (!worker.working) this.run(worker);
  }

  /** Pods whose resync time has come (kubelet.go getPodsToSync over the work queue). */
  podsToSync(): Pod[] {
    const now = this.clock.nowMs();
    return [...this.workers.values()].filter((w) => w.dueMs !== undefined && w.dueMs <= now).map((w) => w.pod);
  }

  knownPod(uid: string): Pod | undefined {
    const w = this.workers.get(uid);
    return w && w.phase !== 'finished' ? w.pod : undefined;
  }

  /** For GC: a pod the workers have finished with (or never knew) may have everything removed. */
  shouldPodContentBeRemoved(uid: string): boolean {
    const w = this.workers.get(uid);
    return w === undefined || w.phase === 'finished';
  }

  isPodTerminated(uid: string): boolean {
    const w = this.workers.get(uid);
    return w === undefined || w.phase === 'terminated' || w.phase === 'finished';
  }

  /** Housekeeping: forget finished workers whose pods are gone from the config (HandlePodCleanups). */
  removeFinished(desired: ReadonlySet<string>): void {
    for (const [uid, w] of this.workers) if (w.phase === 'finished' && !desired.has(uid)) this.workers.delete(uid);
  }

  runningPodCount(): number {
    return [...this.workers.values()].filter((w) => w.phase === 'syncing').length;
  }

  /** Stops starting new work and waits for syncs in flight. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private run(worker: PodWorker): void {
    worker.working = true;
    const done = this.process(worker).finally(() => {
      worker.working = false;
      this.inFlight.delete(done);
    });
    this.inFlight.add(done);
  }

  private async process(worker: PodWorker): Promise<void> {
    while (worker.pending !== undefined && !this.abort.signal.aborted) {
      const updateType = worker.pending;
      const dispatchedAtMs = worker.pendingSinceMs;
      worker.pending = undefined;
      worker.pendingSinceMs = undefined;
      const uid = worker.pod.metadata.uid;
      const status = (await this.cache.getNewerThan(uid, worker.lastSyncMs, this.abort.signal)) ?? emptyPodStatus(uid, worker.pod.metadata.name, worker.pod.metadata.namespace);
      if (this.abort.signal.aborted) return;
      const phase = worker.phase;
      try {
        if (phase === 'syncing') {
          const { isTerminal } = await this.syncer.syncPod(updateType, worker.pod, status);
          if (isTerminal && worker.phase === 'syncing') {
            worker.phase = 'terminating';
            worker.pending = SYNC_POD_TYPE.SYNC;
          }
        } else if (phase === 'terminating') {
          await this.syncer.syncTerminatingPod(worker.pod, status, worker.pod.spec.terminationGracePeriodSeconds);
          worker.phase = 'terminated';
          worker.pending = SYNC_POD_TYPE.SYNC;
        } else if (phase === 'terminated') {
          await this.syncer.syncTerminatedPod(worker.pod, status);
          worker.phase = 'finished';
        }
        // lastSyncTime is when the sync ended: the next one waits for a relist newer than that (pod_workers.go).
        worker.lastSyncMs = this.clock.nowMs();
        if (worker.phase === 'syncing') this.requeue(worker, jitter(this.options.resyncIntervalMs, POD_WORKER_TIMING.RESYNC_JITTER_FACTOR, this.options.random));
      } catch (err) {
        worker.lastSyncMs = this.clock.nowMs();
        this.options.onError(worker.pod, phase, err);
        this.requeue(worker, jitter(POD_WORKER_TIMING.BACKOFF_PERIOD_MS, POD_WORKER_TIMING.BACKOFF_JITTER_FACTOR, this.options.random));
      }
      if (dispatchedAtMs !== undefined) this.options.onSyncCompleted?.(phase === 'terminated' ? 'terminated' : updateType, dispatchedAtMs);
    }
  }

  private requeue(worker: PodWorker, delayMs: number): void {
    if (worker.pending === undefined) worker.dueMs = this.clock.nowMs() + delayMs;
  }
}
