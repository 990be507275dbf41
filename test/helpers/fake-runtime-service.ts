// An in-memory CRI runtime for kubelet-sim unit tests: it implements the kubelet's RuntimeService and
// ImageService contracts with the semantics containerd's CRI plugin gives them (idempotent Stop/Remove,
// NotFound from the *Status RPCs, StopPodSandbox stopping the sandbox's containers), records every call in
// order, and lets a test inject gRPC errors and make containers exit. Nothing here sleeps: timestamps come
// from the injected Clock (a FakeClock by default), as CRI nanosecond strings.
import { createHash } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { GRPC_STATUS } from '../../cri-proto/src/grpc-status';
import type {
  Container__Output,
  ContainerConfig,
  ContainerFilter,
  ContainerStats__Output,
  ContainerStatsFilter,
  ContainerState__Output,
  ContainerStatus__Output,
  ContainerStatusResponse__Output,
  FilesystemUsage__Output,
  Image__Output,
  ImageSpec,
  ImageStatusResponse__Output,
  Mount__Output,
  NamespaceMode__Output,
  PodSandbox__Output,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStats__Output,
  PodSandboxStatsFilter,
  PodSandboxState__Output,
  PodSandboxStatus__Output,
  PodSandboxStatusResponse__Output,
  RuntimeConfigResponse__Output,
  StatusResponse__Output,
  VersionResponse__Output,
} from '../../cri-proto/src/types';
import type { ImageService, RuntimeService } from '../../kubelet-sim/src/cri/runtime-service';
import { CriCallError } from '../../kubelet-sim/src/cri/runtime-service';
import type { Clock } from '../../kubelet-sim/src/util/clock';
import { FakeClock } from '../../kubelet-sim/src/util/clock';

/** gRPC status codes (grpc/codes) for injecting errors: the project's one code map (cri-proto/src/grpc-status.ts). */
export const GRPC_CODE = GRPC_STATUS;

/** The CRI RPC names, as RemoteRuntimeService passes them to CriCallError and as the call log spells them. */
export type CriMethod =
  | 'Version' | 'Status' | 'RunPodSandbox' | 'StopPodSandbox' | 'RemovePodSandbox' | 'PodSandboxStatus' | 'ListPodSandbox'
  | 'CreateContainer' | 'StartContainer' | 'StopContainer' | 'RemoveContainer' | 'ListContainers' | 'ContainerStatus'
  | 'ReopenContainerLog' | 'ListContainerStats' | 'ListPodSandboxStats' | 'RuntimeConfig'
  | 'ListImages' | 'ImageStatus' | 'PullImage' | 'RemoveImage' | 'ImageFsInfo';

export interface RecordedCall {
  method: CriMethod;
  /** The arguments exactly as the caller passed them (not copied). */
  args: unknown[];
  /** The error the call answered with, when it failed. */
  error?: CriCallError;
  /** Name of the span active when the call was made (undefined: none, the call would be a root CLIENT span). */
  activeSpanName: string | undefined;
}

export interface InjectedError {
  code: number;
  message: string;
}

export interface FakeRuntimeOptions {
  clock?: Clock;
  runtimeName?: string;
  runtimeVersion?: string;
  /** Exit code a container gets when StopContainer (or StopPodSandbox) stops it; 137 as after SIGKILL. */
  stopExitCode?: number;
  /** Bytes used on the image filesystem besides the images themselves (writable layers, logs). */
  imageFsBaseUsedBytes?: number;
  /** Size of an image PullImage fetches when the test did not register it with `addPullableImage`. */
  defaultPullSize?: number;
  /** The cgroup driver RuntimeConfig reports (containerd and CRI-O answer from their runc/cgroup settings). */
  cgroupDriver?: 'SYSTEMD' | 'CGROUPFS';
  /** Called with the log path when ReopenContainerLog succeeds (a test plays the runtime's new, empty file). */
  onReopenContainerLog?: (logPath: string) => void;
}

interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  runtimeHandler: string;
  state: PodSandboxState__Output;
  createdAtNs: bigint;
  ip: string;
  network: NamespaceMode__Output;
}

interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  sandboxConfig: PodSandboxConfig;
  imageId: string;
  state: ContainerState__Output;
  createdAtNs: bigint;
  startedAtNs: bigint;
  finishedAtNs: bigint;
  exitCode: number;
  reason: string;
  message: string;
}

