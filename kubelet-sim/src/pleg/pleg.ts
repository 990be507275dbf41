/** PLEG vocabulary (pkg/kubelet/pleg/pleg.go): lifecycle events the relist derives from runtime state changes. */
export const POD_LIFECYCLE_EVENT = {
  CONTAINER_STARTED: 'ContainerStarted',
  CONTAINER_DIED: 'ContainerDied',
  CONTAINER_REMOVED: 'ContainerRemoved',
  POD_SYNC: 'PodSync',
  CONTAINER_CHANGED: 'ContainerChanged',
} as const;

export type PodLifecycleEventType = (typeof POD_LIFECYCLE_EVENT)[keyof typeof POD_LIFECYCLE_EVENT];

export interface PodLifecycleEvent {
  /** Pod UID. */
  id: string;
  type: PodLifecycleEventType;
  /** The container (or sandbox) id the event is about. */
  data: string;
}

/** Generic PLEG timings (kubelet.go genericPlegRelistPeriod / genericPlegRelistThreshold). */
export const GENERIC_PLEG = { RELIST_PERIOD_MS: 1_000, RELIST_THRESHOLD_MS: 3 * 60_000, CHANNEL_CAPACITY: 1000 } as const;
