/**
 * Labels and annotations the kubelet puts on sandboxes and containers so it can find its own objects in the
 * runtime again (pkg/kubelet/types/labels.go, pkg/kubelet/kuberuntime/labels.go).
 */
export const KUBERNETES_LABEL = {
  POD_NAME: 'io.kubernetes.pod.name',
  POD_NAMESPACE: 'io.kubernetes.pod.namespace',
  POD_UID: 'io.kubernetes.pod.uid',
  CONTAINER_NAME: 'io.kubernetes.container.name',
} as const;

export const KUBERNETES_ANNOTATION = {
  CONTAINER_HASH: 'io.kubernetes.container.hash',
  CONTAINER_RESTART_COUNT: 'io.kubernetes.container.restartCount',
  CONTAINER_TERMINATION_MESSAGE_PATH: 'io.kubernetes.container.terminationMessagePath',
  CONTAINER_TERMINATION_MESSAGE_POLICY: 'io.kubernetes.container.terminationMessagePolicy',
  POD_TERMINATION_GRACE_PERIOD: 'io.kubernetes.pod.terminationGracePeriod',
} as const;
