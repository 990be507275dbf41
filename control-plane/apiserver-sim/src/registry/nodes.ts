import type { StoredObject } from '../storage/etcd3-store';
import type { ResourceDefinition } from './resource-definition';
import { age, dnsNameProblems, keepStatus, metaTime, objectMetaFields, takeStatusOnly } from './resource-definition';

interface NodeCondition {
  type?: string;
  status?: string;
}

interface NodeAddress {
  type?: string;
  address?: string;
}

interface Taint {
  key?: string;
  effect?: string;
}

/** api.TaintEffect values accepted by validateTaintEffect (pkg/apis/core/validation/validation.go@v1.34.0). */
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** The label prefix and legacy label printNode reads roles from (pkg/printers/internalversion/printers.go findNodeRoles). */
const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';

/**
 * Nodes, cluster-scoped (k8s.io/kubernetes pkg/registry/core/node/strategy.go@v1.34.0: a create keeps every
 * field including status; an update of the node keeps the stored status, the status subresource keeps the
 * stored spec; pkg/apis/core/v1/defaults.go SetDefaults_NodeStatus: allocatable defaults to capacity;
 * ValidateNode: DNS-subdomain name, no namespace, taint effects; printers.go printNode columns).
 */
export const NODES: ResourceDefinition = {
  group: '',
  version: 'v1',
  resource: 'nodes',
  singular: 'node',
  kind: 'Node',
  namespaced: false,
  shortNames: ['no'],
  categories: [],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
  typeName: '*core.Node',
  prepareForCreate(obj, _namespace, now, uid) {
    const status = (obj.status as Record<string, unknown> | undefined) ?? {};
    return {
      ...obj,
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { ...obj.metadata, uid, creationTimestamp: metaTime(now) },
      spec: (obj.spec as Record<string, unknown> | undefined) ?? {},
      status: withDefaultAllocatable(status),
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
    if (obj.metadata.namespace) errs.push({ field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' });
    const taints = ((obj.spec as { taints?: Taint[] } | undefined)?.taints ?? []) as Taint[];
    taints.forEach((t, i) => {
      if (!t.key) errs.push({ field: `spec.taints[${i}].key`, message: 'Required value' });
      if (!t.effect) errs.push({ field: `spec.taints[${i}].effect`, message: 'Required value' });
      else if (!(TAINT_EFFECTS as readonly string[]).includes(t.effect)) {
        errs.push({ field: `spec.taints[${i}].effect`, message: `Unsupported value: "${t.effect}": supported values: ${TAINT_EFFECTS.map((e) => `"${e}"`).join(', ')}` });
      }
    });
    return errs;
  },
  prepareForUpdate: keepStatus,
  prepareForStatusUpdate(next, old) {
    const out = takeStatusOnly(next, old);
    return { ...out, status: withDefaultAllocatable((out.status as Record<string, unknown> | undefined) ?? {}) };
  },
  /** NodeToSelectableFields: metadata.name and spec.unschedulable. */
  selectableFields(obj) {
    return { ...objectMetaFields(obj, false), 'spec.unschedulable': String((obj.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true) };
  },
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    { name: 'Status', type: 'string', format: '', description: 'The status of the node', priority: 0 },
    { name: 'Roles', type: 'string', format: '', description: 'The roles of the node', priority: 0 },
    { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
    { name: 'Version', type: 'string', format: '', description: 'Kubelet Version reported by the node.', priority: 0 },
    { name: 'Internal-IP', type: 'string', format: '', description: 'List of addresses reachable to the node.', priority: 1 },
    { name: 'External-IP', type: 'string', format: '', description: 'List of addresses reachable to the node.', priority: 1 },
    { name: 'OS-Image', type: 'string', format: '', description: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', priority: 1 },
    { name: 'Kernel-Version', type: 'string', format: '', description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", priority: 1 },
    { name: 'Container-Runtime', type: 'string', format: '', description: 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', priority: 1 },
  ],
  cells(obj: StoredObject, now: Date) {
    const spec = (obj.spec as { unschedulable?: boolean } | undefined) ?? {};
    const status = (obj.status as { conditions?: NodeCondition[]; addresses?: NodeAddress[]; nodeInfo?: Record<string, string> } | undefined) ?? {};
    const info = status.nodeInfo ?? {};
    const address = (type: string) => (status.addresses ?? []).find((a) => a.type === type)?.address || '<none>';
    return [
      String(obj.metadata.name),
      nodeStatusText(status.conditions ?? [], spec.unschedulable === true),
      nodeRoles((obj.metadata.labels as Record<string, string> | undefined) ?? {}),
      age(obj, now),
      info.kubeletVersion ?? '',
      address('InternalIP'),
      address('ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

function withDefaultAllocatable(status: Record<string, unknown>): Record<string, unknown> {
  if (status.allocatable === undefined && status.capacity !== undefined) return { ...status, allocatable: { ...(status.capacity as Record<string, unknown>) } };
  return status;
}

/** printNode's STATUS: Ready / NotReady / Unknown from the Ready condition, then SchedulingDisabled. */
export function nodeStatusText(conditions: readonly NodeCondition[], unschedulable: boolean): string {
  const ready = conditions.find((c) => c.type === 'Ready');
  const parts = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** findNodeRoles: `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted; `<none>`. */
export function nodeRoles(labels: Record<string, string>): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith(ROLE_LABEL_PREFIX) && k.length > ROLE_LABEL_PREFIX.length) roles.add(k.slice(ROLE_LABEL_PREFIX.length));
    else if (k === LEGACY_ROLE_LABEL && v !== '') roles.add(v);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}
