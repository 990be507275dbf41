/**
 * What differs between the runtimes the simulator can impersonate: error texts and gRPC codes,
 * id formats, paths, and a few semantic choices. Every persona-specific string lives here once,
 * each with the upstream file it was read from (CRI-O = cri-o/cri-o, containerd = containerd/containerd
 * v2 `internal/cri/server/...`). Texts are re-typed from those sources, not copied code.
 */
import { CriError, GRPC_STATUS, type GrpcStatusCode } from './cri-error';
import type { IdLookup } from './id-index';
import { formatConmonTimestamp, formatRfc3339Nano, type LogFormat } from '../model/container-log';

export const PERSONAS = ['crio', 'containerd'] as const;
export type Persona = (typeof PERSONAS)[number];

export function isPersona(value: unknown): value is Persona {
  return typeof value === 'string' && (PERSONAS as readonly string[]).includes(value);
}

/** A lookup that did not resolve to one id. */
export type FailedLookup = Exclude<IdLookup, { kind: 'found' }>;

// --- truncindex texts --------------------------------------------------------------------------
// containers/storage pkg/truncindex/truncindex.go (CRI-O) and containerd's pkg/truncindex fork.
const TRUNCINDEX = {
  EMPTY: "Prefix can't be empty",
  NOT_EXIST: 'ID does not exist',
  ambiguous: (prefix: string) => `Multiple IDs found with provided prefix: ${prefix}`,
} as const;

function truncindexText(lookup: FailedLookup, query: string): string {
  switch (lookup.kind) {
    case 'empty':
      return TRUNCINDEX.EMPTY;
    case 'not-found':
      return TRUNCINDEX.NOT_EXIST;
    case 'ambiguous':
      return TRUNCINDEX.ambiguous(query);
  }
}

// --- CRI-O lookups --------------------------------------------------------------------------------
// server/server.go getPodSandboxFromRequest; internal/lib/sandbox ErrIDEmpty.
const CRIO_SANDBOX_ID_EMPTY = 'PodSandboxId should not be empty';
function crioSandboxLookupText(lookup: FailedLookup, query: string): string {
  if (lookup.kind === 'empty') return CRIO_SANDBOX_ID_EMPTY;
  return `PodSandbox with ID starting with ${query} not found: ${truncindexText(lookup, query)}`;
}
// internal/lib/container_server.go GetContainerFromShortID.
function crioContainerLookupText(lookup: FailedLookup, query: string): string {
  if (lookup.kind === 'empty') return 'container ID should not be empty';
  return `container with ID starting with ${query} not found: ${truncindexText(lookup, query)}`;
}

// --- containerd lookups ---------------------------------------------------------------------------
// internal/cri/store/{sandbox,container}/*.go Get: truncindex ErrNotExist becomes errdefs.ErrNotFound
// ("not found", gRPC NOT_FOUND via errgrpc.ToGRPC); other truncindex errors pass through (UNKNOWN).
function containerdStoreError(lookup: FailedLookup, query: string): { code: GrpcStatusCode; text: string } {
  if (lookup.kind === 'not-found') return { code: GRPC_STATUS.NOT_FOUND, text: 'not found' };
  return { code: GRPC_STATUS.UNKNOWN, text: truncindexText(lookup, query) };
}

/** CRI state names as the runtimes print them inside error messages. */
const CRIO_OCI_STATE: Readonly<Record<string, string>> = {
  // internal/oci/oci.go ContainerState* constants
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'stopped',
  CONTAINER_UNKNOWN: 'unknown',
};

