import type { StatsProvider } from '../stats/stats-provider';
import type { Logger } from '../util/logger';

/** kubelet.go evictionMonitoringPeriod. */
export const EVICTION_MONITORING_PERIOD_MS = 10_000;

/**
 * The eviction manager's monitoring loop (pkg/kubelet/eviction/eviction_manager.go Start/synchronize), started
 * by initializeRuntimeDependentModules after the first good runtime status, then every
 * evictionMonitoringPeriod after each pass ends. Its context carries no span: every CRI call is a root CLIENT
 * span. A pass:
 * 1. the first time only, HasDedicatedImageFs (the stats provider's ImageFsDevice, and ImageFsStats again
 *    when the image filesystem is on the root device) and HasDedicatedContainerFs (cAdvisor only);
 * 2. the summary (server/stats/summary.go Get with updateStats): ImageFsStats, then
 *    ListPodStatsAndUpdateCPUNanoCoreUsage;
 * 3. thresholds, ranking and eviction: nothing to evict on an emulated node (no pressure), so no CRI call.
 * The default evictionHard thresholds and localStorageCapacityIsolation keep the loop from returning early.
 */
export class EvictionManager {
  private dedicatedImageFs: boolean | undefined;
  readonly stats = { synchronize: 0, failures: 0 };

  constructor(private readonly provider: StatsProvider, private readonly log: Logger) {}

  /** One synchronize pass; the loop calls it, tests call it by hand. */
  async synchronize(): Promise<void> {
    this.stats.synchronize++;
    if (this.dedicatedImageFs === undefined) {
      try {
        this.dedicatedImageFs = await this.provider.hasDedicatedImageFs();
      } catch (err) {
        this.stats.failures++;
        this.log.error(`"Eviction manager: failed to get HasDedicatedImageFs" err="${(err as Error).message}"`);
        return;
      }
    }
    try {
      await this.provider.imageFsStats();
      await this.provider.listPodStatsAndUpdateCpuNanoCoreUsage();
    } catch (err) {
      this.stats.failures++;
      this.log.error(`"Eviction manager: failed to get summary stats" err="${(err as Error).message}"`);
    }
  }

  /** Whether an image filesystem apart from the root one was found (undefined before the first pass). */
  get hasDedicatedImageFs(): boolean | undefined {
    return this.dedicatedImageFs;
  }
}
