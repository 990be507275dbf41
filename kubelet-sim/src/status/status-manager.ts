import { context as otelContext, ROOT_CONTEXT } from '@opentelemetry/api';
import type { IPodCondition } from 'kubernetes-models/v1/PodCondition';
import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';
import type { ApiClient } from '../client/api-client';
import { ApiError } from '../client/api-client';
import type { Pod } from '../container/pod';
import { podFullName } from '../container/pod';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { PeriodicLoops } from '../util/periodic-loops';
import { KUBELET_POD_CONDITIONS } from './generate-api-pod-status';
import { CONFIG_ANNOTATION, CONFIG_SOURCE } from '../pod-sources/static-pod-source';
import type { Json } from './two-way-merge-patch';
import { createTwoWayMergePatch } from './two-way-merge-patch';

/** pkg/kubelet/status/status_manager.go syncPeriod: every cached status is checked against the API this often. */
export const STATUS_SYNC_PERIOD_MS = 10_000;

interface VersionedStatus {
  status: IPodStatus;
  version: number;
  pod: Pod;
}

interface ApiPod {
  metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string; annotations?: Record<string, string> };
  status?: IPodStatus;
}

/** metav1.Time: RFC 3339 in whole seconds. */
function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The kubelet's status manager (pkg/kubelet/status/status_manager.go@v1.34.0) for pods from the API server:
 * - SetPodStatus keeps the newest status per pod with a version; startTime and each condition's
 *   lastTransitionTime are kept from the previous status unless the condition's status changed (then now);
 *   a change wakes the sync at once (podStatusChannel), and every 10 s (syncPeriod) all pods are checked.
 * - syncPod: GET the pod; gone or recreated with another UID ⇒ skip; else merge (conditions the kubelet does
 *   not own are kept from the API), build the two-way strategic merge patch of old → new status with
 *   metadata.uid in it as a precondition (pkg/util/pod PatchPodStatus), and PATCH pods/<name>/status only
 *   when it holds more than the uid. A failure is logged and retried on the next sync.
 * - Once a pod the API is deleting has terminated on the node, its final status is sent and it is deleted
 *   with gracePeriodSeconds 0 and a UID precondition ("Pod fully terminated and removed from etcd").
 * A static pod's status goes to its mirror pod (the UID is translated to the mirror's, as translatedUID
 * does); until the mirror pod exists there is nothing to update. Requests run in context.Background().
 */
