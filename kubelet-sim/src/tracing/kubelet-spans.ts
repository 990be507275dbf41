import type { Attributes, Span } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Pod } from '../container/pod';
import { podFullName } from '../container/pod';

/** Instrumentation scopes of the kubelet's own tracers (KK kubelet.go, images/image_gc_manager.go, kuberuntime_manager.go). */
export const KUBELET_TRACER_SCOPE = {
  KUBELET: 'k8s.io/kubernetes/pkg/kubelet',
  IMAGES: 'k8s.io/kubernetes/pkg/kubelet/images',
  KUBERUNTIME: 'k8s.io/kubernetes/pkg/kubelet/kuberuntime',
} as const;

/** Span names the kubelet creates itself (KK kubelet.go SyncPod/SyncTerminatingPod/SyncTerminatedPod; GC). */
export const KUBELET_SPAN = {
  SYNC_POD: 'syncPod',
  SYNC_TERMINATING_POD: 'syncTerminatingPod',
  SYNC_TERMINATED_POD: 'syncTerminatedPod',
  IMAGES_GARBAGE_COLLECT: 'Images/GarbageCollect',
  CONTAINERS_GARBAGE_COLLECT: 'Containers/GarbageCollect',
} as const;

/** Attribute keys on the pod sync spans: semconv v1.12 `k8s.*` keys plus the kubelet's own two. */
export const KUBELET_ATTR = {
  POD_UID: 'k8s.pod.uid',
  POD: 'k8s.pod',
  POD_NAME: 'k8s.pod.name',
  POD_UPDATE_TYPE: 'k8s.pod.update_type',
  NAMESPACE_NAME: 'k8s.namespace.name',
} as const;

/** The attributes every pod sync span carries, in upstream's order. */
export function podSpanAttributes(pod: Pod, updateType?: string): Attributes {
  const attrs: Attributes = {
    [KUBELET_ATTR.POD_UID]: pod.metadata.uid,
    [KUBELET_ATTR.POD]: podFullName(pod),
    [KUBELET_ATTR.POD_NAME]: pod.metadata.name,
  };
  if (updateType !== undefined) attrs[KUBELET_ATTR.POD_UPDATE_TYPE] = updateType;
  attrs[KUBELET_ATTR.NAMESPACE_NAME] = pod.metadata.namespace;
  return attrs;
}

/**
 * otel-go `span.RecordError(err)` + `span.SetStatus(codes.Error, err.Error())`, as SyncPod does since
 * kubernetes#125017: an `exception` event with the Go error type and message (no stack trace; Go records
 * none by default), and status Error.
 */
export function recordGoError(span: Span, message: string, goErrorType: string): void {
  span.addEvent('exception', { 'exception.type': goErrorType, 'exception.message': message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

