/**
 * The simulated runtime: a pure, synchronous, in-memory model of the pod sandboxes, containers and
 * images a CRI runtime (CRI-O or containerd, by persona) keeps, with their gRPC-visible semantics.
 *
 * Time: the state never reads the wall clock; it is given a Clock. Processes exit on their own or
 * after a stop signal at computed instants ("pending exits"); every operation first calls
 * advance(now), which plays out everything due by `now`, so reads are always current. No timers:
 * tests drive a FakeClock and never sleep; the gRPC server passes the system clock.
 *
 * Invariants (checkInvariants() reports violations; the tests assert none after every step):
 *  I1 every container belongs to a sandbox that exists;
 *  I2 a RUNNING container's sandbox is READY;
 *  I3 timestamps are monotonic: created <= started <= finished (a 0 start/finish means "not yet");
 *     CREATED has neither, RUNNING has a start and no finish, EXITED has a finish;
 *  I4 every sandbox and container holds exactly its own name reservation and id-index entry;
 *  I5 no two live sandboxes share a pod IP.
 *
 * Upstream semantics per operation are cited where implemented; persona-specific texts and choices
 * live in ./persona.ts.
 */
import { createSystemClock, NS_PER_SECOND, type Clock } from './clock';
import { CONTAINER_EVENT_TYPE, type ContainerEventType, type ContainerTransition } from './container-events';
import { CriError, GRPC_STATUS } from './cri-error';
import { IdIndex } from './id-index';
import { parseImageReference } from './image-reference';
import { NameRegistrar } from './name-registrar';
import { personaProfile, type ContainerRpc, type Persona, type PersonaProfile, type SandboxRpc } from './persona';
import { generateRuntimeId, SeededRandom } from './seeded-random';
import { STATE_SNAPSHOT_KIND, STATE_SNAPSHOT_VERSION, type RuntimeStateSnapshot } from './state-snapshot';
import {
  CONTAINER_STATE,
  SANDBOX_STATE,
  type CompletionTime,
  type ContainerFilterInput,
  type ContainerState,
  type ContainerView,
  type CreateContainerInput,
  type FilesystemUsageView,
  type ImageFsInfoView,
  type ImageView,
  type PodSandboxFilterInput,
  type PodSandboxMetadataView,
  type PodSandboxView,
  type PullImageInput,
  type RunPodSandboxInput,
  type SandboxState,
  type StringMap,
} from './types';
import {
  DEFAULT_CONTAINER_BEHAVIOUR,
  exitReason,
  hasBehaviourAnnotations,
  parseContainerBehaviour,
  SIGKILL_EXIT_CODE,
  type ContainerBehaviour,
  type ContainerBehaviourSource,
} from '../model/container-behaviour';
import { defaultImageCatalog, imageUser, type ImageCatalog, type ImageConfigFacts } from '../model/image-catalog';
import { ImageStore } from './image-store';
import { ContainerFilesystem } from '../process/container-filesystem';
import { ContainerProcess, type ProcessEnvironment, type ProcessLine } from '../process/container-process';
import type { ExecEnvironment } from '../process/exec-command';
import { resolveProcessArgs } from '../process/process-args';
import { readScopedAnnotation } from '../model/scoped-annotation';
import { LOG_LINES_ANNOTATION } from '../model/container-log';
// exec, stats, resources and container logs (ExecSync, *Stats, Update*Resources, ReopenContainerLog)
import { createHash } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { dirname } from 'node:path';
import { NULL_LOG_WRITER, type ContainerLogWriter } from './container-log-writer';
import { UsageSampler } from './usage-sampler';
import { execOutcome } from '../model/exec-result';
import { formatLogRecords, startupLogLines } from '../model/container-log';
import { NO_LIMITS, usageAfter, usageParameters, type UsageSample } from '../model/resource-usage';
import type {
  CgroupUsageView,
  ContainerStatsView,
  ExecSyncInput,
  ExecSyncResultView,
  LinuxResourcesInput,
  PodSandboxStatsView,
  RuntimeConfigView,
  StatsFilterInput,
} from './types';

/** Pause image both runtimes keep locally and pinned (CRI-O 1.33 and containerd 2.1 default sandbox image). */
export const DEFAULT_PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

/** Pod annotation listing image references the simulated registry does not have (comma-separated). */
export const MISSING_IMAGES_ANNOTATION = 'sim.cri.io/missing-images';

/** containerd container_start.go: exit code and reason of a container whose start failed. */
export const START_ERROR_EXIT_CODE = 128;
export const START_ERROR_REASON = 'StartError';

/** How long an ExecSync without a timeout may run before the simulator answers it anyway (1 h). */
export const EXEC_WITHOUT_TIMEOUT_LIMIT_NS = 3600n * NS_PER_SECOND;

export interface RuntimeStateOptions {
  readonly persona: Persona;
  /** Records to start from (--state-dir); replaces preloadedImages. Validated by ./state-snapshot.ts. */
  readonly restore?: RuntimeStateSnapshot;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Seed for ids and simulated image facts. Default 1. */
  readonly seed?: number;
  /** Images present (and pinned) before any pull. Default [DEFAULT_PAUSE_IMAGE]. */
  readonly preloadedImages?: readonly string[];
  /** Runtime handlers RunPodSandbox accepts. Default per persona ("" = default handler). */
  readonly runtimeHandlers?: readonly string[];
  /** Image references every pull of which fails as "not found in the registry". */
  readonly unpullableImages?: readonly string[];
  /** Where container log files are written (see ./container-log-writer.ts). Default: nowhere. */
  readonly containerLogWriter?: ContainerLogWriter;
  /**
   * Behaviour from a runtime model (`container` rules) for containers that have no `sim.cri.io/*`
   * behaviour annotations; annotations win (see ../model/container-behaviour.ts). Default: none.
   */
  readonly containerBehaviour?: ContainerBehaviourSource;
  /** What images are (config, tags that share an image, size). Default: the built-in catalog. */
  readonly imageCatalog?: ImageCatalog;
  /** Told once per container when its command cannot be simulated (it then runs until stopped). */
  readonly onNotice?: (message: string) => void;
}

interface PendingExit {
  readonly atNs: bigint;
  readonly exitCode: number;
  readonly reason: string;
}

interface SandboxRecord {
  readonly id: string;
  readonly reservedName: string;
  readonly metadata: PodSandboxMetadataView;
  readonly labels: StringMap;
  readonly annotations: StringMap;
  readonly createdAtNs: bigint;
  state: SandboxState;
  readonly hostNetwork: boolean;
  readonly ip: string;
  networkTornDown: boolean;
  readonly runtimeHandler: string;
  readonly hostname: string;
  readonly logDirectory: string;
  readonly linux: unknown;
  /** When a stop in progress completes (the sandbox turns NOTREADY then). */
  stopAtNs: bigint | null;
  /** UpdatePodSandboxResources: the pod-level overhead and resources last given. */
  podOverhead?: LinuxResourcesInput | null;
  podResources?: LinuxResourcesInput | null;
  /** Creation order, for stable listings. */
  readonly seq: number;
}

interface ContainerRecord {
  readonly id: string;
  readonly podSandboxId: string;
  readonly reservedName: string;
  readonly metadata: { readonly name: string; readonly attempt: number };
  state: ContainerState;
  readonly createdAtNs: bigint;
  startedAtNs: bigint;
  finishedAtNs: bigint;
  exitCode: number;
  reason: string;
  message: string;
  readonly requestedImage: string;
  readonly imageAnnotations: StringMap;
  readonly userSpecifiedImage: string;
  readonly imageRuntimeHandler: string;
  /** Config digest of the image the container was created from. */
  readonly imageHex: string;
  /** CRI-O: name and repo digest resolved at creation. */
  readonly imageNameAtCreate: string;
  readonly imageRepoDigestAtCreate: string;
  readonly labels: StringMap;
  readonly annotations: StringMap;
  readonly logPath: string;
  readonly mounts: readonly unknown[];
  readonly behaviour: ContainerBehaviour;
  /**
   * What decides when the process exits: `sim.cri.io/*` annotations, a runtime model rule, or the
   * command model playing the container's command (../process/). Annotations > model > command.
   */
  readonly behaviourSource: 'annotations' | 'model' | 'command';
  /** The process argv (command/args over the image's Entrypoint/Cmd), its env and working dir. */
  readonly argv: readonly string[];
  readonly env: readonly (readonly [string, string])[];
  readonly workingDir: string;
  /** The running process of the command model; not persisted (replayed from argv on restore). */
  process: ContainerProcess | null;
  /** The container's files, shared by its process and execs; not persisted. */
  files: ContainerFilesystem | null;
  /** `sim.cri.io/log-lines` decides the log: the process's own output is not logged. */
  quietProcess: boolean;
  pendingExit: PendingExit | null;
  /** LinuxContainerResources from the config, replaced by UpdateContainerResources. */
  resources: LinuxResourcesInput | null;
  readonly seq: number;
}


