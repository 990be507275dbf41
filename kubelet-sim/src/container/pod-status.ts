/**
 * The runtime's view of a pod, as the kubelet caches it (pkg/kubelet/container/runtime.go PodStatus,
 * pkg/kubelet/container/cache.go). Built from CRI statuses by kuberuntime; read by syncPod and PLEG.
 */
export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  name: string;
  state: ContainerState;
  createdAtMs: number;
  startedAtMs: number;
  finishedAtMs: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  /** From the `io.kubernetes.container.restartCount` annotation the kubelet set at creation. */
  restartCount: number;
}

export interface SandboxStatus {
  id: string;
  ready: boolean;
  attempt: number;
  createdAtMs: number;
  ip: string;
  hostNetwork: boolean;
}

export interface PodStatus {
  uid: string;
  name: string;
  namespace: string;
  /** Newest first. */
  sandboxStatuses: SandboxStatus[];
  /** Newest first, so the first match by name is the latest attempt. */
  containerStatuses: ContainerStatus[];
}

export function emptyPodStatus(uid: string, name: string, namespace: string): PodStatus {
  return { uid, name, namespace, sandboxStatuses: [], containerStatuses: [] };
}

export function findContainerStatus(status: PodStatus, name: string): ContainerStatus | undefined {
  return status.containerStatuses.find((c) => c.name === name);
}

/**
 * kubecontainer.Cache: the latest PodStatus per pod, stamped with when it was observed, plus a global
 * timestamp PLEG advances after every relist. `getNewerThan` is how a pod worker waits for data fresher
 * than its previous sync (pkg/kubelet/container/cache.go).
 */
export class PodCache {
  private readonly entries = new Map<string, { status: PodStatus; timestampMs: number }>();
  private globalTimestampMs = -Infinity;
  private waiters: Array<() => void> = [];

  set(uid: string, status: PodStatus, timestampMs: number): void {
    this.entries.set(uid, { status, timestampMs });
    this.notify();
  }

  delete(uid: string): void {
    this.entries.delete(uid);
  }

  updateTime(timestampMs: number): void {
    this.globalTimestampMs = Math.max(this.globalTimestampMs, timestampMs);
    this.notify();
  }

  get(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  /** Resolves once the pod's entry (or the global stamp) is newer than `minTimeMs`; `abort` ends the wait. */
  async getNewerThan(uid: string, minTimeMs: number, abort?: AbortSignal): Promise<PodStatus | undefined> {
    for (;;) {
      const entry = this.entries.get(uid);
      if ((entry && entry.timestampMs > minTimeMs) || this.globalTimestampMs > minTimeMs) return entry?.status;
      if (abort?.aborted) return entry?.status;
      await new Promise<void>((resolve) => {
        // Drop the abort listener once woken, or every wait of a long run would leave one behind.
        const onAbort = (): void => resolve();
        this.waiters.push(() => {
          abort?.removeEventListener('abort', onAbort);
          resolve();
        });
        abort?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
