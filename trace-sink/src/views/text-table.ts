const COLUMN_GAP = '  ';

/** Aligned plain-text columns: `right[i]` right-aligns column i (numbers). Trailing spaces are trimmed. */
export function renderTextTable(headers: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[] = []): string {
  const table = [headers, ...rows];
  const widths = headers.map((_, col) => Math.max(...table.map((row) => (row[col] ?? '').length)));
  return table
    .map((row) =>
      row
        .map((cell, col) => (right[col] === true ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0)))
        .join(COLUMN_GAP)
        .trimEnd(),
    )
    .join('\n');
}

/** Unix ms as an ISO 8601 UTC instant with milliseconds. */
export function formatInstant(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '-';
}
