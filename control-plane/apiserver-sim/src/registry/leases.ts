import type { StoredObject } from '../storage/etcd3-store';
import type { ResourceDefinition } from './resource-definition';
import { age, dnsNameProblems, metaTime, objectMetaFields } from './resource-definition';

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  leaseTransitions?: number;
}

/** The namespace where kubelets keep their node leases (k8s.io/api core/v1 NamespaceNodeLease). */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/**
 * coordination.k8s.io/v1 Leases (k8s.io/kubernetes pkg/registry/coordination/lease/strategy.go@v1.34.0: no
 * status, every field writable; pkg/apis/coordination/validation/validation.go ValidateLease: DNS-subdomain
 * name, leaseDurationSeconds > 0, leaseTransitions >= 0; printers.go printLease columns Name, Holder, Age).
 */
export const LEASES: ResourceDefinition = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  singular: 'lease',
  kind: 'Lease',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [],
  typeName: '*coordination.Lease',
  prepareForCreate(obj, namespace, now, uid) {
    return {
      ...obj,
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...obj.metadata, namespace, uid, creationTimestamp: metaTime(now) },
      spec: (obj.spec as Record<string, unknown> | undefined) ?? {},
    };
  },
  validate(obj) {
    const errs: Array<{ field: string; message: string }> = [];
    const name = obj.metadata.name;
    if (typeof name !== 'string' || name === '') errs.push({ field: 'metadata.name', message: 'Required value: name or generateName is required' });
    else {
      const problem = dnsNameProblems(name, false);
      if (problem) errs.push({ field: 'metadata.name', message: `Invalid value: "${name}": ${problem}` });
    }
    const spec = (obj.spec as LeaseSpec | undefined) ?? {};
    if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds !== null && spec.leaseDurationSeconds <= 0) {
      errs.push({ field: 'spec.leaseDurationSeconds', message: `Invalid value: ${spec.leaseDurationSeconds}: must be greater than 0` });
    }
    if (spec.leaseTransitions !== undefined && spec.leaseTransitions !== null && spec.leaseTransitions < 0) {
      errs.push({ field: 'spec.leaseTransitions', message: `Invalid value: ${spec.leaseTransitions}: must be greater than or equal to 0` });
    }
    return errs;
  },
  prepareForUpdate: (next) => next,
  prepareForStatusUpdate: (next) => next,
  selectableFields: (obj) => objectMetaFields(obj, true),
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    { name: 'Holder', type: 'string', format: '', description: 'holderIdentity contains the identity of the holder of a current lease.', priority: 0 },
    { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
  ],
  cells(obj: StoredObject, now: Date) {
    return [String(obj.metadata.name), (obj.spec as LeaseSpec | undefined)?.holderIdentity ?? '', age(obj, now)];
  },
};
