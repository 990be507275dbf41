/**
 * The values persona templates and conditions refer to (`{sandboxId}`, `containerState`, ...), gathered
 * for one CRI call from its request, its response and the runtime state before and after it. The names
 * are listed, with their meaning, in ./call-fact-vocabulary.ts. Every fact is optional: a failed call may
 * never learn its container id, and a template with a missing fact renders it as "".
 */
import { createHash, randomBytes } from 'node:crypto';
import { GO_GRPC_CODE_NAMES } from '../../../cri-proto/src/grpc-status';
import { formatGoDuration } from '../model/go-duration';
import { NS_PER_SECOND } from '../state/clock';
import { parseImageReference } from '../state/image-reference';
import type { RuntimeState } from '../state/runtime-state';
import { CONTAINER_STATE, type ContainerView, type StringMap } from '../state/types';
import { SIGKILL_EXIT_CODE } from '../model/container-behaviour';
import { simulatedPid } from '../server/runtime-service-handlers';
import {
  gogoContainerFilter,
  gogoContainerMetadata,
  gogoImageFilter,
  gogoImageStatusResponse,
  gogoLinuxContainerResources,
  gogoPodSandboxMetadata,
  gogoWindowsContainerResources,
  goIntSlice,
  goSignalText,
  type ContainerFilterShape,
  type ImageFilterShape,
  type ImageStatusResponseShape,
  type LinuxResourcesShape,
  type WindowsResourcesShape,
} from './go-format';
import type { StopSignalLedger } from './stop-signal-ledger';

export { gogoContainerMetadata, gogoPodSandboxMetadata } from './go-format';

export type CallFacts = Record<string, string | number | boolean | undefined>;

/** Request fields the facts read (the decoded CRI request, snake_case as proto-loader yields it). */
interface RequestShape {
  pod_sandbox_id?: string;
  container_id?: string;
  timeout?: string | number;
  port?: number[];
  verbose?: boolean;
  image?: { image?: string } | null;
  config?: {
    metadata?: { name?: string; uid?: string; namespace?: string; attempt?: number } | null;
    log_path?: string;
    labels?: StringMap;
    image?: { image?: string } | null;
    linux?: {
      security_context?: { privileged?: boolean; namespace_options?: { network?: string; pid?: string; ipc?: string } | null } | null;
    } | null;
  } | null;
  sandbox_config?: { metadata?: { name?: string; uid?: string; namespace?: string; attempt?: number } | null; log_directory?: string } | null;
  linux?: LinuxResourcesShape | null;
  windows?: WindowsResourcesShape | null;
  runtime_config?: { network_config?: { pod_cidr?: string } | null } | null;
  filter?: (ContainerFilterShape & ImageFilterShape) | null;
}

interface ResponseShape {
  pod_sandbox_id?: string;
  container_id?: string;
  image_ref?: string;
  url?: string;
  exit_code?: number;
}

/**
 * Calls whose facts include lookups in the runtime state. Other calls (ContainerStatus, the List and
 * Stats calls, ExecSync: the kubelet's hot paths) get only the facts their request carries.
 */
const STATE_FACT_METHODS: ReadonlySet<string> = new Set([
  'RunPodSandbox', 'StopPodSandbox', 'RemovePodSandbox', 'CreateContainer', 'StartContainer', 'StopContainer', 'RemoveContainer',
  'UpdateContainerResources', 'ReopenContainerLog',
]);

/** Calls whose `imagePresent` fact is looked up in the image store. */
const IMAGE_FACT_METHODS: ReadonlySet<string> = new Set(['ImageStatus', 'RemoveImage', 'PullImage']);

/** List calls whose filter facts are gathered, and what the filter's id names (a container or a sandbox). */
const FILTER_ID_NAMES: Readonly<Record<string, 'container' | 'sandbox'>> = {
  ListContainers: 'container',
  ListContainerStats: 'container',
  ListPodSandbox: 'sandbox',
  ListPodSandboxStats: 'sandbox',
};

