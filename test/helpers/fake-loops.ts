// PeriodicLoops on a FakeClock: tests move time with advance() and every loop whose pass falls due runs then,
// in due order, re-armed one period after its pass ends (wait.Until). Nothing sleeps.
import type { LoopPeriod, PeriodicLoops } from '../../kubelet-sim/src/util/periodic-loops';
import { nextPeriodMs } from '../../kubelet-sim/src/util/periodic-loops';
import type { FakeClock } from '../../kubelet-sim/src/util/clock';

interface Loop {
  name: string;
  periodMs: LoopPeriod;
  fn: () => Promise<void> | void;
  dueMs: number;
}

export interface LoopRun {
  name: string;
  /** Clock time the pass started, in ms since the FakeClock's start. */
  atMs: number;
}

export class FakeLoops implements PeriodicLoops {
  private readonly loops = new Map<string, Loop>();
  private readonly startMs: number;
  /** Every pass that ran, in order. */
  readonly runs: LoopRun[] = [];
  private stopped = false;

  constructor(private readonly clock: FakeClock) {
    this.startMs = clock.nowMs();
  }

  every(name: string, periodMs: LoopPeriod, fn: () => Promise<void> | void, immediately: boolean): void {
    if (this.stopped) return;
    this.loops.set(name, { name, periodMs, fn, dueMs: this.clock.nowMs() + (immediately ? 0 : nextPeriodMs(periodMs)) });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.loops.clear();
  }

  /** Registered loop names with their periods (a backing-off loop's current one). */
  registered(): Map<string, number> {
    return new Map([...this.loops.values()].map((l) => [l.name, nextPeriodMs(l.periodMs)]));
  }

  /** Runs the passes due now (and those they make due at the same instant). */
  async runDue(): Promise<void> {
    await this.advance(0);
  }

  /** Moves the clock `ms` forward, running each pass when it falls due. */
  async advance(ms: number): Promise<void> {
    const endMs = this.clock.nowMs() + ms;
    for (;;) {
      const next = [...this.loops.values()].filter((l) => l.dueMs <= endMs).sort((a, b) => a.dueMs - b.dueMs)[0];
      if (next === undefined || this.stopped) break;
      if (next.dueMs > this.clock.nowMs()) this.clock.step(next.dueMs - this.clock.nowMs());
      this.runs.push({ name: next.name, atMs: this.clock.nowMs() - this.startMs });
      next.dueMs = Number.POSITIVE_INFINITY; // not due again while its pass runs
      try {
        await next.fn();
      } finally {
        if (this.loops.get(next.name) === next) next.dueMs = this.clock.nowMs() + nextPeriodMs(next.periodMs);
      }
    }
    if (endMs > this.clock.nowMs()) this.clock.step(endMs - this.clock.nowMs());
  }

  /** When loop `name` ran, in ms since the start. */
  runTimes(name: string): number[] {
    return this.runs.filter((r) => r.name === name).map((r) => r.atMs);
  }
}
