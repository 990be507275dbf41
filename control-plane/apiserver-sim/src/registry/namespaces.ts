import type { StoredObject } from '../storage/etcd3-store';
import type { ResourceDefinition } from './resource-definition';
import { age, dnsNameProblems, metaTime, objectMetaFields, takeStatusOnly } from './resource-definition';

/** The namespaces a kube-apiserver creates at start (pkg/controlplane/controller/systemnamespaces). */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/** Namespaces (k8s.io/kubernetes pkg/registry/core/namespace/strategy.go; printers.go printNamespace). */
export const NAMESPACES: ResourceDefinition = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
  typeName: '*core.Namespace',
  prepareForCreate(obj, _namespace, now, uid) {
    const name = String(obj.metadata.name ?? '');
    const spec = (obj.spec as Record<string, unknown> | undefined) ?? {};
    return {
      ...obj,
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        ...obj.metadata,
        namespace: undefined,
        uid,
        creationTimestamp: metaTime(now),
        // namespace strategy PrepareForCreate + the NamespaceDefaultLabelName feature: the name label.
        labels: { ...((obj.metadata.labels as Record<string, string>) ?? {}), 'kubernetes.io/metadata.name': name },
      },
      spec: { ...spec, finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
  },
  validate(obj) {
    const name = obj.metadata.name;
    if (typeof name !== 'string' || name === '') return [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }];
    const problem = dnsNameProblems(name, true);
    return problem ? [{ field: 'metadata.name', message: `Invalid value: "${name}": ${problem}` }] : [];
  },
  /** namespace strategy PrepareForUpdate: finalizers and status are the stored ones. */
  prepareForUpdate(next, old) {
    const oldSpec = (old.spec as Record<string, unknown> | undefined) ?? {};
    return { ...next, spec: { ...((next.spec as Record<string, unknown> | undefined) ?? {}), finalizers: oldSpec.finalizers }, status: old.status };
  },
  prepareForStatusUpdate: takeStatusOnly,
  /** NamespaceToSelectableFields: metadata.name and status.phase. */
  selectableFields(obj) {
    return { ...objectMetaFields(obj, false), 'status.phase': String((obj.status as { phase?: string } | undefined)?.phase ?? '') };
  },
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    { name: 'Status', type: 'string', format: '', description: 'The status of the namespace', priority: 0 },
    { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
  ],
  cells(obj: StoredObject, now: Date) {
    const status = (obj.status as { phase?: string } | undefined)?.phase ?? '';
    return [String(obj.metadata.name), status, age(obj, now)];
  },
};
