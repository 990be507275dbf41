import type * as grpc from '@grpc/grpc-js';
import { createImageServiceClient, createRuntimeServiceClient, loadCriPackageDefinition } from '../../../cri-proto/src/load-cri';
import { createMessageEventsInterceptor } from '../../../cri-proto/src/tracing/message-events-interceptor';
import type { ResponseSerializers } from '../../../cri-proto/src/tracing/message-events-interceptor';
import type {
  ContainerConfig,
  ContainerFilter,
  ContainerStatsFilter,
  ImageSpec,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatsFilter,
} from '../../../cri-proto/src/types';
import { processLoopTurns, type TurnGate } from '../../../cri-proto/src/transport/loop-turns';
import { CRI_DIAL_BACKOFF } from './dial-backoff';
import type { ImageService, RuntimeService, StreamFlags, StreamingRuntimeService } from './runtime-service';
import { CriCallError } from './runtime-service';

export interface RemoteRuntimeOptions {
  /** `unix:///run/containerd/containerd.sock` (KubeletConfiguration containerRuntimeEndpoint). */
  endpoint: string;
  /** Image service endpoint; defaults to `endpoint` (imageServiceEndpoint). */
  imageEndpoint?: string;
  /** Deadline of every call but PullImage (runtimeRequestTimeout, default 2m). */
  timeoutMs: number;
  /** Record otelgrpc `message` events on client spans, as cri-client does when tracing is on. */
  messageEvents: boolean;
  /**
   * Answers that arrive together are handed to their callers on separate event-loop turns, so the work one
   * caller does next does not hold up the others' answers (../../../cri-proto/src/transport/loop-turns.ts).
   * The CLIENT span has ended by then. Default: the process's turns.
   */
  turns?: TurnGate;
}

/**
 * The kubelet's CRI client (k8s.io/cri-client pkg/remote_runtime.go, remote_image.go) over @grpc/grpc-js.
 * Every call carries a deadline of runtimeRequestTimeout (RunPodSandbox: twice that; StopContainer: plus its grace timeout; PullImage:
 * none, as upstream). Tracing comes from the gRPC instrumentation registered before this module loads
 * grpc-js; the active span when a method is called becomes the parent of its CLIENT span.
 * Requests carry what cri-client's Go structs put on the wire: protobuf-go leaves proto3 defaults out
 * (`verbose: false`, an empty version), while protobufjs writes any field that is set, so defaults are not
 * set here; a nil filter is absent and an empty one (`&ContainerFilter{}`) is present, as in Go.
 */
export class RemoteRuntimeService implements RuntimeService, ImageService, StreamingRuntimeService {
  private readonly runtime: grpc.Client & Record<string, UnaryMethod>;
  private readonly image: grpc.Client & Record<string, UnaryMethod>;
  private readonly turns: TurnGate;

  constructor(private readonly options: RemoteRuntimeOptions) {
    this.turns = options.turns ?? processLoopTurns;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const grpcJs = require('@grpc/grpc-js') as typeof grpc;
    const interceptors = options.messageEvents ? [createMessageEventsInterceptor(grpcJs, criResponseSerializers())] : [];
    // cri-client dials with authority "localhost" (grpc.WithAuthority), a 16 MiB message limit and the
    // kubelet's connect back-off (remote_runtime.go: base 100 ms, multiplier 1.6, jitter 0.2, max 3 s;
    // grpc-js's multiplier and jitter are the same by default; its 20 s connect timeout stands in for the
    // 5 s minimum, which a unix socket never nears).
    const channelOptions: grpc.ClientOptions = {
      'grpc.default_authority': 'localhost',
      'grpc.initial_reconnect_backoff_ms': CRI_DIAL_BACKOFF.BASE_DELAY_MS,
      'grpc.max_reconnect_backoff_ms': CRI_DIAL_BACKOFF.MAX_DELAY_MS,
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
      interceptors,
    };
    this.runtime = createRuntimeServiceClient(options.endpoint, { grpc: grpcJs, channelOptions }) as unknown as grpc.Client & Record<string, UnaryMethod>;
    this.image = createImageServiceClient(options.imageEndpoint ?? options.endpoint, { grpc: grpcJs, channelOptions }) as unknown as grpc.Client & Record<string, UnaryMethod>;
  }

