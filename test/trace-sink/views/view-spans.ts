// Spans for the view tests: flatSpan() with attributes, resource, events and a trace id.
import type { FlatSpan } from '../../../trace-sink/src/store/flat-span';
import type { Attributes } from '../../../trace-sink/src/store/attribute-value';
import { flatSpan } from '../otlp-fixtures';

export const T1 = '11111111111111111111111111111111';
export const T2 = '22222222222222222222222222222222';
export const T3 = '33333333333333333333333333333333';

export function span(fields: Parameters<typeof flatSpan>[0] & { attributes?: Attributes; resource?: Attributes; logs?: string[] }): FlatSpan {
  const base = flatSpan(fields);
  return {
    ...base,
    attributes: fields.attributes ?? {},
    resource: { 'service.name': fields.service, ...(fields.resource ?? {}) },
    events: (fields.logs ?? []).map((message) => ({ name: 'log', timeUnixNano: base.startTimeUnixNano, attributes: { 'log.message': message } })),
  };
}

/** The kubelet's syncPod span for a pod. */
export function syncPod(traceId: string, spanId: string, pod: string, startMs: number, durationMs: number): FlatSpan {
  const [namespace, name] = pod.split('/');
  return span({
    traceId,
    spanId,
    name: 'syncPod',
    service: 'kubelet',
    startMs,
    durationMs,
    attributes: { 'k8s.pod': pod, 'k8s.pod.uid': `uid-${name}`, 'k8s.pod.name': name!, 'k8s.namespace.name': namespace!, 'k8s.pod.update_type': 'create' },
    resource: { 'host.name': 'node-a' },
  });
}

/** A kubelet CRI CLIENT span under `parent`. */
export function cri(traceId: string, spanId: string, parent: string, method: string, startMs: number, durationMs: number, error?: string): FlatSpan {
  const service = method === 'PullImage' || method === 'ImageStatus' ? 'ImageService' : 'RuntimeService';
  return span({ traceId, spanId, parentSpanId: parent, name: `runtime.v1.${service}/${method}`, service: 'kubelet', kind: 'CLIENT', startMs, durationMs, ...(error === undefined ? {} : { error }), resource: { 'host.name': 'node-a' } });
}