/** The kubelet's label keys CRI-O's oci.LabelsToDescription reads (k8s.io/kubelet/pkg/types/labels.go). */
const KUBERNETES_POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
const KUBERNETES_POD_NAME_LABEL = 'io.kubernetes.pod.name';
const KUBERNETES_CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
/** CRI's NamespaceMode NODE (api.proto), as the enum decodes. */
const NAMESPACE_MODE_NODE = 'NODE';

/** Registry host the resolver talks to for a domain (containerd remotes/docker DefaultHost). */
const DOCKER_HUB_DOMAIN = 'docker.io';
const DOCKER_HUB_REGISTRY_HOST = 'registry-1.docker.io';

/** The id fact a failed create would have had (its cleanup lines print it). */
const FAILED_CREATE_ID_FACT: Readonly<Record<string, string>> = { RunPodSandbox: 'sandboxId', CreateContainer: 'containerId' };

/** Exit code CRI-O answers for an ExecSync whose command ran into its timeout (conmon's -1; state/persona.ts execTimedOut). */
const CRIO_EXEC_TIMEOUT_EXIT_CODE = -1;

/** Stop signal the runtime-sim sends first: its images carry no STOPSIGNAL (../process/process-effects.ts). */
const SIMULATED_STOP_SIGNAL = 'SIGTERM';

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined; // a lookup that fails is a fact we do not have
  }
}

/** Facts of one container as the call found it (also the per-item facts of `forEach: sandboxContainers`). */
function containerFacts(container: ContainerView): CallFacts {
  return {
    containerFound: true,
    containerId: container.id,
    containerName: container.reservedName,
    containerDescription: labelsToDescription(container.labels),
    containerPid: simulatedPid(container.id),
    containerState: container.state,
    // pkg/cri/server/container_create.go keeps the image id as the container's ImageRef.
    containerImageRef: container.imageId,
    wasRunning: container.state === CONTAINER_STATE.RUNNING,
    sandboxId: container.podSandboxId,
  };
}

