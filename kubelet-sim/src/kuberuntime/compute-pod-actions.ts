import type { ContainerSpec, Pod } from '../container/pod';
import type { ContainerStatus, PodStatus } from '../container/pod-status';
import { findContainerStatus } from '../container/pod-status';

/** What SyncPod must do, decided apart from doing it (kuberuntime_manager.go podActions). */
export interface PodActions {
  killPod: boolean;
  createSandbox: boolean;
  sandboxId: string;
  attempt: number;
  nextInitContainerToStart: ContainerSpec | undefined;
  containersToStart: ContainerSpec[];
  /** Running containers that must go (unknown state before a restart). */
  containersToKill: ContainerStatus[];
}

/**
 * kuberuntime_manager.go computePodActions, for what kubelet-sim models (no ephemeral containers,
 * in-place resize or probes): whether the sandbox must be (re)created, which init container runs next,
 * and which app containers to start.
 */
export function computePodActions(pod: Pod, status: PodStatus): PodActions {
  const { changed, attempt, sandboxId } = podSandboxChanged(pod, status);
  const actions: PodActions = { killPod: changed, createSandbox: changed, sandboxId, attempt, nextInitContainerToStart: undefined, containersToStart: [], containersToKill: [] };

  if (changed) {
    if (!shouldRestartOnFailure(pod) && attempt !== 0 && status.containerStatuses.length !== 0) {
      // The sandbox died after the pod ran; a pod that never restarts does not get a new one.
      actions.createSandbox = false;
      return actions;
    }
    const toStart = pod.spec.containers.filter((c) => !(pod.spec.restartPolicy === 'OnFailure' && containerSucceeded(c, status)));
    if (toStart.length === 0) {
      actions.createSandbox = false;
      return actions;
    }
    if (pod.spec.initContainers.length > 0) {
      actions.nextInitContainerToStart = pod.spec.initContainers[0];
      return actions;
    }
    actions.containersToStart = toStart;
    return actions;
  }

  const init = findNextInitContainerToRun(pod, status);
  if (!init.done) {
    if (init.next) {
      const failed = init.lastStatus !== undefined && isInitContainerFailed(init.lastStatus);
      if (failed && !shouldRestartOnFailure(pod)) actions.killPod = true;
      else actions.nextInitContainerToStart = init.next;
    }
    return actions;
  }

  let keepCount = 0;
  for (const container of pod.spec.containers) {
    const cs = findContainerStatus(status, container.name);
    if (cs === undefined || cs.state !== 'running') {
      if (shouldContainerBeRestarted(container, pod, status)) {
        actions.containersToStart.push(container);
        if (cs?.state === 'unknown') actions.containersToKill.push(cs);
      }
      continue;
    }
    keepCount++;
  }
  if (keepCount === 0 && actions.containersToStart.length === 0) actions.killPod = true;
  return actions;
}

/** pkg/kubelet/kuberuntime/util PodSandboxChanged. */
export function podSandboxChanged(pod: Pod, status: PodStatus): { changed: boolean; attempt: number; sandboxId: string } {
  if (status.sandboxStatuses.length === 0) return { changed: true, attempt: 0, sandboxId: '' };
  const latest = status.sandboxStatuses[0];
  const readyCount = status.sandboxStatuses.filter((s) => s.ready).length;
  const next = { changed: true, attempt: latest.attempt + 1, sandboxId: latest.id };
  if (readyCount > 1 || !latest.ready) return next;
  if (latest.hostNetwork !== pod.spec.hostNetwork) return next;
  if (!pod.spec.hostNetwork && latest.ip === '') return next;
  return { changed: false, attempt: latest.attempt, sandboxId: latest.id };
}

function shouldRestartOnFailure(pod: Pod): boolean {
  return pod.spec.restartPolicy !== 'Never';
}

function containerSucceeded(c: ContainerSpec, status: PodStatus): boolean {
  const cs = findContainerStatus(status, c.name);
  return cs !== undefined && cs.state === 'exited' && cs.exitCode === 0;
}

function isInitContainerFailed(cs: ContainerStatus): boolean {
  return (cs.state === 'exited' && cs.exitCode !== 0) || cs.state === 'unknown';
}

/** pkg/kubelet/container/helpers.go ShouldContainerBeRestarted. */
export function shouldContainerBeRestarted(container: ContainerSpec, pod: Pod, status: PodStatus): boolean {
  const cs = findContainerStatus(status, container.name);
  if (cs === undefined) return true;
  if (cs.state === 'running') return false;
  if (cs.state === 'unknown' || cs.state === 'created') return true;
  if (pod.spec.restartPolicy === 'Never') return false;
  if (pod.spec.restartPolicy === 'OnFailure' && cs.exitCode === 0) return false;
  return true;
}

/** kuberuntime_container.go findNextInitContainerToRun: init containers run one at a time, in order, each to success. */
export function findNextInitContainerToRun(pod: Pod, status: PodStatus): { lastStatus?: ContainerStatus; next?: ContainerSpec; done: boolean } {
  if (pod.spec.initContainers.length === 0) return { done: true };
  // Once an app container has run, initialisation is over.
  if (pod.spec.containers.some((c) => findContainerStatus(status, c.name) !== undefined)) return { done: true };
  for (const init of pod.spec.initContainers) {
    const cs = findContainerStatus(status, init.name);
    if (cs === undefined) return { next: init, done: false };
    if (cs.state === 'exited' && cs.exitCode === 0) continue;
    if (isInitContainerFailed(cs)) return { lastStatus: cs, next: init, done: false };
    return { done: false }; // created or running: wait for it
  }
  return { done: true };
}

/** True when every app container has finished and will not be restarted: the pod reached Succeeded or Failed. */
export function isPodTerminal(pod: Pod, status: PodStatus): boolean {
  if (pod.spec.restartPolicy === 'Always') return false;
  return pod.spec.containers.every((c) => {
    const cs = findContainerStatus(status, c.name);
    return cs !== undefined && cs.state === 'exited' && !shouldContainerBeRestarted(c, pod, status);
  });
}
