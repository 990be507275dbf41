/**
 * Translation between CRI v1 wire messages (decoded by proto-loader with keepCase, longs as
 * strings, enums as names, defaults) and the state machine's inputs and views. Pure functions;
 * no gRPC here.
 */
import type * as cri from '../../../cri-proto/src/types';
import { criEnvValueToString } from '../../../cri-proto/src/values';
import type {
  CgroupUsageView,
  ContainerFilterInput,
  ContainerState,
  ContainerStatsView,
  LinuxResourcesInput,
  PodSandboxStatsView,
  StatsFilterInput,
  ContainerView,
  CreateContainerInput,
  FilesystemUsageView,
  ImageView,
  PodSandboxConfigInput,
  PodSandboxFilterInput,
  PodSandboxView,
  SandboxState,
  StringMap,
} from '../state/types';

/** int64 nanoseconds as proto-loader's `longs: String` representation. */
export function nsToWire(ns: bigint): string {
  return ns.toString();
}

/** Parses an int64 that proto-loader decoded as a decimal string (or number). */
export function wireToBigInt(value: string | number | null | undefined): bigint {
  if (value === null || value === undefined || value === '') return 0n;
  try {
    return BigInt(value);
  } catch {
    return 0n;
  }
}

function plainMap(map: { [key: string]: string } | null | undefined): StringMap {
  return map ?? {};
}

function isHostNetwork(linux: cri.LinuxPodSandboxConfig__Output | null | undefined): boolean {
  return linux?.security_context?.namespace_options?.network === 'NODE';
}

export function toPodSandboxConfigInput(
  config: cri.PodSandboxConfig__Output | null | undefined,
): PodSandboxConfigInput | null {
  if (config === null || config === undefined) return null;
  const m = config.metadata;
  return {
    metadata: m === null ? null : { name: m.name, uid: m.uid, namespace: m.namespace, attempt: m.attempt },
    hostname: config.hostname,
    logDirectory: config.log_directory,
    labels: plainMap(config.labels),
    annotations: plainMap(config.annotations),
    hostNetwork: isHostNetwork(config.linux),
    linux: config.linux,
  };
}

export function toCreateContainerInput(req: cri.CreateContainerRequest__Output): CreateContainerInput {
  const c = req.config;
  return {
    podSandboxId: req.pod_sandbox_id,
    sandboxConfig: toPodSandboxConfigInput(req.sandbox_config),
    config:
      c === null
        ? null
        : {
            metadata: c.metadata === null ? null : { name: c.metadata.name, attempt: c.metadata.attempt },
            image:
              c.image === null
                ? null
                : {
                    image: c.image.image,
                    annotations: plainMap(c.image.annotations),
                    userSpecifiedImage: c.image.user_specified_image,
                    runtimeHandler: c.image.runtime_handler,
                  },
            labels: plainMap(c.labels),
            annotations: plainMap(c.annotations),
            logPath: c.log_path,
            command: c.command,
            args: c.args,
            envs: c.envs.map((kv) => [kv.key, criEnvValueToString(kv)] as const),
            workingDir: c.working_dir,
            mounts: c.mounts,
            resources: toLinuxResourcesInput(c.linux?.resources),
          },
  };
}

/** LinuxContainerResources off the wire (int64s arrive as decimal strings). */
export function toLinuxResourcesInput(
  r: cri.LinuxContainerResources__Output | null | undefined,
): LinuxResourcesInput | null {
  if (r === null || r === undefined) return null;
  const n = (v: string | number | null | undefined): number => Number(wireToBigInt(v));
  return {
    cpuPeriod: n(r.cpu_period),
    cpuQuota: n(r.cpu_quota),
    cpuShares: n(r.cpu_shares),
    memoryLimitInBytes: n(r.memory_limit_in_bytes),
    oomScoreAdj: n(r.oom_score_adj),
    cpusetCpus: r.cpuset_cpus,
    cpusetMems: r.cpuset_mems,
    memorySwapLimitInBytes: n(r.memory_swap_limit_in_bytes),
    unified: plainMap(r.unified),
    hugepageLimits: (r.hugepage_limits ?? []).map((h) => ({ pageSize: h.page_size, limit: n(h.limit) })),
  };
}