export interface PersonaProfile {
  readonly persona: Persona;
  /** Version.runtime_name (CRI-O server/version.go; containerd internal/cri/server/version.go). */
  readonly runtimeName: string;
  readonly defaultRuntimeVersion: string;
  /** Image id as the runtime prints it: containerd "sha256:<hex>", CRI-O bare "<hex>". */
  formatImageId(configDigestHex: string): string;
  /** PullImageResponse.image_ref: containerd the image id, CRI-O the repo digest. */
  readonly pullReturnsRepoDigest: boolean;
  /**
   * Image.size: containerd the compressed content in its store (internal/cri/store/image/image.go), CRI-O
   * the unpacked layers (internal/storage/image.go). See runtime-sim/images/default-catalog.yaml.
   */
  readonly imageSize: 'compressed' | 'unpacked';
  /**
   * CRI-O lists each repository with every manifest digest it knows, the index's and the platform
   * manifest's (internal/storage/image.go), and PullImage returns the platform manifest's; containerd
   * keeps the digest it pulled by (the index).
   */
  readonly repoDigestsIncludePlatformManifest: boolean;
  /** Default pod network (bridge CNI examples: CRI-O 10-crio-bridge 10.85.0.0/16, containerd 10.88.0.0/16). */
  readonly podSubnetPrefix: string;
  /** Does PodSandboxStatus still report the IP after StopPodSandbox tore the network down? */
  readonly keepsIpAfterStop: boolean;
  /** Image filesystem mountpoint(s) in ImageFsInfo. */
  readonly imageFsMountpoint: string;
  readonly containerFsMountpoint: string | null;
  /** Grace seconds StopPodSandbox / RemovePodSandbox / RemoveContainer give running containers. */
  readonly sandboxStopTimeoutSeconds: number;
  readonly removeContainerStopTimeoutSeconds: number;
  /** A repeated RunPodSandbox / CreateContainer for a name already created returns the existing id (CRI-O). */
  readonly duplicateCreateReturnsExisting: boolean;
  /** CreateContainer refuses a stopped sandbox (CRI-O); containerd only fails at StartContainer. */
  readonly createChecksSandboxReady: boolean;
  /** StopContainer on a CREATED container kills it (CRI-O) or is a no-op (containerd). */
  readonly stopKillsCreatedContainer: boolean;
  /** RemoveImage refuses an image a container still uses (CRI-O, via containers/storage). */
  readonly removeImageRefusesInUse: boolean;
  /** RemoveImage by name drops every name of the image (containerd) or only that name (CRI-O). */
  readonly removeImageDropsAllNames: boolean;
  /** ListImages honours ImageFilter (CRI-O) or ignores it (containerd image_list.go). */
  readonly listImagesHonoursFilter: boolean;
  /** Runtime handlers accepted by RunPodSandbox ("" means the default handler). */
  readonly runtimeHandlers: readonly string[];
  /** Sandbox and container names reserved in the registrar. */
  sandboxName(meta: { name: string; namespace: string; uid: string; attempt: number }): string;
  containerName(
    container: { name: string; attempt: number },
    pod: { name: string; namespace: string; uid: string },
  ): string;
  /** Composes the container's log path; null when logging is disabled. */
  containerLogPath(opts: { logDirectory: string; logPath: string; sandboxId: string; containerId: string }): string;
  /** RuntimeConfig's cgroup driver with the runtime's default configuration (CgroupDriver enum name). */
  readonly cgroupDriver: 'SYSTEMD' | 'CGROUPFS';
  /** How the runtime stamps and splits container log records. */
  readonly logFormat: LogFormat;
  /** ReopenContainerLog accepts a CREATED container too (CRI-O), or only a RUNNING one (containerd). */
  readonly reopenLogAllowsCreated: boolean;
  /**
   * Whether the runtime makes a missing container log directory itself. containerd does when it opens the
   * log at StartContainer (internal/cri/server/helpers openLogFile: MkdirAll); CRI-O does not: conmon opens
   * the log at CreateContainer and fails. The kubelet makes these directories (kuberuntime).
   */
  readonly createsLogDirectories: boolean;
  /** UpdateContainerResources refuses an exited container (CRI-O) or only updates its spec (containerd). */
  readonly updateResourcesRefusesExited: boolean;
  /** ListContainerStats lists exited containers (containerd, without cpu/memory) or skips them (CRI-O). */
  readonly listStatsIncludesExited: boolean;
  /** UpdateRuntimeConfig validates and keeps the pod CIDR (containerd) or ignores the request (CRI-O). */
  readonly keepsPodCidr: boolean;
  /** ListMetricDescriptors / ListPodSandboxMetrics: answered (CRI-O, empty by default) or UNIMPLEMENTED (containerd). */
  readonly servesPodMetrics: boolean;
  readonly errors: PersonaErrors;
}

