import type { Tracer } from '@opentelemetry/api';
import { context, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import type { Image__Output } from '../../../cri-proto/src/types';
import type { ImageService } from '../cri/runtime-service';
import type { KubeRuntimeManager } from '../kuberuntime/kuberuntime-manager';
import type { Clock } from '../util/clock';

/** ImageGCPeriod (kubelet.go): five minutes, first pass at start (wait.Until). */
export const IMAGE_GC_PERIOD_MS = 5 * 60_000;

/** realImageGCManager.Start (image_gc_manager.go): detectImages every 5 min, the image list cache every 30 s, both from the start. */
export const IMAGE_MANAGER_LOOP = {
  DETECT_PERIOD_MS: 5 * 60_000,
  CACHE_REFRESH_PERIOD_MS: 30_000,
} as const;

/** Where image GC reads the image filesystem's usage: the kubelet's stats provider (ImageFsStats). */
export interface ImageFsStatsProvider {
  imageFsStats(): Promise<{ imageFs: { usedBytes: number } }>;
}

export interface ImageGCPolicy {
  highThresholdPercent: number;
  lowThresholdPercent: number;
  minAgeMs: number;
  /** 0 disables age-based removal. */
  maxAgeMs: number;
}

interface ImageRecord {
  firstDetectedMs: number;
  lastUsedMs: number;
  size: number;
  pinned: boolean;
}

/**
 * The kubelet's image garbage collector (pkg/kubelet/images/image_gc_manager.go) under a root
 * `Images/GarbageCollect` span: detect images (ListImages; ListPodSandbox + ListContainers for those in use),
 * drop images unused for longer than imageMaximumGCAge, then read the image filesystem through the stats
 * provider (ImageFsStats: ImageFsInfo) and, when usage is at or above imageGCHighThresholdPercent, remove
 * least-recently-used unused images older than imageMinimumGCAge until usage reaches imageGCLowThresholdPercent.
 * The filesystem's capacity is the node's disk, not something CRI reports: kubelet-sim takes it as a setting.
 *
 * Its Start (called from the kubelet's initializeModules, before the runtime status loop) runs two loops with
 * context.Background(), so their CRI calls are root CLIENT spans: detectImages every 5 minutes and the image
 * list cache (ListImages, read by node status) every 30 s, both at once on start.
 */
export class ImageGCManager {
  private readonly records = new Map<string, ImageRecord>();
  /** When GC began: age-based removal waits until imageMaximumGCAge has passed since then (beganGC). */
  private readonly beganGcMs: number;
  /** imageCache: the latest ListImages answer (GetImageList). */
  private imageCache: Image__Output[] = [];

  constructor(
    private readonly images: ImageService,
    private readonly runtime: KubeRuntimeManager,
    private readonly tracer: Tracer,
    private readonly clock: Clock,
    private readonly policy: ImageGCPolicy,
    private readonly imageFsCapacityBytes: number,
    private readonly statsProvider: ImageFsStatsProvider = { imageFsStats: async () => ({ imageFs: { usedBytes: Number((await images.imageFsInfo()).imageFilesystems[0]?.used_bytes?.value ?? 0) } }) },
  ) {
    this.beganGcMs = clock.nowMs();
  }

  /** The 5-minute loop's pass: detectImages with no span (tests call it by hand). */
  async monitorImages(): Promise<void> {
    await context.with(ROOT_CONTEXT, () => this.detectImages(this.clock.nowMs()));
  }

  /** The 30-second loop's pass: ListImages into the image cache (tests call it by hand). */
  async refreshImageCache(): Promise<void> {
    this.imageCache = await context.with(ROOT_CONTEXT, () => this.images.listImages());
  }

  /** GetImageList: the cached images. */
  imageList(): readonly Image__Output[] {
    return this.imageCache;
  }

  async garbageCollect(): Promise<Error | undefined> {
    return this.tracer.startActiveSpan('Images/GarbageCollect', { kind: SpanKind.INTERNAL }, ROOT_CONTEXT, async (span) => {
      try {
        return await this.collect();
      } catch (err) {
        return err as Error;
      } finally {
        span.end();
      }
    });
  }

  private async collect(): Promise<Error | undefined> {
    const now = this.clock.nowMs();
    const inUse = await this.detectImages(now);
    const candidates = [...this.records.entries()]
      .filter(([id, r]) => !inUse.has(id) && !r.pinned)
      .sort((a, b) => a[1].lastUsedMs - b[1].lastUsedMs || a[1].firstDetectedMs - b[1].firstDetectedMs);

    const remaining: Array<[string, ImageRecord]> = [];
    const ageGcActive = this.policy.maxAgeMs > 0 && now - this.beganGcMs > this.policy.maxAgeMs;
    for (const entry of candidates) {
      const [id, r] = entry;
      // An image never seen in use counts from when it was first detected.
      if (ageGcActive && now - Math.max(r.lastUsedMs, r.firstDetectedMs) > this.policy.maxAgeMs) await this.removeImage(id);
      else remaining.push(entry);
    }

    const used = (await this.statsProvider.imageFsStats()).imageFs.usedBytes;
    const capacity = this.imageFsCapacityBytes;
    if (capacity <= 0) return new Error('invalid capacity 0 on image filesystem');
    const available = Math.max(0, Math.min(capacity, capacity - used));
    const usagePercent = 100 - Math.floor((available * 100) / capacity);
    if (usagePercent < this.policy.highThresholdPercent) return undefined;

    const amountToFree = Math.floor((capacity * (100 - this.policy.lowThresholdPercent)) / 100) - available;
    let freed = 0;
    const deletionErrors: string[] = [];
    for (const [id, r] of remaining) {
      if (freed >= amountToFree) break;
      if (now - r.firstDetectedMs < this.policy.minAgeMs) continue;
      try {
        await this.removeImage(id);
      } catch (err) {
        deletionErrors.push((err as Error).message);
        continue;
      }
      freed += r.size;
    }
    if (deletionErrors.length > 0) {
      const aggregate = deletionErrors.length === 1 ? deletionErrors[0] : `[${deletionErrors.join(', ')}]`;
      return new Error(`wanted to free ${amountToFree} bytes, but freed ${freed} bytes space with errors in image deletion: ${aggregate}`);
    }
    if (freed < amountToFree) {
      return new Error(`Failed to garbage collect required amount of images. Attempted to free ${amountToFree} bytes, but only found ${freed} bytes eligible to free.`);
    }
    return undefined;
  }

  /** detectImages: refresh records from ListImages and mark images any container uses (image_gc_manager.go). */
  private async detectImages(now: number): Promise<Set<string>> {
    const images = await this.images.listImages();
    const pods = await this.runtime.getPods();
    const inUse = new Set(pods.flatMap((p) => p.containers.map((c) => c.imageRef)));
    const present = new Set<string>();
    for (const image of images) {
      present.add(image.id);
      const record = this.records.get(image.id) ?? { firstDetectedMs: now, lastUsedMs: 0, size: 0, pinned: false };
      record.size = Number(image.size);
      record.pinned = image.pinned;
      if (inUse.has(image.id)) record.lastUsedMs = now;
      this.records.set(image.id, record);
    }
    for (const id of this.records.keys()) if (!present.has(id)) this.records.delete(id);
    return inUse;
  }

  private async removeImage(id: string): Promise<void> {
    await this.images.removeImage({ image: id });
    this.records.delete(id);
  }
}