export function toLinuxContainerResources(r: LinuxResourcesInput): cri.LinuxContainerResources {
  return {
    cpu_period: String(r.cpuPeriod),
    cpu_quota: String(r.cpuQuota),
    cpu_shares: String(r.cpuShares),
    memory_limit_in_bytes: String(r.memoryLimitInBytes),
    oom_score_adj: String(r.oomScoreAdj),
    cpuset_cpus: r.cpusetCpus,
    cpuset_mems: r.cpusetMems,
    hugepage_limits: r.hugepageLimits.map((h) => ({ page_size: h.pageSize, limit: String(h.limit) })),
    unified: { ...r.unified },
    memory_swap_limit_in_bytes: String(r.memorySwapLimitInBytes),
  };
}

export function toStatsFilterInput(
  filter: { id?: string; pod_sandbox_id?: string; label_selector?: { [key: string]: string } | null } | null | undefined,
): StatsFilterInput | undefined {
  if (filter === null || filter === undefined) return undefined;
  return { id: filter.id, podSandboxId: filter.pod_sandbox_id, labelSelector: plainMap(filter.label_selector) };
}

const u64 = (value: number | bigint): cri.UInt64Value => ({ value: String(value) });

function toCpuUsage(usage: CgroupUsageView): cri.CpuUsage {
  return {
    timestamp: nsToWire(usage.timestampNs),
    usage_core_nano_seconds: u64(usage.usageCoreNanoSeconds),
    usage_nano_cores: usage.usageNanoCores === null ? null : u64(usage.usageNanoCores),
  };
}

function toMemoryUsage(usage: CgroupUsageView): cri.MemoryUsage {
  return {
    timestamp: nsToWire(usage.timestampNs),
    working_set_bytes: u64(usage.workingSetBytes),
    available_bytes: usage.availableBytes === null ? null : u64(usage.availableBytes),
    usage_bytes: u64(usage.usageBytes),
    rss_bytes: u64(usage.rssBytes),
    page_faults: u64(usage.pageFaults),
    major_page_faults: u64(usage.majorPageFaults),
  };
}

export function toContainerStats(view: ContainerStatsView): cri.ContainerStats {
  return {
    attributes: {
      id: view.id,
      metadata: { ...view.metadata },
      labels: { ...view.labels },
      annotations: { ...view.annotations },
    },
    cpu: view.usage === null ? null : toCpuUsage(view.usage),
    memory: view.usage === null ? null : toMemoryUsage(view.usage),
    writable_layer: view.writableLayer === null ? null : toFilesystemUsage(view.writableLayer),
  };
}

export function toPodSandboxStats(view: PodSandboxStatsView): cri.PodSandboxStats {
  const net = view.network;
  const iface =
    net === null
      ? null
      : {
          name: net.interfaceName,
          rx_bytes: u64(net.rxBytes),
          rx_errors: u64(net.rxErrors),
          tx_bytes: u64(net.txBytes),
          tx_errors: u64(net.txErrors),
        };
  return {
    attributes: {
      id: view.id,
      metadata: { ...view.metadata },
      labels: { ...view.labels },
      annotations: { ...view.annotations },
    },
    linux: {
      cpu: toCpuUsage(view.usage),
      memory: toMemoryUsage(view.usage),
      network: net === null || iface === null ? null : { timestamp: nsToWire(net.timestampNs), default_interface: iface, interfaces: [iface] },
      process: { timestamp: nsToWire(view.usage.timestampNs), process_count: u64(view.processCount) },
      containers: view.containers.map(toContainerStats),
    },
    windows: null,
  };
}

