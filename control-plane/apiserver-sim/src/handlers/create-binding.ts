import { metaTime } from '../registry/resource-definition';
import { withComponentSpan } from '../storage/component-base-span';
import type { StoredObject } from '../storage/etcd3-store';
import { StorageError } from '../storage/etcd3-store';
import type { RequestScope } from './request-scope';
import { badRequest, invalid, notFound, StatusError, writeObject } from './responses';
import type { ServedResource } from './rest-handlers';
import { storageKey } from './rest-handlers';
import { traceFields } from './trace-fields';
import { decodeRequestObject } from './request-body';

interface Binding {
  metadata?: { name?: string; annotations?: Record<string, string> };
  target?: { kind?: string; name?: string };
}

/**
 * POST pods/<name>/binding, what a scheduler sends to place a pod (pkg/registry/core/pod/storage/storage.go
 * BindingREST.Create@v1.34.0, served by handlers/create.go, hence the span "Create"): the Binding must name
 * the pod and target a Node; in one storage update the pod gets spec.nodeName, the binding's annotations and
 * the PodScheduled=True condition. A pod already on a node or being deleted is a 409; the answer is a
 * 201 Status Success.
 */
export async function createBinding(scope: RequestScope, pods: ServedResource, now: () => Date): Promise<void> {
  await withComponentSpan(scope.tracer, 'Create', traceFields(scope), async (span) => {
    const body = await scope.body();
    span.addEvent('limitedReadBody succeeded', { len: body.length });
    let binding: Binding;
    try {
      binding = decodeRequestObject(scope.req.headers, body, 'Binding') as Binding;
    } catch (err) {
      if (err instanceof StatusError) throw err;
      throw badRequest(`error decoding the request body as JSON: ${(err as Error).message}`);
    }
    const { namespace, name } = scope.info;
    if (binding.metadata?.name !== undefined && binding.metadata.name !== name) throw badRequest('name in URL does not match name in Binding object');
    const kind = binding.target?.kind ?? '';
    if (kind !== '' && kind !== 'Node') throw invalid('Binding', name, [{ field: 'target.kind', message: `Unsupported value: "${kind}": supported values: "Node", "<empty>"` }]);
    const node = binding.target?.name ?? '';
    if (node === '') throw invalid('Binding', name, [{ field: 'target.name', message: 'Required value' }]);
    span.addEvent('About to store object in database');
    try {
      await pods.store.guaranteedUpdate(storageKey(pods, namespace, name), scope.auditId, (pod) => {
        const spec = (pod.spec as Record<string, unknown> | undefined) ?? {};
        if (pod.metadata.deletionTimestamp) throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is being deleted, cannot be assigned to a host`);
        if (spec.nodeName) throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
        const status = (pod.status as { conditions?: Array<Record<string, unknown>> } | undefined) ?? {};
        const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
        const annotations = { ...((pod.metadata.annotations as Record<string, string> | undefined) ?? {}), ...(binding.metadata?.annotations ?? {}) };
        return {
          ...pod,
          metadata: { ...pod.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
          spec: { ...spec, nodeName: node },
          status: { ...status, conditions: [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: metaTime(now()) }] },
        } as StoredObject;
      });
    } catch (err) {
      if (err instanceof StorageError && err.reason === 'NotFound') throw notFound('pods', name);
      throw err;
    }
    span.addEvent('Write to database call succeeded', { len: body.length });
    span.addEvent('About to write a response');
    await writeObject(scope, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    span.addEvent('Writing http response done');
  });
}
