/**
 * Why a pod is being synced: kubetypes.SyncPodType and its String() (pkg/kubelet/types/pod_update.go),
 * the value of the `k8s.pod.update_type` span attribute. Where each comes from (kubelet.go syncLoopIteration):
 * `create` from a config ADD (HandlePodAdditions); `update` from a config UPDATE, i.e. the source changed the
 * spec, labels or annotations of a known UID (HandlePodUpdates; config.go podsDifferSemantically);
 * `sync` from PLEG events and the 1 s resync tick (HandlePodSyncs); `kill` from a REMOVE (HandlePodRemoves).
 */
export const SYNC_POD_TYPE = {
  SYNC: 'sync',
  UPDATE: 'update',
  CREATE: 'create',
  KILL: 'kill',
} as const;

export type SyncPodType = (typeof SYNC_POD_TYPE)[keyof typeof SYNC_POD_TYPE];

/** Pod worker timings (pkg/kubelet/pod_workers.go, kubelet.go). */
export const POD_WORKER_TIMING = {
  /** After a failed sync (kubelet.go backOffPeriod). */
  BACKOFF_PERIOD_MS: 10_000,
  /** workerResyncIntervalJitterFactor and workerBackOffPeriodJitterFactor. */
  RESYNC_JITTER_FACTOR: 0.5,
  BACKOFF_JITTER_FACTOR: 0.5,
} as const;