/** Facts known before the handler runs (ids from the request, states the call will change). */
export function factsBeforeCall(method: string, request: unknown, state: RuntimeState, ledger?: StopSignalLedger): CallFacts {
  const req = (request ?? {}) as RequestShape;
  const facts: CallFacts = {};
  const meta = req.config?.metadata;
  const withState = STATE_FACT_METHODS.has(method);
  if (method === 'RunPodSandbox') {
    facts.sandboxMetadataGogo = gogoPodSandboxMetadata(meta);
    const security = req.config?.linux?.security_context;
    const namespaces = security?.namespace_options;
    facts.hostNetwork = namespaces?.network === NAMESPACE_MODE_NODE;
    facts.privileged = security?.privileged === true
      || namespaces?.network === NAMESPACE_MODE_NODE || namespaces?.pid === NAMESPACE_MODE_NODE || namespaces?.ipc === NAMESPACE_MODE_NODE;
    facts.sandboxDescription = sandboxDescription(req.config?.labels, meta?.namespace ?? '', meta?.name ?? '');
    if (meta) facts.infraContainerName = `k8s_POD_${meta.name ?? ''}_${meta.namespace ?? ''}_${meta.uid ?? ''}_${meta.attempt ?? 0}`;
    if (meta) facts.sandboxName = attempt(() => state.profile.sandboxName({ name: meta.name ?? '', namespace: meta.namespace ?? '', uid: meta.uid ?? '', attempt: meta.attempt ?? 0 }));
    const name = facts.sandboxName;
    if (typeof name === 'string') facts.nameReserved = state.listPodSandboxes().some((sb) => sb.reservedName === name);
  }
  if (req.pod_sandbox_id !== undefined) {
    // The id as asked (log lines print it); sandboxId only once it resolves (attributes need a real one).
    facts.requestSandboxId = req.pod_sandbox_id;
    const sandbox = withState ? attempt(() => state.podSandboxStatus(req.pod_sandbox_id as string)) : undefined;
    if (withState) facts.sandboxFound = sandbox !== undefined;
    if (sandbox) {
      facts.sandboxId = sandbox.id;
      facts.sandboxName = sandbox.reservedName;
      facts.hostNetwork = sandbox.hostNetwork;
      // containerd records the uint32 pid with tracing.Attribute, which makes it a string (seen from v2.1.0).
      facts.sandboxPid = String(simulatedPid(sandbox.id));
      facts.sandboxState = sandbox.state;
      facts.sandboxDescription = sandboxDescription(sandbox.labels, sandbox.metadata.namespace, sandbox.metadata.name);
    }
  }
  if (method === 'CreateContainer') {
    facts.containerMetadataGogo = gogoContainerMetadata(meta);
    facts.sandboxLogDirectory = req.sandbox_config?.log_directory ?? '';
    facts.containerLogPath = req.config?.log_path ?? '';
    facts.logPathsSet = facts.sandboxLogDirectory !== '' && facts.containerLogPath !== '';
    facts.containerDescription = labelsToDescription(req.config?.labels);
    facts.linuxSet = req.config?.linux != null;
    facts.privileged = req.config?.linux?.security_context?.privileged === true;
    const image = req.config?.image?.image ?? '';
    facts.containerImagePresent = attempt(() => state.imageStatus(image)) != null;
    const podMeta = req.sandbox_config?.metadata;
    const name = meta && podMeta
      ? attempt(() => state.profile.containerName({ name: meta.name ?? '', attempt: meta.attempt ?? 0 }, { name: podMeta.name ?? '', namespace: podMeta.namespace ?? '', uid: podMeta.uid ?? '' }))
      : undefined;
    if (name !== undefined) {
      facts.containerName = name;
      facts.nameReserved = state.listContainers().some((c) => c.reservedName === name);
    }
  }
  if (req.container_id !== undefined) {
    facts.requestContainerId = req.container_id;
    const container = withState ? attempt(() => state.containerStatus(req.container_id as string)) : undefined;
    if (withState) facts.containerFound = container !== undefined;
    if (container) {
      Object.assign(facts, containerFacts(container));
      const sandbox = attempt(() => state.podSandboxStatus(container.podSandboxId));
      if (sandbox) facts.sandboxState = sandbox.state;
    }
  }
  if (method === 'UpdateContainerResources') facts.linuxSet = req.linux != null;
  const filterNames = FILTER_ID_NAMES[method];
  if (filterNames !== undefined) Object.assign(facts, filterFacts(filterNames, req.filter, state));
  if (req.verbose !== undefined) facts.verbose = req.verbose === true;
  if (req.timeout !== undefined) {
    facts.timeout = String(req.timeout);
    facts.timeoutPositive = Number(req.timeout) > 0;
  }
  if (method === 'StopContainer') {
    facts.stopSignalGo = goSignalText(SIMULATED_STOP_SIGNAL);
    // When this call's own SIGKILL is due (bigint as text): a container that died before was not killed by it.
    const timeoutNs = Number(req.timeout ?? 0) > 0 ? BigInt(Math.trunc(Number(req.timeout))) * NS_PER_SECOND : 0n;
    if (facts.wasRunning === true) facts.stopKillDueNs = String(state.nowNs() + timeoutNs);
    if (typeof facts.containerId === 'string') facts.stopSignalSent = ledger?.has(facts.containerId) ?? false;
    const imageId = facts.containerImageRef;
    if (typeof imageId === 'string') facts.containerImagePresent = attempt(() => state.imageStatus(imageId)) != null;
  }
  if (method === 'PortForward') facts.portsGo = goIntSlice(req.port);
  if (method === 'UpdateContainerResources') {
    facts.linuxResourcesGogo = gogoLinuxContainerResources(req.linux);
    facts.windowsResourcesGogo = gogoWindowsContainerResources(req.windows);
  }
  if (method === 'UpdateRuntimeConfig') facts.podCidrSet = (req.runtime_config?.network_config?.pod_cidr ?? '') !== '';
  const image = req.image?.image;
  if (typeof image === 'string') {
    facts.image = image;
    const parsed = parseImageReference(image);
    facts.imageRef = parsed.ok ? parsed.ref.normalized : image;
    if (parsed.ok) facts.registryHost = parsed.ref.domain === DOCKER_HUB_DOMAIN ? DOCKER_HUB_REGISTRY_HOST : parsed.ref.domain;
    if (IMAGE_FACT_METHODS.has(method)) {
      const view = image === '' ? undefined : attempt(() => state.imageStatus(image));
      facts.imagePresent = view != null;
      if (method === 'RemoveImage' && view != null) facts.removedImageId = view.id;
    }
  }
  return facts;
}

