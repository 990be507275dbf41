import type { ResourceDefinition } from '../registry/resource-definition';
import type { StoredObject } from '../storage/etcd3-store';

/**
 * Whether the Accept header asks for a meta.k8s.io Table (kubectl get sends
 * `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`),
 * and which version (the first offered that is served: v1, then v1beta1).
 */
export function tableVersionAccepted(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  if (!accept) return undefined;
  for (const clause of accept.split(',')) {
    const params = new Map(clause.split(';').slice(1).map((p) => p.trim().split('=') as [string, string]));
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io') {
      const v = params.get('v');
      if (v === 'v1' || v === 'v1beta1') return v;
    }
  }
  return undefined;
}

/** A metav1.Table of objects, rows carrying PartialObjectMetadata (includeObject=Metadata, the default). */
export function toTable(def: ResourceDefinition, version: 'v1' | 'v1beta1', items: StoredObject[], listMeta: Record<string, unknown>, now: Date) {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta,
    columnDefinitions: def.columns,
    rows: items.map((obj) => ({
      cells: def.cells(obj, now),
      object: { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata },
    })),
  };
}
