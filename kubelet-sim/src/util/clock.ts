/** Injected time, so loops and back-offs are testable without sleeping (k8s.io/utils/clock). */
export interface Clock {
  nowMs(): number;
}

export const realClock: Clock = { nowMs: () => Date.now() };

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(private current = 1_700_000_000_000) {}
  nowMs(): number {
    return this.current;
  }
  step(ms: number): void {
    this.current += ms;
  }
}

/** k8s.io/apimachinery wait.Jitter: duration + random * maxFactor * duration. */
export function jitter(durationMs: number, maxFactor: number, random: () => number = Math.random): number {
  const factor = maxFactor <= 0 ? 1 : maxFactor;
  return durationMs + random() * factor * durationMs;
}
