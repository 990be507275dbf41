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
  /** ContainerConfig.command / args / envs / working_dir: what the process runs (../process/). */
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly envs?: readonly (readonly [string, string])[];
  readonly workingDir?: string;
  /** Mounts, kept verbatim for ContainerStatus. */
  readonly mounts?: readonly unknown[];
  /** ContainerConfig.linux.resources, reported back in ContainerStatus.resources. */
  readonly resources?: LinuxResourcesInput | null;
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
  /** Current LinuxContainerResources (creation config, then UpdateContainerResources); null if never given. */
  readonly resources: LinuxResourcesInput | null;
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
  /** From the image config's User (ImageStatus uid / username). */
  readonly uid: number | null;
  readonly username: string;
  /** The image config (ImageStatus verbose info's imageSpec.config). */
  readonly config: { readonly user: string; readonly entrypoint: readonly string[]; readonly cmd: readonly string[]; readonly env: readonly string[]; readonly workingDir: string };
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

// ---- exec, stats, resources, runtime config (ExecSync, *Stats, Update*Resources, RuntimeConfig) ----

/**
 * LinuxContainerResources (api.proto) in camelCase; int64 fields as numbers (memory and CPU values
 * stay far below 2^53). 0 / "" means "not set", as in CRI.
 */
export interface LinuxResourcesInput {
  readonly cpuPeriod: number;
  readonly cpuQuota: number;
  readonly cpuShares: number;
  readonly memoryLimitInBytes: number;
  readonly oomScoreAdj: number;
  readonly cpusetCpus: string;
  readonly cpusetMems: string;
  readonly memorySwapLimitInBytes: number;
  readonly unified: StringMap;
  readonly hugepageLimits: readonly { readonly pageSize: string; readonly limit: number }[];
}

export interface ExecSyncInput {
  readonly containerId: string;
  readonly cmd: readonly string[];
  /** Seconds; <= 0 means no timeout. */
  readonly timeoutSeconds: bigint;
}

export interface ExecSyncResultView {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface StatsFilterInput {
  readonly id?: string;
  readonly podSandboxId?: string;
  readonly labelSelector?: StringMap;
}

/** Cumulative CPU and memory of one cgroup at one instant (CpuUsage / MemoryUsage). */
export interface CgroupUsageView {
  readonly timestampNs: bigint;
  readonly usageCoreNanoSeconds: bigint;
  /** null when there is no earlier sample to derive a rate from. */
  readonly usageNanoCores: bigint | null;
  readonly workingSetBytes: number;
  readonly usageBytes: number;
  readonly rssBytes: number;
  readonly pageFaults: number;
  readonly majorPageFaults: number;
  readonly availableBytes: number | null;
}

export interface ContainerStatsView {
  readonly id: string;
  readonly podSandboxId: string;
  readonly metadata: { readonly name: string; readonly attempt: number };
  readonly labels: StringMap;
  readonly annotations: StringMap;
  /** null when the runtime has no metrics for it (e.g. containerd, exited container). */
  readonly usage: CgroupUsageView | null;
  readonly writableLayer: FilesystemUsageView | null;
}

export interface PodSandboxStatsView {
  readonly id: string;
  readonly metadata: PodSandboxMetadataView;
  readonly labels: StringMap;
  readonly annotations: StringMap;
  readonly usage: CgroupUsageView;
  readonly network: {
    readonly timestampNs: bigint;
    readonly interfaceName: string;
    readonly rxBytes: number;
    readonly txBytes: number;
    readonly rxErrors: number;
    readonly txErrors: number;
  } | null;
  readonly processCount: number;
  readonly containers: readonly ContainerStatsView[];
}

export interface RuntimeConfigView {
  readonly cgroupDriver: 'SYSTEMD' | 'CGROUPFS';
  /** Pod CIDRs from UpdateRuntimeConfig (containerd keeps them; CRI-O ignores the call). */
  readonly podCidrs: readonly string[];
}
