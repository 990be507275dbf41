/**
 * The runtime's notion of "now". Every timestamp the CRI exposes (created_at, started_at,
 * finished_at, image-fs timestamps) is int64 nanoseconds since the Unix epoch, so the clock
 * speaks nanoseconds as a bigint.
 *
 * The state machine never reads the wall clock itself: it is handed a Clock, so tests drive
 * time by hand (FakeClock) and never sleep.
 */
export interface Clock {
  /** Nanoseconds since the Unix epoch. */
  nowNs(): bigint;
}

export const NS_PER_MS = 1_000_000n;
export const NS_PER_SECOND = 1_000_000_000n;

/**
 * Wall clock with nanosecond resolution: the epoch offset is taken once from Date.now(), the
 * progression from process.hrtime (monotonic), so readings never go backwards.
 */
export function createSystemClock(): Clock {
  const originHr = process.hrtime.bigint();
  const originEpochNs = BigInt(Date.now()) * NS_PER_MS;
  return {
    nowNs: () => originEpochNs + (process.hrtime.bigint() - originHr),
  };
}

/** A clock that only moves when told to. A real feature: tests and replays lean on it. */
export class FakeClock implements Clock {
  private currentNs: bigint;

  /** @param startNs initial reading, default 2025-01-01T00:00:00Z. */
  constructor(startNs: bigint = 1_735_689_600n * NS_PER_SECOND) {
    this.currentNs = startNs;
  }

  nowNs(): bigint {
    return this.currentNs;
  }

  /** Moves the clock forward; negative steps are refused so time stays monotonic. */
  advanceMs(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`FakeClock.advanceMs: step must be a finite number >= 0, got ${ms}`);
    }
    this.currentNs += BigInt(Math.round(ms * 1e6));
  }

  advanceNs(ns: bigint): void {
    if (ns < 0n) {
      throw new RangeError(`FakeClock.advanceNs: step must be >= 0, got ${ns}`);
    }
    this.currentNs += ns;
  }

  /** Sets an absolute reading, which must not be earlier than the current one. */
  setNs(ns: bigint): void {
    if (ns < this.currentNs) {
      throw new RangeError(`FakeClock.setNs: ${ns} is earlier than the current reading ${this.currentNs}`);
    }
    this.currentNs = ns;
  }
}