/**
 * CRI-O's oci.LabelsToDescription: "<namespace>/<pod>/<container>" from the kubelet's labels, each part ""
 * when its label is missing (internal/oci/oci.go).
 */
function labelsToDescription(labels: StringMap | null | undefined): string {
  const l = labels ?? {};
  return `${l[KUBERNETES_POD_NAMESPACE_LABEL] ?? ''}/${l[KUBERNETES_POD_NAME_LABEL] ?? ''}/${l[KUBERNETES_CONTAINER_NAME_LABEL] ?? ''}`;
}

/**
 * A sandbox's description: its labels, the pod name and namespace filled in from the metadata when the
 * labels lack them (CRI-O populateSandboxLabels, server/sandbox_run_linux.go); RunPodSandbox's lines append "POD".
 */
function sandboxDescription(labels: StringMap | null | undefined, namespace: string, name: string): string {
  return labelsToDescription({ [KUBERNETES_POD_NAMESPACE_LABEL]: namespace, [KUBERNETES_POD_NAME_LABEL]: name, ...(labels ?? {}) });
}

/** The filter facts of a List call; the state is consulted only when the filter names an id. */
function filterFacts(idNames: 'container' | 'sandbox', filter: RequestShape['filter'], state: RuntimeState): CallFacts {
  const id = filter?.id ?? '';
  const sandboxId = filter?.pod_sandbox_id ?? '';
  const facts: CallFacts = { filterSet: filter != null, filterIdSet: id !== '', filterSandboxIdSet: sandboxId !== '', filterId: id };
  if (id !== '') {
    facts.filterTargetFound = idNames === 'container'
      ? attempt(() => state.containerStatus(id)) !== undefined
      : attempt(() => state.podSandboxStatus(id)) !== undefined;
  } else if (sandboxId !== '' && idNames === 'container') {
    facts.filterTargetFound = attempt(() => state.podSandboxStatus(sandboxId)) !== undefined;
  }
  return facts;
}

/**
 * Records what a call does to the stop-signal ledger, from its facts before the call: a graceful stop of
 * a running container sends the signal (once), RemoveContainer forgets the container.
 */
export function noteStopSignal(method: string, before: CallFacts, ledger: StopSignalLedger): void {
  if (typeof before.containerId !== 'string') return;
  if (method === 'StopContainer' && before.containerState === CONTAINER_STATE.RUNNING && before.timeoutPositive === true) {
    ledger.markSignalled(before.containerId);
  } else if (method === 'RemoveContainer') {
    ledger.forget(before.containerId);
  }
}

/** Per-container facts of the sandbox a StopPodSandbox/RemovePodSandbox names, in creation order. */
export function sandboxContainerFacts(before: CallFacts, state: RuntimeState): CallFacts[] {
  if (typeof before.sandboxId !== 'string') return [];
  const sandboxId = before.sandboxId;
  return (attempt(() => state.listContainers({ podSandboxId: sandboxId })) ?? []).map(containerFacts);
}

/**
 * Per-container facts of the running containers whose stats a stats call reports, in creation order:
 * ContainerStats the named one, ListContainerStats those its filter's id and pod_sandbox_id select,
 * PodSandboxStats those of the named sandbox, ListPodSandboxStats those of the sandboxes its filter's id
 * selects. Only a running container has a task to ask (containerd's exit handler deletes an exited one's).
 */
