import type { Tracer } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import type { KubeRuntimeManager, RuntimePod } from './kuberuntime-manager';
import type { Clock } from '../util/clock';

/** Container GC policy (kubelet flags minimum-container-ttl-duration, maximum-dead-containers-per-container, maximum-dead-containers). */
export interface ContainerGCPolicy {
  minAgeMs: number;
  maxPerPodContainer: number;
  maxContainers: number;
}

/** cmd/kubelet/app/options NewKubeletFlags defaults: MinAge 0, MaxPerPodContainer 1, MaxContainers -1. */
export const DEFAULT_CONTAINER_GC_POLICY: ContainerGCPolicy = { minAgeMs: 0, maxPerPodContainer: 1, maxContainers: -1 };

/** ContainerGCPeriod (kubelet.go): one minute, first pass at start (wait.Until). */
export const CONTAINER_GC_PERIOD_MS = 60_000;

export interface PodStateProvider {
  shouldPodContentBeRemoved(uid: string): boolean;
}

/**
 * The kubelet's container garbage collector (pkg/kubelet/kuberuntime/kuberuntime_gc.go): under a root
 * `Containers/GarbageCollect` span, remove dead containers per evict unit (pod × container name) beyond the
 * policy, every container of pods that are gone, then sandboxes with no containers left, then the log
 * directories of pods that are gone. Errors are aggregated and the pass goes on. CRI calls in order:
 * ListContainers (empty filter); per removed container ContainerStatus (log manager Clean), ContainerStatus
 * (legacy log symlink), RemoveContainer; ListContainers, ListPodSandbox (nil filter); per removed sandbox
 * StopPodSandbox, RemovePodSandbox.
 */
export class ContainerGC {
  constructor(
    private readonly runtime: KubeRuntimeManager,
    private readonly pods: PodStateProvider,
    private readonly tracer: Tracer,
    private readonly clock: Clock,
    private readonly policy: ContainerGCPolicy = DEFAULT_CONTAINER_GC_POLICY,
  ) {}

  async garbageCollect(allSourcesReady: boolean): Promise<Error[]> {
    return this.tracer.startActiveSpan('Containers/GarbageCollect', { kind: SpanKind.INTERNAL }, ROOT_CONTEXT, async (span) => {
      const errors: Error[] = [];
      try {
        await this.evictContainers(allSourcesReady, errors);
        await this.evictSandboxes(errors);
        this.evictPodLogsDirectories(allSourcesReady, errors);
      } finally {
        span.end();
      }
      return errors;
    });
  }

  private async evictContainers(allSourcesReady: boolean, errors: Error[]): Promise<void> {
    let pods: RuntimePod[];
    try {
      pods = await this.runtime.getPodsContainersOnly();
    } catch (err) {
      errors.push(err as Error);
      return;
    }
    const now = this.clock.nowMs();
    const units = new Map<string, Array<{ id: string; createdAtMs: number }>>();
    for (const pod of pods) {
      for (const c of pod.containers) {
        if (c.state === 'running' || now - c.createdAtMs < this.policy.minAgeMs) continue;
        const key = `${pod.uid}/${c.name}`;
        units.set(key, [...(units.get(key) ?? []), { id: c.id, createdAtMs: c.createdAtMs }]);
      }
    }
    for (const list of units.values()) list.sort((a, b) => b.createdAtMs - a.createdAtMs); // newest first
    if (allSourcesReady) {
      for (const [key, list] of units) {
        if (this.pods.shouldPodContentBeRemoved(key.split('/')[0])) {
          await this.removeOldestN(list, list.length, errors);
          units.delete(key);
        }
      }
    }
    if (this.policy.maxPerPodContainer >= 0) {
      for (const list of units.values()) await this.removeOldestN(list, list.length - this.policy.maxPerPodContainer, errors);
    }
    const total = (): number => [...units.values()].reduce((n, l) => n + l.length, 0);
    if (this.policy.maxContainers >= 0 && total() > this.policy.maxContainers) {
      // Share the budget between evict units first (at least one each), then evict oldest node-wide.
      const perUnit = Math.max(1, Math.floor(this.policy.maxContainers / Math.max(units.size, 1)));
      for (const list of units.values()) await this.removeOldestN(list, list.length - perUnit, errors);
      if (total() > this.policy.maxContainers) {
        const all = [...units.values()].flat().sort((a, b) => b.createdAtMs - a.createdAtMs);
        await this.removeOldestN(all, all.length - this.policy.maxContainers, errors);
      }
    }
  }

  private async evictSandboxes(errors: Error[]): Promise<void> {
    let pods: RuntimePod[];
    try {
      // ListContainers, then ListPodSandbox (kuberuntime_gc.go evictSandboxes).
      pods = await this.runtime.getPodsForSandboxGC();
    } catch (err) {
      errors.push(err as Error);
      return;
    }
    for (const pod of pods) {
      // A sandbox stays while it is ready or still holds containers; of a live pod the newest sandbox
      // stays whatever its state (kuberuntime_gc.go evictSandboxes / removeOldestNSandboxes).
      const newest = [...pod.sandboxes].sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
      const keepNewest = !this.pods.shouldPodContentBeRemoved(pod.uid);
      const toRemove = pod.sandboxes
        .filter((s) => s.state !== 'running' && !pod.containers.some((c) => c.sandboxId === s.id))
        .filter((s) => !(keepNewest && s === newest))
        .sort((a, b) => a.createdAtMs - b.createdAtMs);
      for (const s of toRemove) {
        try {
          await this.runtime.removeSandbox(s.id);
        } catch (err) {
          errors.push(err as Error);
        }
      }
    }
  }

  /**
   * evictPodLogsDirectories (kuberuntime_gc.go): once every config source is ready, remove the log directory
   * `<namespace>_<name>_<uid>` of each pod whose content should be removed (the uid is the last `_` field).
   */
  private evictPodLogsDirectories(allSourcesReady: boolean, errors: Error[]): void {
    if (!allSourcesReady) return;
    const root = this.runtime.podLogsDirectory;
    try {
      for (const name of this.runtime.os.readDir(root)) {
        const uid = name.slice(name.lastIndexOf('_') + 1);
        if (!this.pods.shouldPodContentBeRemoved(uid)) continue;
        this.runtime.os.removeAll(`${root}/${name}`);
      }
    } catch (err) {
      errors.push(new Error(`failed to read podLogsDirectory ${JSON.stringify(root)}: ${(err as Error).message}`));
    }
  }

  /** removeOldestN: `list` is newest first; remove its `n` oldest, oldest first, and drop them from the list. */
  private async removeOldestN(list: Array<{ id: string }>, n: number, errors: Error[]): Promise<void> {
    if (n <= 0) return;
    const victims = list.splice(list.length - n, n).reverse();
    for (const c of victims) {
      try {
        await this.runtime.removeContainer(c.id);
      } catch (err) {
        errors.push(err as Error);
      }
    }
  }
}

