import type { Clock } from '../util/clock';

/**
 * k8s.io/client-go/util/flowcontrol Backoff as the kubelet uses it for crash loops and image pulls:
 * per key, the delay starts at `initialMs` and doubles on each `next` up to `maxMs`; an entry untouched
 * for 2×max is forgotten (hasExpired), so a container that ran fine for long starts again at the initial delay.
 */
export class Backoff {
  private readonly entries = new Map<string, { backoffMs: number; lastUpdateMs: number }>();

  constructor(private readonly initialMs: number, private readonly maxMs: number, private readonly clock: Clock) {}

  /** Is `eventTimeMs` (e.g. when the container finished) still inside the key's current back-off window? */
  isInBackOffSince(key: string, eventTimeMs: number): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined || this.hasExpired(eventTimeMs, entry.lastUpdateMs)) return false;
    return this.clock.nowMs() - eventTimeMs < entry.backoffMs;
  }

  next(key: string, eventTimeMs: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined || this.hasExpired(eventTimeMs, entry.lastUpdateMs)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdateMs: eventTimeMs });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.maxMs);
    entry.lastUpdateMs = eventTimeMs;
  }

  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Backoff.GC: drop every entry that has expired by now, so keys of pods long gone do not pile up. */
  gc(): void {
    const now = this.clock.nowMs();
    for (const [key, entry] of this.entries) if (this.hasExpired(now, entry.lastUpdateMs)) this.entries.delete(key);
  }

  private hasExpired(eventTimeMs: number, lastUpdateMs: number): boolean {
    return eventTimeMs - lastUpdateMs > this.maxMs * 2;
  }
}

/** Crash-loop back-off: 10 s doubling to 300 s (kubelet.go containerBackOffPeriod, MaxContainerBackOff). */
export const CRASH_LOOP_BACKOFF = { INITIAL_MS: 10_000, MAX_MS: 300_000 } as const;
/** Image pull back-off: 10 s doubling to 300 s (kubelet.go backOffPeriod, MaxImageBackOff). */
export const IMAGE_PULL_BACKOFF = { INITIAL_MS: 10_000, MAX_MS: 300_000 } as const;