const EMPTY_MAP: StringMap = Object.freeze({});

function copyMap(map: StringMap | undefined): StringMap {
  return map === undefined ? EMPTY_MAP : Object.freeze({ ...map });
}

function matchesLabels(labels: StringMap, selector: StringMap | undefined): boolean {
  if (selector === undefined) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** net.ParseCIDR's accepted shapes: an IPv4 or IPv6 address with a prefix length in range. */
function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const addr = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
  if (v4 !== null) return v4.slice(1).every((o) => Number(o) <= 255 && !/^0\d/.test(o)) && Number(bits) <= 32;
  return /^[0-9a-fA-F:.]+$/.test(addr) && addr.includes(':') && Number(bits) <= 128;
}

/**
 * The container's hostname: the sandbox's, or for a host-network sandbox (the kubelet sends none) the node's
 * own (containerd container_create_linux.go: os.Hostname() when the sandbox hostname is empty; CRI-O the same).
 */
function sandboxHostname(sb: { readonly hostname: string }): string {
  return sb.hostname !== '' ? sb.hostname : osHostname();
}

/**
 * The process environment: the image's Env, then the runtime's HOSTNAME (containerd container_create_linux.go
 * and CRI-O both set it) and a HOME for root when none is given, then the container's envs, which win.
 */
