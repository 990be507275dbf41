/**
 * The facts a persona file may name: `{fact}` placeholders in its templates and `when:` conditions on
 * its log events and span trees. call-facts.ts gathers them for each CRI call; persona-version-spec.ts
 * checks a file against these lists, so a misspelt fact or value fails at load naming the field and what
 * is allowed.
 */
import { GO_GRPC_CODE_NAMES } from '../../../cri-proto/src/grpc-status';
import { CONTAINER_STATE, SANDBOX_STATE } from '../state/types';

export type ConditionValue = string | boolean;

export interface ConditionFactSpec {
  /** Allowed values; `true`/`false` for yes/no facts. */
  readonly values: readonly ConditionValue[];
  /** Learnt only when the call has ended: usable in `at: end` lines only. */
  readonly endOnly: boolean;
  readonly meaning: string;
}

const YES_NO = [true, false] as const;

/**
 * Facts a `when:` condition may test. Container and sandbox facts describe the object as it was when
 * the call arrived. A yes/no fact nobody learnt (e.g. `hostNetwork` of an unknown sandbox) counts as false;
 * a named-value fact nobody learnt matches nothing.
 */
export const CONDITION_FACTS = {
  outcome: { values: ['success', 'failure'], endOnly: true, meaning: 'how the call ended' },
  errorCode: {
    values: Object.values(GO_GRPC_CODE_NAMES).filter((name) => name !== 'OK'),
    endOnly: true,
    meaning: "the failure's gRPC code as Go names it (codes.NotFound prints NotFound)",
  },
  sandboxFound: { values: YES_NO, endOnly: false, meaning: 'the request names a sandbox the runtime has' },
  hostNetwork: { values: YES_NO, endOnly: false, meaning: 'the sandbox uses the node network namespace' },
  containerFound: { values: YES_NO, endOnly: false, meaning: 'the request names a container the runtime has' },
  containerState: { values: Object.values(CONTAINER_STATE), endOnly: false, meaning: "the container's CRI state" },
  timeoutPositive: { values: YES_NO, endOnly: false, meaning: "StopContainer's timeout is above zero (stop signal before SIGKILL)" },
  stopSignalSent: {
    values: YES_NO,
    endOnly: false,
    meaning: 'an earlier StopContainer with a timeout above zero already sent this container its stop signal',
  },
  containerImagePresent: { values: YES_NO, endOnly: false, meaning: "the container's image is still in the image store" },
  killed: { values: YES_NO, endOnly: true, meaning: "this call's SIGKILL ended the running container (timeout 0, or the timeout passed)" },
  logPathsSet: {
    values: YES_NO,
    endOnly: false,
    meaning: "CreateContainer's sandbox_config.log_directory and config.log_path are both non-empty",
  },
  podCidrSet: { values: YES_NO, endOnly: false, meaning: 'UpdateRuntimeConfig carries a pod CIDR' },
  sandboxState: {
    values: Object.values(SANDBOX_STATE),
    endOnly: false,
    meaning: "the CRI state of the sandbox the request names (or of the container's sandbox); SANDBOX_NOTREADY once stopped",
  },
  nameReserved: {
    values: YES_NO,
    endOnly: false,
    meaning: 'RunPodSandbox/CreateContainer: the name the request asks for was already held by a sandbox/container when the call arrived',
  },
  privileged: {
    values: YES_NO,
    endOnly: false,
    meaning: 'RunPodSandbox: privileged, or node network/PID/IPC namespace (CRI-O privilegedSandbox); CreateContainer: the container is privileged',
  },
  linuxSet: {
    values: YES_NO,
    endOnly: false,
    meaning: "the request carries Linux settings: CreateContainer's config.linux, UpdateContainerResources' linux",
  },
  filterSet: { values: YES_NO, endOnly: false, meaning: 'a List call carries a filter object (even an empty one)' },
  filterIdSet: { values: YES_NO, endOnly: false, meaning: "the List call's filter has a non-empty id" },
  filterSandboxIdSet: { values: YES_NO, endOnly: false, meaning: "the List call's filter has a non-empty pod_sandbox_id" },
  filterTargetFound: {
    values: YES_NO,
    endOnly: false,
    meaning: "the object the List call's filter names exists: its id (a container, or a sandbox for the sandbox lists), else its pod_sandbox_id",
  },
  imagePresent: {
    values: YES_NO,
    endOnly: false,
    meaning: 'ImageStatus/RemoveImage/PullImage: the image the request names was in the image store when the call arrived',
  },
  sandboxContainer: { values: YES_NO, endOnly: false, meaning: "a background transition is the sandbox's own (its container id is the sandbox id)" },
  verbose: { values: YES_NO, endOnly: false, meaning: 'PodSandboxStatus/ContainerStatus/ImageStatus/Status: the request asks for verbose info' },
  execTimedOut: {
    values: YES_NO,
    endOnly: true,
    meaning: "ExecSync: the command ran into the request's timeout (the runtime answered exit code -1)",
  },
} as const satisfies Record<string, ConditionFactSpec>;

