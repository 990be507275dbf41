import type {
  Container__Output,
  ContainerConfig,
  ContainerFilter,
  ContainerStats__Output,
  ContainerStatsFilter,
  ContainerStatusResponse__Output,
  FilesystemUsage__Output,
  Image__Output,
  ImageSpec,
  ImageStatusResponse__Output,
  PodSandbox__Output,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStats__Output,
  PodSandboxStatsFilter,
  PodSandboxStatusResponse__Output,
  RuntimeConfigResponse__Output,
  StatusResponse__Output,
  VersionResponse__Output,
} from '../../../cri-proto/src/types';
import { GO_GRPC_CODE_NAMES } from '../../../cri-proto/src/grpc-status';

/**
 * What the kubelet asks of a container runtime, one method per CRI RPC it uses
 * (k8s.io/cri-api pkg/apis/services.go RuntimeService / ImageManagerService).
 * RemoteRuntimeService speaks gRPC; tests use a fake with the same contract.
 */
export interface RuntimeService {
  /** Version; `apiVersion` undefined sends an empty VersionRequest (cri-client's connection check). */
  version(apiVersion?: string): Promise<VersionResponse__Output>;
  status(verbose: boolean): Promise<StatusResponse__Output>;
  runPodSandbox(config: PodSandboxConfig, runtimeHandler: string): Promise<string>;
  stopPodSandbox(podSandboxId: string): Promise<void>;
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string, verbose: boolean): Promise<PodSandboxStatusResponse__Output>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox__Output[]>;
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container__Output[]>;
  containerStatus(containerId: string, verbose: boolean): Promise<ContainerStatusResponse__Output>;
  /** Asks the runtime to reopen the container's log file after the kubelet renamed it away (log rotation). */
  reopenContainerLog(containerId: string): Promise<void>;
  listContainerStats(filter?: ContainerStatsFilter): Promise<ContainerStats__Output[]>;
  listPodSandboxStats(filter?: PodSandboxStatsFilter): Promise<PodSandboxStats__Output[]>;
  /** RuntimeConfig (the runtime's cgroup driver, KEP-4033). */
  runtimeConfig(): Promise<RuntimeConfigResponse__Output>;
}

export interface ImageService {
  listImages(): Promise<Image__Output[]>;
  imageStatus(image: ImageSpec, verbose: boolean): Promise<ImageStatusResponse__Output>;
  pullImage(image: ImageSpec, sandboxConfig: PodSandboxConfig): Promise<string>;
  removeImage(image: ImageSpec): Promise<void>;
  imageFsInfo(): Promise<{ imageFilesystems: FilesystemUsage__Output[]; containerFilesystems: FilesystemUsage__Output[] }>;
}

/** The stdio and terminal flags of an Exec or Attach (cri-api ExecRequest / AttachRequest). */
export interface StreamFlags {
  readonly tty: boolean;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}

/**
 * The streaming RPCs the kubelet's HTTP server calls (cri-api services.go ContainerManager.ExecSync,
 * Exec, Attach; PodSandboxManager.PortForward). Exec/Attach/PortForward answer with the URL of the
 * runtime's stream server, which the kubelet then proxies the client's connection to.
 */
export interface StreamingRuntimeService {
  /** ExecSync with `timeoutSeconds` (0: no timeout); resolves with the captured output and exit code. */
  execSync(containerId: string, cmd: readonly string[], timeoutSeconds: number): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }>;
  exec(containerId: string, cmd: readonly string[], flags: StreamFlags): Promise<string>;
  attach(containerId: string, flags: StreamFlags): Promise<string>;
  portForward(podSandboxId: string, ports: readonly number[]): Promise<string>;
}

/** A failed CRI call, with the gRPC status the runtime answered. */
export class CriCallError extends Error {
  constructor(readonly method: string, readonly code: number, readonly details: string) {
    super(`rpc error: code = ${GO_GRPC_CODE_NAMES[code] ?? code} desc = ${details}`);
  }
}
