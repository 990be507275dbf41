import type { StoredObject } from '../storage/etcd3-store';
import type { ResourceDefinition } from './resource-definition';
import { age, dnsNameProblems, keepStatus, metaTime, objectMetaFields, takeStatusOnly } from './resource-definition';

interface Container {
  name?: string;
  image?: string;
  [k: string]: unknown;
}

/**
 * Pods (k8s.io/kubernetes pkg/registry/core/pod/strategy.go PrepareForCreate: status reset to Pending with
 * QoS class; pkg/apis/core/v1/defaults.go: restartPolicy Always, dnsPolicy ClusterFirst, 30 s grace,
 * default-scheduler, terminationMessagePath/Policy and imagePullPolicy per container; printers.go printPod
 * columns). Validation covers what a bad manifest most often gets wrong: containers, names, images.
 */
export const PODS: ResourceDefinition = {
  group: '',
  version: 'v1',
  resource: 'pods',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status', 'binding'],
  typeName: '*core.Pod',
  prepareForCreate(obj, namespace, now, uid) {
    const spec = (obj.spec as Record<string, unknown> | undefined) ?? {};
    const containers = ((spec.containers as Container[] | undefined) ?? []).map(defaultContainer);
    const initContainers = (spec.initContainers as Container[] | undefined)?.map(defaultContainer);
    return {
      ...obj,
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...obj.metadata, namespace, uid, creationTimestamp: metaTime(now) },
      spec: {
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        securityContext: {},
        schedulerName: 'default-scheduler',
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
        priority: 0,
        ...spec,
        containers,
        ...(initContainers ? { initContainers } : {}),
      },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
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
    const containers = ((obj.spec as Record<string, unknown> | undefined)?.containers as Container[] | undefined) ?? [];
    if (containers.length === 0) errs.push({ field: 'spec.containers', message: 'Required value' });
    containers.forEach((c, i) => {
      if (!c.name) errs.push({ field: `spec.containers[${i}].name`, message: 'Required value' });
      if (!c.image) errs.push({ field: `spec.containers[${i}].image`, message: 'Required value' });
    });
    return errs;
  },
  prepareForUpdate: keepStatus,
  /**
   * pod strategy CheckGracefulDelete (pkg/registry/core/pod/strategy.go@v1.34.0): the requested period, else
   * spec.terminationGracePeriodSeconds; 0 for a pod no node has (spec.nodeName unset) or one already
   * Succeeded or Failed, since no kubelet has to stop it.
   */
  deletionGracePeriodSeconds(obj, requested) {
    const spec = (obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined) ?? {};
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    const period = requested ?? spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, period);
  },
  prepareForStatusUpdate: takeStatusOnly,
  /** pod strategy ToSelectableFields (pkg/registry/core/pod/strategy.go@v1.34.0). */
  selectableFields(obj) {
    const spec = (obj.spec as Record<string, unknown> | undefined) ?? {};
    const status = (obj.status as Record<string, unknown> | undefined) ?? {};
    return {
      ...objectMetaFields(obj, true),
      'spec.nodeName': String(spec.nodeName ?? ''),
      'spec.restartPolicy': String(spec.restartPolicy ?? ''),
      'spec.schedulerName': String(spec.schedulerName ?? ''),
      'spec.serviceAccountName': String(spec.serviceAccountName ?? ''),
      'spec.hostNetwork': String(spec.hostNetwork === true),
      'status.phase': String(status.phase ?? ''),
      'status.podIP': String(status.podIP ?? ''),
      'status.nominatedNodeName': String(status.nominatedNodeName ?? ''),
    };
  },
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    { name: 'Ready', type: 'string', format: '', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0 },
    { name: 'Status', type: 'string', format: '', description: 'The aggregate status of the containers in this pod.', priority: 0 },
    { name: 'Restarts', type: 'string', format: '', description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.', priority: 0 },
    { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
    { name: 'IP', type: 'string', format: '', description: 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', priority: 1 },
    { name: 'Node', type: 'string', format: '', description: 'NodeName is a request to schedule this pod onto a specific node.', priority: 1 },
    { name: 'Nominated Node', type: 'string', format: '', description: 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', priority: 1 },
    { name: 'Readiness Gates', type: 'string', format: '', description: 'If specified, all readiness gates will be evaluated for pod readiness.', priority: 1 },
  ],
  cells(obj: StoredObject, now: Date) {
    const spec = (obj.spec as { containers?: Container[]; nodeName?: string } | undefined) ?? {};
    const status = (obj.status as { phase?: string; podIP?: string; containerStatuses?: Array<{ ready?: boolean; restartCount?: number }> } | undefined) ?? {};
    const total = spec.containers?.length ?? 0;
    const ready = (status.containerStatuses ?? []).filter((s) => s.ready).length;
    const restarts = (status.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
    return [String(obj.metadata.name), `${ready}/${total}`, status.phase ?? '', String(restarts), age(obj, now), status.podIP || '<none>', spec.nodeName || '<none>', '<none>', '<none>'];
  },
};

function defaultContainer(c: Container): Container {
  const image = String(c.image ?? '');
  const tag = image.includes('@') ? '' : (image.split('/').pop() ?? '').split(':')[1] ?? 'latest';
  return {
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: tag === 'latest' ? 'Always' : 'IfNotPresent',
    resources: {},
    ...c,
  };
}
