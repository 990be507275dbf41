/**
 * The previous CPU sample of every container and sandbox, from which the runtimes derive
 * usage_nano_cores (containerd internal/cri/server/container_stats_list.go getUsageNanoCores keeps
 * one per container and per sandbox in its stores): the first query of an object has no rate.
 * Bounded: entries go when their object is removed, and the map never holds more than MAX_ENTRIES.
 */
import { nanoCoresBetween } from '../model/resource-usage';

export const USAGE_SAMPLER_MAX_ENTRIES = 100_000;

interface Sample {
  readonly timestampNs: bigint;
  readonly usageCoreNanoSeconds: bigint;
}

export class UsageSampler {
  private readonly last = new Map<string, Sample>();

  /** Records this sample and returns the rate since the previous one (null for the first). */
  record(id: string, timestampNs: bigint, usageCoreNanoSeconds: bigint): bigint | null {
    const current = { timestampNs, usageCoreNanoSeconds };
    const rate = nanoCoresBetween(this.last.get(id), current);
    // Keep the newer sample only: a repeated query at the same instant must not lose the rate base.
    const previous = this.last.get(id);
    if (previous === undefined || timestampNs > previous.timestampNs) {
      if (previous === undefined && this.last.size >= USAGE_SAMPLER_MAX_ENTRIES) {
        const oldest = this.last.keys().next().value;
        if (oldest !== undefined) this.last.delete(oldest);
      }
      this.last.set(id, current);
    }
    return rate;
  }

  forget(id: string): void {
    this.last.delete(id);
  }

  get size(): number {
    return this.last.size;
  }
}
