import { SYNC_POD_SPAN } from '../startup/startup-records';
import type { TraceSummary } from '../trace-summary';

/**
 * The traces worth a place in the report's picker, at most `max`: each pod's startup traces first (the question
 * the report answers), then traces with errors, then the rest longest first. Returned in picker order.
 */
export function pickReportTraces(summaries: readonly TraceSummary[], startupTraceIds: readonly string[], max: number): TraceSummary[] {
  const byId = new Map(summaries.map((s) => [s.traceId, s]));
  const chosen: TraceSummary[] = [];
  const taken = new Set<string>();
  const take = (t: TraceSummary | undefined): void => {
    if (t === undefined || taken.has(t.traceId) || chosen.length >= max) return;
    taken.add(t.traceId);
    chosen.push(t);
  };
  for (const id of startupTraceIds) take(byId.get(id));
  const rest = [...summaries].sort((a, b) => b.durationMs - a.durationMs);
  for (const t of rest) if (t.errorCount > 0) take(t);
  for (const t of rest) if (t.rootName === SYNC_POD_SPAN) take(t);
  for (const t of rest) take(t);
  return chosen;
}
