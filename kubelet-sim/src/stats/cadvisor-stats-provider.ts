import type { ImageService } from '../cri/runtime-service';
import type { ContainerStatsProvider, FsStats, PodStats } from './stats-provider';
import { ROOT_FS_DEVICE } from './stats-provider';

/**
 * cadvisorStatsProvider (pkg/kubelet/stats/cadvisor_stats_provider.go), the one a kubelet on CRI-O's socket
 * uses: pod and container stats come from cAdvisor's cgroup watchers (and its CRI-O handler, which talks to
 * CRI-O's own HTTP info endpoint, not CRI), so ListPodStats makes no CRI call. ImageFsStats asks kuberuntime's
 * image service (the instrumented one): ImageFsInfo when KubeletSeparateDiskGC is on (beta, on by default
 * since 1.31), otherwise ListImages for the total image size (ImageStats). ImageFsDevice is cAdvisor's alone.
 */
export class CadvisorStatsProvider implements ContainerStatsProvider {
  readonly kind = 'cadvisor' as const;

  constructor(
    private readonly images: Pick<ImageService, 'imageFsInfo' | 'listImages'>,
    private readonly kubeletSeparateDiskGC: boolean,
  ) {}

  async imageFsStats(): Promise<{ imageFs: FsStats; containerFs: FsStats }> {
    if (!this.kubeletSeparateDiskGC) {
      const images = await this.images.listImages();
      const fs: FsStats = { usedBytes: images.reduce((sum, i) => sum + Number(i.size), 0), mountpoint: '' };
      return { imageFs: fs, containerFs: fs };
    }
    const { imageFilesystems, containerFilesystems } = await this.images.imageFsInfo();
    if (imageFilesystems.length === 0 || containerFilesystems.length === 0) throw new Error('missing image stats');
    const imageFs: FsStats = { usedBytes: Number(imageFilesystems[0].used_bytes?.value ?? 0), mountpoint: imageFilesystems[0].fs_id?.mountpoint ?? '' };
    const containerMountpoint = containerFilesystems[0].fs_id?.mountpoint ?? '';
    // A split filesystem (different mount points) is measured by cAdvisor's crio-containers label; otherwise one fs.
    if (containerMountpoint === imageFs.mountpoint) return { imageFs, containerFs: imageFs };
    return { imageFs, containerFs: { usedBytes: Number(containerFilesystems[0].used_bytes?.value ?? 0), mountpoint: containerMountpoint } };
  }

  async imageFsDevice(): Promise<string> {
    return ROOT_FS_DEVICE;
  }

  async listPodStatsAndUpdateCpuNanoCoreUsage(): Promise<PodStats[]> {
    return [];
  }
}