export function statsContainerFacts(method: string, request: unknown, state: RuntimeState): CallFacts[] {
  const req = (request ?? {}) as RequestShape;
  let containers: readonly ContainerView[] = [];
  if (method === 'ContainerStats' && req.container_id) {
    const one = attempt(() => state.containerStatus(req.container_id as string));
    containers = one ? [one] : [];
  } else if (method === 'ListContainerStats') {
    containers = attempt(() => state.listContainers({ id: req.filter?.id ?? '', podSandboxId: req.filter?.pod_sandbox_id ?? '' })) ?? [];
  } else if (method === 'PodSandboxStats' && req.pod_sandbox_id) {
    containers = attempt(() => state.listContainers({ podSandboxId: req.pod_sandbox_id as string })) ?? [];
  } else if (method === 'ListPodSandboxStats') {
    const id = req.filter?.id ?? '';
    containers = (attempt(() => state.listContainers()) ?? []).filter((c) => id === '' || c.podSandboxId === id);
  }
  return containers.filter((c) => c.state === CONTAINER_STATE.RUNNING).map(containerFacts);
}

/** How the call ended: no failure, or the gRPC code it failed with. */
export type CallOutcome = { readonly failed: false } | { readonly failed: true; readonly code: number; readonly message?: string };

/** Facts learnt from the outcome, the response and the state after the call, merged over `before`. */
export function factsAfterCall(
  method: string,
  request: unknown,
  before: CallFacts,
  outcome: CallOutcome,
  response: unknown,
  state: RuntimeState,
  elapsedNs: bigint,
  wanted?: ReadonlySet<string>,
): CallFacts {
  const res = (response ?? {}) as ResponseShape;
  const facts: CallFacts = {
    ...before,
    elapsed: formatGoDuration(elapsedNs < 0n ? 0n : elapsedNs),
    outcome: outcome.failed ? 'failure' : 'success',
    errorCode: outcome.failed ? GO_GRPC_CODE_NAMES[outcome.code] : undefined,
  };
  // grpc-go's (*status.Error).Error(), as otel-go's RecordError prints it in exception.message.
  if (outcome.failed && wanted?.has('statusErrorText') === true) {
    facts.statusErrorText = `rpc error: code = ${GO_GRPC_CODE_NAMES[outcome.code] ?? outcome.code} desc = ${outcome.message ?? ''}`;
  }
  if (res.pod_sandbox_id) {
    facts.sandboxId = res.pod_sandbox_id;
    const sandbox = attempt(() => state.podSandboxStatus(res.pod_sandbox_id as string));
    if (sandbox) {
      facts.sandboxName = sandbox.reservedName;
      facts.sandboxPid = String(simulatedPid(sandbox.id));
    }
  }
  if (res.container_id) {
    facts.containerId = res.container_id;
    const container = attempt(() => state.containerStatus(res.container_id as string));
    if (container) facts.containerName = container.reservedName;
  }
  if (res.image_ref !== undefined) facts.imageRefResult = res.image_ref;
  if (res.url !== undefined) facts.portForwardUrl = res.url;
  // A create that failed drew an id its cleanup lines print, though the caller never sees it: derive one.
  if (outcome.failed && method in FAILED_CREATE_ID_FACT && facts[FAILED_CREATE_ID_FACT[method]] === undefined) {
    facts[FAILED_CREATE_ID_FACT[method]] = createHash('sha256').update(`failed|${method}|${String(before.sandboxName)}|${String(before.containerName)}`).digest('hex');
  }
  if (wanted !== undefined) addContainerdTreeFacts(method, request as RequestShape | null | undefined, facts, wanted, state);
  if (method === 'ExecSync') facts.execTimedOut = !outcome.failed && before.timeoutPositive === true && res.exit_code === CRIO_EXEC_TIMEOUT_EXIT_CODE;
  // Formatted only for a persona whose templates print it (ImageStatus is on the kubelet's pod start path).
  if (method === 'ImageStatus' && !outcome.failed && wanted?.has('imageStatusResponseGogo') === true) {
    facts.imageStatusResponseGogo = gogoImageStatusResponse(response as ImageStatusResponseShape);
  }
  if (before.wasRunning === true && typeof before.containerId === 'string') {
    const container = attempt(() => state.containerStatus(before.containerId as string));
    const byThisCall = typeof before.stopKillDueNs !== 'string' || (container !== undefined && container.finishedAtNs >= BigInt(before.stopKillDueNs));
    facts.killed = container !== undefined && container.state === CONTAINER_STATE.EXITED && container.exitCode === SIGKILL_EXIT_CODE && byThisCall;
  }
  // Filters are printed only by the failure lines of the List calls: format them only then.
  if (outcome.failed) {
    const filter = (request as RequestShape | null | undefined)?.filter;
    if (method === 'ListContainers') facts.containerFilterGogo = gogoContainerFilter(filter);
    if (method === 'ListImages') facts.imageFilterGogo = gogoImageFilter(filter);
  }
  return facts;
}

