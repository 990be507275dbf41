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

/** A failed CRI call, with the gRPC status the runtime answered. */
export class CriCallError extends Error {
  constructor(readonly method: string, readonly code: number, readonly details: string) {
    super(`rpc error: code = ${GO_GRPC_CODE_NAMES[code] ?? code} desc = ${details}`);
  }
}