export function toPodSandboxFilterInput(filter: cri.PodSandboxFilter__Output | null | undefined): PodSandboxFilterInput | undefined {
  if (filter === null || filter === undefined) return undefined;
  return {
    id: filter.id,
    state: filter.state === null ? undefined : (filter.state.state as SandboxState),
    labelSelector: plainMap(filter.label_selector),
  };
}

export function toContainerFilterInput(filter: cri.ContainerFilter__Output | null | undefined): ContainerFilterInput | undefined {
  if (filter === null || filter === undefined) return undefined;
  return {
    id: filter.id,
    podSandboxId: filter.pod_sandbox_id,
    state: filter.state === null ? undefined : (filter.state.state as ContainerState),
    labelSelector: plainMap(filter.label_selector),
  };
}

function namespaceOptions(linux: unknown): cri.NamespaceOption | null {
  const l = linux as cri.LinuxPodSandboxConfig__Output | null | undefined;
  return l?.security_context?.namespace_options ?? null;
}

export function toPodSandboxStatus(view: PodSandboxView): cri.PodSandboxStatus {
  const options = namespaceOptions(view.linux);
  return {
    id: view.id,
    metadata: { ...view.metadata },
    state: view.state,
    created_at: nsToWire(view.createdAtNs),
    network: { ip: view.ip, additional_ips: [] },
    linux: options === null ? null : { namespaces: { options } },
    labels: { ...view.labels },
    annotations: { ...view.annotations },
    runtime_handler: view.runtimeHandler,
  };
}

export function toPodSandbox(view: PodSandboxView): cri.PodSandbox {
  return {
    id: view.id,
    metadata: { ...view.metadata },
    state: view.state,
    created_at: nsToWire(view.createdAtNs),
    labels: { ...view.labels },
    annotations: { ...view.annotations },
    runtime_handler: view.runtimeHandler,
  };
}

function toImageSpec(view: ContainerView): cri.ImageSpec {
  return {
    image: view.image.image,
    annotations: { ...view.image.annotations },
    user_specified_image: view.image.userSpecifiedImage,
    runtime_handler: view.image.runtimeHandler,
  };
}

export function toContainer(view: ContainerView): cri.Container {
  return {
    id: view.id,
    pod_sandbox_id: view.podSandboxId,
    metadata: { ...view.metadata },
    image: { ...toImageSpec(view), image: view.listImage },
    image_ref: view.listImageRef,
    state: view.state,
    created_at: nsToWire(view.createdAtNs),
    labels: { ...view.labels },
    annotations: { ...view.annotations },
    image_id: view.imageId,
  };
}

export function toContainerStatus(view: ContainerView): cri.ContainerStatus {
  return {
    id: view.id,
    metadata: { ...view.metadata },
    state: view.state,
    created_at: nsToWire(view.createdAtNs),
    started_at: nsToWire(view.startedAtNs),
    finished_at: nsToWire(view.finishedAtNs),
    exit_code: view.exitCode,
    image: toImageSpec(view),
    image_ref: view.imageRef,
    reason: view.reason,
    message: view.message,
    labels: { ...view.labels },
    annotations: { ...view.annotations },
    mounts: view.mounts as cri.Mount[],
    log_path: view.logPath,
    resources: view.resources === null ? null : { linux: toLinuxContainerResources(view.resources), windows: null },
    image_id: view.imageId,
  };
}

export function toImage(view: ImageView): cri.Image {
  return {
    id: view.id,
    repo_tags: [...view.repoTags],
    repo_digests: [...view.repoDigests],
    size: String(view.sizeBytes),
    uid: view.uid === null ? null : { value: String(view.uid) },
    username: view.username,
    spec: null,
    pinned: view.pinned,
  };
}

export function toFilesystemUsage(view: FilesystemUsageView): cri.FilesystemUsage {
  return {
    timestamp: nsToWire(view.timestampNs),
    fs_id: { mountpoint: view.mountpoint },
    used_bytes: { value: String(view.usedBytes) },
    inodes_used: { value: String(view.inodesUsed) },
  };
}
