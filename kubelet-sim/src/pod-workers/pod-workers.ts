import { setMaxListeners } from 'node:events';
import type { Pod } from '../container/pod';
import type { PodCache, PodStatus } from '../container/pod-status';
import { emptyPodStatus } from '../container/pod-status';
import type { RuntimePod } from '../kuberuntime/kuberuntime-manager';
import { runtimePodToApiPod } from '../kuberuntime/kuberuntime-manager';
import { CONFIG_ANNOTATION, CONFIG_SOURCE } from '../pod-sources/static-pod-source';
import type { TurnGate } from '../../../cri-proto/src/transport/loop-turns';
import type { Clock } from '../util/clock';
import { jitter } from '../util/clock';
import type { SyncPodType } from './sync-pod-type';
import { POD_WORKER_TIMING, SYNC_POD_TYPE } from './sync-pod-type';

/** The sync functions the workers call (pod_workers.go podSyncer). */
export interface PodSyncer {
  /** Returns whether the pod reached a terminal phase; throws when the sync failed. */
  syncPod(updateType: SyncPodType, pod: Pod, status: PodStatus): Promise<{ isTerminal: boolean }>;
  syncTerminatingPod(pod: Pod, status: PodStatus, gracePeriodSeconds: number): Promise<void>;
  /** Stops what still runs of a pod the kubelet has no config for; throws until all of it is stopped. */
  syncTerminatingRuntimePod(runningPod: RuntimePod): Promise<void>;
  syncTerminatedPod(pod: Pod, status: PodStatus): Promise<void>;
}

type WorkerPhase = 'syncing' | 'terminating' | 'terminated' | 'finished';

/** PodWorkerState.String() (pod_workers.go): the state SyncKnownPods reports per worker. */
export const POD_WORKER_STATE = { SYNC: 'sync', TERMINATING: 'terminating', TERMINATED: 'terminated' } as const;
export type PodWorkerState = (typeof POD_WORKER_STATE)[keyof typeof POD_WORKER_STATE];

/** pod_workers.go PodWorkerSync: one known worker, as SyncKnownPods returns it to housekeeping. */
export interface PodWorkerSync {
  state: PodWorkerState;
  /** Not in the desired set passed to syncKnownPods. */
  orphan: boolean;
  /** The worker has a pod spec (false for a pod known only from the runtime). */
  hasConfig: boolean;
  /** The spec came from the file (static pod) source. */
  static: boolean;
}

/** The grace period an orphaned runtime pod gets (kubelet_pods.go HandlePodCleanups, kubelet.go SyncTerminatingRuntimePod). */
export const ORPHANED_RUNTIME_POD_GRACE_PERIOD_SECONDS = 1;

interface PodWorker {
  pod: Pod;
  /** Set for a pod known only from the runtime: the worker only terminates it (UpdatePodOptions.RunningPod). */
  runningPod?: RuntimePod;
  phase: WorkerPhase;
  /** The undelivered update; a newer one replaces it (pod_workers.go podSyncStatus.pendingUpdate). */
  pending: SyncPodType | undefined;
  working: boolean;
  lastSyncMs: number;
  /** Work queue entry: when the pod is due for its next resync. */
  dueMs: number | undefined;
  /** When the pending update was dispatched (UpdatePodOptions.StartTime); unset for the workers' own follow-ups. */
  pendingSinceMs?: number;
  /** Left the config, or never was in it: its content may go once it is terminated (podSyncStatus.deleted). */
  deleted: boolean;
  /** A create arrived for this UID after termination began: restart it once this worker is gone (podSyncStatus.restartRequested). */
  restartRequested: boolean;
  /** The worker has taken an update (podSyncStatus.startedAt, or observedRuntime for a runtime pod). */
  started: boolean;
  /** The grace period for syncTerminatingPod, fixed when termination is requested; it can only get shorter. */
  gracePeriodSeconds: number | undefined;
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
  /**
   * Workers woken together (by one PLEG relist) start their syncs on separate event-loop turns, so the first
   * one's CRI request is written before the next one runs, as goroutines would (loop-turns.ts). Default: none.
   */
  turns?: TurnGate;
}

/**
 * One worker per pod UID (pkg/kubelet/pod_workers.go): at most one sync in flight per pod, a newer update
 * replacing an undelivered one, then syncPod until the pod is terminal or killed, syncTerminatingPod once,
 * syncTerminatedPod once. After each sync the pod is requeued for a jittered resync (or back-off after an
 * error); the sync loop asks `podsToSync()` every second. Housekeeping reconciles the workers with the
 * desired pods (`syncKnownPods`) and hands them pods found only in the runtime (`killRuntimePod`).
 */
