import type { IContainerStatus } from 'kubernetes-models/v1/ContainerStatus';
import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';
import type { ContainerSpec, Pod } from '../container/pod';
import type { ContainerStatus, PodStatus } from '../container/pod-status';

export type PodPhase = NonNullable<IPodStatus['phase']>;

/**
 * The phase the kubelet would report for a pod from its cached runtime status (kubelet_pods.go
 * generateAPIPodStatus → getPhase). kubelet-sim has no status manager; this is what stands in for it.
 */
export function generatePodPhase(pod: Pod, cached: PodStatus | undefined): PodPhase {
  return getPhase(pod, pod.spec.initContainers.map((c) => toContainerStatus(c, cached, '')), pod.spec.containers.map((c) => toContainerStatus(c, cached, '')));
}

/** convertToAPIContainerStatuses for one container: its newest attempt is the state, the one before the last state. */
export function toContainerStatus(spec: ContainerSpec, cached: PodStatus | undefined, runtimeName: string): IContainerStatus {
  const attempts = (cached?.containerStatuses ?? []).filter((c) => c.name === spec.name);
  const [current, previous] = attempts;
  if (current === undefined) {
    return { name: spec.name, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: spec.image, imageID: '', started: false };
  }
  const containerID = `${runtimeName}://${current.id}`;
  return {
    name: spec.name,
    state: toV1State(current, runtimeName),
    lastState: previous && previous.state === 'exited' ? toV1State(previous, runtimeName) : {},
    // No probes are emulated: a running container is ready and started.
    ready: current.state === 'running',
    restartCount: current.restartCount,
    image: spec.image,
    imageID: current.imageRef,
    containerID,
    started: current.state === 'running',
  };
}

function toV1State(s: ContainerStatus, runtimeName: string): IContainerStatus['state'] {
  switch (s.state) {
    case 'running':
      return { running: { startedAt: goRfc3339(s.startedAtMs) } };
    case 'exited':
      return {
        terminated: {
          exitCode: s.exitCode,
          ...(s.reason ? { reason: s.reason } : {}),
          ...(s.message ? { message: s.message } : {}),
          startedAt: goRfc3339(s.startedAtMs),
          finishedAt: goRfc3339(s.finishedAtMs),
          containerID: `${runtimeName}://${s.id}`,
        },
      };
    default:
      // created or unknown: waiting to run (kubelet_pods.go leaves the waiting reason empty for created).
      return { waiting: {} };
  }
}

/**
 * kubelet_pods.go getPhase, for what kubelet-sim models (no sidecar init containers): init containers
 * first, then the app containers counted as waiting / running / stopped / succeeded / unknown.
 */
export function getPhase(pod: Pod, initStatuses: IContainerStatus[], statuses: IContainerStatus[]): PodPhase {
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const s of initStatuses) {
    if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state?.waiting && s.lastState?.terminated && s.lastState.terminated.exitCode !== 0) {
      failedInitialization++;
    } else {
      pendingInitialization++;
    }
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInitialization > 0 && pod.spec.restartPolicy === 'Never') return 'Failed';
  if (pendingInitialization > 0 || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    // A pod that restarts its containers is still Running between attempts.
    if (pod.spec.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (pod.spec.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** metav1.Time JSON: RFC 3339 in UTC with whole seconds. */
export function goRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
