/**
 * Wakes the simulated runtime when a container's process is due to exit (or a sandbox stop to
 * complete), as the real runtimes' exit monitors (conmon, containerd shims) fire on their own, so
 * GetContainerEvents subscribers hear CONTAINER_STOPPED_EVENT without waiting for the next CRI call.
 * One unref'd timer, re-armed after every call and every transition.
 */
import type { RuntimeState } from '../state/runtime-state';

/** Longest single wait; a later instant is reached by re-arming (setTimeout's limit is 2^31-1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface DueExitTimer {
  /** Re-arms for the state's next due instant. */
  reschedule(): void;
  stop(): void;
}

export function startDueExitTimer(state: RuntimeState): DueExitTimer {
  let timer: NodeJS.Timeout | undefined;
  let armedFor: bigint | null = null;
  let stopped = false;
  const reschedule = (): void => {
    if (stopped) return;
    const due = state.nextDueNs();
    if (due === armedFor && timer !== undefined) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    armedFor = due;
    if (due === null) return;
    const waitMs = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(Number(due - state.nowNs()) / 1e6)));
    timer = setTimeout(() => {
      timer = undefined;
      armedFor = null;
      state.advance();
      reschedule();
    }, waitMs);
    timer.unref();
  };
  const unsubscribe = state.onTransition(() => queueMicrotask(reschedule));
  reschedule();
  return {
    reschedule,
    stop() {
      stopped = true;
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
