import { formatMs } from './format-ms';
import { formatInstant, renderTextTable } from './text-table';
import type { TraceSummary } from './trace-summary';

const HEADERS = ['TRACE ID', 'ROOT SPAN', 'SERVICES', 'NODE', 'POD', 'START (UTC)', 'DURATION', 'SPANS', 'ERRORS'] as const;
const RIGHT = [false, false, false, false, false, false, true, true, true];
const MISSING_ROOT = ' (root not received)';

/** The `traces list` table, one trace per row. */
export function renderTraceList(traces: readonly TraceSummary[]): string {
  if (traces.length === 0) return '(no traces match)';
  const rows = traces.map((t) => [
    t.traceId,
    `${t.rootName} [${t.rootService}]${t.hasRoot ? '' : MISSING_ROOT}`,
    t.services.join(','),
    t.node ?? '-',
    t.pod ?? '-',
    formatInstant(t.startMs),
    formatMs(t.durationMs),
    String(t.spanCount),
    String(t.errorCount),
  ]);
  return renderTextTable(HEADERS, rows, RIGHT);
}
