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
    const spec = (obj.spec as { containers?: Container[]; initContainers?: Container[]; nodeName?: string } | undefined) ?? {};
    const status = (obj.status as PodStatusView | undefined) ?? {};
    const { reason, ready, restarts } = printPodStatus(obj, spec.initContainers?.length ?? 0, status);
    return [String(obj.metadata.name), `${ready}/${spec.containers?.length ?? 0}`, reason, String(restarts), age(obj, now), status.podIP || '<none>', spec.nodeName || '<none>', '<none>', '<none>'];
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

interface ContainerStateView {
  waiting?: { reason?: string };
  running?: object;
  terminated?: { exitCode?: number; signal?: number; reason?: string };
}

interface ContainerStatusView {
  ready?: boolean;
  restartCount?: number;
  state?: ContainerStateView;
}

interface PodStatusView {
  phase?: string;
  reason?: string;
  podIP?: string;
  conditions?: Array<{ type?: string; status?: string }>;
  initContainerStatuses?: ContainerStatusView[];
  containerStatuses?: ContainerStatusView[];
}

/**
 * printPod's STATUS, READY and RESTARTS (pkg/printers/internalversion/printers.go@v1.34.0, without sidecars
 * and the "(Xs ago)" restart suffix): the phase (or status.reason); the first unfinished init container as
 * `Init:<n>/<total>`, `Init:<waiting reason>` or `Init:<terminated reason|ExitCode:n>`; then, once
 * initialized, the last container's waiting or terminated reason; `Completed` with a container still running
 * reads Running (or NotReady); a pod being deleted that is not yet terminal is `Terminating`.
 */
function printPodStatus(obj: StoredObject, initTotal: number, status: PodStatusView): { reason: string; ready: number; restarts: number } {
  let reason = status.reason || status.phase || '';
  let restarts = 0;
  let ready = 0;
  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i] as ContainerStatusView;
    restarts += c.restartCount ?? 0;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode ?? 0}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initTotal}`;
    initializing = true;
    break;
  }
  const initializedTrue = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = 0;
    let hasRunning = false;
    const containers = status.containerStatuses ?? [];
    for (let i = containers.length - 1; i >= 0; i--) {
      const c = containers[i] as ContainerStatusView;
      restarts += c.restartCount ?? 0;
      const t = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (obj.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  return { reason, ready, restarts };
}