/** Error factories. Each returns the CriError the runtime would send for that situation. */
export interface PersonaErrors {
  runPodSandboxMissingConfig(): CriError;
  runPodSandboxMissingMetadata(): CriError;
  runPodSandboxMissingName(): CriError;
  runPodSandboxMissingNamespace(): CriError;
  unknownRuntimeHandler(handler: string, sandboxId: string, known: readonly string[]): CriError;
  sandboxNameReserved(name: string, holderId: string): CriError;
  /** PodSandboxStatus on an id that does not resolve. */
  podSandboxStatusLookup(lookup: FailedLookup, query: string): CriError;
  /** Stop/RemovePodSandbox: null = answer OK (idempotent), else the error. */
  stopOrRemoveSandboxLookup(lookup: FailedLookup, query: string): CriError | null;
  createContainerMissingConfig(what: 'config' | 'image' | 'sandbox config' | 'sandbox metadata'): CriError;
  createContainerSandboxLookup(lookup: FailedLookup, query: string): CriError;
  createContainerSandboxStopped(sandboxId: string): CriError;
  createContainerMissingMetadata(): CriError;
  createContainerMissingName(): CriError;
  containerNameReserved(name: string, holderId: string): CriError;
  imageNotPresent(image: string, normalized: string | null): CriError;
  /** CreateContainer when the container's log directory is missing and the runtime does not make it. */
  logDirectoryMissing(logPath: string): CriError;
  /** Neither ContainerConfig.command/args nor the image's Entrypoint/Cmd name a process. */
  noCommandSpecified(containerId: string): CriError;
  /** Start/ContainerStatus lookups. */
  containerLookup(rpc: 'StartContainer' | 'ContainerStatus' | 'RemoveContainer', lookup: FailedLookup, query: string): CriError;
  /** StopContainer lookup: null = answer OK. */
  stopContainerLookup(lookup: FailedLookup, query: string): CriError | null;
  /** RemoveContainer lookup: null = answer OK. */
  removeContainerLookup(lookup: FailedLookup, query: string): CriError | null;
  containerNotCreated(containerId: string, state: string): CriError;
  startInStoppedSandbox(sandboxId: string): CriError;
  invalidImageReference(image: string, reason: string): CriError;
  imageNotInRegistry(normalized: string): CriError;
  removeImageEmpty(): CriError;
  imageInUse(containerId: string): CriError;
  // --- exec, stats, resources, logs, runtime config, checkpoint -------------------------------
  /** Lookup failures of RPCs addressing one container by (possibly truncated) id. */
  containerRpcLookup(rpc: ContainerRpc, lookup: FailedLookup, query: string): CriError;
  /** Lookup failures of RPCs addressing one sandbox by (possibly truncated) id. */
  sandboxRpcLookup(rpc: SandboxRpc, lookup: FailedLookup, query: string): CriError;
  execNotRunning(containerId: string, state: string): CriError;
  execEmptyCommand(): CriError | null;
  /** The exec'd program does not exist: an error (containerd) or an exit code and stderr (CRI-O). */
  execProgramNotFound(program: string, execId: string): CriError | { readonly exitCode: number; readonly stderr: string };
  /** ExecSync hit its timeout: an error (containerd) or exit code -1 with a message (CRI-O). */
  execTimedOut(timeoutSeconds: bigint): CriError | { readonly exitCode: number; readonly stderr: string };
  containerStatsNotRunning(containerId: string): CriError | null;
  sandboxStatsNotReady(sandboxId: string, query: string): CriError;
  updateResourcesExited(containerId: string, state: string): CriError;
  reopenLogNotRunning(): CriError;
  invalidPodCidr(cidr: string): CriError;
  checkpointUnavailable(containerId: string): CriError;
}

/** Container-addressed RPCs beyond the lifecycle ones. */
export type ContainerRpc = 'ExecSync' | 'ContainerStats' | 'UpdateContainerResources' | 'ReopenContainerLog' | 'CheckpointContainer';
/** Sandbox-addressed RPCs beyond the lifecycle ones. */
export type SandboxRpc = 'PodSandboxStats' | 'UpdatePodSandboxResources';

/** Go's time.Duration String() for whole seconds (e.g. 1s, 1m30s, 2h0m0s), as containerd prints timeouts. */
export function goDurationSeconds(seconds: bigint): string {
  if (seconds === 0n) return '0s';
  const h = seconds / 3600n;
  const m = (seconds % 3600n) / 60n;
  const sec = seconds % 60n;
  if (h > 0n) return `${h}h${m}m${sec}s`;
  if (m > 0n) return `${m}m${sec}s`;
  return `${sec}s`;
}

const unknown = (message: string): CriError => new CriError(GRPC_STATUS.UNKNOWN, message);

const CRIO_STORAGE_PREFIX = '[overlay@/var/lib/containers/storage+/run/containers/storage]';

