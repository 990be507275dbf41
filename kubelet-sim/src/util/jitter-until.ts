import { jitter } from './clock';

/**
 * wait.JitterUntil(f, period, jitterFactor, sliding=true, stop) (k8s.io/apimachinery pkg/util/wait): run f
 * at once, then wait period + random·factor·period after each run ends. Returns a stop function that
 * resolves once a run in flight has ended. Timers are unref'd.
 */
export function jitterUntil(fn: () => Promise<void> | void, periodMs: number, factor: number, onError: (err: Error) => void, random: () => number = Math.random): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const run = (): void => {
    if (stopped) return;
    inFlight = Promise.resolve()
      .then(fn)
      .catch((err: unknown) => onError(err as Error))
      .then(() => {
        if (!stopped) timer = setTimeout(run, jitter(periodMs, factor, random)).unref();
      });
  };
  timer = setTimeout(run, 0).unref();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await inFlight;
  };
}