export class PodWorkers {
  private readonly workers = new Map<string, PodWorker>();
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  /** Set by the first syncKnownPods: from then on a UID without a worker has nothing that may still run. */
  private podsSynced = false;

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
      worker = newWorker(pod, 'syncing');
      this.workers.set(pod.metadata.uid, worker);
    } else if (worker.phase !== 'syncing' && updateType === SYNC_POD_TYPE.CREATE) {
      // The same UID added again once its termination began: housekeeping restarts it when this worker is gone.
      worker.restartRequested = true;
      return;
    }
    if (worker.phase === 'finished') return;
    if (worker.runningPod !== undefined && updateType !== SYNC_POD_TYPE.KILL) return; // runtime pods can only be killed
    if (updateType === SYNC_POD_TYPE.KILL && worker.phase === 'syncing') this.beginTerminating(worker);
    else if (updateType !== SYNC_POD_TYPE.KILL && worker.runningPod === undefined) worker.pod = pod;
    // The newest update replaces an undelivered one wholesale, type included (pod_workers.go UpdatePod sets
    // status.pendingUpdate = &options); the first sync is still a create because the worker takes it at once.
    worker.pending = updateType;
    worker.pendingSinceMs = this.clock.nowMs();
    worker.dueMs = undefined;
    if (!worker.working) this.run(worker);
  }

  /**
   * UpdatePod with a RunningPod and SyncPodKill (pod_workers.go): a pod found in the runtime that no worker
   * knows is torn down through syncTerminatingRuntimePod with a 1 s grace period, then forgotten. A worker
   * that has a spec terminates with that spec instead; a terminated one ignores the request.
   */
  killRuntimePod(runningPod: RuntimePod): void {
    if (this.abort.signal.aborted) return;
    let worker = this.workers.get(runningPod.uid);
    if (worker === undefined) {
      worker = { ...newWorker(runtimePodToApiPod(runningPod), 'terminating'), runningPod };
      this.workers.set(runningPod.uid, worker);
    }
    if (worker.phase === 'finished' || worker.phase === 'terminated') return;
    worker.deleted = true;
    if (worker.phase === 'syncing') this.beginTerminating(worker);
    worker.gracePeriodSeconds = Math.min(worker.gracePeriodSeconds ?? Infinity, ORPHANED_RUNTIME_POD_GRACE_PERIOD_SECONDS);
    worker.pending = SYNC_POD_TYPE.KILL;
    worker.pendingSinceMs = undefined; // housekeeping sets no StartTime, so no pod worker duration is observed
    worker.dueMs = undefined;
    if (!worker.working) this.run(worker);
  }

  /**
   * SyncKnownPods (pod_workers.go), called by housekeeping: forgets finished workers whose pods are no longer
   * desired or whose UID was added again, marks the other workers that left the config as deleted and drives
   * them on towards termination, and reports every worker still known. The first call also records that the
   * workers have seen every pod: from then on a UID they do not know may have its content removed.
   */
  syncKnownPods(desiredUids: ReadonlySet<string>): Map<string, PodWorkerSync> {
    this.podsSynced = true;
    const known = new Map<string, PodWorkerSync>();
    for (const [uid, worker] of this.workers) {
      const orphan = !desiredUids.has(uid);
      if ((worker.restartRequested || orphan) && this.removeTerminatedWorker(uid, worker, orphan)) continue;
      known.set(uid, {
        state: worker.phase === 'syncing' ? POD_WORKER_STATE.SYNC : worker.phase === 'terminating' ? POD_WORKER_STATE.TERMINATING : POD_WORKER_STATE.TERMINATED,
        orphan,
        hasConfig: worker.runningPod === undefined,
        static: worker.runningPod === undefined && worker.pod.metadata.annotations[CONFIG_ANNOTATION.SOURCE] === CONFIG_SOURCE.FILE,
      });
    }
    return known;
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

  /**
   * ShouldPodContentBeRemoved (pod_workers.go), for container GC: true for a pod that left the config and
   * has no running container any more, and for a UID no worker knows once syncKnownPods has run; before the
   * first syncKnownPods nothing unknown is removable.
   */
  shouldPodContentBeRemoved(uid: string): boolean {
    const w = this.workers.get(uid);
    if (w === undefined) return this.podsSynced;
    return w.deleted && (w.phase === 'terminated' || w.phase === 'finished');
  }

  isPodTerminated(uid: string): boolean {
    const w = this.workers.get(uid);
    return w === undefined || w.phase === 'terminated' || w.phase === 'finished';
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
      if (worker.phase === 'finished') return;
      worker.started = true;
      if (worker.runningPod !== undefined) {
        await this.terminateRuntimePod(worker, worker.runningPod);
        continue;
      }
      const uid = worker.pod.metadata.uid;
      const status = (await this.cache.getNewerThan(uid, worker.lastSyncMs, this.abort.signal)) ?? emptyPodStatus(uid, worker.pod.metadata.name, worker.pod.metadata.namespace);
      const turn = this.options.turns?.take();
      if (turn !== undefined) await turn;
      if (this.abort.signal.aborted || this.workers.get(uid) !== worker) return; // stopped, or forgotten while it waited
      const phase = worker.phase;
      try {
        if (phase === 'syncing') {
          const { isTerminal } = await this.syncer.syncPod(updateType, worker.pod, status);
          if (isTerminal && worker.phase === 'syncing') {
            this.beginTerminating(worker);
            worker.pending = SYNC_POD_TYPE.SYNC;
          }
        } else if (phase === 'terminating') {
          await this.syncer.syncTerminatingPod(worker.pod, status, worker.gracePeriodSeconds ?? effectiveGracePeriod(worker.pod));
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

  /**
   * A runtime pod needs no status from the cache, it is only terminated. Once that succeeds the worker is
   * gone (completeTerminatingRuntimePod), so GC may remove what is left of it; after a failure it stays
   * terminating, and the next housekeeping hands it its update again (SyncKnownPods → requeueLastPodUpdate).
   */
  private async terminateRuntimePod(worker: PodWorker, runningPod: RuntimePod): Promise<void> {
    try {
      await this.syncer.syncTerminatingRuntimePod(runningPod);
      worker.phase = 'finished';
      worker.pending = undefined;
      if (this.workers.get(runningPod.uid) === worker) this.workers.delete(runningPod.uid);
    } catch (err) {
      this.options.onError(worker.pod, 'terminating', err);
    }
    worker.lastSyncMs = this.clock.nowMs();
  }

  /** Termination requested: the grace period is the spec's (at least 1 s) unless it is already shorter. */
  private beginTerminating(worker: PodWorker): void {
    worker.phase = 'terminating';
    worker.gracePeriodSeconds = Math.min(worker.gracePeriodSeconds ?? Infinity, effectiveGracePeriod(worker.pod));
  }

  /**
   * removeTerminatedWorker (pod_workers.go): a finished worker is forgotten. An orphan that has not finished
   * is marked deleted; one that never started is dropped at once, one still syncing begins terminating, and
   * one terminating is handed its last update again so it keeps going.
   */
  private removeTerminatedWorker(uid: string, worker: PodWorker, orphaned: boolean): boolean {
    if (worker.phase !== 'finished') {
      if (!orphaned) return false;
      worker.deleted = true;
      const neverStarted = !worker.started && worker.runningPod === undefined;
      if (!neverStarted) {
        if (worker.phase === 'syncing') this.beginTerminating(worker);
        this.requeueLastUpdate(worker);
        return false;
      }
    }
    this.workers.delete(uid);
    return true;
  }

  /** requeueLastPodUpdate: replay the last update unless one is already waiting. */
  private requeueLastUpdate(worker: PodWorker): void {
    if (worker.pending !== undefined || !worker.started) return;
    worker.pending = worker.runningPod !== undefined ? SYNC_POD_TYPE.KILL : SYNC_POD_TYPE.SYNC;
    worker.dueMs = undefined;
    if (!worker.working) this.run(worker);
  }

  private requeue(worker: PodWorker, delayMs: number): void {
    if (worker.pending === undefined) worker.dueMs = this.clock.nowMs() + delayMs;
  }
}

function newWorker(pod: Pod, phase: WorkerPhase): PodWorker {
  return { pod, phase, pending: undefined, working: false, lastSyncMs: -Infinity, dueMs: undefined, deleted: false, restartRequested: false, started: false, gracePeriodSeconds: undefined };
}

/** calculateEffectiveGracePeriod with no override: the spec's terminationGracePeriodSeconds, never below 1. */
function effectiveGracePeriod(pod: Pod): number {
  return Math.max(1, pod.spec.terminationGracePeriodSeconds);
}
