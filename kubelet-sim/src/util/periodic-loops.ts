/**
 * How the kubelet's loops are run: `wait.Until(f, period, stop)` (k8s.io/apimachinery/pkg/util/wait) runs f,
 * waits `period` after it returns, and runs it again; `wait.Forever` is the same without a stop channel.
 * Injected into the Kubelet so tests drive every loop with a FakeClock instead of timers (no sleeping).
 */
export interface PeriodicLoops {
  /**
   * Registers loop `name`: `fn` runs every `periodMs` after the previous run has ended (one timer per loop);
   * `immediately` runs the first pass at once, as wait.Until does, otherwise after one period. A function
   * period is asked after every pass: a loop that backs off (the sync loop while the runtime is unhealthy).
   */
  every(name: string, periodMs: LoopPeriod, fn: () => Promise<void> | void, immediately: boolean): void;
  /** Stops every loop and waits for the passes in flight; idempotent. */
  stop(): Promise<void>;
}

/** A fixed wait between passes, or one decided after each pass. */
export type LoopPeriod = number | (() => number);

/** The wait before the next pass. */
export function nextPeriodMs(period: LoopPeriod): number {
  return typeof period === 'number' ? period : period();
}

/** Real timers (unref'd), re-armed after each pass; a failing pass is reported and the loop goes on. */
export class TimerLoops implements PeriodicLoops {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly onError: (name: string, err: Error) => void) {}

  every(name: string, periodMs: LoopPeriod, fn: () => Promise<void> | void, immediately: boolean): void {
    if (this.stopped) return;
    const run = async (): Promise<void> => {
      if (this.stopped) return;
      const pass = Promise.resolve().then(fn).catch((err: unknown) => this.onError(name, err as Error));
      this.inFlight.add(pass);
      await pass;
      this.inFlight.delete(pass);
      if (!this.stopped) this.timers.set(name, setTimeout(run, nextPeriodMs(periodMs)).unref());
    };
    this.timers.set(name, setTimeout(run, immediately ? 0 : nextPeriodMs(periodMs)).unref());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    await Promise.allSettled([...this.inFlight]);
  }
}
