import type { RuntimePod } from '../kuberuntime/kuberuntime-manager';
import type { KubeletMetrics } from './kubelet-metrics';

/**
 * pleg/generic.go updateRunningPodAndContainerMetrics, run after every successful relist: a pod counts as
 * running when one of its sandboxes runs; containers are counted per state (`created`, `running`, `exited`,
 * `unknown`, the kubecontainer.State strings). Like upstream, only states seen in this relist are set, so a
 * state that no container has any more keeps its last value.
 */
export function recordRunningPodsAndContainers(metrics: KubeletMetrics, pods: readonly RuntimePod[]): void {
  let runningSandboxes = 0;
  const perState = new Map<string, number>();
  for (const pod of pods) {
    for (const container of pod.containers) perState.set(container.state, (perState.get(container.state) ?? 0) + 1);
    if (pod.sandboxes.some((s) => s.state === 'running')) runningSandboxes++;
  }
  for (const [state, count] of perState) metrics.runningContainers.set({ container_state: state }, count);
  metrics.runningPods.set(runningSandboxes);
}