const crioErrors: PersonaErrors = {
  // internal/factory/sandbox/sandbox.go SetConfig / SetNameAndID, wrapped in server/sandbox_run_linux.go.
  runPodSandboxMissingConfig: () => unknown('setting sandbox config: config is nil'),
  runPodSandboxMissingMetadata: () => unknown('setting sandbox config: metadata is nil'),
  runPodSandboxMissingName: () =>
    unknown('setting sandbox config: PodSandboxConfig.Metadata.Name should not be empty'),
  runPodSandboxMissingNamespace: () =>
    unknown('setting pod sandbox name and id: cannot generate pod name without namespace'),
  // UNVERIFIED text (pkg/config runtime handler validation).
  unknownRuntimeHandler: (handler, _id, known) =>
    unknown(`failed to find runtime handler ${handler} from runtime list map[${known.filter((h) => h !== '').join(' ')}]`),
  // Not reached for created sandboxes (CRI-O returns the existing id, see duplicateCreateReturnsExisting);
  // kept for completeness: internal/lib/container_server.go ReservePodName + internal/registrar.
  sandboxNameReserved: (name, holderId) =>
    unknown(`error reserving pod name ${name} for id ${holderId}: name is reserved`),
  // server/sandbox_status.go
  podSandboxStatusLookup: (lookup, query) =>
    new CriError(GRPC_STATUS.NOT_FOUND, `could not find pod "${query}": ${crioSandboxLookupText(lookup, query)}`),
  // server/sandbox_stop_linux.go, server/sandbox_remove.go: only an empty id is an error.
  stopOrRemoveSandboxLookup: (lookup) => (lookup.kind === 'empty' ? unknown(CRIO_SANDBOX_ID_EMPTY) : null),
  // server/container_create.go CreateContainer preamble.
  createContainerMissingConfig: (what) =>
    unknown(
      what === 'config'
        ? 'config is nil'
        : what === 'image'
          ? 'config image is nil'
          : what === 'sandbox config'
            ? 'sandbox config is nil'
            : 'sandbox config metadata is nil',
    ),
  createContainerSandboxLookup: (lookup, query) =>
    lookup.kind === 'empty'
      ? unknown(CRIO_SANDBOX_ID_EMPTY)
      : unknown(`specified sandbox not found: ${query}: ${crioSandboxLookupText(lookup, query)}`),
  createContainerSandboxStopped: (sandboxId) =>
    unknown(`CreateContainer failed as the sandbox was stopped: ${sandboxId}`),
  // internal/factory/container/container.go SetConfig, wrapped in CreateContainer.
  createContainerMissingMetadata: () => unknown('setting container config: metadata is nil'),
  createContainerMissingName: () => unknown('setting container config: name is empty'),
  containerNameReserved: (name, holderId) =>
    unknown(`error reserving ctr name ${name} for id ${holderId}: name is reserved`),
  // containers/image storage transport (storage_reference.go resolveImage) as surfaced by
  // server/container_create.go resolveAndVerifyContainerImage.
  imageNotPresent: (image, normalized) =>
    unknown(
      `reference "${CRIO_STORAGE_PREFIX}${normalized ?? image}" does not resolve to an image ID: identifier is not an image`,
    ),
  // internal/factory/container/container.go (v1.33.0): returned as is.
  noCommandSpecified: () => unknown('no command specified'),
  // conmon cannot open the log file and exits 1 ("Failed to open log file ... No such file or directory" on
  // its stderr); CRI-O returns the exit error, as seen with CRI-O v1.32.0 and a kubelet that made no directory.
  logDirectoryMissing: () => unknown('exit status 1'),
  // server/container_start.go, server/container_status.go, server/container_remove.go
  containerLookup: (_rpc, lookup, query) =>
    new CriError(GRPC_STATUS.NOT_FOUND, `could not find container "${query}": ${crioContainerLookupText(lookup, query)}`),
  // server/container_stop.go: truncindex.ErrNotExist is success, other lookup errors NOT_FOUND.
  stopContainerLookup: (lookup, query) =>
    lookup.kind === 'not-found'
      ? null
      : new CriError(GRPC_STATUS.NOT_FOUND, `could not find container "${query}": ${crioContainerLookupText(lookup, query)}`),
  // server/container_remove.go returns NOT_FOUND even for an unknown id.
  removeContainerLookup: (lookup, query) =>
    new CriError(GRPC_STATUS.NOT_FOUND, `could not find container "${query}": ${crioContainerLookupText(lookup, query)}`),
  // server/container_start.go
  containerNotCreated: (containerId, state) =>
    unknown(`container ${containerId} is not in created state: ${CRIO_OCI_STATE[state] ?? state}`),
  startInStoppedSandbox: (sandboxId) => unknown(`CreateContainer failed as the sandbox was stopped: ${sandboxId}`),
  // UNVERIFIED wrapping; the reference error texts are distribution/reference's.
  invalidImageReference: (image, reason) => unknown(`parsing image reference "${image}": ${reason}`),
  // UNVERIFIED: containers/image docker transport text for a missing manifest.
  imageNotInRegistry: (normalized) => {
    const colon = normalized.lastIndexOf(':');
    const repo = normalized.slice(0, colon);
    const tag = normalized.slice(colon + 1);
    return unknown(`initializing source docker://${normalized}: reading manifest ${tag} in ${repo}: manifest unknown`);
  },
  // server/image_remove.go
  removeImageEmpty: () => unknown('no image specified'),
  // containers/storage store.go DeleteImage (ErrImageUsedByContainer), via server/image_remove.go.
  imageInUse: (containerId) =>
    unknown(`delete image: image used by ${containerId}: image is in use by a container`),
  // server/container_execsync.go, container_stats.go, container_update_resources.go,
  // container_reopen_log.go, container_checkpoint.go: ExecSync and CheckpointContainer wrap the
  // lookup error in NOT_FOUND; the others return GetContainerFromShortID's plain error.
  containerRpcLookup: (rpc, lookup, query) => {
    const text = crioContainerLookupText(lookup, query);
    switch (rpc) {
      case 'ExecSync':
      case 'CheckpointContainer':
        return new CriError(GRPC_STATUS.NOT_FOUND, `could not find container "${query}": ${text}`);
      case 'ReopenContainerLog':
        return unknown(`could not find container ${query}: ${text}`);
      default:
        return unknown(text);
    }
  },
  // server/sandbox_stats.go returns getPodSandboxFromRequest's error; server/sandbox_update_resources.go
  // wraps it in NOT_FOUND.
  sandboxRpcLookup: (rpc, lookup, query) =>
    rpc === 'UpdatePodSandboxResources'
      ? new CriError(GRPC_STATUS.NOT_FOUND, `could not find pod "${query}": ${crioSandboxLookupText(lookup, query)}`)
      : unknown(crioSandboxLookupText(lookup, query)),
  // server/container_execsync.go: IsAlive() fails for an exited process (internal/oci/container.go
  // pid(): ErrNotFound "container process not found").
  execNotRunning: (containerId) =>
    new CriError(
      GRPC_STATUS.NOT_FOUND,
      `container is not created or running: checking if PID of ${containerId} is running failed: container process not found`,
    ),
  // server/container_execsync.go: a nil command (an empty repeated field decodes as nil in Go).
  execEmptyCommand: () => unknown('exec command cannot be empty'),
  // UNVERIFIED: crun's message for a missing executable, reported as the exec's exit code 127.
  execProgramNotFound: (program) => ({
    exitCode: 127,
    stderr: `executable file \`${program}\` not found in $PATH: No such file or directory\n`,
  }),
  // internal/oci/runtime_oci.go ExecSyncContainer: a timed-out command answers OK with exit code -1
  // and conmon's TimedOutMessage on stderr, so the kubelet's prober sees a failed probe.
  execTimedOut: () => ({ exitCode: -1, stderr: 'command timed out' }),
  // internal/lib/stats: a container that is not running still answers with its attributes.
  containerStatsNotRunning: () => null,
  sandboxStatsNotReady: () => unknown('never produced: CRI-O answers stats for a stopped sandbox'),
  // server/container_update_resources.go
  updateResourcesExited: (containerId, state) =>
    unknown(`container ${containerId} is not running or created state: ${CRIO_OCI_STATE[state] ?? state}`),
  // server/container_reopen_log.go
  reopenLogNotRunning: () => unknown('container is not created or running'),
  invalidPodCidr: (cidr) => unknown(`never produced: CRI-O ignores UpdateRuntimeConfig (${cidr})`),
  // server/container_checkpoint.go: CheckpointContainerEnabled() is false without a usable CRIU binary.
  checkpointUnavailable: () => unknown('checkpoint/restore support not available'),
};