export type ConditionFact = keyof typeof CONDITION_FACTS;

/** Facts a template may print, besides the condition facts (which print as their value). */
export const TEMPLATE_FACTS = [
  // ids and names, from the request, the response and the state
  'requestSandboxId', 'sandboxId', 'sandboxName', 'sandboxPid',
  'requestContainerId', 'containerId', 'containerName', 'containerImageRef',
  'image', 'imageRef', 'imageRefResult', 'registryHost',
  'timeout', 'elapsed', 'stopSignalGo', 'portForwardUrl',
  'sandboxLogDirectory', 'containerLogPath',
  // Go's %v / %+v of request fields, as containerd 1.6 prints them (gogo-protobuf String())
  'sandboxMetadataGogo', 'containerMetadataGogo', 'linuxResourcesGogo', 'windowsResourcesGogo',
  'containerFilterGogo', 'imageFilterGogo', 'portsGo',
  // CRI-O's log lines: oci.LabelsToDescription of the labels ("<namespace>/<pod>/<container>"); the sandbox's
  // lacks the container part (RunPodSandbox appends "POD"); the container's pid; one request id (UUID v4) per
  // call and the full method, as the crio interceptor puts them in the context (internal/log/interceptors).
  'sandboxDescription', 'containerDescription', 'containerPid', 'requestId', 'fullMethod',
  // CRI-O's infra container name (server/naming.go: k8s_POD_<pod>_<namespace>_<uid>_<attempt>), a List call's filter id
  'infraContainerName', 'filterId',
  // Go's %v of an ImageStatusResponse as CRI-O 1.32 logs it (gogo-protobuf String() of cri-api v0.31)
  'imageStatusResponseGogo',
  // containerd 2.x trees: grpc-go's status error text (RecordError's exception.message), the image name a
  // container record keeps (the normalized reference), the call's time as RFC 3339 in seconds (metadata
  // timestamps), the pod shim's ttrpc socket address, and an exec's 64-hex id
  'statusErrorText', 'containerImageName', 'nowRfc3339', 'shimAddress', 'execId', 'execPid',
  // the id of the last container of the sandbox (RemovePodSandbox's nested RemoveContainer sets container.id last)
  'lastSandboxContainerId',
  // RemoveImage: the id of the image the request names, as it was when the call arrived
  'removedImageId',
  // a pulled image as the registry serves it: repository path, tag (or digest), manifest digest, repo digest,
  // size, and one layer's digest (runtime-sim's images have one layer)
  'imagePath', 'imageTagOrDigest', 'imageManifestDigest', 'imageRepoDigest', 'imageSizeBytes', 'imageLayerDigest',
] as const;

export type TemplateFact = (typeof TEMPLATE_FACTS)[number];

const KNOWN_FACTS: ReadonlySet<string> = new Set<string>([...TEMPLATE_FACTS, ...Object.keys(CONDITION_FACTS)]);

/** The `{name}` placeholders of `template` that name no known fact. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]).filter((name) => !KNOWN_FACTS.has(name));
}

export function isConditionFact(name: string): name is ConditionFact {
  return Object.prototype.hasOwnProperty.call(CONDITION_FACTS, name);
}
