const COLUMN_GAP = '  ';

/** Aligned plain-text columns: `right[i]` right-aligns column i (numbers). Trailing spaces are trimmed. */
export function renderTextTable(headers: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[] = []): string {
  const table = [headers, ...rows];
  const widths = headers.map((_, col) => table.reduce((w, row) => Math.max(w, (row[col] ?? '').length), 0));
  return table
    .map((row) =>
      row
        .map((cell, col) => (right[col] === true ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0)))
        .join(COLUMN_GAP)
        .trimEnd(),
    )
    .join('\n');
}

/** JavaScript dates reach ±8.64e15 ms (ECMAScript's time value range); a span claiming more shows as '-'. */
const MAX_DATE_MS = 8.64e15;

/** Unix ms as an ISO 8601 UTC instant with milliseconds. */
export function formatInstant(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : '-';
}
