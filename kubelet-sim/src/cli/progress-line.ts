import { formatGoDuration } from '../config/go-duration';

/** How often a running kubelet-sim reports progress on stderr. */
export const PROGRESS_PERIOD_MS = 10_000;

/** What a progress line reports: pods the kubelet manages, pod syncs so far, churn and export counts. */
export interface ProgressSnapshot {
  elapsedMs: number;
  pods: number;
  syncPod: number;
  syncPodErrors: number;
  syncTerminatingPod: number;
  /** Churn workload counters; undefined without --workload. */
  workload: { created: number; updated: number; deleted: number } | undefined;
  /** Span export counters; undefined when tracing is off. */
  spans: { exported: number; lost: number } | undefined;
}

/** One klog-style structured message: `"Progress" elapsed="20s" pods=12 syncPod=34 ...`. */
export function formatProgress(s: ProgressSnapshot): string {
  const elapsed = formatGoDuration(BigInt(Math.round(s.elapsedMs / 1000)) * 1_000_000_000n);
  const parts = [
    `"Progress" elapsed="${elapsed}" pods=${s.pods} syncPod=${s.syncPod} syncPodErrors=${s.syncPodErrors} syncTerminatingPod=${s.syncTerminatingPod}`,
    s.workload ? `churnCreated=${s.workload.created} churnUpdated=${s.workload.updated} churnDeleted=${s.workload.deleted}` : undefined,
    s.spans ? `spansExported=${s.spans.exported} spansLost=${s.spans.lost}` : 'tracing=off',
  ];
  return parts.filter((p) => p !== undefined).join(' ');
}

/** Calls `report` every `periodMs` until the returned function is called; never keeps the process alive. */
export function everyPeriod(report: () => void, periodMs: number = PROGRESS_PERIOD_MS): () => void {
  const timer = setInterval(report, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