  close(): void {
    this.runtime.close();
    this.image.close();
  }

  async version(apiVersion?: string) {
    // cri-client's connection check sends VersionRequest{} (remote_runtime.go validateServiceConnection).
    return this.call(this.runtime, 'Version', apiVersion === undefined ? {} : { version: apiVersion });
  }
  async status(verbose: boolean) {
    return this.call(this.runtime, 'Status', verbose ? { verbose } : {});
  }
  async runPodSandbox(config: PodSandboxConfig, runtimeHandler: string) {
    // Twice runtimeRequestTimeout for sandbox creation (cri-client remote_runtime.go RunPodSandbox: 4 min by default).
    return (await this.call(this.runtime, 'RunPodSandbox', { config, runtime_handler: runtimeHandler }, this.options.timeoutMs * 2)).pod_sandbox_id as string;
  }
  async stopPodSandbox(podSandboxId: string) {
    await this.call(this.runtime, 'StopPodSandbox', { pod_sandbox_id: podSandboxId });
  }
  async removePodSandbox(podSandboxId: string) {
    await this.call(this.runtime, 'RemovePodSandbox', { pod_sandbox_id: podSandboxId });
  }
  async podSandboxStatus(podSandboxId: string, verbose: boolean) {
    return this.call(this.runtime, 'PodSandboxStatus', verbose ? { pod_sandbox_id: podSandboxId, verbose } : { pod_sandbox_id: podSandboxId });
  }
  async listPodSandbox(filter?: PodSandboxFilter) {
    return (await this.call(this.runtime, 'ListPodSandbox', { filter: withoutZeroState(filter, 'SANDBOX_READY') })).items;
  }
  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig) {
    return (await this.call(this.runtime, 'CreateContainer', { pod_sandbox_id: podSandboxId, config, sandbox_config: sandboxConfig })).container_id as string;
  }
  async startContainer(containerId: string) {
    await this.call(this.runtime, 'StartContainer', { container_id: containerId });
  }
  async stopContainer(containerId: string, timeoutSeconds: number) {
    await this.call(this.runtime, 'StopContainer', { container_id: containerId, timeout: timeoutSeconds }, this.options.timeoutMs + timeoutSeconds * 1000);
  }
  async removeContainer(containerId: string) {
    await this.call(this.runtime, 'RemoveContainer', { container_id: containerId });
  }
  async listContainers(filter?: ContainerFilter) {
    return (await this.call(this.runtime, 'ListContainers', { filter: withoutZeroState(filter, 'CONTAINER_CREATED') })).containers;
  }
  async containerStatus(containerId: string, verbose: boolean) {
    return this.call(this.runtime, 'ContainerStatus', verbose ? { container_id: containerId, verbose } : { container_id: containerId });
  }
  async reopenContainerLog(containerId: string) {
    await this.call(this.runtime, 'ReopenContainerLog', { container_id: containerId });
  }
  async listContainerStats(filter?: ContainerStatsFilter) {
    return (await this.call(this.runtime, 'ListContainerStats', { filter })).stats;
  }
  async listPodSandboxStats(filter?: PodSandboxStatsFilter) {
    return (await this.call(this.runtime, 'ListPodSandboxStats', { filter })).stats;
  }
  async runtimeConfig() {
    return this.call(this.runtime, 'RuntimeConfig', {});
  }
  /**
   * ExecSync (remote_runtime.go): with a timeout the deadline is runtimeRequestTimeout plus it, so the
   * runtime has time to clean up; without one the call has no deadline.
   */
  async execSync(containerId: string, cmd: readonly string[], timeoutSeconds: number) {
    const request = timeoutSeconds !== 0 ? { container_id: containerId, cmd: [...cmd], timeout: timeoutSeconds } : { container_id: containerId, cmd: [...cmd] };
    const res = await this.call(this.runtime, 'ExecSync', request, timeoutSeconds !== 0 ? this.options.timeoutMs + timeoutSeconds * 1000 : null);
    return { stdout: Buffer.from(res.stdout ?? []), stderr: Buffer.from(res.stderr ?? []), exitCode: Number(res.exit_code ?? 0) };
  }
  async exec(containerId: string, cmd: readonly string[], flags: StreamFlags) {
    return (await this.call(this.runtime, 'Exec', { container_id: containerId, cmd: [...cmd], ...setFlags(flags) })).url as string;
  }
  async attach(containerId: string, flags: StreamFlags) {
    return (await this.call(this.runtime, 'Attach', { container_id: containerId, ...setFlags(flags) })).url as string;
  }
  async portForward(podSandboxId: string, ports: readonly number[]) {
    return (await this.call(this.runtime, 'PortForward', { pod_sandbox_id: podSandboxId, port: [...ports] })).url as string;
  }
  async listImages() {
    return (await this.call(this.image, 'ListImages', {})).images;
  }
  async imageStatus(image: ImageSpec, verbose: boolean) {
    return this.call(this.image, 'ImageStatus', verbose ? { image, verbose } : { image });
  }
  async pullImage(image: ImageSpec, sandboxConfig: PodSandboxConfig) {
    return (await this.call(this.image, 'PullImage', { image, sandbox_config: sandboxConfig }, null)).image_ref as string;
  }
  async removeImage(image: ImageSpec) {
    await this.call(this.image, 'RemoveImage', { image });
  }
  async imageFsInfo() {
    const res = await this.call(this.image, 'ImageFsInfo', {});
    return { imageFilesystems: res.image_filesystems, containerFilesystems: res.container_filesystems };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  /** `timeoutMs` null: no deadline (PullImage); left out: runtimeRequestTimeout. */
  private call(client: Record<string, UnaryMethod>, method: string, request: object, timeoutMs: number | null = this.options.timeoutMs): Promise<any> {
    return new Promise((resolve, reject) => {
      const callOptions: grpc.CallOptions = timeoutMs === null ? {} : { deadline: Date.now() + timeoutMs };
      client[method](request, callOptions, (err: grpc.ServiceError | null, response: unknown) => {
        const settle = (): void => (err ? reject(new CriCallError(method, err.code, err.details)) : resolve(response));
        const turn = this.turns.take();
        if (turn === undefined) settle();
        else void turn.then(settle);
      });
    });
  }
}

