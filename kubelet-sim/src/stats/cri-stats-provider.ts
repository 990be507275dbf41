import type { FilesystemUsage__Output } from '../../../cri-proto/src/types';
import { GRPC_STATUS } from '../../../cri-proto/src/grpc-status';
import type { ImageService, RuntimeService } from '../cri/runtime-service';
import { CriCallError } from '../cri/runtime-service';
import type { ContainerStatsProvider, FsStats, PodStats } from './stats-provider';
import { ROOT_FS_DEVICE } from './stats-provider';

type CriStatsRuntime = Pick<RuntimeService, 'listContainers' | 'listPodSandbox' | 'listContainerStats' | 'listPodSandboxStats'>;

/**
 * criStatsProvider (pkg/kubelet/stats/cri_stats_provider.go), over the remote runtime and image services
 * (kubeDeps.RemoteRuntimeService / RemoteImageService, not kuberuntime's instrumented ones):
 * - ImageFsStats and ImageFsDevice: ImageFsInfo each;
 * - listPodStats: getPodAndContainerMaps (ListContainers, then ListPodSandbox, both with an empty filter),
 *   then with PodAndContainerStatsFromCRI ListPodSandboxStats (falling back when the runtime answers
 *   UNIMPLEMENTED), otherwise ListContainerStats, both with an empty filter; CPU, memory and network of the
 *   pod cgroups come from cAdvisor, which makes no CRI call.
 */
export class CriStatsProvider implements ContainerStatsProvider {
  readonly kind = 'cri' as const;

  constructor(
    private readonly runtime: CriStatsRuntime,
    private readonly images: Pick<ImageService, 'imageFsInfo'>,
    private readonly podAndContainerStatsFromCRI: boolean,
  ) {}

  async imageFsStats(): Promise<{ imageFs: FsStats; containerFs: FsStats }> {
    const { imageFilesystems } = await this.images.imageFsInfo();
    // Only the first image filesystem is reported; the CRI provider does not split image and container fs.
    if (imageFilesystems.length === 0) throw new Error('imageFs information is unavailable');
    const imageFs = toFsStats(imageFilesystems[0]);
    return { imageFs, containerFs: imageFs };
  }

  async imageFsDevice(): Promise<string> {
    const { imageFilesystems } = await this.images.imageFsInfo();
    // getFsInfo asks cAdvisor for the device of the first filesystem's mount point.
    if (imageFilesystems.length === 0) throw new Error('imagefs device is not found');
    return ROOT_FS_DEVICE;
  }

  async listPodStatsAndUpdateCpuNanoCoreUsage(): Promise<PodStats[]> {
    const { containers, sandboxes } = await this.getPodAndContainerMaps();
    if (this.podAndContainerStatsFromCRI) {
      try {
        const stats = await this.runtime.listPodSandboxStats({});
        return stats.flatMap((s) => {
          const sandbox = s.attributes ? sandboxes.get(s.attributes.id) : undefined;
          return sandbox ? [{ ...sandbox, containers: [...containers.values()].filter((c) => c.sandboxId === s.attributes?.id).map((c) => c.name) }] : [];
        });
      } catch (err) {
        // Legitimate failures end the pass; a runtime without ListPodSandboxStats falls back.
        if (!(err instanceof CriCallError) || err.code !== GRPC_STATUS.UNIMPLEMENTED) throw err;
      }
    }
    const stats = await this.runtime.listContainerStats({});
    const bySandbox = new Map<string, PodStats>();
    for (const s of stats) {
      const container = s.attributes ? containers.get(s.attributes.id) : undefined;
      const sandbox = container ? sandboxes.get(container.sandboxId) : undefined;
      if (container === undefined || sandbox === undefined) continue;
      const pod = bySandbox.get(container.sandboxId) ?? { ...sandbox, containers: [] };
      pod.containers.push(container.name);
      bySandbox.set(container.sandboxId, pod);
    }
    return [...bySandbox.values()];
  }

  /** getPodAndContainerMaps: ListContainers then ListPodSandbox, terminated ones dropped. */
  private async getPodAndContainerMaps(): Promise<{ containers: Map<string, { name: string; sandboxId: string }>; sandboxes: Map<string, Omit<PodStats, 'containers'>> }> {
    const containers = await this.runtime.listContainers({});
    const sandboxes = await this.runtime.listPodSandbox({});
    return {
      containers: new Map(containers.filter((c) => c.state !== 'CONTAINER_EXITED').map((c) => [c.id, { name: c.metadata?.name ?? '', sandboxId: c.pod_sandbox_id }])),
      sandboxes: new Map(sandboxes.filter((s) => s.state === 'SANDBOX_READY').map((s) => [s.id, { uid: s.metadata?.uid ?? '', name: s.metadata?.name ?? '', namespace: s.metadata?.namespace ?? '' }])),
    };
  }
}

function toFsStats(fs: FilesystemUsage__Output): FsStats {
  return { usedBytes: Number(fs.used_bytes?.value ?? 0), mountpoint: fs.fs_id?.mountpoint ?? '' };
}
