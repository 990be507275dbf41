/**
 * The kubelet's stats provider (pkg/kubelet/stats/provider.go): node stats from cAdvisor, container and pod
 * stats from one of two containerStatsProviders, chosen once at start (cmd/kubelet/app/server.go,
 * kubelet.go NewMainKubelet):
 * - cAdvisor's (cadvisor_stats_provider.go) when cadvisor.UsingLegacyCadvisorStats(containerRuntimeEndpoint):
 *   the endpoint ends with `run/crio/crio.sock` (CRI-O's socket) and the PodAndContainerStatsFromCRI gate is
 *   off (alpha since 1.23, still off by default at 1.34);
 * - the CRI one (cri_stats_provider.go) for every other endpoint, containerd's included.
 * kubelet-sim has no cAdvisor: what cAdvisor measures (the root filesystem, cgroups, devices) is not
 * emulated, only the CRI calls each provider makes, in its order. The image filesystem is taken to be on
 * the root device, the common layout (containerd and CRI-O under /var/lib on /).
 */

/** pkg/kubelet/cadvisor/util.go CrioSocketSuffix. */
export const CRIO_SOCKET_SUFFIX = 'run/crio/crio.sock';

/** The device cAdvisor would report for the root filesystem (and, on the common layout, the image filesystem). */
export const ROOT_FS_DEVICE = '/dev/root';

export type StatsProviderKind = 'cri' | 'cadvisor';

/** cadvisor.UsingLegacyCadvisorStats: which provider the kubelet builds for this endpoint. */
export function statsProviderKindFor(containerRuntimeEndpoint: string, podAndContainerStatsFromCRI: boolean): StatsProviderKind {
  if (podAndContainerStatsFromCRI) return 'cri';
  return containerRuntimeEndpoint.endsWith(CRIO_SOCKET_SUFFIX) ? 'cadvisor' : 'cri';
}

/** statsapi.FsStats, the part the emulator uses. */
export interface FsStats {
  usedBytes: number;
  /** The filesystem's mount point, where the runtime reports it. */
  mountpoint: string;
}

/** statsapi.PodStats, the part the emulator uses. */
export interface PodStats {
  uid: string;
  name: string;
  namespace: string;
  containers: string[];
}

/** The containerStatsProvider interface (provider.go), the methods the eviction manager and image GC use. */
export interface ContainerStatsProvider {
  readonly kind: StatsProviderKind;
  /** ImageFsStats: the image and the container filesystem (the same one unless split, KEP-4191). */
  imageFsStats(): Promise<{ imageFs: FsStats; containerFs: FsStats }>;
  /** ImageFsDevice: the device the image filesystem is on. */
  imageFsDevice(): Promise<string>;
  /** ListPodStatsAndUpdateCPUNanoCoreUsage: what the eviction manager asks every 10 s. */
  listPodStatsAndUpdateCpuNanoCoreUsage(): Promise<PodStats[]>;
}

/** Provider (provider.go): the container stats provider plus what cAdvisor knows of the node. */
export class StatsProvider {
  constructor(readonly containers: ContainerStatsProvider, private readonly rootFsDevice = ROOT_FS_DEVICE) {}

  get kind(): StatsProviderKind {
    return this.containers.kind;
  }

  imageFsStats(): Promise<{ imageFs: FsStats; containerFs: FsStats }> {
    return this.containers.imageFsStats();
  }

  listPodStatsAndUpdateCpuNanoCoreUsage(): Promise<PodStats[]> {
    return this.containers.listPodStatsAndUpdateCpuNanoCoreUsage();
  }

  /**
   * HasDedicatedImageFs: the image filesystem's device against the root filesystem's; on the same device the
   * image and container filesystems are compared too (KEP-4191), which asks ImageFsStats once more.
   */
  async hasDedicatedImageFs(): Promise<boolean> {
    const device = await this.containers.imageFsDevice();
    if (device === this.rootFsDevice) {
      const { imageFs, containerFs } = await this.containers.imageFsStats();
      if (imageFs.mountpoint !== containerFs.mountpoint || imageFs.usedBytes !== containerFs.usedBytes) return true;
    }
    return device !== this.rootFsDevice;
  }
}