/**
 * A state filter holding its enum's zero value (SANDBOX_READY, CONTAINER_CREATED) goes on the wire as an empty
 * `state` message in Go; protobufjs would write the zero explicitly. Same meaning, Go's size.
 */
function withoutZeroState<F extends { state?: { state?: unknown } | null }>(filter: F | undefined, zero: string): F | undefined {
  if (filter?.state?.state !== zero && filter?.state?.state !== 0) return filter;
  return { ...filter, state: {} };
}

/** Only the true flags: protobuf-go leaves false booleans off the wire. */
function setFlags(flags: StreamFlags): Partial<StreamFlags> {
  return Object.fromEntries(Object.entries(flags).filter(([, v]) => v)) as Partial<StreamFlags>;
}

type UnaryMethod = (request: object, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response: unknown) => void) => unknown;

/** Response serializer of every CRI method, for the `message` event sizes. */
function criResponseSerializers(): ResponseSerializers {
  const serializers = new Map<string, (value: unknown) => Buffer>();
  const definition = loadCriPackageDefinition();
  for (const service of ['runtime.v1.RuntimeService', 'runtime.v1.ImageService']) {
    for (const method of Object.values(definition[service] as Record<string, { path: string; responseSerialize: (v: unknown) => Buffer }>)) {
      serializers.set(method.path, method.responseSerialize);
    }
  }
  return serializers;
}
