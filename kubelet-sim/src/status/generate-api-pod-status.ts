import type { IContainerStatus } from 'kubernetes-models/v1/ContainerStatus';
import type { IPodCondition } from 'kubernetes-models/v1/PodCondition';
import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';
import type { Pod } from '../container/pod';
import type { PodStatus } from '../container/pod-status';
import { getPhase, toContainerStatus } from '../server/api-pod-status';

/** The pod condition types the kubelet owns (pkg/kubelet/types/pod_status.go PodConditionsByKubelet + PodReadyToStartContainers). */
export const KUBELET_POD_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'] as const;

export interface PodStatusContext {
  /** Runtime name from CRI Version (`containerd`, `cri-o`), the scheme of containerIDs. */
  runtimeName: string;
  /** The node's InternalIP (hostIP, hostIPs). */
  hostIP: string;
  /** The pod has finished terminating (SyncTerminatedPod): the phase becomes Succeeded or Failed. */
  podIsTerminal: boolean;
}

/**
 * kubelet_pods.go generateAPIPodStatus@v1.34.0 for what kubelet-sim models: the phase (getPhase; a terminal
 * pod that would still be Pending or Running is Succeeded when every container exited 0, else Failed),
 * container and init-container statuses, hostIP/hostIPs, podIP/podIPs from the ready sandbox, the QoS class,
 * and the kubelet-owned conditions in the order it appends them: PodReadyToStartContainers (gate on by
 * default since 1.29), Initialized, Ready, ContainersReady, then PodScheduled=True. Condition
 * lastTransitionTime and startTime are left to the status manager.
 */
export function generateApiPodStatus(pod: Pod, cached: PodStatus | undefined, ctx: PodStatusContext): IPodStatus {
  const initContainerStatuses = pod.spec.initContainers.map((c) => toContainerStatus(c, cached, ctx.runtimeName));
  const containerStatuses = pod.spec.containers.map((c) => toContainerStatus(c, cached, ctx.runtimeName));
  let phase = getPhase(pod, initContainerStatuses, containerStatuses);
  if (ctx.podIsTerminal && phase !== 'Succeeded' && phase !== 'Failed') {
    const allZero = containerStatuses.every((s) => s.state?.terminated?.exitCode === 0 || s.lastState?.terminated?.exitCode === 0);
    phase = allZero && containerStatuses.length > 0 ? 'Succeeded' : 'Failed';
  }
  const sandbox = cached?.sandboxStatuses.find((s) => s.ready);
  const podIP = sandbox && !sandbox.hostNetwork ? sandbox.ip : sandbox?.hostNetwork ? ctx.hostIP : '';
  const initialized = initContainerStatuses.every((s) => s.state?.terminated?.exitCode === 0);
  const unready = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const incomplete = initContainerStatuses.filter((s) => !(s.state?.terminated?.exitCode === 0)).map((s) => s.name);
  const conditions: IPodCondition[] = [
    { type: 'PodReadyToStartContainers', status: sandbox && podIP !== '' ? 'True' : 'False' },
    initialized
      ? { type: 'Initialized', status: 'True' }
      : { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` },
    readiness('Ready', unready, phase),
    readiness('ContainersReady', unready, phase),
    { type: 'PodScheduled', status: 'True' },
  ];
  return {
    phase,
    conditions,
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    ...(pod.spec.initContainers.length > 0 ? { initContainerStatuses } : {}),
    containerStatuses,
    qosClass: pod.spec.qosClass,
  };
}

/** status/generate.go GeneratePodReadyCondition / GenerateContainersReadyCondition (no readiness gates or probes). */
function readiness(type: 'Ready' | 'ContainersReady', unready: string[], phase: string): IPodCondition {
  if (phase === 'Succeeded') return { type, status: 'False', reason: 'PodCompleted' };
  if (unready.length === 0) return { type, status: 'True' };
  return { type, status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
}

export type { IContainerStatus, IPodStatus };
