/**
 * Go's fmt output of CRI request values as containerd 1.6 prints them in its log lines: `%+v` of a
 * message calls the String() method gogo-protobuf generated for it (k8s.io/cri-api v0.25.0, vendored by
 * containerd v1.6.27: pkg/apis/runtime/v1/api.pb.go), `%v` of a slice prints `[a b]`, and `%v` of a
 * syscall.Signal prints its description. Inputs are decoded requests (snake_case, int64 as strings).
 */

type Maybe<T> = T | null | undefined;

/** gogo String() of a map: `map[string]string{k: v,}` with sorted keys. */
function gogoStringMap(map: Maybe<Readonly<Record<string, string>>>): string {
  const entries = Object.keys(map ?? {}).sort().map((k) => `${k}: ${(map as Record<string, string>)[k]},`);
  return `map[string]string{${entries.join('')}}`;
}

/** gogo String() of a message: `&Name{Field:value,...,}`, or `nil` for a nil pointer. */
function gogoMessage(name: string, fields: ReadonlyArray<readonly [string, unknown]> | null): string {
  if (fields === null) return 'nil';
  return `&${name}{${fields.map(([k, v]) => `${k}:${v ?? ''},`).join('')}}`;
}

export function gogoPodSandboxMetadata(meta: Maybe<{ name?: string; uid?: string; namespace?: string; attempt?: number }>): string {
  return gogoMessage('PodSandboxMetadata', meta ? [['Name', meta.name], ['Uid', meta.uid], ['Namespace', meta.namespace], ['Attempt', meta.attempt ?? 0]] : null);
}

export function gogoContainerMetadata(meta: Maybe<{ name?: string; attempt?: number }>): string {
  return gogoMessage('ContainerMetadata', meta ? [['Name', meta.name], ['Attempt', meta.attempt ?? 0]] : null);
}

export interface LinuxResourcesShape {
  cpu_period?: string | number;
  cpu_quota?: string | number;
  cpu_shares?: string | number;
  memory_limit_in_bytes?: string | number;
  oom_score_adj?: string | number;
  cpuset_cpus?: string;
  cpuset_mems?: string;
  hugepage_limits?: ReadonlyArray<{ page_size?: string; limit?: string | number }>;
  unified?: Readonly<Record<string, string>>;
  memory_swap_limit_in_bytes?: string | number;
}

/** The ten fields of v0.25's LinuxContainerResources, in its String() order. */
export function gogoLinuxContainerResources(r: Maybe<LinuxResourcesShape>): string {
  if (!r) return 'nil';
  const hugepages = (r.hugepage_limits ?? [])
    .map((h) => `${gogoMessage('HugepageLimit', [['PageSize', h.page_size], ['Limit', h.limit ?? 0]])},`)
    .join('');
  return gogoMessage('LinuxContainerResources', [
    ['CpuPeriod', r.cpu_period ?? 0],
    ['CpuQuota', r.cpu_quota ?? 0],
    ['CpuShares', r.cpu_shares ?? 0],
    ['MemoryLimitInBytes', r.memory_limit_in_bytes ?? 0],
    ['OomScoreAdj', r.oom_score_adj ?? 0],
    ['CpusetCpus', r.cpuset_cpus],
    ['CpusetMems', r.cpuset_mems],
    ['HugepageLimits', `[]*HugepageLimit{${hugepages}}`],
    ['Unified', gogoStringMap(r.unified)],
    ['MemorySwapLimitInBytes', r.memory_swap_limit_in_bytes ?? 0],
  ]);
}

export interface WindowsResourcesShape {
  cpu_shares?: string | number;
  cpu_count?: string | number;
  cpu_maximum?: string | number;
  memory_limit_in_bytes?: string | number;
  rootfs_size_in_bytes?: string | number;
}

export function gogoWindowsContainerResources(r: Maybe<WindowsResourcesShape>): string {
  if (!r) return 'nil';
  return gogoMessage('WindowsContainerResources', [
    ['CpuShares', r.cpu_shares ?? 0],
    ['CpuCount', r.cpu_count ?? 0],
    ['CpuMaximum', r.cpu_maximum ?? 0],
    ['MemoryLimitInBytes', r.memory_limit_in_bytes ?? 0],
    ['RootfsSizeInBytes', r.rootfs_size_in_bytes ?? 0],
  ]);
}