interface ImageRecord {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  pinned: boolean;
}

const NS_PER_MS = 1_000_000n;
const NAMESPACE_MODES: readonly NamespaceMode__Output[] = ['POD', 'CONTAINER', 'NODE', 'TARGET'];
const CONTAINER_STATES: readonly ContainerState__Output[] = ['CONTAINER_CREATED', 'CONTAINER_RUNNING', 'CONTAINER_EXITED', 'CONTAINER_UNKNOWN'];
const SANDBOX_STATES: readonly PodSandboxState__Output[] = ['SANDBOX_READY', 'SANDBOX_NOTREADY'];

export class FakeRuntimeService implements RuntimeService, ImageService {
  readonly clock: Clock;
  /** Every call, in the order it was made. */
  readonly calls: RecordedCall[] = [];

  private readonly sandboxRecords = new Map<string, SandboxRecord>();
  private readonly containerRecords = new Map<string, ContainerRecord>();
  private readonly imageRecords = new Map<string, ImageRecord>();
  private readonly pullable = new Map<string, { size: number; id?: string }>();
  private readonly failures = new Map<CriMethod, Array<InjectedError & { always: boolean }>>();
  private readonly opts: Required<Omit<FakeRuntimeOptions, 'clock' | 'onReopenContainerLog'>>;
  private readonly onReopenContainerLog: ((logPath: string) => void) | undefined;
  private seq = 0;
  private lastNs = 0n;
  private nextIp = 2;

  constructor(options: FakeRuntimeOptions = {}) {
    this.clock = options.clock ?? new FakeClock();
    this.opts = {
      runtimeName: options.runtimeName ?? 'fake-runtime',
      runtimeVersion: options.runtimeVersion ?? '1.0.0',
      stopExitCode: options.stopExitCode ?? 137,
      imageFsBaseUsedBytes: options.imageFsBaseUsedBytes ?? 0,
      defaultPullSize: options.defaultPullSize ?? 1_000_000,
      cgroupDriver: options.cgroupDriver ?? 'SYSTEMD',
    };
    this.onReopenContainerLog = options.onReopenContainerLog;
  }

  // ---- test controls ---------------------------------------------------------------------------------

  /** The method names of the recorded calls, in order. */
  callNames(): CriMethod[] {
    return this.calls.map((c) => c.method);
  }

  /** The recorded calls of one method, in order. */
  callsOf(method: CriMethod): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** The next call of `method` fails with this gRPC code; later calls succeed again. Queued injections apply in order. */
  failNext(method: CriMethod, code: number = GRPC_CODE.UNKNOWN, message = `injected ${method} failure`): void {
    this.queueFailure(method, { code, message, always: false });
  }

  /** Every call of `method` fails with this gRPC code until `clearFailures`. */
  failAlways(method: CriMethod, code: number = GRPC_CODE.UNKNOWN, message = `injected ${method} failure`): void {
    this.queueFailure(method, { code, message, always: true });
  }

  clearFailures(method?: CriMethod): void {
    if (method === undefined) this.failures.clear();
    else this.failures.delete(method);
  }

  /** A running container's process ends with `exitCode` (reason Completed for 0, Error otherwise, as containerd). */
  exitContainer(id: string, exitCode: number, reason?: string, message = ''): void {
    const c = this.containerRecords.get(id);
    if (c === undefined) throw new Error(`FakeRuntimeService.exitContainer: no container ${id}`);
    if (c.state !== 'CONTAINER_RUNNING') throw new Error(`FakeRuntimeService.exitContainer: container ${id} is ${c.state}, not running`);
    c.state = 'CONTAINER_EXITED';
    c.finishedAtNs = this.nowNs();
    c.exitCode = exitCode;
    c.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.message = message;
  }

  /** The sandbox dies outside the kubelet's control (its network goes away): SANDBOX_NOTREADY, containers untouched. */
  makeSandboxNotReady(id: string): void {
    const s = this.sandboxRecords.get(id);
    if (s === undefined) throw new Error(`FakeRuntimeService.makeSandboxNotReady: no sandbox ${id}`);
    s.state = 'SANDBOX_NOTREADY';
  }

