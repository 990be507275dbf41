import type { AttributeValue } from '../store/attribute-value';
import type { FlatSpan } from '../store/flat-span';

/**
 * Attribute keys that say which pod and node a span belongs to. The kubelet's `syncPod` spans carry
 * `k8s.pod` ("namespace/name"), `k8s.pod.uid`, `k8s.pod.name` and `k8s.namespace.name`
 * (kubernetes pkg/kubelet/kubelet.go SyncPod, v1.34.0); a Collector's k8sattributes processor puts the
 * semantic-convention keys on resources instead. The kubelet's resource has `host.name`
 * (kubernetes pkg/kubelet/kubelet.go NewMainKubelet resource, v1.34.0).
 */
export const K8S_KEYS = {
  POD: 'k8s.pod',
  POD_UID: 'k8s.pod.uid',
  POD_NAME: 'k8s.pod.name',
  NAMESPACE: 'k8s.namespace.name',
  NODE_NAME: 'k8s.node.name',
  HOST_NAME: 'host.name',
} as const;

/** "namespace/name" of the pod a span is about, or undefined. */
export function podOfSpan(span: FlatSpan): string | undefined {
  return podFrom(span.attributes) ?? podFrom(span.resource);
}

/** The pod UID a span is about, or undefined. */
export function podUidOfSpan(span: FlatSpan): string | undefined {
  return text(span.attributes[K8S_KEYS.POD_UID]) ?? text(span.resource[K8S_KEYS.POD_UID]);
}

/** The node that emitted a span: `k8s.node.name`, else `host.name`, from the span's resource. */
export function nodeOfSpan(span: FlatSpan): string | undefined {
  return text(span.resource[K8S_KEYS.NODE_NAME]) ?? text(span.resource[K8S_KEYS.HOST_NAME]);
}

function podFrom(attrs: Record<string, AttributeValue>): string | undefined {
  const pod = text(attrs[K8S_KEYS.POD]);
  if (pod !== undefined) return pod.includes('/') ? pod : withNamespace(text(attrs[K8S_KEYS.NAMESPACE]), pod);
  const name = text(attrs[K8S_KEYS.POD_NAME]);
  return name === undefined ? undefined : withNamespace(text(attrs[K8S_KEYS.NAMESPACE]), name);
}

function withNamespace(namespace: string | undefined, name: string): string {
  return `${namespace ?? 'default'}/${name}`;
}

function text(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
