import type { Clock } from '../util/clock';

/**
 * client-go's default rate limiter (util/flowcontrol NewTokenBucketRateLimiter, used by rest.Config QPS and
 * Burst): a bucket of `burst` tokens refilled at `qps` per second; each request waits for a token. The
 * kubelet's client gets kubeAPIQPS / kubeAPIBurst (defaults 50 / 100). qps ≤ 0 means no limit.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.tokens = Math.max(1, burst);
    this.lastMs = clock.nowMs();
  }

  /** Resolves when the caller may send (callers are served in order). */
  wait(): Promise<void> {
    if (this.qps <= 0) return Promise.resolve();
    const turn = this.queue.then(async () => {
      this.refill();
      if (this.tokens < 1) {
        await this.sleep(Math.ceil(((1 - this.tokens) / this.qps) * 1000));
        this.refill();
      }
      this.tokens -= 1;
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.clock.nowMs();
    this.tokens = Math.min(Math.max(1, this.burst), this.tokens + ((now - this.lastMs) / 1000) * this.qps);
    this.lastMs = now;
  }
}