  /** Puts an image in the store, as if pulled earlier; returns its id (`sha256:` + 64 hex). */
  addImage(ref: string, options: { size?: number; pinned?: boolean; id?: string } = {}): string {
    const id = options.id ?? imageIdFor(ref);
    const existing = this.imageRecords.get(id);
    if (existing) {
      if (!existing.repoTags.includes(ref) && !ref.startsWith('sha256:')) existing.repoTags.push(ref);
      if (options.size !== undefined) existing.size = options.size;
      if (options.pinned !== undefined) existing.pinned = options.pinned;
      return id;
    }
    this.imageRecords.set(id, { id, repoTags: ref.startsWith('sha256:') ? [] : [ref], repoDigests: [`${repoOf(ref)}@sha256:${hex64(`digest:${ref}`)}`], size: options.size ?? this.opts.defaultPullSize, pinned: options.pinned ?? false });
    return id;
  }

  /** What PullImage will fetch for `ref` (size, and optionally the id); by default every ref pulls with `defaultPullSize`. */
  addPullableImage(ref: string, options: { size: number; id?: string }): void {
    this.pullable.set(ref, options);
  }

  /** Bytes the image filesystem uses besides the images (writable layers, logs); ImageFsInfo adds the image sizes. */
  setImageFsBaseUsedBytes(bytes: number): void {
    this.opts.imageFsBaseUsedBytes = bytes;
  }

  /** Read-only views of the model, for assertions. */
  sandboxes(): PodSandbox__Output[] {
    return [...this.sandboxRecords.values()].map((s) => this.toPodSandbox(s));
  }

  containers(): Container__Output[] {
    return [...this.containerRecords.values()].map((c) => this.toContainer(c));
  }

  images(): Image__Output[] {
    return [...this.imageRecords.values()].map((i) => toImage(i));
  }

  /** The id of the image a ref, tag, digest or id names, or undefined when it is not in the store. */
  resolveImage(ref: string): string | undefined {
    return this.findImage(ref)?.id;
  }

  // ---- RuntimeService --------------------------------------------------------------------------------

  async version(apiVersion?: string): Promise<VersionResponse__Output> {
    this.enter('Version', [apiVersion]);
    return { version: '0.1.0', runtime_name: this.opts.runtimeName, runtime_version: this.opts.runtimeVersion, runtime_api_version: 'v1' };
  }

  async status(verbose: boolean): Promise<StatusResponse__Output> {
    this.enter('Status', [verbose]);
    return {
      status: {
        conditions: [
          { type: 'RuntimeReady', status: true, reason: '', message: '' },
          { type: 'NetworkReady', status: true, reason: '', message: '' },
        ],
      },
      info: {},
      runtime_handlers: [{ name: '', features: { recursive_read_only_mounts: false, user_namespaces: false } }],
      features: { supplemental_groups_policy: false, user_namespaces_host_network: false, mount_options: false },
    };
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler: string): Promise<string> {
    this.enter('RunPodSandbox', [config, runtimeHandler]);
    const network = namespaceMode(config.linux?.security_context?.namespace_options?.network);
    const id = this.newId('sandbox');
    this.sandboxRecords.set(id, {
      id,
      config,
      runtimeHandler,
      state: 'SANDBOX_READY',
      createdAtNs: this.nowNs(),
      ip: network === 'NODE' ? '' : `10.88.0.${this.nextIp++}`,
      network,
    });
    return id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    this.enter('StopPodSandbox', [podSandboxId]);
    const s = this.sandboxRecords.get(podSandboxId);
    if (s === undefined) return; // idempotent (CRI api.proto StopPodSandbox)
    for (const c of this.containerRecords.values()) if (c.sandboxId === podSandboxId) this.stop(c);
    s.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    this.enter('RemovePodSandbox', [podSandboxId]);
    if (!this.sandboxRecords.has(podSandboxId)) return; // idempotent
    for (const [id, c] of this.containerRecords) if (c.sandboxId === podSandboxId) this.containerRecords.delete(id);
    this.sandboxRecords.delete(podSandboxId);
  }

