import type { RuntimePod } from '../kuberuntime/kuberuntime-manager';
import type { Clock } from '../util/clock';

/**
 * kubelet.go runtimeCacheRefreshPeriod: housekeepingPeriod (2 s) + housekeepingWarningDuration (1 s), a little
 * longer than the time between two housekeepings, which refresh the cache explicitly.
 */
export const RUNTIME_CACHE_REFRESH_PERIOD_MS = 3_000;

/** What the cache lists from: kuberuntime's GetPods(all=false). */
export interface RunningPodsGetter {
  getPods(all: boolean): Promise<RuntimePod[]>;
}

/**
 * The kubelet's runtime cache (pkg/kubelet/container/runtime_cache.go): the running pods (ready sandboxes and
 * running containers) from one listing, stamped with the time taken just before the listing. Housekeeping
 * forces a listing newer than its own start (ForceUpdateIfOlder), so every housekeeping pass lists the
 * runtime once; it has no span of its own, so those CRI calls are root CLIENT spans.
 */
export class RuntimeCache {
  private pods: RuntimePod[] = [];
  private cacheTimeMs = -Infinity;
  /** The tail of the callers waiting for the cache, as the cache's mutex serialises them upstream. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly getter: RunningPodsGetter, private readonly clock: Clock, private readonly cachePeriodMs = RUNTIME_CACHE_REFRESH_PERIOD_MS) {}

  /** The cached pods, listed again first when the cache is older than its period. */
  getPods(): Promise<RuntimePod[]> {
    return this.locked(async () => {
      if (this.clock.nowMs() - this.cacheTimeMs > this.cachePeriodMs) await this.update();
      return this.pods;
    });
  }

  /** Lists again unless the cache was taken at or after `minExpectedCacheTimeMs`. */
  forceUpdateIfOlder(minExpectedCacheTimeMs: number): Promise<void> {
    return this.locked(async () => {
      if (this.cacheTimeMs < minExpectedCacheTimeMs) await this.update();
    });
  }

  /** getPodsWithTimestamp: the time is taken before listing, so the cache is never stamped newer than it is. */
  private async update(): Promise<void> {
    const timestampMs = this.clock.nowMs();
    this.pods = await this.getter.getPods(false);
    this.cacheTimeMs = timestampMs;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}
