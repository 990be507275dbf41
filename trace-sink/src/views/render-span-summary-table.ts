import type { FlatSpan } from '../store/flat-span';

const HEADERS = ['SERVICE', 'SPAN', 'COUNT', 'ERRORS', 'P50 ms', 'P99 ms'] as const;
// Text columns are left-aligned, numeric ones right-aligned.
const RIGHT_ALIGNED = [false, false, true, true, true, true] as const;
const COLUMN_GAP = '  ';

/**
 * Renders a table of span name × service with count, error count and the
 * p50/p99 duration in ms (nearest-rank), sorted by service then span name.
 */
export function renderSpanSummaryTable(spans: readonly FlatSpan[]): string {
  if (spans.length === 0) return '(no spans)';
  const groups = new Map<string, { service: string; name: string; durations: number[]; errors: number }>();
  for (const span of spans) {
    const key = JSON.stringify([span.service, span.name]);
    let group = groups.get(key);
    if (!group) {
      group = { service: span.service, name: span.name, durations: [], errors: 0 };
      groups.set(key, group);
    }
    group.durations.push(span.durationMs);
    if (span.status.code === 'ERROR') group.errors += 1;
  }
  const rows = [...groups.values()]
    .sort((a, b) => compare(a.service, b.service) || compare(a.name, b.name))
    .map((g) => {
      const sorted = [...g.durations].sort((x, y) => x - y);
      return [
        g.service,
        g.name,
        String(sorted.length),
        String(g.errors),
        percentile(sorted, 50).toFixed(1),
        percentile(sorted, 99).toFixed(1),
      ];
    });
  const table = [[...HEADERS], ...rows];
  const widths = HEADERS.map((_, col) => Math.max(...table.map((row) => (row[col] ?? '').length)));
  return table
    .map((row) =>
      row
        .map((cell, col) => (RIGHT_ALIGNED[col] ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0)))
        .join(COLUMN_GAP)
        .trimEnd(),
    )
    .join('\n');
}

// Nearest-rank percentile over an ascending, non-empty list.
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1] ?? 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