const containerdErrors: PersonaErrors = {
  // internal/cri/server/sandbox_run.go: a nil config has nil metadata.
  runPodSandboxMissingConfig: () => unknown('sandbox config must include metadata'),
  runPodSandboxMissingMetadata: () => unknown('sandbox config must include metadata'),
  // containerd does not validate name/namespace; these are never produced for containerd.
  runPodSandboxMissingName: () => unknown('sandbox config must include metadata'),
  runPodSandboxMissingNamespace: () => unknown('sandbox config must include metadata'),
  // internal/cri/config GetSandboxRuntime, wrapped in sandbox_run.go.
  unknownRuntimeHandler: (handler, sandboxId) =>
    unknown(`unable to get OCI runtime for sandbox "${sandboxId}": no runtime for "${handler}" is configured`),
  // sandbox_run.go + internal/registrar/registrar.go. containerd 2.1's registrar returns a plain
  // error (UNKNOWN); later releases type it as a conflict (FAILED_PRECONDITION) with the same text.
  sandboxNameReserved: (name, holderId) =>
    unknown(`failed to reserve sandbox name "${name}": name "${name}" is reserved for "${holderId}"`),
  // sandbox_status.go
  podSandboxStatusLookup: (lookup, query) => {
    const e = containerdStoreError(lookup, query);
    return new CriError(e.code, `an error occurred when try to find sandbox: ${e.text}`);
  },
  // sandbox_stop.go, sandbox_remove.go: not found is success.
  stopOrRemoveSandboxLookup: (lookup, query) => {
    if (lookup.kind === 'not-found') return null;
    const e = containerdStoreError(lookup, query);
    return new CriError(e.code, `an error occurred when try to find sandbox "${query}": ${e.text}`);
  },
  // container_create.go: a nil config has nil metadata; a nil image resolves "".
  createContainerMissingConfig: (what) =>
    unknown(
      what === 'sandbox config' || what === 'sandbox metadata'
        ? 'pod sandbox config must include metadata'
        : 'container config must include metadata',
    ),
  createContainerSandboxLookup: (lookup, query) => {
    const e = containerdStoreError(lookup, query);
    return new CriError(e.code, `failed to find sandbox id "${query}": ${e.text}`);
  },
  // containerd creates containers in a stopped sandbox; never produced.
  createContainerSandboxStopped: (sandboxId) => unknown(`sandbox container "${sandboxId}" is not running`),
  createContainerMissingMetadata: () => unknown('container config must include metadata'),
  createContainerMissingName: () => unknown('container config must include metadata'),
  // container_create.go + internal/registrar (see sandboxNameReserved for the code).
  containerNameReserved: (name, holderId) =>
    unknown(`failed to reserve container name "${name}": name "${name}" is reserved for "${holderId}"`),
  // container_create.go LocalResolve -> errdefs.ErrNotFound.
  imageNotPresent: (image) => new CriError(GRPC_STATUS.NOT_FOUND, `failed to resolve image "${image}": not found`),
  // container_create.go buildContainerSpec -> internal/cri/opts/spec_opts.go WithProcessArgs.
  noCommandSpecified: (containerId) =>
    new CriError(GRPC_STATUS.UNKNOWN, `failed to generate container "${containerId}" spec: failed to generate spec: no command specified`),
  // Never raised: containerd makes the directory (createsLogDirectories).
  logDirectoryMissing: (logPath) => new CriError(GRPC_STATUS.UNKNOWN, `failed to create and open log file: open ${logPath}: no such file or directory`),
  // container_start.go, container_status.go, container_remove.go
  containerLookup: (_rpc, lookup, query) => {
    const e = containerdStoreError(lookup, query);
    return new CriError(e.code, `an error occurred when try to find container "${query}": ${e.text}`);
  },
  // container_stop.go: not found is success.
  stopContainerLookup: (lookup, query) => {
    if (lookup.kind === 'not-found') return null;
    const e = containerdStoreError(lookup, query);
    return new CriError(e.code, `an error occurred when try to find container "${query}": ${e.text}`);
  },
  // container_remove.go: not found is success.
  removeContainerLookup: (lookup, query) => {
    if (lookup.kind === 'not-found') return null;
    const e = containerdStoreError(lookup, query);
    return new CriError(e.code, `an error occurred when try to find container "${query}": ${e.text}`);
  },
  // container_start.go setContainerStarting; helpers.go criContainerStateToString (enum name).
  containerNotCreated: (containerId, state) =>
    unknown(`failed to set starting state for container "${containerId}": container is in ${state} state`),
  // container_start.go
  startInStoppedSandbox: (sandboxId) => unknown(`sandbox container "${sandboxId}" is not running`),
  // images/image_pull.go ParseDockerRef failure.
  invalidImageReference: (image, reason) => unknown(`failed to parse image reference "${image}": ${reason}`),
  // images/image_pull.go + remotes/docker resolver: errdefs.ErrNotFound -> NOT_FOUND.
  imageNotInRegistry: (normalized) =>
    new CriError(
      GRPC_STATUS.NOT_FOUND,
      `failed to pull and unpack image "${normalized}": failed to resolve reference "${normalized}": ${normalized}: not found`,
    ),
  // containerd accepts an empty RemoveImage (resolves nothing, returns OK); never produced.
  removeImageEmpty: () => unknown('no image specified'),
  imageInUse: (containerId) => unknown(`image is in use by container ${containerId}`),
  // container_execsync.go execInContainer, container_stats.go, container_update_resources.go,
  // container_log_reopen.go, container_checkpoint_linux.go (errgrpc maps ErrNotFound to NOT_FOUND).
  containerRpcLookup: (rpc, lookup, query) => {
    const e = containerdStoreError(lookup, query);
    switch (rpc) {
      case 'ExecSync':
        return new CriError(e.code, `failed to exec in container: failed to find container "${query}" in store: ${e.text}`);
      case 'ReopenContainerLog':
        return new CriError(e.code, `an error occurred when try to find container "${query}": ${e.text}`);
      case 'CheckpointContainer':
        return new CriError(
          e.code,
          `an error occurred when trying to find container the container status "${query}": an error occurred when try to find container "${query}": ${e.text}`,
        );
      default:
        return new CriError(e.code, `failed to find container: ${e.text}`);
    }
  },
  // sandbox_stats.go PodSandboxStats; update_pod_sandbox_resources.go.
  sandboxRpcLookup: (rpc, lookup, query) => {
    const e = containerdStoreError(lookup, query);
    return new CriError(
      e.code,
      rpc === 'PodSandboxStats'
        ? `an error occurred when trying to find sandbox ${query}: ${e.text}`
        : `failed to find sandbox: ${e.text}`,
    );
  },
  // container_execsync.go execInContainer; helpers.go criContainerStateToString (enum name).
  execNotRunning: (_containerId, state) => unknown(`failed to exec in container: container is in ${state} state`),
  // containerd passes an empty argv to the OCI runtime, which reports the missing program below.
  execEmptyCommand: () => null,
  // container_execsync.go execInternal: process.Start fails with runc's error (UNVERIFIED exact runc text).
  execProgramNotFound: (program, execId) =>
    unknown(
      `failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown`,
    ),
  // container_execsync.go execInternal: the exec is killed and the context error is returned
  // (context.DeadlineExceeded, which errgrpc maps to DEADLINE_EXCEEDED).
  execTimedOut: (timeoutSeconds) =>
    new CriError(
      GRPC_STATUS.DEADLINE_EXCEEDED,
      `failed to exec in container: timeout ${goDurationSeconds(timeoutSeconds)} exceeded: context deadline exceeded`,
    ),
  // container_stats.go: an exited container has no task, so the metrics response is empty.
  containerStatsNotRunning: () => unknown('unexpected metrics response: []'),
  // sandbox_stats.go + sandbox_stats_linux.go podSandboxStats (errdefs.ErrUnavailable -> UNAVAILABLE).
  sandboxStatsNotReady: (sandboxId, query) =>
    new CriError(
      GRPC_STATUS.UNAVAILABLE,
      `failed to decode pod sandbox metrics ${query}: failed to get pod sandbox stats since sandbox container "${sandboxId}" is not in ready state: unavailable`,
    ),
  updateResourcesExited: (containerId) => unknown(`never produced: containerd updates the spec of ${containerId}`),
  // container_log_reopen.go
  reopenLogNotRunning: () => unknown('container is not running'),
  // update_runtime_config.go getRoutes: net.ParseCIDR's error.
  invalidPodCidr: (cidr) => unknown(`get routes: invalid CIDR address: ${cidr}`),
  // container_checkpoint_linux.go: go-criu utils.CheckForCriu(PodCriuVersion = 31600) fails without criu.
  checkpointUnavailable: (containerId) =>
    unknown(
      `CRIU binary not found or too old (<31600). Failed to checkpoint container "${containerId}": failed to check for criu version: exec: "criu": executable file not found in $PATH`,
    ),
};

