import type { FlatSpan } from '../store/flat-span';

/** One span in depth-first order, as a tree view draws it. */
export interface TreeRow {
  span: FlatSpan;
  depth: number;
  /** The box-drawing prefix before the name, e.g. "│  ├─ ". */
  prefix: string;
  /** A span shown as a root although it has a parent id: that parent was not received. */
  orphan: boolean;
  /** Index of the parent row in the same list, -1 for roots. */
  parentRow: number;
}

const BRANCH = { mid: '├─ ', last: '└─ ', pipe: '│  ', gap: '   ' } as const;

/**
 * Orders the spans of one trace depth first, children by start time. A span whose parent is missing is a
 * root; spans caught in a parent cycle are appended as roots so none is lost.
 */
export function traceTreeRows(spans: readonly FlatSpan[]): TreeRow[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, FlatSpan[]>();
  const roots: FlatSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId !== '' && span.parentSpanId !== span.spanId && ids.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId);
      if (list) list.push(span);
      else children.set(span.parentSpanId, [span]);
    } else {
      roots.push(span);
    }
  }
  const rows: TreeRow[] = [];
  const seen = new Set<string>();
  // Iterative depth-first walk: traces can be deep, and recursion depth should not depend on input.
  const stack: { span: FlatSpan; depth: number; prefix: string; childPrefix: string; parentRow: number }[] = [];
  const pushRoots = (list: FlatSpan[]): void => {
    for (const root of byStart(list).reverse()) stack.push({ span: root, depth: 0, prefix: '', childPrefix: '', parentRow: -1 });
    while (stack.length > 0) {
      const item = stack.pop()!;
      if (seen.has(item.span.spanId)) continue;
      seen.add(item.span.spanId);
      const row = rows.length;
      rows.push({ span: item.span, depth: item.depth, prefix: item.prefix, orphan: item.depth === 0 && item.span.parentSpanId !== '', parentRow: item.parentRow });
      const kids = byStart(children.get(item.span.spanId) ?? []);
      for (let i = kids.length - 1; i >= 0; i--) {
        const last = i === kids.length - 1;
        stack.push({
          span: kids[i]!,
          depth: item.depth + 1,
          prefix: item.childPrefix + (last ? BRANCH.last : BRANCH.mid),
          childPrefix: item.childPrefix + (last ? BRANCH.gap : BRANCH.pipe),
          parentRow: row,
        });
      }
    }
  };
  pushRoots(roots);
  pushRoots(spans.filter((s) => !seen.has(s.spanId)));
  return rows;
}

function byStart(spans: readonly FlatSpan[]): FlatSpan[] {
  return [...spans].sort((a, b) => {
    const d = BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
}
