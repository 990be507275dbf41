import type { TraceSummary } from './trace-summary';

/** What `traces list` can select on; every field is optional and they combine with AND. */
export interface TraceFilter {
  /** "namespace/name", or a bare name matched in any namespace. */
  pod?: string;
  node?: string;
  /** The trace has a span of this service. */
  service?: string;
  /** The trace has a span with exactly this name (give it to TraceSummaryCollector as a watched name). */
  spanName?: string;
  minDurationMs?: number;
  /** The trace starts at or after this instant (Unix ms). */
  sinceMs?: number;
  /** The trace starts before this instant (Unix ms). */
  untilMs?: number;
  errorsOnly?: boolean;
}

export const TRACE_SORT_KEYS = ['start', 'duration', 'spans', 'errors'] as const;
export type TraceSortKey = (typeof TRACE_SORT_KEYS)[number];

export function matchesTraceFilter(trace: TraceSummary, filter: TraceFilter): boolean {
  if (filter.pod !== undefined && !podMatches(trace.pod, filter.pod)) return false;
  if (filter.node !== undefined && trace.node !== filter.node) return false;
  if (filter.service !== undefined && !trace.services.includes(filter.service)) return false;
  if (filter.spanName !== undefined && !trace.seenWatchedNames.includes(filter.spanName)) return false;
  if (filter.minDurationMs !== undefined && trace.durationMs < filter.minDurationMs) return false;
  if (filter.sinceMs !== undefined && trace.startMs < filter.sinceMs) return false;
  if (filter.untilMs !== undefined && trace.startMs >= filter.untilMs) return false;
  if (filter.errorsOnly === true && trace.errorCount === 0) return false;
  return true;
}

function podMatches(pod: string | undefined, wanted: string): boolean {
  if (pod === undefined) return false;
  return wanted.includes('/') ? pod === wanted : pod.slice(pod.indexOf('/') + 1) === wanted;
}

/** Start time ascending; duration, span count and error count descending (biggest first). Ties by start, then id. */
export function sortTraces(traces: TraceSummary[], key: TraceSortKey): TraceSummary[] {
  const primary: Record<TraceSortKey, (a: TraceSummary, b: TraceSummary) => number> = {
    start: (a, b) => a.startMs - b.startMs,
    duration: (a, b) => b.durationMs - a.durationMs,
    spans: (a, b) => b.spanCount - a.spanCount,
    errors: (a, b) => b.errorCount - a.errorCount,
  };
  return traces.sort((a, b) => primary[key](a, b) || a.startMs - b.startMs || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
}