  async podSandboxStatus(podSandboxId: string, verbose: boolean): Promise<PodSandboxStatusResponse__Output> {
    this.enter('PodSandboxStatus', [podSandboxId, verbose]);
    const s = this.sandboxRecords.get(podSandboxId);
    if (s === undefined) throw this.error('PodSandboxStatus', GRPC_CODE.NOT_FOUND, `an error occurred when try to find sandbox: not found`);
    const status: PodSandboxStatus__Output = {
      id: s.id,
      metadata: sandboxMetadata(s.config),
      state: s.state,
      created_at: String(s.createdAtNs),
      network: { ip: s.ip, additional_ips: [] },
      linux: { namespaces: { options: { network: s.network, pid: 'CONTAINER', ipc: 'POD', target_id: '', userns_options: null } } },
      labels: { ...(s.config.labels ?? {}) },
      annotations: { ...(s.config.annotations ?? {}) },
      runtime_handler: s.runtimeHandler,
    };
    return { status, info: {}, containers_statuses: [], timestamp: String(this.nowNs()) };
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox__Output[]> {
    this.enter('ListPodSandbox', filter === undefined ? [] : [filter]);
    return [...this.sandboxRecords.values()]
      .filter((s) => {
        if (!filter) return true;
        if (filter.id && s.id !== filter.id) return false;
        if (filter.state && s.state !== SANDBOX_STATES[enumIndex(filter.state.state, SANDBOX_STATES)]) return false;
        return labelsMatch(s.config.labels ?? {}, filter.label_selector);
      })
      .map((s) => this.toPodSandbox(s));
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    this.enter('CreateContainer', [podSandboxId, config, sandboxConfig]);
    const sandbox = this.sandboxRecords.get(podSandboxId);
    if (sandbox === undefined) throw this.error('CreateContainer', GRPC_CODE.NOT_FOUND, `failed to find sandbox id ${JSON.stringify(podSandboxId)}: not found`);
    if (sandbox.state !== 'SANDBOX_READY') throw this.error('CreateContainer', GRPC_CODE.UNKNOWN, `failed to create containerd container: sandbox ${podSandboxId} is not ready`);
    const imageRef = config.image?.image ?? '';
    const image = this.findImage(imageRef);
    if (image === undefined) throw this.error('CreateContainer', GRPC_CODE.NOT_FOUND, `failed to get image ${JSON.stringify(imageRef)}: not found`);
    const name = config.metadata?.name ?? '';
    const attempt = config.metadata?.attempt ?? 0;
    const clash = [...this.containerRecords.values()].find((c) => c.sandboxId === podSandboxId && c.config.metadata?.name === name && (c.config.metadata?.attempt ?? 0) === attempt);
    if (clash) {
      const md = sandboxMetadata(sandbox.config);
      throw this.error('CreateContainer', GRPC_CODE.UNKNOWN, `failed to reserve container name "${name}_${md.name}_${md.namespace}_${md.uid}_${attempt}": name is reserved for "${clash.id}"`);
    }
    const id = this.newId('container');
    this.containerRecords.set(id, { id, sandboxId: podSandboxId, config, sandboxConfig, imageId: image.id, state: 'CONTAINER_CREATED', createdAtNs: this.nowNs(), startedAtNs: 0n, finishedAtNs: 0n, exitCode: 0, reason: '', message: '' });
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    this.enter('StartContainer', [containerId]);
    const c = this.containerRecords.get(containerId);
    if (c === undefined) throw this.error('StartContainer', GRPC_CODE.NOT_FOUND, `an error occurred when try to find container ${JSON.stringify(containerId)}: not found`);
    if (c.state !== 'CONTAINER_CREATED') throw this.error('StartContainer', GRPC_CODE.UNKNOWN, `container is in ${c.state} state`);
    c.state = 'CONTAINER_RUNNING';
    c.startedAtNs = this.nowNs();
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    this.enter('StopContainer', [containerId, timeoutSeconds]);
    const c = this.containerRecords.get(containerId);
    if (c === undefined) throw this.error('StopContainer', GRPC_CODE.NOT_FOUND, `an error occurred when try to find container ${JSON.stringify(containerId)}: not found`);
    this.stop(c); // a container that is not running is left as it is (idempotent)
  }

  async removeContainer(containerId: string): Promise<void> {
    this.enter('RemoveContainer', [containerId]);
    this.containerRecords.delete(containerId); // idempotent; a running container is removed by force
  }

  async listContainers(filter?: ContainerFilter): Promise<Container__Output[]> {
    this.enter('ListContainers', filter === undefined ? [] : [filter]);
    return [...this.containerRecords.values()]
      .filter((c) => {
        if (!filter) return true;
        if (filter.id && c.id !== filter.id) return false;
        if (filter.pod_sandbox_id && c.sandboxId !== filter.pod_sandbox_id) return false;
        if (filter.state && c.state !== CONTAINER_STATES[enumIndex(filter.state.state, CONTAINER_STATES)]) return false;
        return labelsMatch(c.config.labels ?? {}, filter.label_selector);
      })
      .map((c) => this.toContainer(c));
  }

  async containerStatus(containerId: string, verbose: boolean): Promise<ContainerStatusResponse__Output> {
    this.enter('ContainerStatus', [containerId, verbose]);
    const c = this.containerRecords.get(containerId);
    if (c === undefined) throw this.error('ContainerStatus', GRPC_CODE.NOT_FOUND, `an error occurred when try to find container ${JSON.stringify(containerId)}: not found`);
    const status: ContainerStatus__Output = {
      id: c.id,
      metadata: { name: c.config.metadata?.name ?? '', attempt: c.config.metadata?.attempt ?? 0 },
      state: c.state,
      created_at: String(c.createdAtNs),
      started_at: String(c.startedAtNs),
      finished_at: String(c.finishedAtNs),
      exit_code: c.exitCode,
      image: this.imageSpecOf(c),
      image_ref: c.imageId,
      reason: c.reason,
      message: c.message,
      labels: { ...(c.config.labels ?? {}) },
      annotations: { ...(c.config.annotations ?? {}) },
      mounts: (c.config.mounts ?? []).map((m): Mount__Output => ({
        container_path: m.container_path ?? '',
        host_path: m.host_path ?? '',
        readonly: m.readonly ?? false,
        selinux_relabel: m.selinux_relabel ?? false,
        propagation: 'PROPAGATION_PRIVATE',
        uidMappings: [],
        gidMappings: [],
        recursive_read_only: false,
        image: null,
        image_sub_path: '',
        mount_options: [],
      })),
      log_path: this.logPathOf(c),
      resources: null,
      image_id: c.imageId,
      user: null,
      stop_signal: 'SIGNAL_RUNTIME_DEFAULT',
    };
    return { status, info: {} };
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    this.enter('ReopenContainerLog', [containerId]);
    const c = this.containerRecords.get(containerId);
    if (c === undefined) throw this.error('ReopenContainerLog', GRPC_CODE.NOT_FOUND, `an error occurred when try to find container ${JSON.stringify(containerId)}: not found`);
    // containerd container_log_reopen.go: only a running container has a log to reopen.
    if (c.state !== 'CONTAINER_RUNNING') throw this.error('ReopenContainerLog', GRPC_CODE.UNKNOWN, 'container is not running');
    this.onReopenContainerLog?.(this.logPathOf(c));
  }

  async listContainerStats(filter?: ContainerStatsFilter): Promise<ContainerStats__Output[]> {
    this.enter('ListContainerStats', filter === undefined ? [] : [filter]);
    return [...this.containerRecords.values()]
      .filter((c) => c.state === 'CONTAINER_RUNNING')
      .filter((c) => !filter?.id || c.id === filter.id)
      .filter((c) => !filter?.pod_sandbox_id || c.sandboxId === filter.pod_sandbox_id)
      .filter((c) => labelsMatch(c.config.labels ?? {}, filter?.label_selector))
      .map((c) => {
        const timestamp = String(this.nowNs());
        return {
          attributes: { id: c.id, metadata: { name: c.config.metadata?.name ?? '', attempt: c.config.metadata?.attempt ?? 0 }, labels: { ...(c.config.labels ?? {}) }, annotations: { ...(c.config.annotations ?? {}) } },
          cpu: { timestamp, usage_core_nano_seconds: { value: '1000000' }, usage_nano_cores: null, psi: null },
          memory: { timestamp, working_set_bytes: { value: '4096' }, available_bytes: null, usage_bytes: null, rss_bytes: null, page_faults: null, major_page_faults: null, psi: null },
          writable_layer: null,
          swap: null,
          io: null,
        };
      });
  }

  async listPodSandboxStats(filter?: PodSandboxStatsFilter): Promise<PodSandboxStats__Output[]> {
    this.enter('ListPodSandboxStats', filter === undefined ? [] : [filter]);
    return [...this.sandboxRecords.values()]
      .filter((s) => s.state === 'SANDBOX_READY')
      .filter((s) => !filter?.id || s.id === filter.id)
      .filter((s) => labelsMatch(s.config.labels ?? {}, filter?.label_selector))
      .map((s) => ({ attributes: { id: s.id, metadata: sandboxMetadata(s.config), labels: { ...(s.config.labels ?? {}) }, annotations: { ...(s.config.annotations ?? {}) } }, linux: null, windows: null }));
  }

  async runtimeConfig(): Promise<RuntimeConfigResponse__Output> {
    this.enter('RuntimeConfig', []);
    return { linux: { cgroup_driver: this.opts.cgroupDriver } };
  }

  // ---- ImageService ----------------------------------------------------------------------------------

  async listImages(): Promise<Image__Output[]> {
    this.enter('ListImages', []);
    return this.images();
  }

  async imageStatus(image: ImageSpec, verbose: boolean): Promise<ImageStatusResponse__Output> {
    this.enter('ImageStatus', [image, verbose]);
    const found = this.findImage(image.image ?? '');
    return { image: found ? toImage(found) : null, info: {} };
  }

  async pullImage(image: ImageSpec, sandboxConfig: PodSandboxConfig): Promise<string> {
    this.enter('PullImage', [image, sandboxConfig]);
    const ref = image.image ?? '';
    if (ref === '') throw this.error('PullImage', GRPC_CODE.INVALID_ARGUMENT, 'image ref is empty');
    const source = this.pullable.get(ref);
    return this.addImage(ref, { size: source?.size ?? this.findImage(ref)?.size ?? this.opts.defaultPullSize, id: source?.id });
  }

  async removeImage(image: ImageSpec): Promise<void> {
    this.enter('RemoveImage', [image]);
    const found = this.findImage(image.image ?? '');
    if (found) this.imageRecords.delete(found.id); // idempotent when absent
  }

  async imageFsInfo(): Promise<{ imageFilesystems: FilesystemUsage__Output[]; containerFilesystems: FilesystemUsage__Output[] }> {
    this.enter('ImageFsInfo', []);
    const used = [...this.imageRecords.values()].reduce((sum, i) => sum + i.size, this.opts.imageFsBaseUsedBytes);
    const usage = (mountpoint: string, bytes: number): FilesystemUsage__Output => ({
      timestamp: String(this.nowNs()),
      fs_id: { mountpoint },
      used_bytes: { value: String(bytes) },
      inodes_used: { value: String(this.imageRecords.size) },
    });
    return {
      imageFilesystems: [usage('/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs', used)],
      containerFilesystems: [usage('/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs', used)],
    };
  }

  // ---- internals -------------------------------------------------------------------------------------

  private queueFailure(method: CriMethod, failure: InjectedError & { always: boolean }): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), failure]);
  }

  /** Records the call, then throws an injected error when one is due. */
  private enter(method: CriMethod, args: unknown[]): void {
    const active = trace.getActiveSpan() as unknown as { name?: string } | undefined;
    const call: RecordedCall = { method, args, activeSpanName: active?.name };
    this.calls.push(call);
    const queue = this.failures.get(method);
    if (queue === undefined || queue.length === 0) return;
    const failure = queue[0];
    if (!failure.always) queue.shift();
    call.error = new CriCallError(method, failure.code, failure.message);
    throw call.error;
  }

  private error(method: CriMethod, code: number, details: string): CriCallError {
    const err = new CriCallError(method, code, details);
    const last = this.calls[this.calls.length - 1];
    if (last !== undefined && last.method === method) last.error = err;
    return err;
  }

  /** Nanoseconds since the epoch from the clock, strictly increasing so same-millisecond objects still order. */
  private nowNs(): bigint {
    const ns = BigInt(Math.floor(this.clock.nowMs())) * NS_PER_MS;
    this.lastNs = ns > this.lastNs ? ns : this.lastNs + 1n;
    return this.lastNs;
  }

  private newId(kind: string): string {
    return hex64(`${kind}:${++this.seq}`);
  }

  private stop(c: ContainerRecord): void {
    if (c.state !== 'CONTAINER_RUNNING' && c.state !== 'CONTAINER_CREATED' && c.state !== 'CONTAINER_UNKNOWN') return;
    const wasRunning = c.state === 'CONTAINER_RUNNING';
    c.state = 'CONTAINER_EXITED';
    c.finishedAtNs = this.nowNs();
    if (wasRunning) {
      c.exitCode = this.opts.stopExitCode;
      c.reason = this.opts.stopExitCode === 0 ? 'Completed' : 'Error';
    }
  }

  /** The absolute log path, as containerd reports it: the sandbox's log directory joined with the container's log_path. */
  private logPathOf(c: ContainerRecord): string {
    const logDir = c.sandboxConfig.log_directory ?? '';
    return logDir === '' ? (c.config.log_path ?? '') : `${logDir}/${c.config.log_path ?? ''}`;
  }

  private findImage(ref: string): ImageRecord | undefined {
    if (ref === '') return undefined;
    const byId = this.imageRecords.get(ref) ?? this.imageRecords.get(`sha256:${ref}`);
    if (byId) return byId;
    const withTag = ref.includes('@') || lastSegment(ref).includes(':') ? ref : `${ref}:latest`;
    for (const image of this.imageRecords.values()) {
      if (image.repoTags.includes(withTag) || image.repoTags.includes(ref) || image.repoDigests.includes(ref)) return image;
    }
    return undefined;
  }

  private imageSpecOf(c: ContainerRecord): ContainerStatus__Output['image'] {
    return {
      image: c.config.image?.user_specified_image || c.config.image?.image || '',
      annotations: { ...(c.config.image?.annotations ?? {}) },
      user_specified_image: c.config.image?.user_specified_image ?? '',
      runtime_handler: '',
      image_ref: '',
    };
  }

  private toPodSandbox(s: SandboxRecord): PodSandbox__Output {
    return {
      id: s.id,
      metadata: sandboxMetadata(s.config),
      state: s.state,
      created_at: String(s.createdAtNs),
      labels: { ...(s.config.labels ?? {}) },
      annotations: { ...(s.config.annotations ?? {}) },
      runtime_handler: s.runtimeHandler,
    };
  }

  private toContainer(c: ContainerRecord): Container__Output {
    return {
      id: c.id,
      pod_sandbox_id: c.sandboxId,
      metadata: { name: c.config.metadata?.name ?? '', attempt: c.config.metadata?.attempt ?? 0 },
      image: this.imageSpecOf(c),
      image_ref: c.imageId,
      state: c.state,
      created_at: String(c.createdAtNs),
      labels: { ...(c.config.labels ?? {}) },
      annotations: { ...(c.config.annotations ?? {}) },
      image_id: c.imageId,
    };
  }
}

