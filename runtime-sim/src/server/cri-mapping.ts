/**
 * Translation between CRI v1 wire messages (decoded by proto-loader with keepCase, longs as
 * strings, enums as names, defaults) and the state machine's inputs and views. Pure functions;
 * no gRPC here.
 */
import type * as cri from '../../../cri-proto/src/types';
import type {
  ContainerFilterInput,
  ContainerState,
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
            mounts: c.mounts,
          },
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
    image_id: view.imageId,
  };
}

export function toImage(view: ImageView): cri.Image {
  return {
    id: view.id,
    repo_tags: [...view.repoTags],
    repo_digests: [...view.repoDigests],
    size: String(view.sizeBytes),
    uid: null,
    username: '',
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