export class StatusManager {
  private readonly statuses = new Map<string, VersionedStatus>();
  private readonly apiVersions = new Map<string, number>();
  private readonly terminated = new Set<string>();
  private wakeScheduled = false;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly loops: PeriodicLoops,
  ) {}

  start(): void {
    this.loops.every('statusManager/syncBatch', STATUS_SYNC_PERIOD_MS, () => this.syncBatch(), false);
  }

  stop(): void {
    this.stopped = true;
  }

  /** SetPodStatus (updateStatusInternal). `apiStatus` is the pod's status in the API when first seen. */
  setPodStatus(pod: Pod, status: IPodStatus, apiStatus?: IPodStatus): void {
    const uid = pod.metadata.uid;
    const old = this.statuses.get(uid)?.status ?? apiStatus ?? {};
    const now = metaTime(this.clock.nowMs());
    const conditions = (status.conditions ?? []).map((c): IPodCondition => {
      const before = old.conditions?.find((o) => o.type === c.type);
      return { ...c, lastProbeTime: null as unknown as undefined, lastTransitionTime: before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now };
    });
    const next: IPodStatus = { ...status, conditions, startTime: old.startTime ?? now };
    const cached = this.statuses.get(uid);
    if (cached && JSON.stringify(cached.status) === JSON.stringify(next)) return;
    this.statuses.set(uid, { status: next, version: (cached?.version ?? 0) + 1, pod });
    this.wake();
  }

  /** The pod finished terminating on the node: once its status is sent, the API object can be removed. */
  podTerminated(pod: Pod): void {
    this.terminated.add(pod.metadata.uid);
    this.wake();
  }

  /** The pod left the API (or the node): forget it. */
  removePod(uid: string): void {
    this.statuses.delete(uid);
    this.apiVersions.delete(uid);
    this.terminated.delete(uid);
  }

  private wake(): void {
    if (this.wakeScheduled || this.stopped) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      void this.syncBatch();
    });
  }

  /** syncBatch: every pod whose cached version is newer than the one the API has, or that may be deleted. */
  syncBatch(): Promise<void> {
    this.syncing = this.syncing.then(() =>
      otelContext.with(ROOT_CONTEXT, async () => {
        for (const [uid, entry] of [...this.statuses]) {
          if (this.stopped) return;
          const needsUpdate = this.apiVersions.get(uid) !== entry.version || this.terminated.has(uid);
          if (needsUpdate) await this.syncPod(uid, entry);
        }
      }),
    );
    return this.syncing;
  }

  private async syncPod(uid: string, entry: VersionedStatus): Promise<void> {
    const { pod } = entry;
    const path = `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}`;
    let current: ApiPod;
    try {
      current = await this.client.get<ApiPod>(path);
    } catch (err) {
      if (err instanceof ApiError && err.isNotFound) {
        this.log.info(`"Pod does not exist on the server" podUID="${uid}" pod="${podFullName(pod)}"`);
        this.removePod(uid);
        return;
      }
      this.log.error(`"Failed to get status for pod" podUID="${uid}" pod="${podFullName(pod)}" err="${(err as Error).message}"`);
      return;
    }
    const isStatic = pod.metadata.annotations[CONFIG_ANNOTATION.SOURCE] === CONFIG_SOURCE.FILE;
    if (isStatic) {
      if (current.metadata.annotations?.[CONFIG_ANNOTATION.MIRROR] === undefined) {
        this.log.info(`"Static pod has no mirror pod yet, skipping status update" pod="${podFullName(pod)}"`);
        return;
      }
    } else if (current.metadata.uid !== uid) {
      this.log.info(`"Pod was deleted and then recreated, skipping status update" pod="${podFullName(pod)}" oldPodUID="${uid}" podUID="${current.metadata.uid}"`);
      this.removePod(uid);
      return;
    }
    const oldStatus = current.status ?? {};
    const merged = mergePodStatus(oldStatus, entry.status);
    const patch = createTwoWayMergePatch({ status: oldStatus as unknown as Json }, { metadata: { uid: current.metadata.uid }, status: merged as unknown as Json });
    const onlyUid = Object.keys(patch).length === 1 && patch.metadata !== undefined;
    if (!onlyUid) {
      try {
        await this.client.patch(`${path}/status`, JSON.stringify(patch), 'application/strategic-merge-patch+json');
        this.log.info(`"Patch status for pod" pod="${podFullName(pod)}" podUID="${uid}"`);
      } catch (err) {
        this.log.error(`"Failed to update status for pod" pod="${podFullName(pod)}" podUID="${uid}" err="${(err as Error).message}"`);
        return;
      }
    }
    this.apiVersions.set(uid, entry.version);
    if (!isStatic && this.terminated.has(uid) && current.metadata.deletionTimestamp) {
      try {
        await this.client.delete(path, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid } });
        this.log.info(`"Pod fully terminated and removed from etcd" pod="${podFullName(pod)}"`);
        this.removePod(uid);
      } catch (err) {
        if (err instanceof ApiError && err.isNotFound) this.removePod(uid);
        else this.log.error(`"Failed to delete status for pod" pod="${podFullName(pod)}" err="${(err as Error).message}"`);
      }
    }
  }
}

/** mergePodStatus: the API's conditions the kubelet does not own first, then the kubelet's own. */
export function mergePodStatus(oldStatus: IPodStatus, newStatus: IPodStatus): IPodStatus {
  const owned = new Set<string>(KUBELET_POD_CONDITIONS);
  const kept = (oldStatus.conditions ?? []).filter((c) => !owned.has(c.type));
  return { ...newStatus, conditions: [...kept, ...(newStatus.conditions ?? []).filter((c) => owned.has(c.type))] };
}