function processEnv(config: ImageConfigFacts, envs: readonly (readonly [string, string])[], hostname: string): [string, string][] {
  const env = new Map<string, string>();
  for (const kv of config.env) {
    const eq = kv.indexOf('=');
    env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  env.set('HOSTNAME', hostname);
  if (!env.has('HOME')) env.set('HOME', '/root');
  for (const [k, v] of envs) env.set(k, v);
  return [...env];
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function toTimeoutNs(timeoutSeconds: number | bigint): bigint {
  const seconds = typeof timeoutSeconds === 'bigint' ? timeoutSeconds : BigInt(Math.trunc(timeoutSeconds));
  return seconds > 0n ? seconds * NS_PER_SECOND : 0n;
}

export class RuntimeState {
  readonly persona: Persona;
  readonly profile: PersonaProfile;
  private readonly clock: Clock;
  private readonly seed: number;
  private readonly random: SeededRandom;
  private readonly runtimeHandlers: readonly string[];
  private readonly unpullable: ReadonlySet<string>;
  private readonly containerBehaviourSource: ContainerBehaviourSource | undefined;
  readonly imageCatalog: ImageCatalog;
  private readonly notice: (message: string) => void;

  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly images: ImageStore;
  private readonly sandboxIds = new IdIndex();
  private readonly containerIds = new IdIndex();
  private readonly sandboxNames = new NameRegistrar();
  private readonly containerNames = new NameRegistrar();
  private readonly ipsInUse = new Set<string>();
  private ipCursor = 0;
  private seq = 0;
  private lastNowNs = 0n;
  private readonly logWriter: ContainerLogWriter;
  private readonly usageSamples = new UsageSampler();
  /** UpdateRuntimeConfig's pod CIDRs (kept by containerd only). */
  private podCidrs: readonly string[] = [];
  private readonly transitionListeners = new Set<(t: ContainerTransition) => void>();

  constructor(options: RuntimeStateOptions) {
    this.persona = options.persona;
    this.profile = personaProfile(options.persona);
    this.clock = options.clock ?? createSystemClock();
    this.seed = options.seed ?? 1;
    this.random = new SeededRandom(this.seed);
    this.runtimeHandlers = options.runtimeHandlers ?? this.profile.runtimeHandlers;
    this.containerBehaviourSource = options.containerBehaviour;
    this.imageCatalog = options.imageCatalog ?? defaultImageCatalog();
    this.images = new ImageStore(this.profile, this.imageCatalog, this.seed);
    this.notice = options.onNotice ?? (() => undefined);
    this.logWriter = options.containerLogWriter ?? NULL_LOG_WRITER;
    this.unpullable = new Set(
      (options.unpullableImages ?? []).map((name) => {
        const parsed = parseImageReference(name);
        return parsed.ok ? parsed.ref.normalized : name;
      }),
    );
    if (options.restore !== undefined) {
      this.restoreFrom(options.restore);
      this.tick();
      return;
    }
    const now = this.tick();
    for (const name of options.preloadedImages ?? [DEFAULT_PAUSE_IMAGE]) {
      const parsed = parseImageReference(name);
      if (!parsed.ok) throw new Error(`RuntimeState: preloaded image ${JSON.stringify(name)}: ${parsed.error}`);
      this.images.add(parsed.ref.repository, parsed.ref.tag, parsed.ref.digest, now, true);
    }
  }

  // ---- time --------------------------------------------------------------------------------

  /** Current reading of the runtime's clock (never earlier than a previous reading). */
  nowNs(): bigint {
    const now = this.clock.nowNs();
    if (now > this.lastNowNs) this.lastNowNs = now;
    return this.lastNowNs;
  }

  /**
   * Plays out everything due by `nowNs` (default: the clock): processes whose exit instant has come
   * become EXITED with finished_at = that instant, then sandboxes whose stop completed turn NOTREADY.
   */
  advance(nowNs: bigint = this.nowNs()): void {
    const due: ContainerRecord[] = [];
    for (const c of this.containers.values()) {
      if (c.process !== null && c.state === CONTAINER_STATE.RUNNING) this.playProcess(c, nowNs);
      if (c.pendingExit !== null && c.pendingExit.atNs <= nowNs) due.push(c);
    }
    due.sort((a, b) => (a.pendingExit!.atNs < b.pendingExit!.atNs ? -1 : a.pendingExit!.atNs > b.pendingExit!.atNs ? 1 : a.seq - b.seq));
    for (const c of due) {
      const exit = c.pendingExit!;
      c.pendingExit = null;
      if (c.state !== CONTAINER_STATE.RUNNING) continue;
      c.state = CONTAINER_STATE.EXITED;
      c.finishedAtNs = maxBig(exit.atNs, c.startedAtNs);
      c.exitCode = exit.exitCode;
      c.reason = exit.reason;
      this.endProcess(c, c.finishedAtNs);
      this.emitTransition(CONTAINER_EVENT_TYPE.STOPPED, c.id, c.podSandboxId, c.finishedAtNs);
    }
    for (const sb of this.sandboxes.values()) {
      if (sb.stopAtNs !== null && sb.stopAtNs <= nowNs) {
        const stoppedAtNs = sb.stopAtNs;
        sb.stopAtNs = null;
        sb.state = SANDBOX_STATE.NOTREADY;
        this.emitTransition(CONTAINER_EVENT_TYPE.STOPPED, sb.id, sb.id, stoppedAtNs);
      }
    }
  }

  private tick(): bigint {
    const now = this.nowNs();
    this.advance(now);
    return now;
  }

  // ---- RuntimeService: sandboxes ----------------------------------------------------------

  /**
   * CRI-O server/sandbox_run_linux.go; containerd internal/cri/server/sandbox_run.go.
   * Reserves `<name>_<namespace>_<uid>_<attempt>` (CRI-O prefixes "k8s_"). A second request for a
   * reserved name: CRI-O answers with the existing sandbox's id, containerd fails.
   */
  runPodSandbox(input: RunPodSandboxInput): { podSandboxId: string } {
    const now = this.tick();
    const errors = this.profile.errors;
    const config = input.config;
    if (config === undefined || config === null) throw errors.runPodSandboxMissingConfig();
    if (config.metadata === undefined || config.metadata === null) throw errors.runPodSandboxMissingMetadata();
    const metadata: PodSandboxMetadataView = Object.freeze({
      name: config.metadata.name ?? '',
      uid: config.metadata.uid ?? '',
      namespace: config.metadata.namespace ?? '',
      attempt: config.metadata.attempt ?? 0,
    });
    if (this.persona === 'crio') {
      if (metadata.name === '') throw errors.runPodSandboxMissingName();
      if (metadata.namespace === '') throw errors.runPodSandboxMissingNamespace();
    }

    const id = generateRuntimeId(this.random);
    const name = this.profile.sandboxName(metadata);
    const reservation = this.sandboxNames.reserve(name, id);
    if (reservation.kind === 'name-taken') {
      if (this.profile.duplicateCreateReturnsExisting && this.sandboxes.has(reservation.holderId)) {
        return { podSandboxId: reservation.holderId };
      }
      throw errors.sandboxNameReserved(name, reservation.holderId);
    }

    const runtimeHandler = input.runtimeHandler ?? '';
    if (!this.runtimeHandlers.includes(runtimeHandler)) {
      this.sandboxNames.releaseById(id);
      throw errors.unknownRuntimeHandler(runtimeHandler, id, this.runtimeHandlers);
    }

    const hostNetwork = config.hostNetwork === true;
    const ip = hostNetwork ? '' : this.allocateIp();
    const record: SandboxRecord = {
      id,
      reservedName: name,
      metadata,
      labels: copyMap(config.labels),
      annotations: copyMap(config.annotations),
      createdAtNs: now,
      state: SANDBOX_STATE.READY,
      hostNetwork,
      ip,
      networkTornDown: false,
      runtimeHandler,
      hostname: config.hostname ?? '',
      logDirectory: config.logDirectory ?? '',
      linux: config.linux,
      stopAtNs: null,
      seq: this.seq++,
    };
    this.sandboxes.set(id, record);
    this.sandboxIds.add(id);
    this.emitTransition(CONTAINER_EVENT_TYPE.CREATED, id, id, now);
    return { podSandboxId: id };
  }

  /** The sandbox StopPodSandbox/RemovePodSandbox act on; undefined when an unknown id is a no-op success for this persona. */
  private sandboxForStopOrRemove(podSandboxId: string): SandboxRecord | undefined {
    const lookup = this.sandboxIds.lookup(podSandboxId);
    if (lookup.kind === 'found') return this.sandboxes.get(lookup.id)!;
    const err = this.profile.errors.stopOrRemoveSandboxLookup(lookup, podSandboxId);
    if (err !== null) throw err;
    return undefined;
  }

  /**
   * CRI-O server/sandbox_stop_linux.go (containers get a 10 s grace period); containerd
   * sandbox_stop.go (running containers are killed with timeout 0, created ones stay created).
   * Unknown id: success (both runtimes; the CRI requires idempotence).
   */
  stopPodSandbox(podSandboxId: string): CompletionTime {
    const now = this.tick();
    const sb = this.sandboxForStopOrRemove(podSandboxId);
    if (sb === undefined) return { completesAtNs: now };
    return { completesAtNs: this.stopSandboxRecord(sb, now) };
  }

  /**
   * CRI-O server/sandbox_remove.go; containerd sandbox_remove.go: stops the sandbox if needed,
   * removes its containers, then the sandbox. Unknown id: success. The records disappear at once;
   * the reply is due when the stop completes.
   */
  removePodSandbox(podSandboxId: string): CompletionTime {
    const now = this.tick();
    const sb = this.sandboxForStopOrRemove(podSandboxId);
    if (sb === undefined) return { completesAtNs: now };
    const completesAtNs = this.stopSandboxRecord(sb, now);
    for (const c of this.containersOf(sb.id)) {
      this.deleteContainerRecord(c);
      this.emitTransition(CONTAINER_EVENT_TYPE.DELETED, c.id, sb.id, now);
    }
    this.releaseIp(sb);
    this.sandboxes.delete(sb.id);
    this.sandboxIds.delete(sb.id);
    this.sandboxNames.releaseById(sb.id);
    this.usageSamples.forget(sb.id);
    this.emitTransition(CONTAINER_EVENT_TYPE.DELETED, sb.id, sb.id, now);
    return { completesAtNs };
  }

  /** CRI-O server/sandbox_status.go; containerd sandbox_status.go. Unknown id: NOT_FOUND. */
  podSandboxStatus(podSandboxId: string): PodSandboxView {
    this.tick();
    const lookup = this.sandboxIds.lookup(podSandboxId);
    if (lookup.kind !== 'found') throw this.profile.errors.podSandboxStatusLookup(lookup, podSandboxId);
    return this.sandboxView(this.sandboxes.get(lookup.id)!);
  }

  /**
   * Filters: id (a unique prefix resolves; otherwise nothing matches), state, label selector (every
   * pair must match). containerd normalises the filter id through its store (sandbox_list.go).
   */
  listPodSandboxes(filter?: PodSandboxFilterInput): PodSandboxView[] {
    this.tick();
    let idFilter: string | undefined;
    if (filter?.id !== undefined && filter.id !== '') {
      const lookup = this.sandboxIds.lookup(filter.id);
      if (lookup.kind !== 'found') return [];
      idFilter = lookup.id;
    }
    return this.sortedSandboxes()
      .filter((sb) => idFilter === undefined || sb.id === idFilter)
      .filter((sb) => filter?.state === undefined || sb.state === filter.state)
      .filter((sb) => matchesLabels(sb.labels, filter?.labelSelector))
      .map((sb) => this.sandboxView(sb));
  }

  // ---- RuntimeService: containers ---------------------------------------------------------

  /**
   * CRI-O server/container_create.go; containerd container_create.go. The image must be present
   * locally (neither runtime pulls here). Reserves
   * `<container>_<pod>_<namespace>_<uid>_<attempt>` (CRI-O prefixes "k8s_").
   */
  createContainer(input: CreateContainerInput): { containerId: string } {
    const now = this.tick();
    const errors = this.profile.errors;
    const config = input.config ?? null;
    const sandboxConfig = input.sandboxConfig ?? null;
    let sb: SandboxRecord;

    if (this.persona === 'crio') {
      if (config === null) throw errors.createContainerMissingConfig('config');
      if (config.image === undefined || config.image === null) throw errors.createContainerMissingConfig('image');
      if (sandboxConfig === null) throw errors.createContainerMissingConfig('sandbox config');
      if (sandboxConfig.metadata === undefined || sandboxConfig.metadata === null) {
        throw errors.createContainerMissingConfig('sandbox metadata');
      }
      sb = this.findSandboxForCreate(input.podSandboxId);
      if (sb.state !== SANDBOX_STATE.READY || sb.stopAtNs !== null) throw errors.createContainerSandboxStopped(sb.id);
      if (config.metadata === undefined || config.metadata === null) throw errors.createContainerMissingMetadata();
      if ((config.metadata.name ?? '') === '') throw errors.createContainerMissingName();
    } else {
      sb = this.findSandboxForCreate(input.podSandboxId);
      if (config === null || config.metadata === undefined || config.metadata === null) {
        throw errors.createContainerMissingMetadata();
      }
      if (sandboxConfig === null || sandboxConfig.metadata === undefined || sandboxConfig.metadata === null) {
        throw errors.createContainerMissingConfig('sandbox metadata');
      }
    }
    const metadata = Object.freeze({ name: config.metadata.name ?? '', attempt: config.metadata.attempt ?? 0 });
    const podMeta = sandboxConfig.metadata;
    const modelSource = this.containerBehaviourSource;
    const annotated = hasBehaviourAnnotations(sb.annotations, config.annotations, metadata.name);
    const modelled =
      annotated || modelSource === undefined
        ? undefined
        : modelSource({
            podNamespace: sb.metadata.namespace,
            podName: sb.metadata.name,
            podUid: sb.metadata.uid,
            podLabels: sb.labels,
            podAnnotations: sb.annotations,
            containerName: metadata.name,
            images: [
              config.image?.image ?? '',
              config.image?.userSpecifiedImage ?? '',
              ...(this.images.resolve(config.image?.image ?? '')?.repoTags ?? []),
            ].filter((n) => n !== ''),
          });
    const behaviour = annotated
      ? parseContainerBehaviour(sb.annotations, config.annotations, metadata.name)
      : (modelled ?? DEFAULT_CONTAINER_BEHAVIOUR);
    const behaviourSource = annotated ? 'annotations' : modelled !== undefined ? 'model' : 'command';

    const id = generateRuntimeId(this.random);
    const name = this.profile.containerName(metadata, {
      name: podMeta.name ?? '',
      namespace: podMeta.namespace ?? '',
      uid: podMeta.uid ?? '',
    });
    const reservation = this.containerNames.reserve(name, id);
    if (reservation.kind === 'name-taken') {
      if (this.profile.duplicateCreateReturnsExisting && this.containers.has(reservation.holderId)) {
        return { containerId: reservation.holderId };
      }
      throw errors.containerNameReserved(name, reservation.holderId);
    }

    const requestedImage = config.image?.image ?? '';
    const image = this.images.resolve(requestedImage);
    if (image === undefined) {
      this.containerNames.releaseById(id);
      const parsed = parseImageReference(requestedImage);
      throw errors.imageNotPresent(requestedImage, parsed.ok ? parsed.ref.normalized : null);
    }
    const argv = resolveProcessArgs(config.command ?? [], config.args ?? [], image.config);
    if (argv === undefined) {
      this.containerNames.releaseById(id);
      throw errors.noCommandSpecified(id);
    }

    const logPath = this.profile.containerLogPath({ logDirectory: sb.logDirectory, logPath: config.logPath ?? '', sandboxId: sb.id, containerId: id });
    if (logPath !== '' && !this.profile.createsLogDirectories && !this.logWriter.directoryExists(dirname(logPath))) {
      this.containerNames.releaseById(id);
      this.notice(`conmon: Failed to open log file ${logPath}: No such file or directory (the kubelet makes the pod and container log directories before RunPodSandbox and CreateContainer)`);
      throw errors.logDirectoryMissing(logPath);
    }
    const record: ContainerRecord = {
      id,
      podSandboxId: sb.id,
      reservedName: name,
      metadata,
      state: CONTAINER_STATE.CREATED,
      createdAtNs: now,
      startedAtNs: 0n,
      finishedAtNs: 0n,
      exitCode: 0,
      reason: '',
      message: '',
      requestedImage,
      imageAnnotations: copyMap(config.image?.annotations),
      userSpecifiedImage: config.image?.userSpecifiedImage ?? '',
      imageRuntimeHandler: config.image?.runtimeHandler ?? '',
      imageHex: image.hex,
      imageNameAtCreate: image.repoTags[0] ?? requestedImage,
      imageRepoDigestAtCreate: image.repoDigests[0] ?? this.profile.formatImageId(image.hex),
      labels: copyMap(config.labels),
      annotations: copyMap(config.annotations),
      logPath,
      mounts: Object.freeze([...(config.mounts ?? [])]),
      behaviour,
      behaviourSource,
      argv,
      env: processEnv(image.config, config.envs ?? [], sandboxHostname(sb)),
      workingDir: config.workingDir !== undefined && config.workingDir !== '' ? config.workingDir : image.config.workingDir,
      process: null,
      files: new ContainerFilesystem({ hostname: sandboxHostname(sb) }),
      quietProcess: false,
      pendingExit: null,
      resources: config.resources ?? null,
      seq: this.seq++,
    };
    this.containers.set(id, record);
    this.containerIds.add(id);
    this.emitTransition(CONTAINER_EVENT_TYPE.CREATED, id, sb.id, now);
    return { containerId: id };
  }

  /**
   * CRI-O server/container_start.go; containerd container_start.go. Only a CREATED container
   * starts. containerd refuses a sandbox that is not ready and marks the container EXITED with
   * exit code 128, reason StartError.
   */
  startContainer(containerId: string): void {
    const now = this.tick();
    const c = this.findContainer('StartContainer', containerId);
    if (c.state !== CONTAINER_STATE.CREATED) throw this.profile.errors.containerNotCreated(c.id, c.state);
    const sb = this.sandboxes.get(c.podSandboxId)!;
    if (sb.state !== SANDBOX_STATE.READY || sb.stopAtNs !== null) {
      const err = this.profile.errors.startInStoppedSandbox(sb.id);
      if (this.persona === 'containerd') {
        c.state = CONTAINER_STATE.EXITED;
        c.finishedAtNs = now;
        c.exitCode = START_ERROR_EXIT_CODE;
        c.reason = START_ERROR_REASON;
        c.message = err.message;
      }
      throw err;
    }
    c.state = CONTAINER_STATE.RUNNING;
    c.startedAtNs = now;
    this.startProcess(c, sb, now);
    this.emitTransition(CONTAINER_EVENT_TYPE.STARTED, c.id, c.podSandboxId, now);
    const b = c.behaviour;
    if (c.behaviourSource !== 'command' && b.exitAfterNs !== null) {
      c.pendingExit = { atNs: now + b.exitAfterNs, exitCode: b.exitCode, reason: exitReason(b.exitCode, b.oomKilled) };
    }
    this.advance(now);
  }

  /**
   * CRI-O server/container_stop.go; containerd container_stop.go. A RUNNING container gets the stop
   * signal; it exits after its stop-grace if that is shorter than the timeout (exit code per
   * behaviour), else it is SIGKILLed when the timeout elapses (137, Error). Timeout <= 0 kills at
   * once. Unknown id, or an already exited container: success.
   */
  stopContainer(containerId: string, timeoutSeconds: number | bigint): CompletionTime {
    const now = this.tick();
    const lookup = this.containerIds.lookup(containerId);
    if (lookup.kind !== 'found') {
      const err = this.profile.errors.stopContainerLookup(lookup, containerId);
      if (err !== null) throw err;
      return { completesAtNs: now };
    }
    const c = this.containers.get(lookup.id)!;
    const completesAtNs = this.signalStop(c, now, timeoutSeconds);
    this.advance(now);
    return { completesAtNs };
  }

  /**
   * CRI-O server/container_remove.go (stops with a 10 s timeout first; unknown id NOT_FOUND);
   * containerd container_remove.go (kills a running container first; unknown id success).
   */
  removeContainer(containerId: string): CompletionTime {
    const now = this.tick();
    const lookup = this.containerIds.lookup(containerId);
    if (lookup.kind !== 'found') {
      const err = this.profile.errors.removeContainerLookup(lookup, containerId);
      if (err !== null) throw err;
      return { completesAtNs: now };
    }
    const c = this.containers.get(lookup.id)!;
    const sb = this.sandboxes.get(c.podSandboxId)!;
    let completesAtNs = now;
    const sandboxStopped = sb.state === SANDBOX_STATE.NOTREADY && sb.stopAtNs === null;
    if (this.persona === 'containerd' || !sandboxStopped) {
      completesAtNs = this.signalStop(c, now, this.profile.removeContainerStopTimeoutSeconds);
    }
    this.deleteContainerRecord(c);
    this.emitTransition(CONTAINER_EVENT_TYPE.DELETED, c.id, c.podSandboxId, now);
    return { completesAtNs };
  }

  /** CRI-O server/container_status.go; containerd container_status.go. Unknown id: NOT_FOUND. */
  containerStatus(containerId: string): ContainerView {
    this.tick();
    return this.containerView(this.findContainer('ContainerStatus', containerId));
  }

  /** Filters: id and pod_sandbox_id (unique prefixes resolve), state, label selector. */
  listContainers(filter?: ContainerFilterInput): ContainerView[] {
    this.tick();
    let idFilter: string | undefined;
    if (filter?.id !== undefined && filter.id !== '') {
      const lookup = this.containerIds.lookup(filter.id);
      if (lookup.kind !== 'found') return [];
      idFilter = lookup.id;
    }
    let sandboxFilter: string | undefined;
    if (filter?.podSandboxId !== undefined && filter.podSandboxId !== '') {
      const lookup = this.sandboxIds.lookup(filter.podSandboxId);
      if (lookup.kind !== 'found') return [];
      sandboxFilter = lookup.id;
    }
    return [...this.containers.values()]
      .sort((a, b) => a.seq - b.seq)
      .filter((c) => idFilter === undefined || c.id === idFilter)
      .filter((c) => sandboxFilter === undefined || c.podSandboxId === sandboxFilter)
      .filter((c) => filter?.state === undefined || c.state === filter.state)
      .filter((c) => matchesLabels(c.labels, filter?.labelSelector))
      .map((c) => this.containerView(c));
  }

  // ---- ImageService -------------------------------------------------------------------------

  /**
   * containerd images/image_pull.go (image_ref = image id "sha256:..."); CRI-O server/image_pull.go
   * (image_ref = "<repository>@sha256:<manifest digest>"). Names are normalised first
   * (`nginx` -> `docker.io/library/nginx:latest`).
   */
  pullImage(input: PullImageInput): { imageRef: string; image: ImageView } {
    const now = this.tick();
    const parsed = parseImageReference(input.image);
    if (!parsed.ok) throw this.profile.errors.invalidImageReference(input.image, parsed.error);
    const ref = parsed.ref;
    if (this.isMissingFromRegistry(ref.normalized, input.sandboxAnnotations)) {
      throw this.profile.errors.imageNotInRegistry(ref.normalized);
    }
    const { image, platformRepoDigest } = this.images.add(ref.repository, ref.tag, ref.digest, now, false);
    image.lastUsedNs = now;
    // CRI-O answers with the platform manifest's repo digest (server/image_pull.go), containerd with the image id.
    const imageRef = this.profile.pullReturnsRepoDigest ? platformRepoDigest : this.profile.formatImageId(image.hex);
    return { imageRef, image: this.images.view(image) };
  }

  /** Missing image: null (the CRI answers OK with no image). Accepts ids, id prefixes and names. */
  imageStatus(image: string): ImageView | null {
    this.tick();
    const found = this.images.resolve(image);
    return found === undefined ? null : this.images.view(found);
  }

  /** CRI-O honours ImageFilter.image; containerd ignores the filter (images/image_list.go). */
  listImages(filterImage?: string): ImageView[] {
    this.tick();
    if (this.profile.listImagesHonoursFilter && filterImage !== undefined && filterImage !== '') {
      const found = this.images.resolve(filterImage);
      return found === undefined ? [] : [this.images.view(found)];
    }
    return this.images.all().map((img) => this.images.view(img));
  }

  /**
   * containerd images/image_remove.go: drops every reference of the resolved image, in use or not.
   * CRI-O server/image_remove.go: by id deletes the image, by name untags that name (deleting the
   * image with its last name); containers/storage refuses to delete an image a container uses.
   * Missing image: success.
   */
  removeImage(image: string): void {
    this.tick();
    if (image === '' && this.persona === 'crio') throw this.profile.errors.removeImageEmpty();
    const found = this.images.resolve(image);
    if (found === undefined) return;
    if (this.profile.removeImageDropsAllNames) {
      this.images.delete(found.hex);
      return;
    }
    const parsed = parseImageReference(image);
    const byName = parsed.ok && found.repoTags.includes(parsed.ref.normalized);
    if (byName && found.repoTags.length > 1) {
      found.repoTags = found.repoTags.filter((t) => t !== parsed.ref.normalized);
      return;
    }
    const user = [...this.containers.values()].find((c) => c.imageHex === found.hex);
    if (user !== undefined && this.profile.removeImageRefusesInUse) throw this.profile.errors.imageInUse(user.id);
    this.images.delete(found.hex);
  }

  /**
   * containerd images/imagefs_info.go (one image filesystem: the snapshotter dir); CRI-O
   * server/image_fs_info.go (image store, plus the container store as container filesystem).
   */
  imageFsInfo(): ImageFsInfoView {
    const now = this.tick();
    const { usedBytes, inodesUsed } = this.images.usage();
    const imageFs: FilesystemUsageView = {
      timestampNs: now,
      mountpoint: this.profile.imageFsMountpoint,
      usedBytes,
      inodesUsed,
    };
    const containerFilesystems: FilesystemUsageView[] = [];
    if (this.profile.containerFsMountpoint !== null) {
      // Each container's writable layer: a few directories and files (simulated).
      containerFilesystems.push({
        timestampNs: now,
        mountpoint: this.profile.containerFsMountpoint,
        usedBytes: this.containers.size * 16_384,
        inodesUsed: this.containers.size * 12,
      });
    }
    return { imageFilesystems: [imageFs], containerFilesystems };
  }

  // ---- events and persistence (GetContainerEvents, --state-dir) ------------------------------

  /** Calls `listener` on every lifecycle transition (./container-events.ts); returns the unsubscribe function. */
  onTransition(listener: (t: ContainerTransition) => void): () => void {
    this.transitionListeners.add(listener);
    return () => {
      this.transitionListeners.delete(listener);
    };
  }

  /** The sandbox with exactly this id, without advancing time (safe inside a transition). */
  peekSandbox(sandboxId: string): PodSandboxView | undefined {
    const sb = this.sandboxes.get(sandboxId);
    return sb === undefined ? undefined : this.sandboxView(sb);
  }

  /** Every container in creation order, without advancing time. */
  peekContainers(): ContainerView[] {
    return [...this.containers.values()].sort((a, b) => a.seq - b.seq).map((c) => this.containerView(c));
  }

  /** The earliest instant a pending exit or sandbox stop falls due, or null; the server wakes then. */
  nextDueNs(): bigint | null {
    let next: bigint | null = null;
    for (const c of this.containers.values()) {
      if (c.pendingExit !== null && (next === null || c.pendingExit.atNs < next)) next = c.pendingExit.atNs;
      if (c.process !== null && c.state === CONTAINER_STATE.RUNNING) {
        for (const at of [c.process.nextWakeNs(), c.process.nextOutputNs()]) {
          if (at !== null && (next === null || at < next)) next = at;
        }
      }
    }
    for (const sb of this.sandboxes.values()) {
      if (sb.stopAtNs !== null && (next === null || sb.stopAtNs < next)) next = sb.stopAtNs;
    }
    return next;
  }

  /** Every record and allocator, for --state-dir (see ./state-snapshot.ts). */
  exportSnapshot(): RuntimeStateSnapshot {
    const plain = (record: object): Record<string, unknown> => ({ ...(record as Record<string, unknown>) });
    return {
      kind: STATE_SNAPSHOT_KIND,
      version: STATE_SNAPSHOT_VERSION,
      persona: this.persona,
      seed: this.seed,
      random: this.random.exportState(),
      seq: this.seq,
      ipCursor: this.ipCursor,
      lastNowNs: this.lastNowNs,
      sandboxes: this.sortedSandboxes().map(plain),
      containers: [...this.containers.values()].sort((a, b) => a.seq - b.seq).map(({ process: _p, files: _f, quietProcess: _q, ...rest }) => plain(rest)),
      images: this.images.exportRecords(),
    };
  }

  /** Rebuilds records, indexes, reservations and IPs from a validated snapshot. */
  private restoreFrom(snapshot: RuntimeStateSnapshot): void {
    this.random.importState(snapshot.random);
    this.seq = snapshot.seq;
    this.ipCursor = snapshot.ipCursor;
    this.lastNowNs = snapshot.lastNowNs;
    for (const raw of snapshot.sandboxes) {
      const sb = { ...raw } as unknown as SandboxRecord;
      this.sandboxes.set(sb.id, sb);
      this.sandboxIds.add(sb.id);
      this.sandboxNames.reserve(sb.reservedName, sb.id);
      if (sb.ip !== '' && !sb.networkTornDown) this.ipsInUse.add(sb.ip);
    }
    for (const raw of snapshot.containers) {
      const c = { behaviourSource: 'annotations', argv: [], env: [], workingDir: '', ...raw, process: null, files: null, quietProcess: false } as unknown as ContainerRecord;
      this.containers.set(c.id, c);
      this.containerIds.add(c.id);
      this.containerNames.reserve(c.reservedName, c.id);
    }
    this.images.restore(snapshot.images);
    // Running command-model processes are replayed from their start; what they printed before is in the log already.
    const now = this.nowNs();
    for (const c of this.containers.values()) {
      const sb = this.sandboxes.get(c.podSandboxId);
      if (c.state !== CONTAINER_STATE.RUNNING || sb === undefined || c.argv.length === 0) continue;
      this.startProcess(c, sb, c.startedAtNs, { replayUntilNs: now });
    }
  }

  private emitTransition(type: ContainerEventType, containerId: string, sandboxId: string, atNs: bigint): void {
    if (this.transitionListeners.size === 0) return;
    const transition: ContainerTransition = Object.freeze({ type, containerId, sandboxId, atNs });
    for (const listener of [...this.transitionListeners]) {
      try {
        listener(transition);
      } catch (err) {
        // A listener must not leave the state half-updated; its failure surfaces asynchronously.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  // ---- RuntimeService: exec, stats, resources, logs, runtime config ------------------------

  /**
   * CRI-O server/container_execsync.go (the process must be alive: created or running; a timed-out
   * command answers exit code -1); containerd container_execsync.go (running only; a timeout is an
   * error). The reply is due when the command has run (ExecOutcome.durationNs, or the timeout);
   * `error` is set when the runtime fails the call at that point instead of answering.
   */
  execSync(input: ExecSyncInput): { readonly completesAtNs: bigint; readonly result?: ExecSyncResultView; readonly error?: CriError } {
    const now = this.tick();
    const errors = this.profile.errors;
    const c = this.findContainerFor('ExecSync', input.containerId);
    const alive =
      c.state === CONTAINER_STATE.RUNNING || (this.persona === 'crio' && c.state === CONTAINER_STATE.CREATED);
    if (!alive) throw errors.execNotRunning(c.id, c.state);
    if (input.cmd.length === 0) {
      const empty = errors.execEmptyCommand();
      if (empty !== null) throw empty;
    }
    const sb = this.sandboxes.get(c.podSandboxId)!;
    const timeoutNs = toTimeoutNs(input.timeoutSeconds);
    const outcome = execOutcome(input.cmd, {
      sandboxAnnotations: sb.annotations,
      containerAnnotations: c.annotations,
      containerName: c.metadata.name,
      environment: this.execEnvironmentOf(c.id)!,
      nowNs: now,
      limitNs: timeoutNs > 0n ? timeoutNs : EXEC_WITHOUT_TIMEOUT_LIMIT_NS,
    });
    if (outcome.kind === 'not-found') {
      // The exec id is derived, not drawn, so a failed exec does not shift the ids of later objects.
      const execId = createHash('sha256').update(`exec|${this.seed}|${c.id}|${now}`).digest('hex');
      const failed = errors.execProgramNotFound(outcome.program, execId);
      if (failed instanceof CriError) throw failed;
      return { completesAtNs: now, result: { exitCode: failed.exitCode, stdout: '', stderr: failed.stderr } };
    }
    if (timeoutNs > 0n && outcome.durationNs >= timeoutNs) {
      const timedOut = errors.execTimedOut(input.timeoutSeconds);
      return timedOut instanceof CriError
        ? { completesAtNs: now + timeoutNs, error: timedOut }
        : { completesAtNs: now + timeoutNs, result: { exitCode: timedOut.exitCode, stdout: '', stderr: timedOut.stderr } };
    }
    return {
      completesAtNs: now + outcome.durationNs,
      result: { exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr },
    };
  }

  /**
   * CRI-O server/container_stats.go (any state; a stopped container has no cgroup numbers);
   * containerd container_stats.go (an exited container has no task: error).
   */
  containerStats(containerId: string): ContainerStatsView {
    const now = this.tick();
    const c = this.findContainerFor('ContainerStats', containerId);
    if (c.state === CONTAINER_STATE.EXITED) {
      const err = this.profile.errors.containerStatsNotRunning(c.id);
      if (err !== null) throw err;
    }
    return this.containerStatsView(c, now);
  }

  /**
   * Filters as ListContainers (id and pod_sandbox_id prefixes resolve, label selector). CRI-O
   * server/container_stats_list.go skips stopped containers; containerd container_stats_list.go lists
   * every container, those without a task with attributes and writable layer only.
   */
  listContainerStats(filter?: StatsFilterInput): ContainerStatsView[] {
    const now = this.tick();
    const matched = this.listContainers({ id: filter?.id, podSandboxId: filter?.podSandboxId, labelSelector: filter?.labelSelector });
    return matched
      .filter((v) => this.profile.listStatsIncludesExited || v.state !== CONTAINER_STATE.EXITED)
      .map((v) => this.containerStatsView(this.containers.get(v.id)!, now));
  }

  /**
   * CRI-O server/sandbox_stats.go; containerd sandbox_stats.go + sandbox_stats_linux.go (a sandbox that
   * is not ready has no metrics: UNAVAILABLE).
   */
  podSandboxStats(podSandboxId: string): PodSandboxStatsView {
    const now = this.tick();
    const sb = this.findSandboxFor('PodSandboxStats', podSandboxId);
    if (this.persona === 'containerd' && sb.state !== SANDBOX_STATE.READY) {
      throw this.profile.errors.sandboxStatsNotReady(sb.id, podSandboxId);
    }
    return this.sandboxStatsView(sb, now);
  }

  /**
   * Filters: id (prefix) and label selector. containerd sandbox_stats_list.go lists ready sandboxes
   * only; CRI-O server/sandbox_stats_list.go lists every sandbox.
   */
  listPodSandboxStats(filter?: StatsFilterInput): PodSandboxStatsView[] {
    const now = this.tick();
    return this.listPodSandboxes({ id: filter?.id, labelSelector: filter?.labelSelector })
      .filter((v) => this.persona !== 'containerd' || v.state === SANDBOX_STATE.READY)
      .map((v) => this.sandboxStatsView(this.sandboxes.get(v.id)!, now));
  }

  /**
   * CRI-O server/container_update_resources.go (created or running only; a request without linux
   * resources changes nothing); containerd container_update_resources.go (updates the spec in any
   * state). The resources then show in ContainerStatus.resources and cap the simulated usage.
   */
  updateContainerResources(containerId: string, linux: LinuxResourcesInput | null): void {
    this.tick();
    const c = this.findContainerFor('UpdateContainerResources', containerId);
    if (
      this.profile.updateResourcesRefusesExited &&
      c.state !== CONTAINER_STATE.RUNNING &&
      c.state !== CONTAINER_STATE.CREATED
    ) {
      throw this.profile.errors.updateResourcesExited(c.id, c.state);
    }
    if (linux === null) return;
    c.resources = Object.freeze({ ...linux });
  }

  /**
   * CRI-O server/container_reopen_log.go (created or running); containerd container_log_reopen.go
   * (running only). Opens a fresh file at the log path after the kubelet rotated the old one away.
   */
  reopenContainerLog(containerId: string): void {
    this.tick();
    const c = this.findContainerFor('ReopenContainerLog', containerId);
    const ok =
      c.state === CONTAINER_STATE.RUNNING || (this.profile.reopenLogAllowsCreated && c.state === CONTAINER_STATE.CREATED);
    if (!ok) throw this.profile.errors.reopenLogNotRunning();
    if (c.logPath !== '') this.logWriter.reopen(c.logPath);
  }

  /**
   * containerd update_runtime_config.go: comma-separated CIDRs, each must parse (net.ParseCIDR); an
   * empty value changes nothing. CRI-O server/container_updateruntimeconfig.go ignores the request.
   */
  updateRuntimeConfig(podCidr: string): void {
    this.tick();
    if (!this.profile.keepsPodCidr || podCidr === '') return;
    const cidrs = podCidr.split(',').map((c) => c.trim());
    for (const cidr of cidrs) {
      if (!isCidr(cidr)) throw this.profile.errors.invalidPodCidr(cidr);
    }
    this.podCidrs = Object.freeze(cidrs);
  }

  /** RuntimeConfig (cgroup driver per persona) plus the pod CIDRs kept from UpdateRuntimeConfig. */
  runtimeConfig(): RuntimeConfigView {
    return { cgroupDriver: this.profile.cgroupDriver, podCidrs: this.podCidrs };
  }

  /** CRI-O server/sandbox_update_resources.go; containerd update_pod_sandbox_resources.go: kept on the sandbox. */
  updatePodSandboxResources(
    podSandboxId: string,
    overhead: LinuxResourcesInput | null,
    resources: LinuxResourcesInput | null,
  ): void {
    this.tick();
    const sb = this.findSandboxFor('UpdatePodSandboxResources', podSandboxId);
    sb.podOverhead = overhead;
    sb.podResources = resources;
  }

  /**
   * Both runtimes check for CRIU before anything else (CRI-O server/container_checkpoint.go
   * CheckpointContainerEnabled; containerd container_checkpoint_linux.go CheckForCriu), and the
   * simulated node has no CRIU: the call always fails, naming the id as given.
   */
  checkpointContainer(containerId: string): never {
    this.tick();
    throw this.profile.errors.checkpointUnavailable(containerId);
  }

  // ---- invariants ---------------------------------------------------------------------------

  /** Violations of the invariants in the file comment; empty when the state is consistent. */
  checkInvariants(): string[] {
    const problems: string[] = [];
    for (const c of this.containers.values()) {
      const sb = this.sandboxes.get(c.podSandboxId);
      if (sb === undefined) {
        problems.push(`I1: container ${c.id} belongs to missing sandbox ${c.podSandboxId}`);
        continue;
      }
      if (c.state === CONTAINER_STATE.RUNNING && sb.state !== SANDBOX_STATE.READY) {
        problems.push(`I2: container ${c.id} is RUNNING in ${sb.state} sandbox ${sb.id}`);
      }
      if (c.createdAtNs < sb.createdAtNs) problems.push(`I3: container ${c.id} created before its sandbox`);
      switch (c.state) {
        case CONTAINER_STATE.CREATED:
          if (c.startedAtNs !== 0n || c.finishedAtNs !== 0n) problems.push(`I3: CREATED container ${c.id} has timestamps`);
          break;
        case CONTAINER_STATE.RUNNING:
          if (c.startedAtNs < c.createdAtNs || c.finishedAtNs !== 0n) problems.push(`I3: RUNNING container ${c.id} timestamps`);
          break;
        case CONTAINER_STATE.EXITED:
          if (c.finishedAtNs < c.createdAtNs) problems.push(`I3: container ${c.id} finished before created`);
          if (c.startedAtNs !== 0n && (c.startedAtNs < c.createdAtNs || c.finishedAtNs < c.startedAtNs)) {
            problems.push(`I3: container ${c.id} created/started/finished out of order`);
          }
          break;
        default:
          break;
      }
      if (this.containerNames.holderOf(c.reservedName) !== c.id) problems.push(`I4: container ${c.id} lost its name`);
      if (!this.containerIds.has(c.id)) problems.push(`I4: container ${c.id} missing from the id index`);
    }
    const ips = new Map<string, string>();
    for (const sb of this.sandboxes.values()) {
      if (this.sandboxNames.holderOf(sb.reservedName) !== sb.id) problems.push(`I4: sandbox ${sb.id} lost its name`);
      if (!this.sandboxIds.has(sb.id)) problems.push(`I4: sandbox ${sb.id} missing from the id index`);
      if (sb.ip !== '' && !sb.networkTornDown) {
        const other = ips.get(sb.ip);
        if (other !== undefined) problems.push(`I5: sandboxes ${other} and ${sb.id} share IP ${sb.ip}`);
        ips.set(sb.ip, sb.id);
      }
    }
    if (this.sandboxIds.size !== this.sandboxes.size) problems.push('I4: sandbox id index out of sync');
    if (this.containerIds.size !== this.containers.size) problems.push('I4: container id index out of sync');
    return problems;
  }

  // ---- internals ----------------------------------------------------------------------------

  private findSandboxForCreate(query: string): SandboxRecord {
    const lookup = this.sandboxIds.lookup(query);
    if (lookup.kind !== 'found') throw this.profile.errors.createContainerSandboxLookup(lookup, query);
    return this.sandboxes.get(lookup.id)!;
  }

  private findContainer(rpc: 'StartContainer' | 'ContainerStatus', query: string): ContainerRecord {
    const lookup = this.containerIds.lookup(query);
    if (lookup.kind !== 'found') throw this.profile.errors.containerLookup(rpc, lookup, query);
    return this.containers.get(lookup.id)!;
  }

  private containersOf(sandboxId: string): ContainerRecord[] {
    return [...this.containers.values()].filter((c) => c.podSandboxId === sandboxId).sort((a, b) => a.seq - b.seq);
  }

  private sortedSandboxes(): SandboxRecord[] {
    return [...this.sandboxes.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Sends the stop signal per the container's state and behaviour; returns when it will have exited. */
  private signalStop(c: ContainerRecord, now: bigint, timeoutSeconds: number | bigint): bigint {
    if (c.state === CONTAINER_STATE.CREATED) {
      if (this.profile.stopKillsCreatedContainer) {
        c.state = CONTAINER_STATE.EXITED;
        c.finishedAtNs = now;
        c.exitCode = SIGKILL_EXIT_CODE;
        c.reason = exitReason(SIGKILL_EXIT_CODE, false);
        this.emitTransition(CONTAINER_EVENT_TYPE.STOPPED, c.id, c.podSandboxId, now);
      }
      return now;
    }
    if (c.state !== CONTAINER_STATE.RUNNING) return now;
    const timeoutNs = toTimeoutNs(timeoutSeconds);
    if (c.behaviourSource === 'command' && c.process !== null && c.process.unsupportedReason === null) {
      return this.stopProcess(c, now, now + timeoutNs);
    }
    const grace = c.behaviour.stopGraceNs;
    let exit: PendingExit;
    if (timeoutNs > 0n && grace !== null && grace < timeoutNs) {
      const code = c.behaviour.stopExitCode;
      exit = { atNs: now + grace, exitCode: code, reason: exitReason(code, false) };
    } else {
      exit = { atNs: now + timeoutNs, exitCode: SIGKILL_EXIT_CODE, reason: exitReason(SIGKILL_EXIT_CODE, false) };
    }
    if (c.pendingExit === null || exit.atNs < c.pendingExit.atNs) c.pendingExit = exit;
    return c.pendingExit.atNs;
  }

  private stopSandboxRecord(sb: SandboxRecord, now: bigint): bigint {
    if (sb.state === SANDBOX_STATE.NOTREADY && sb.stopAtNs === null) return now;
    let done = now;
    for (const c of this.containersOf(sb.id)) {
      done = maxBig(done, this.signalStop(c, now, this.profile.sandboxStopTimeoutSeconds));
    }
    sb.stopAtNs = sb.stopAtNs === null || done < sb.stopAtNs ? done : sb.stopAtNs;
    if (!sb.networkTornDown) {
      sb.networkTornDown = true;
      this.ipsInUse.delete(sb.ip);
    }
    this.advance(now);
    return done;
  }

  private findContainerFor(rpc: ContainerRpc, query: string): ContainerRecord {
    const lookup = this.containerIds.lookup(query);
    if (lookup.kind !== 'found') throw this.profile.errors.containerRpcLookup(rpc, lookup, query);
    return this.containers.get(lookup.id)!;
  }

  private findSandboxFor(rpc: SandboxRpc, query: string): SandboxRecord {
    const lookup = this.sandboxIds.lookup(query);
    if (lookup.kind !== 'found') throw this.profile.errors.sandboxRpcLookup(rpc, lookup, query);
    return this.sandboxes.get(lookup.id)!;
  }

  // ---- the command model's processes (../process/) ---------------------------------------------

  /** Starts the container's process at `startNs`; `replayUntilNs` rebuilds it after a restart without re-logging. */
  private startProcess(c: ContainerRecord, sb: SandboxRecord, startNs: bigint, replay?: { readonly replayUntilNs: bigint }): void {
    c.files ??= new ContainerFilesystem({ hostname: sandboxHostname(sb) });
    const proc = new ContainerProcess(c.argv, startNs, this.processEnvironment(c, c.files));
    c.process = proc;
    if (replay !== undefined) {
      proc.advanceTo(replay.replayUntilNs);
      proc.takeLines(replay.replayUntilNs);
      return;
    }
    if (proc.unsupportedReason !== null) {
      this.notice(`container ${c.id.slice(0, 13)} (${c.metadata.name}): command ${JSON.stringify(c.argv.join(' '))} is not simulated (${proc.unsupportedReason}); it runs until stopped`);
    }
    proc.advanceTo(startNs);
    const annotated = readScopedAnnotation(LOG_LINES_ANNOTATION, sb.annotations, c.annotations, c.metadata.name) !== undefined;
    const printsNothing = proc.unsupportedReason !== null || (proc.blockedOn?.reason === 'server' && proc.nextOutputNs() === null);
    if (annotated || printsNothing) {
      // The annotation's lines win; a server the model knows nothing about prints a few start-up lines.
      this.writeStartupLogs(c, sb, startNs);
      if (annotated) c.quietProcess = true;
    }
    this.playProcess(c, startNs);
  }

  /** Runs the process up to `nowNs` (never past its container's decided exit), logs its lines, notes its own exit. */
  private playProcess(c: ContainerRecord, nowNs: bigint): void {
    const proc = c.process!;
    const until = c.pendingExit !== null && c.pendingExit.atNs < nowNs ? c.pendingExit.atNs : nowNs;
    proc.advanceTo(until);
    this.logProcessLines(c, proc.takeLines(until));
    const exit = proc.exit;
    if (exit !== null && c.behaviourSource === 'command' && c.pendingExit === null) {
      c.pendingExit = { atNs: exit.atNs, exitCode: exit.status, reason: exitReason(exit.status, false) };
    }
  }

  private logProcessLines(c: ContainerRecord, lines: readonly ProcessLine[]): void {
    if (lines.length === 0 || c.logPath === '' || c.quietProcess) return;
    let records = '';
    for (const line of lines) records += formatLogRecords(line, line.atNs, this.profile.logFormat);
    this.logWriter.append(c.logPath, records);
  }

  /** The container exited at `atNs`: the last lines up to then are logged, the process ends. */
  private endProcess(c: ContainerRecord, atNs: bigint): void {
    const proc = c.process;
    if (proc === null) return;
    proc.kill(atNs);
    this.logProcessLines(c, proc.takeLines(atNs));
    c.process = null;
  }

  /**
   * SIGTERM now, SIGKILL at `killAtNs` (the stop timeout), as PID 1 of the container takes them
   * (../process/container-process.ts deliverTerm). The process runs ahead to the kill instant so the
   * reply is due exactly when it exits.
   */
  private stopProcess(c: ContainerRecord, now: bigint, killAtNs: bigint): bigint {
    const proc = c.process!;
    this.playProcess(c, now);
    if (c.pendingExit !== null && c.pendingExit.atNs <= killAtNs) return c.pendingExit.atNs;
    // A timeout of 0 is SIGKILL at once, with no SIGTERM first (both runtimes).
    const disposition = killAtNs > now ? proc.deliverTerm(now) : 'ignored';
    // Up to just before the kill: what falls on the kill instant itself loses the race to SIGKILL.
    if (disposition !== 'exits') proc.advanceTo(killAtNs - 1n);
    const exit = proc.exit;
    let pending: PendingExit;
    if (exit !== null && exit.atNs < killAtNs) {
      const code = disposition === 'exits' ? c.behaviour.stopExitCode : exit.status;
      pending = { atNs: exit.atNs, exitCode: code, reason: exitReason(code, false) };
    } else {
      proc.kill(killAtNs);
      pending = { atNs: killAtNs, exitCode: SIGKILL_EXIT_CODE, reason: exitReason(SIGKILL_EXIT_CODE, false) };
    }
    if (c.pendingExit === null || pending.atNs < c.pendingExit.atNs) c.pendingExit = pending;
    return c.pendingExit.atNs;
  }

  /** What an exec in container `c` sees (its env, working dir, user, files), or undefined before it was created. */
  execEnvironmentOf(containerId: string): ExecEnvironment | undefined {
    const c = this.containers.get(containerId);
    return c === undefined || c.files === null ? undefined : this.processEnvironment(c, c.files);
  }

  /** The environment the container's processes run in: its env and working dir, the image's user and userland. */
  private processEnvironment(c: ContainerRecord, fs: ContainerFilesystem): ProcessEnvironment {
    const config = this.images.configOf(c.imageHex);
    const { uid, username } = imageUser(config.user);
    return {
      env: new Map(c.env),
      workingDir: c.workingDir,
      userland: config.userland,
      user: { uid: uid ?? 0, name: username !== '' ? username : uid === null || uid === 0 ? 'root' : String(uid) },
      fs,
    };
  }

  /** The lines the container prints at start, in CRI log format, a fraction of a millisecond apart. */
  private writeStartupLogs(c: ContainerRecord, sb: SandboxRecord, now: bigint): void {
    if (c.logPath === '') return;
    const lines = startupLogLines(sb.annotations, c.annotations, c.metadata.name, this.seed);
    // Spacing derived from the id (not drawn from the shared random) so logging never shifts later ids.
    const gaps = createHash('sha256').update(`log-gaps|${this.seed}|${c.id}`).digest();
    let at = now;
    let records = '';
    lines.forEach((line, i) => {
      at += BigInt(100_000 + (gaps.readUInt16BE((i * 2) % 30) % 900) * 1000);
      records += formatLogRecords(line, at, this.profile.logFormat);
    });
    this.logWriter.append(c.logPath, records);
  }

  private runningNs(c: ContainerRecord, now: bigint): bigint {
    if (c.startedAtNs === 0n) return 0n;
    const end = c.finishedAtNs !== 0n ? c.finishedAtNs : now;
    return end > c.startedAtNs ? end - c.startedAtNs : 0n;
  }

  private cgroupUsage(id: string, sample: UsageSample, now: bigint): CgroupUsageView {
    return {
      timestampNs: now,
      usageCoreNanoSeconds: sample.usageCoreNanoSeconds,
      usageNanoCores: this.usageSamples.record(id, now, sample.usageCoreNanoSeconds),
      workingSetBytes: sample.workingSetBytes,
      usageBytes: sample.usageBytes,
      rssBytes: sample.rssBytes,
      pageFaults: sample.pageFaults,
      majorPageFaults: sample.majorPageFaults,
      availableBytes: sample.availableBytes,
    };
  }

  private containerSample(c: ContainerRecord, now: bigint): UsageSample {
    const limits =
      c.resources === null
        ? NO_LIMITS
        : { cpuQuota: c.resources.cpuQuota, cpuPeriod: c.resources.cpuPeriod, memoryLimitInBytes: c.resources.memoryLimitInBytes };
    return usageAfter(usageParameters(this.seed, c.id), this.runningNs(c, now), limits);
  }

  private containerStatsView(c: ContainerRecord, now: bigint): ContainerStatsView {
    const sample = this.containerSample(c, now);
    // Cgroup numbers exist while the process (or, for CREATED, the runtime's init) exists.
    const hasCgroup = c.state === CONTAINER_STATE.RUNNING || c.state === CONTAINER_STATE.CREATED;
    // containerd reports the snapshotter root (imageFSPaths); CRI-O the container's overlay mount.
    const mountpoint =
      this.persona === 'containerd'
        ? this.profile.imageFsMountpoint
        : `/var/lib/containers/storage/overlay/${c.imageHex.slice(0, 12)}${c.id.slice(0, 52)}/merged`;
    return Object.freeze({
      id: c.id,
      podSandboxId: c.podSandboxId,
      metadata: c.metadata,
      labels: c.labels,
      annotations: c.annotations,
      usage: hasCgroup ? this.cgroupUsage(c.id, sample, now) : null,
      writableLayer: { timestampNs: now, mountpoint, usedBytes: sample.writableLayerBytes, inodesUsed: sample.writableLayerInodes },
    });
  }

  private sandboxStatsView(sb: SandboxRecord, now: bigint): PodSandboxStatsView {
    const members = this.containersOf(sb.id);
    const containers = members
      .filter((c) => this.profile.listStatsIncludesExited || c.state !== CONTAINER_STATE.EXITED)
      .map((c) => this.containerStatsView(c, now));
    const ready = sb.state === SANDBOX_STATE.READY;
    const pause = usageAfter(usageParameters(this.seed, sb.id, true), ready ? now - sb.createdAtNs : 0n);
    let cpu = pause.usageCoreNanoSeconds;
    let workingSet = pause.workingSetBytes;
    let usage = pause.usageBytes;
    let rss = pause.rssBytes;
    let faults = pause.pageFaults;
    let majorFaults = pause.majorPageFaults;
    let processes = ready ? 1 : 0;
    for (const c of members) {
      const s = this.containerSample(c, now);
      // The pod cgroup keeps the CPU time of exited children; memory only of live ones.
      cpu += s.usageCoreNanoSeconds;
      if (c.state === CONTAINER_STATE.RUNNING) {
        workingSet += s.workingSetBytes;
        usage += s.usageBytes;
        rss += s.rssBytes;
        faults += s.pageFaults;
        majorFaults += s.majorPageFaults;
        processes += 1 + (parseInt(c.id.slice(0, 2), 16) % 3);
      }
    }
    const podLimit = sb.podResources?.memoryLimitInBytes ?? 0;
    const ageS = Number(now - sb.createdAtNs) / 1e9;
    const netRate = 200 + (parseInt(sb.id.slice(2, 6), 16) % 4000);
    const podSample: UsageSample = {
      usageCoreNanoSeconds: cpu,
      workingSetBytes: workingSet,
      usageBytes: usage,
      rssBytes: rss,
      pageFaults: faults,
      majorPageFaults: majorFaults,
      availableBytes: podLimit > 0 ? Math.max(0, podLimit - workingSet) : null,
      writableLayerBytes: 0,
      writableLayerInodes: 0,
    };
    return Object.freeze({
      id: sb.id,
      metadata: sb.metadata,
      labels: sb.labels,
      annotations: sb.annotations,
      usage: this.cgroupUsage(sb.id, podSample, now),
      // A host-network pod has no network namespace of its own, so no interface stats.
      network:
        sb.hostNetwork || !ready
          ? null
          : {
              timestampNs: now,
              interfaceName: 'eth0',
              rxBytes: Math.round(ageS * netRate * 1.7),
              txBytes: Math.round(ageS * netRate),
              rxErrors: 0,
              txErrors: 0,
            },
      processCount: processes,
      containers,
    });
  }

  private deleteContainerRecord(c: ContainerRecord): void {
    this.usageSamples.forget(c.id);
    this.containers.delete(c.id);
    this.containerIds.delete(c.id);
    this.containerNames.releaseById(c.id);
  }

  private allocateIp(): string {
    // host-local IPAM style: sequential from .0.2 in a /16 (x.y.0.1 is the bridge gateway).
    const size = 256 * 256;
    for (let i = 0; i < size; i++) {
      const n = (this.ipCursor + i) % size;
      if (n < 2 || n === size - 1) continue;
      const ip = `${this.profile.podSubnetPrefix}.${Math.floor(n / 256)}.${n % 256}`;
      if (this.ipsInUse.has(ip)) continue;
      this.ipsInUse.add(ip);
      this.ipCursor = n + 1;
      return ip;
    }
    throw new CriError(GRPC_STATUS.UNKNOWN, 'failed to allocate for range 0: no IP addresses available in range set');
  }

  private releaseIp(sb: SandboxRecord): void {
    if (!sb.networkTornDown) this.ipsInUse.delete(sb.ip);
  }

  private isMissingFromRegistry(normalized: string, annotations: StringMap | undefined): boolean {
    if (this.unpullable.has(normalized)) return true;
    const listed = annotations?.[MISSING_IMAGES_ANNOTATION];
    if (listed === undefined) return false;
    return listed
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .some((s) => {
        const p = parseImageReference(s);
        return p.ok && p.ref.normalized === normalized;
      });
  }

  private sandboxView(sb: SandboxRecord): PodSandboxView {
    const ipVisible = !(sb.networkTornDown && !this.profile.keepsIpAfterStop);
    return Object.freeze({
      id: sb.id,
      reservedName: sb.reservedName,
      metadata: sb.metadata,
      state: sb.state,
      createdAtNs: sb.createdAtNs,
      labels: sb.labels,
      annotations: sb.annotations,
      runtimeHandler: sb.runtimeHandler,
      hostNetwork: sb.hostNetwork,
      ip: ipVisible ? sb.ip : '',
      hostname: sb.hostname,
      logDirectory: sb.logDirectory,
      linux: sb.linux,
    });
  }

  private containerView(c: ContainerRecord): ContainerView {
    const imageId = this.profile.formatImageId(c.imageHex);
    let imageName: string;
    let imageRef: string;
    if (this.persona === 'containerd') {
      // container_status.go: names from the image if it is still present, else the config / id.
      const img = this.images.get(c.imageHex);
      imageName = img?.repoTags[0] ?? c.requestedImage;
      imageRef = img?.repoDigests[0] ?? imageId;
    } else {
      imageName = c.imageNameAtCreate;
      imageRef = c.imageRepoDigestAtCreate;
    }
    return Object.freeze({
      id: c.id,
      podSandboxId: c.podSandboxId,
      reservedName: c.reservedName,
      metadata: c.metadata,
      state: c.state,
      createdAtNs: c.createdAtNs,
      startedAtNs: c.startedAtNs,
      finishedAtNs: c.finishedAtNs,
      exitCode: c.exitCode,
      reason: c.reason,
      message: c.message,
      image: Object.freeze({
        image: imageName,
        annotations: c.imageAnnotations,
        userSpecifiedImage: c.userSpecifiedImage,
        runtimeHandler: c.imageRuntimeHandler,
      }),
      imageRef,
      imageId,
      listImage: this.persona === 'containerd' ? c.requestedImage : imageName,
      listImageRef: this.persona === 'containerd' ? imageId : imageRef,
      labels: c.labels,
      annotations: c.annotations,
      logPath: c.logPath,
      mounts: c.mounts,
      behaviour: c.behaviour,
      resources: c.resources,
    });
  }
}
