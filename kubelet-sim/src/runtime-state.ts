import type { Clock } from './util/clock';

/** kubelet.go maxWaitForContainerRuntime: the runtime counts as down when its last good Status is older. */
export const MAX_WAIT_FOR_CONTAINER_RUNTIME_MS = 30_000;

/** A health check the sync loop consults before each iteration (runtime.go healthCheckFnType). */
export interface RuntimeHealthCheck {
  name: string;
  check(): { ok: boolean; message: string };
}

/**
 * The kubelet's runtimeState (pkg/kubelet/runtime.go), restricted to what gates the sync loop:
 * the time of the last successful runtime status (`setRuntimeSync`), the RuntimeReady error
 * (`setRuntimeState`) and named health checks (PLEG is registered as `PLEG`).
 * `runtimeErrors()` is what syncLoop checks before every iteration: any error skips the iteration, so the
 * sync loop monitor is not refreshed and, after a while, the `syncloop` healthz check fails. That is how
 * an unhealthy PLEG or runtime reaches `/healthz` upstream.
 */
export class RuntimeState {
  private lastBaseRuntimeSyncMs: number | undefined;
  private runtimeError: string | undefined;
  private readonly healthChecks: RuntimeHealthCheck[] = [];

  constructor(private readonly clock: Clock, private readonly baseRuntimeSyncThresholdMs = MAX_WAIT_FOR_CONTAINER_RUNTIME_MS) {}

  addHealthCheck(check: RuntimeHealthCheck): void {
    this.healthChecks.push(check);
  }

  setRuntimeSync(atMs: number): void {
    this.lastBaseRuntimeSyncMs = atMs;
  }

  /** undefined clears the error (runtime ready). */
  setRuntimeState(error: string | undefined): void {
    this.runtimeError = error;
  }

  /** The errors in upstream order; empty when the sync loop may run. */
  runtimeErrors(): string[] {
    const errors: string[] = [];
    if (this.lastBaseRuntimeSyncMs === undefined) errors.push('container runtime status check may not have completed yet');
    else if (!(this.lastBaseRuntimeSyncMs + this.baseRuntimeSyncThresholdMs > this.clock.nowMs())) errors.push('container runtime is down');
    for (const hc of this.healthChecks) {
      const result = hc.check();
      if (!result.ok) errors.push(`${hc.name} is not healthy: ${result.message}`);
    }
    if (this.runtimeError !== undefined) errors.push(this.runtimeError);
    return errors;
  }
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several in brackets. */
export function aggregateErrorText(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}