export interface ContainerFilterShape {
  id?: string;
  state?: { state?: string } | null;
  pod_sandbox_id?: string;
  label_selector?: Readonly<Record<string, string>>;
}

export function gogoContainerFilter(f: Maybe<ContainerFilterShape>): string {
  if (!f) return 'nil';
  const state = f.state ? gogoMessage('ContainerStateValue', [['State', f.state.state ?? 'CONTAINER_CREATED']]) : 'nil';
  return gogoMessage('ContainerFilter', [['Id', f.id], ['State', state], ['PodSandboxId', f.pod_sandbox_id], ['LabelSelector', gogoStringMap(f.label_selector)]]);
}

export interface ImageFilterShape {
  image?: { image?: string; annotations?: Readonly<Record<string, string>> } | null;
}

export function gogoImageFilter(f: Maybe<ImageFilterShape>): string {
  if (!f) return 'nil';
  const spec = f.image ? gogoMessage('ImageSpec', [['Image', f.image.image], ['Annotations', gogoStringMap(f.image.annotations)]]) : 'nil';
  return gogoMessage('ImageFilter', [['Image', spec]]);
}

/** `%v` of a Go []int32: `[80 443]`. */
export function goIntSlice(values: Maybe<ReadonlyArray<number | string>>): string {
  return `[${(values ?? []).join(' ')}]`;
}

/**
 * `%v` of a syscall.Signal on Linux (the strings of Go's zerrors_linux signal table). The runtime-sim's
 * images carry no STOPSIGNAL, so the stop signal is always SIGTERM (runtime-sim/src/process/process-effects.ts).
 */
const GO_SIGNAL_TEXT: Readonly<Record<string, string>> = {
  SIGTERM: 'terminated',
  SIGKILL: 'killed',
  SIGQUIT: 'quit',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
};

export function goSignalText(signal: string): string {
  return GO_SIGNAL_TEXT[signal] ?? signal;
}

/** The response fields `%v` of a CRI-O 1.32 ImageStatusResponse prints (decoded, snake_case, int64 as strings). */
export interface ImageStatusResponseShape {
  image?: {
    id?: string;
    repo_tags?: readonly string[];
    repo_digests?: readonly string[];
    size?: string | number;
    uid?: { value?: string | number } | null;
    username?: string;
    spec?: { annotations?: Readonly<Record<string, string>> } | null;
    pinned?: boolean;
  } | null;
  info?: Readonly<Record<string, string>>;
}

/**
 * `%v` of an ImageStatusResponse as CRI-O v1.32.0 logs it (server/image_status.go:70, "Image status: %v"):
 * the String() gogo-protobuf generated in k8s.io/cri-api v0.31.4 (pkg/apis/runtime/v1/api.pb.go). CRI-O
 * fills the image's Spec with the annotations only, so the spec's other fields print empty.
 */
export function gogoImageStatusResponse(r: Maybe<ImageStatusResponseShape>): string {
  if (!r) return 'nil';
  const img = r.image;
  const image = img
    ? gogoMessage('Image', [
        ['Id', img.id],
        ['RepoTags', `[${(img.repo_tags ?? []).join(' ')}]`],
        ['RepoDigests', `[${(img.repo_digests ?? []).join(' ')}]`],
        ['Size_', img.size ?? 0],
        ['Uid', img.uid ? gogoMessage('Int64Value', [['Value', img.uid.value ?? 0]]) : 'nil'],
        ['Username', img.username],
        ['Spec', gogoMessage('ImageSpec', [['Image', ''], ['Annotations', gogoStringMap(img.spec?.annotations)], ['UserSpecifiedImage', ''], ['RuntimeHandler', '']])],
        ['Pinned', img.pinned === true],
      ])
    : 'nil';
  return gogoMessage('ImageStatusResponse', [['Image', image], ['Info', gogoStringMap(r.info)]]);
}