const crioProfile: PersonaProfile = {
  persona: 'crio',
  runtimeName: 'cri-o',
  defaultRuntimeVersion: '1.33.0',
  formatImageId: (hex) => hex,
  pullReturnsRepoDigest: true,
  imageSize: 'unpacked',
  repoDigestsIncludePlatformManifest: true,
  podSubnetPrefix: '10.85',
  keepsIpAfterStop: true,
  imageFsMountpoint: '/var/lib/containers/storage/overlay-images',
  containerFsMountpoint: '/var/lib/containers/storage/overlay-containers',
  // server/sandbox_stop_linux.go and server/container_remove.go stop with a 10 s timeout.
  sandboxStopTimeoutSeconds: 10,
  removeContainerStopTimeoutSeconds: 10,
  duplicateCreateReturnsExisting: true,
  createChecksSandboxReady: true,
  stopKillsCreatedContainer: true,
  removeImageRefusesInUse: true,
  removeImageDropsAllNames: false,
  listImagesHonoursFilter: true,
  // CRI-O 1.33 ships crun as the default runtime and runc as an alternative.
  runtimeHandlers: ['', 'crun', 'runc'],
  // internal/factory/sandbox/sandbox.go SetNameAndID
  sandboxName: (m) => ['k8s', m.name, m.namespace, m.uid, String(m.attempt)].join('_'),
  // internal/factory/container/container.go SetNameAndID
  containerName: (c, p) => ['k8s', c.name, p.name, p.namespace, p.uid, String(c.attempt)].join('_'),
  // internal/factory/container LogPath: default <log dir>/<id>.log; the sandbox log dir defaults to
  // /var/log/crio/pods/<sandbox id> (server/sandbox_run_linux.go).
  containerLogPath: ({ logDirectory, logPath, sandboxId, containerId }) => {
    const dir = logDirectory !== '' ? logDirectory : `/var/log/crio/pods/${sandboxId}`;
    if (logPath === '') return `${dir}/${containerId}.log`;
    return logPath.startsWith('/') ? logPath : `${dir}/${logPath}`;
  },
  // pkg/config/config.go: cgroup_manager defaults to "systemd"; server/runtime_config.go maps it.
  cgroupDriver: 'SYSTEMD',
  // conmon writes k8s-file records and splits lines at its 8 KiB stdio buffer (STDIO_BUF_SIZE).
  logFormat: { formatTimestamp: formatConmonTimestamp, maxLineBytes: 8192 },
  reopenLogAllowsCreated: true,
  createsLogDirectories: false,
  updateResourcesRefusesExited: true,
  listStatsIncludesExited: false,
  keepsPodCidr: false,
  servesPodMetrics: true,
  errors: crioErrors,
};

