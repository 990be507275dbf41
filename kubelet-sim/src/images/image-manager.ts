import type { PodSandboxConfig } from '../../../cri-proto/src/types';
import type { PullPolicy } from '../container/pod';
import type { ImageService } from '../cri/runtime-service';
import { Backoff, IMAGE_PULL_BACKOFF } from '../kuberuntime/backoff';
import type { Clock } from '../util/clock';

/** Why a container could not get its image (pkg/kubelet/images/types.go error values). */
export class ImageError extends Error {
  constructor(readonly reason: 'ErrImageInspect' | 'ErrImageNeverPull' | 'ImagePullBackOff' | 'ErrImagePull', message: string) {
    super(message);
  }
}

export interface ImageManagerOptions {
  /** serializeImagePulls (default true): one pull at a time, node-wide. */
  serializeImagePulls: boolean;
  /** maxParallelImagePulls when pulls are not serialized; 0 = unlimited. */
  maxParallelImagePulls: number;
}

/**
 * The kubelet's image manager (pkg/kubelet/images/image_manager.go EnsureImageExists, puller.go): ImageStatus
 * to see whether the image is present, then PullImage if the pull policy says so, through a serial or bounded
 * parallel puller, with a per pod+image back-off after failures. Pulls run in the caller's trace context,
 * so a PullImage CLIENT span is a child of the syncPod that needed it.
 */
export class ImageManager {
  private readonly backoff: Backoff;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly images: ImageService, private readonly options: ImageManagerOptions, private readonly clock: Clock) {
    this.backoff = new Backoff(IMAGE_PULL_BACKOFF.INITIAL_MS, IMAGE_PULL_BACKOFF.MAX_MS, clock);
  }

  async ensureImageExists(podUid: string, requestedImage: string, pullPolicy: PullPolicy, sandboxConfig: PodSandboxConfig, annotations: Record<string, string>): Promise<string> {
    const image = applyDefaultImageTag(requestedImage);
    const spec = { image, annotations };
    let present: string;
    try {
      present = (await this.images.imageStatus(spec, false)).image?.id ?? '';
    } catch (err) {
      throw new ImageError('ErrImageInspect', `Failed to inspect image ${JSON.stringify(image)}: ${(err as Error).message}`);
    }
    if (!shouldPullImage(pullPolicy, present !== '')) {
      if (present !== '') return present;
      throw new ImageError('ErrImageNeverPull', `Container image ${JSON.stringify(image)} is not present with pull policy of Never`);
    }
    const key = `${podUid}_${image}`;
    if (this.backoff.isInBackOffSince(key, this.clock.nowMs())) {
      throw new ImageError('ImagePullBackOff', `Back-off pulling image ${JSON.stringify(image)}`);
    }
    try {
      return await this.withPullSlot(() => this.images.pullImage(spec, sandboxConfig));
    } catch (err) {
      this.backoff.next(key, this.clock.nowMs());
      throw new ImageError('ErrImagePull', `Failed to pull image ${JSON.stringify(image)}: ${(err as Error).message}`);
    }
  }

  private async withPullSlot<T>(pull: () => Promise<T>): Promise<T> {
    const limit = this.options.serializeImagePulls ? 1 : this.options.maxParallelImagePulls || Infinity;
    while (this.active >= limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await pull();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function shouldPullImage(policy: PullPolicy, present: boolean): boolean {
  if (policy === 'Never') return false;
  if (policy === 'Always') return true;
  return !present;
}

/** pkg/util/parsers: an image without tag or digest gets `:latest`. */
export function applyDefaultImageTag(image: string): string {
  if (image.includes('@')) return image;
  const last = image.slice(image.lastIndexOf('/') + 1);
  return last.includes(':') ? image : `${image}:latest`;
}