/** A deterministic 64-hex-digit id, as containerd's ids look. */
export function hex64(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** The image id the fake gives a reference by default: `sha256:` + 64 hex. */
export function imageIdFor(ref: string): string {
  return `sha256:${hex64(`image:${ref}`)}`;
}

function toImage(i: ImageRecord): Image__Output {
  return { id: i.id, repo_tags: [...i.repoTags], repo_digests: [...i.repoDigests], size: String(i.size), uid: null, username: '', spec: null, pinned: i.pinned };
}

function sandboxMetadata(config: PodSandboxConfig): { name: string; uid: string; namespace: string; attempt: number } {
  return { name: config.metadata?.name ?? '', uid: config.metadata?.uid ?? '', namespace: config.metadata?.namespace ?? '', attempt: config.metadata?.attempt ?? 0 };
}

function namespaceMode(mode: unknown): NamespaceMode__Output {
  if (typeof mode === 'number') return NAMESPACE_MODES[mode] ?? 'POD';
  return NAMESPACE_MODES.includes(mode as NamespaceMode__Output) ? (mode as NamespaceMode__Output) : 'POD';
}

function enumIndex<T extends string>(value: unknown, names: readonly T[]): number {
  return typeof value === 'number' ? value : names.indexOf(value as T);
}

function labelsMatch(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

function lastSegment(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function repoOf(ref: string): string {
  if (ref.includes('@')) return ref.slice(0, ref.indexOf('@'));
  const last = lastSegment(ref);
  return last.includes(':') ? ref.slice(0, ref.length - last.length + last.indexOf(':')) : ref;
}
