import type { Clock } from '../util/clock';
import type { HealthChecker } from './healthz';
import { namedCheck } from './healthz';

/** The check's name and limits (kubelet.go SyncLoopHealthCheck, installed by server.go as `syncloop`). */
export const SYNC_LOOP_HEALTH = {
  NAME: 'syncloop',
  /** The loop may go quiet for twice the resync interval (syncFrequency)… */
  RESYNC_FACTOR: 2,
  /** …but never less than five minutes. */
  MIN_DURATION_MS: 5 * 60_000,
  MESSAGE: 'sync Loop took longer than expected',
} as const;

/** What the check reads from the kubelet. */
export interface SyncLoopMonitor {
  /** syncFrequency (ResyncInterval). */
  readonly resyncIntervalMs: number;
  /** When the sync loop last entered an iteration (syncLoopMonitor); undefined before the first. */
  latestLoopEntryMs(): number | undefined;
}

/**
 * The `syncloop` healthz check: fails when the sync loop has not started an iteration for
 * max(2 × syncFrequency, 5 min). The loop skips its iterations while the runtime or PLEG is unhealthy
 * (runtimeState.runtimeErrors), so this is the path by which those reach `/healthz` upstream.
 * Before the first iteration the check passes, as upstream (a zero time is not checked).
 */
export function syncLoopHealthCheck(monitor: SyncLoopMonitor, clock: Clock): HealthChecker {
  return namedCheck(SYNC_LOOP_HEALTH.NAME, () => {
    const allowedMs = Math.max(monitor.resyncIntervalMs * SYNC_LOOP_HEALTH.RESYNC_FACTOR, SYNC_LOOP_HEALTH.MIN_DURATION_MS);
    const entered = monitor.latestLoopEntryMs();
    if (entered !== undefined && clock.nowMs() > entered + allowedMs) return SYNC_LOOP_HEALTH.MESSAGE;
    return undefined;
  });
}
