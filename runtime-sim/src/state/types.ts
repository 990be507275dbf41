/**
 * Vocabulary of the simulated runtime state: CRI state names, the inputs the state machine accepts
 * and the read-only views it hands out. Field names follow CRI v1 (k8s.io/cri-api
 * pkg/apis/runtime/v1/api.proto) in camelCase; the gRPC layer maps them to and from the wire.
 * Timestamps are int64 nanoseconds since the epoch (bigint); 0n means "not set", as in CRI.
 */
import type { ContainerBehaviour } from '../model/container-behaviour';

/** PodSandboxState enum names (api.proto). */
export const SANDBOX_STATE = {
  READY: 'SANDBOX_READY',
  NOTREADY: 'SANDBOX_NOTREADY',
} as const;
export type SandboxState = (typeof SANDBOX_STATE)[keyof typeof SANDBOX_STATE];

/** ContainerState enum names (api.proto). */
export const CONTAINER_STATE = {
  CREATED: 'CONTAINER_CREATED',
  RUNNING: 'CONTAINER_RUNNING',
  EXITED: 'CONTAINER_EXITED',
  UNKNOWN: 'CONTAINER_UNKNOWN',
} as const;
export type ContainerState = (typeof CONTAINER_STATE)[keyof typeof CONTAINER_STATE];

export type StringMap = Readonly<Record<string, string>>;

// ---- inputs ------------------------------------------------------------------------------------

export interface PodSandboxMetadataInput {
  readonly name?: string;
  readonly uid?: string;
  readonly namespace?: string;
  readonly attempt?: number;
}

export interface PodSandboxConfigInput {
  readonly metadata?: PodSandboxMetadataInput | null;
  readonly hostname?: string;
  readonly logDirectory?: string;
  readonly labels?: StringMap;
  readonly annotations?: StringMap;
  /** linux.security_context.namespace_options.network == NODE */
  readonly hostNetwork?: boolean;
  /** LinuxPodSandboxConfig, kept verbatim for PodSandboxStatus. */
  readonly linux?: unknown;
}

export interface RunPodSandboxInput {
  readonly config?: PodSandboxConfigInput | null;
  readonly runtimeHandler?: string;
}

export interface ImageSpecInput {
  readonly image?: string;
  readonly annotations?: StringMap;
  readonly userSpecifiedImage?: string;
  readonly runtimeHandler?: string;
}

export interface ContainerConfigInput {
  readonly metadata?: { readonly name?: string; readonly attempt?: number } | null;
  readonly image?: ImageSpecInput | null;
  readonly labels?: StringMap;
  readonly annotations?: StringMap;
  readonly logPath?: string;
  /** Mounts, kept verbatim for ContainerStatus. */
  readonly mounts?: readonly unknown[];
}

export interface CreateContainerInput {
  readonly podSandboxId: string;
  readonly config?: ContainerConfigInput | null;
  readonly sandboxConfig?: PodSandboxConfigInput | null;
}

export interface PodSandboxFilterInput {
  readonly id?: string;
  readonly state?: SandboxState;
  readonly labelSelector?: StringMap;
}

export interface ContainerFilterInput {
  readonly id?: string;
  readonly state?: ContainerState;
  readonly podSandboxId?: string;
  readonly labelSelector?: StringMap;
}

export interface PullImageInput {
  readonly image: string;
  /** PodSandboxConfig.annotations of the pull request, if any (for the missing-images model). */
  readonly sandboxAnnotations?: StringMap;
}

// ---- results -----------------------------------------------------------------------------------

/**
 * What a stop/remove call "costs" on the runtime's clock: the reply is due when every process it
 * signalled has exited (e.g. after a grace period ending in SIGKILL). The server waits until then.
 */
export interface CompletionTime {
  readonly completesAtNs: bigint;
}

// ---- views -------------------------------------------------------------------------------------

export interface PodSandboxMetadataView {
  readonly name: string;
  readonly uid: string;
  readonly namespace: string;
  readonly attempt: number;
}

export interface PodSandboxView {
  readonly id: string;
  /** Name reserved in the runtime's registrar (persona format). */
  readonly reservedName: string;
  readonly metadata: PodSandboxMetadataView;
  readonly state: SandboxState;
  readonly createdAtNs: bigint;
  readonly labels: StringMap;
  readonly annotations: StringMap;
  readonly runtimeHandler: string;
  readonly hostNetwork: boolean;
  /** Pod IP as PodSandboxStatus reports it ("" for host-network pods, and after stop on containerd). */
  readonly ip: string;
  readonly hostname: string;
  readonly logDirectory: string;
  readonly linux: unknown;
}

export interface ContainerView {
  readonly id: string;
  readonly podSandboxId: string;
  readonly reservedName: string;
  readonly metadata: { readonly name: string; readonly attempt: number };
  readonly state: ContainerState;
  readonly createdAtNs: bigint;
  readonly startedAtNs: bigint;
  readonly finishedAtNs: bigint;
  readonly exitCode: number;
  readonly reason: string;
  readonly message: string;
  /** ImageSpec as ContainerStatus reports it (image name, annotations, user-specified image). */
  readonly image: {
    readonly image: string;
    readonly annotations: StringMap;
    readonly userSpecifiedImage: string;
    readonly runtimeHandler: string;
  };
  /** ContainerStatus.image_ref */
  readonly imageRef: string;
  /** ContainerStatus.image_id */
  readonly imageId: string;
  /**
   * ListContainers' Container.image.image and image_ref. containerd (container_list.go) echoes the
   * config's image and the image id there; CRI-O reports the same as in ContainerStatus.
   */
  readonly listImage: string;
  readonly listImageRef: string;
  readonly labels: StringMap;
  readonly annotations: StringMap;
  readonly logPath: string;
  readonly mounts: readonly unknown[];
  readonly behaviour: ContainerBehaviour;
}

export interface ImageView {
  /** Persona format: containerd "sha256:<hex>", CRI-O "<hex>". */
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly sizeBytes: number;
  readonly pinned: boolean;
  readonly lastUsedNs: bigint;
  readonly inodes: number;
}

export interface FilesystemUsageView {
  readonly timestampNs: bigint;
  readonly mountpoint: string;
  readonly usedBytes: number;
  readonly inodesUsed: number;
}

export interface ImageFsInfoView {
  readonly imageFilesystems: readonly FilesystemUsageView[];
  readonly containerFilesystems: readonly FilesystemUsageView[];
}