/**
 * containerd's default [grpc] address and state directory: a shim's socket is
 * unix://<state>/s/<sha256 of <address>/<namespace>/<shim id>> (pkg/shim/util_unix.go:79-89@v2.1.0), one shim
 * per pod, named after the sandbox id; the CRI plugin's namespace is k8s.io.
 */
const CONTAINERD_SHIM_SOCKET_PATH = '/run/containerd/containerd.sock/k8s.io/';
const CONTAINERD_SHIM_SOCKET_DIR = 'unix:///run/containerd/s/';

/** Facts only containerd's trees print, each computed only when a template of the persona names it. */
function addContainerdTreeFacts(method: string, req: RequestShape | null | undefined, facts: CallFacts, wanted: ReadonlySet<string>, state: RuntimeState): void {
  if (wanted.has('nowRfc3339')) facts.nowRfc3339 = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (wanted.has('shimAddress') && typeof facts.sandboxId === 'string') {
    facts.shimAddress = CONTAINERD_SHIM_SOCKET_DIR + createHash('sha256').update(CONTAINERD_SHIM_SOCKET_PATH + facts.sandboxId).digest('hex');
  }
  if (wanted.has('execId') && method === 'ExecSync') {
    facts.execId = randomBytes(32).toString('hex');
    facts.execPid = simulatedPid(facts.execId);
  }
  if (wanted.has('imageManifestDigest') && method === 'PullImage' && typeof facts.image === 'string') addPulledImageFacts(facts.image, facts, state);
  if (wanted.has('containerImageName') && method === 'CreateContainer') {
    const image = req?.config?.image?.image ?? '';
    const parsed = parseImageReference(image);
    facts.containerImageName = parsed.ok ? parsed.ref.normalized : image;
  }
}

/** Registry-side facts of the image a PullImage names (after the pull: absent images give none). */
function addPulledImageFacts(image: string, facts: CallFacts, state: RuntimeState): void {
  const parsed = parseImageReference(image);
  if (!parsed.ok) return;
  facts.imagePath = parsed.ref.path;
  facts.imageTagOrDigest = parsed.ref.tag ?? parsed.ref.digest ?? 'latest';
  const view = attempt(() => state.imageStatus(image));
  if (!view) return;
  const repoDigest = view.repoDigests[0];
  if (repoDigest !== undefined) {
    facts.imageRepoDigest = repoDigest;
    facts.imageManifestDigest = repoDigest.slice(repoDigest.indexOf('@') + 1);
  }
  facts.imageSizeBytes = view.sizeBytes;
  facts.imageLayerDigest = `sha256:${createHash('sha256').update(`layer|${view.id}`).digest('hex')}`;
}

/** Replaces `{fact}` placeholders; unknown or missing facts become "". */
export function renderTemplate(template: string, facts: CallFacts): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (_, key: string) => {
    const value = facts[key];
    return value === undefined ? '' : String(value);
  });
}

/**
 * An attribute value: a template that is exactly one numeric fact stays a number (Go's attribute.Any of
 * a uint32 pid is an int attribute); everything else is a string.
 */
export function renderAttributeValue(template: string, facts: CallFacts): string | number {
  const single = /^\{([A-Za-z]+)\}$/.exec(template);
  if (single) {
    const value = facts[single[1]];
    if (typeof value === 'number') return value;
  }
  return renderTemplate(template, facts);
}
