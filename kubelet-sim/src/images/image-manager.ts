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
  /** serializeImagePulls: one pull at a time, node-wide (defaults.go: true unless maxParallelImagePulls >= 2). */
  serializeImagePulls: boolean;
  /** maxParallelImagePulls for the parallel puller; 0 (unset) or below 1 = no limit (puller.go newParallelImagePuller). */
  maxParallelImagePulls: number;
}

/**
 * The kubelet's image manager (pkg/kubelet/images/image_manager.go EnsureImageExists, puller.go): ImageStatus
 * to see whether the image is present, then PullImage if the pull policy says so, through the serial or the
 * parallel puller, with a per pod+image back-off after failures. After a successful pull the puller asks
 * ImageStatus once more for the image size (kuberuntime_image.go GetImageSize, best effort, for the pull
 * duration metric), still holding its pull slot. Pulls run in the caller's trace context, so these CLIENT
 * spans are children of the syncPod that needed the image.
 */
export class ImageManager {
  private readonly backoff: Backoff;
  private readonly pullSlots: PullSlots;

  constructor(private readonly images: ImageService, options: ImageManagerOptions, private readonly clock: Clock) {
    this.backoff = new Backoff(IMAGE_PULL_BACKOFF.INITIAL_MS, IMAGE_PULL_BACKOFF.MAX_MS, clock);
    // image_manager.go NewImageManager: serialized ⇒ newSerialImagePuller, else newParallelImagePuller(max).
    this.pullSlots = new PullSlots(options.serializeImagePulls ? 1 : options.maxParallelImagePulls >= 1 ? options.maxParallelImagePulls : Infinity);
  }

  /** Pulls running now and callers waiting for a slot (for tests and metrics). */
  pullQueue(): { active: number; waiting: number } {
    return this.pullSlots.snapshot();
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
      return await this.pullSlots.run(async () => {
        const imageRef = await this.images.pullImage(spec, sandboxConfig);
        if (imageRef !== '') {
          // GetImageSize: best effort, its error ignored.
          await this.images.imageStatus(spec, false).catch(() => undefined);
        }
        return imageRef;
      });
    } catch (err) {
      this.backoff.next(key, this.clock.nowMs());
      throw new ImageError('ErrImagePull', `Failed to pull image ${JSON.stringify(image)}: ${(err as Error).message}`);
    }
  }
}

/**
 * At most `limit` pulls at once, the rest served in arrival order (puller.go: the serial puller's request
 * channel drained by one goroutine; the parallel puller's token channel). A freed slot is handed straight to
 * the oldest waiter, so a newcomer never overtakes the queue.
 */
class PullSlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  snapshot(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the releaser keeps `active` for us
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
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
