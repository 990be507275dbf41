import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';
import type { ContainerSpec, Pod } from '../container/pod';
import type { PodStatus } from '../container/pod-status';
import { CONFIG_ANNOTATION } from '../pod-sources/static-pod-source';
import { getPhase, goRfc3339, toContainerStatus } from './api-pod-status';

/** A core/v1 Pod as the kubelet's `/pods` lists it: list items carry no kind/apiVersion of their own. */
export interface V1PodListItem {
  /** Static pods have no creation time; Go marshals the zero metav1.Time as null. */
  metadata: Omit<IObjectMeta, 'creationTimestamp'> & { creationTimestamp: string | null };
  spec: IPodSpec;
  status: IPodStatus;
}

export interface V1PodList {
  kind: 'PodList';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  items: V1PodListItem[];
}

/** What the list needs from the kubelet: its pods, the pod cache, and naming facts. */
export interface PodListSource {
  nodeName: string;
  /** Runtime name from CRI Version (`cri-o`, `containerd`): the scheme of container IDs (kubecontainer.ContainerID). */
  runtimeName: string;
  pods(): readonly Pod[];
  cachedStatus(uid: string): PodStatus | undefined;
}

/**
 * The body of `GET /pods` (pkg/kubelet/server/server.go getPods → encodePods): a v1 PodList of the pods the
 * kubelet manages. The kubelet serves the pod manager's objects, whose status the status manager keeps;
 * kubelet-sim has no status manager, so the status is generated here from the pod cache the way
 * kubelet_pods.go generateAPIPodStatus / convertToAPIContainerStatuses / getPhase would.
 */
export function buildPodList(source: PodListSource): V1PodList {
  return { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: source.pods().map((pod) => toV1Pod(pod, source)) };
}

function toV1Pod(pod: Pod, source: PodListSource): V1PodListItem {
  const cached = source.cachedStatus(pod.metadata.uid);
  const initStatuses = pod.spec.initContainers.map((c) => toContainerStatus(c, cached, source.runtimeName));
  const containerStatuses = pod.spec.containers.map((c) => toContainerStatus(c, cached, source.runtimeName));
  const seen = pod.metadata.annotations[CONFIG_ANNOTATION.SEEN];
  const sandbox = cached?.sandboxStatuses[0];
  const status: IPodStatus = {
    phase: getPhase(pod, initStatuses, containerStatuses),
    ...(sandbox?.ip ? { podIP: sandbox.ip, podIPs: [{ ip: sandbox.ip }] } : {}),
    ...(seen ? { startTime: goRfc3339(Date.parse(seen)) } : {}),
    ...(initStatuses.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses,
    qosClass: pod.spec.qosClass,
  };
  return {
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      uid: pod.metadata.uid,
      creationTimestamp: null,
      ...(Object.keys(pod.metadata.labels).length > 0 ? { labels: pod.metadata.labels } : {}),
      ...(Object.keys(pod.metadata.annotations).length > 0 ? { annotations: pod.metadata.annotations } : {}),
    },
    spec: {
      ...(pod.spec.initContainers.length > 0 ? { initContainers: pod.spec.initContainers.map(toV1Container) } : {}),
      containers: pod.spec.containers.map(toV1Container),
      restartPolicy: pod.spec.restartPolicy,
      terminationGracePeriodSeconds: pod.spec.terminationGracePeriodSeconds,
      nodeName: source.nodeName,
      ...(pod.spec.hostNetwork ? { hostNetwork: true } : {}),
      ...(pod.spec.hostname ? { hostname: pod.spec.hostname } : {}),
      ...(pod.spec.subdomain ? { subdomain: pod.spec.subdomain } : {}),
    },
    status,
  };
}

function toV1Container(c: ContainerSpec): IContainer {
  return {
    name: c.name,
    image: c.image,
    ...(c.command.length > 0 ? { command: c.command } : {}),
    ...(c.args.length > 0 ? { args: c.args } : {}),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    ...(c.env.length > 0 ? { env: c.env } : {}),
    resources: {},
    terminationMessagePath: c.terminationMessagePath,
    imagePullPolicy: c.imagePullPolicy,
  };
}