const containerdProfile: PersonaProfile = {
  persona: 'containerd',
  runtimeName: 'containerd',
  defaultRuntimeVersion: 'v2.1.0',
  formatImageId: (hex) => `sha256:${hex}`,
  pullReturnsRepoDigest: false,
  imageSize: 'compressed',
  repoDigestsIncludePlatformManifest: false,
  podSubnetPrefix: '10.88',
  keepsIpAfterStop: false,
  imageFsMountpoint: '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs',
  containerFsMountpoint: null,
  // sandbox_stop.go and container_remove.go stop containers with timeout 0 (SIGKILL).
  sandboxStopTimeoutSeconds: 0,
  removeContainerStopTimeoutSeconds: 0,
  duplicateCreateReturnsExisting: false,
  createChecksSandboxReady: false,
  stopKillsCreatedContainer: false,
  removeImageRefusesInUse: false,
  removeImageDropsAllNames: true,
  listImagesHonoursFilter: false,
  runtimeHandlers: ['', 'runc'],
  // sandbox_run.go / helpers.go makeSandboxName, makeContainerName
  sandboxName: (m) => [m.name, m.namespace, m.uid, String(m.attempt)].join('_'),
  containerName: (c, p) => [c.name, p.name, p.namespace, p.uid, String(c.attempt)].join('_'),
  // container_create.go: logging only when both the sandbox log dir and the container log path are set.
  containerLogPath: ({ logDirectory, logPath }) =>
    logDirectory !== '' && logPath !== '' ? `${logDirectory.replace(/\/+$/, '')}/${logPath}` : '',
  // runtime_config_linux.go getCgroupDriver: the default runc handler's SystemdCgroup option, false in
  // the default configuration (`containerd config default`).
  cgroupDriver: 'CGROUPFS',
  // internal/cri/io/logger.go: RFC3339Nano stamps; lines split at max_container_log_line_size (16 KiB).
  logFormat: { formatTimestamp: formatRfc3339Nano, maxLineBytes: 16 * 1024 },
  reopenLogAllowsCreated: false,
  createsLogDirectories: true,
  updateResourcesRefusesExited: false,
  listStatsIncludesExited: true,
  keepsPodCidr: true,
  servesPodMetrics: false,
  errors: containerdErrors,
};

export function personaProfile(persona: Persona): PersonaProfile {
  return persona === 'crio' ? crioProfile : containerdProfile;
}
