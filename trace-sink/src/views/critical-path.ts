import type { FlatSpan } from '../store/flat-span';

/** A stretch of time during which `spanId` itself was what the trace waited on. */
export interface CriticalSegment {
  spanId: string;
  startMs: number;
  endMs: number;
}

/**
 * The critical path of a trace, the way Jaeger UI draws it (jaeger-ui
 * packages/jaeger-ui/src/components/TracePage/CriticalPath: walk back from the end of the top-level span through
 * its last-finishing children, children clipped to their parent): starting at the end of the root, the child
 * that finished last before the cursor is on the path (recursively, for its own children); the parent's time
 * after that child ended is the parent's own; the cursor then moves to that child's start. Returns segments in
 * time order. The root is the longest span without a received parent.
 */
export function computeCriticalPath(spans: readonly FlatSpan[]): CriticalSegment[] {
  if (spans.length === 0) return [];
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
  const root = roots.reduce((best, s) => (s.durationMs > best.durationMs ? s : best), roots[0] ?? spans[0]!);
  const out: CriticalSegment[] = [];
  // Explicit stack: [span, window start, window end]; deep traces do not recurse.
  const visited = new Set<string>();
  const walk = (top: FlatSpan, fromMs: number, toMs: number): void => {
    const work: { span: FlatSpan; from: number; to: number }[] = [{ span: top, from: fromMs, to: toMs }];
    while (work.length > 0) {
      const { span, from, to } = work.pop()!;
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      let cursor = to;
      const kids = (children.get(span.spanId) ?? [])
        .map((c) => ({ span: c, start: Math.max(c.startTimeMs, from), end: Math.min(c.startTimeMs + c.durationMs, to) }))
        .filter((c) => c.end > c.start);
      while (cursor > from) {
        let next: (typeof kids)[number] | undefined;
        for (const k of kids) {
          if (k.start >= cursor || visited.has(k.span.spanId)) continue;
          const end = Math.min(k.end, cursor);
          if (next === undefined || end > Math.min(next.end, cursor)) next = k;
        }
        if (next === undefined) break;
        const childEnd = Math.min(next.end, cursor);
        if (childEnd < cursor) out.push({ spanId: span.spanId, startMs: childEnd, endMs: cursor });
        work.push({ span: next.span, from: next.start, to: childEnd });
        cursor = next.start;
      }
      if (cursor > from) out.push({ spanId: span.spanId, startMs: from, endMs: cursor });
    }
  };
  walk(root, root.startTimeMs, root.startTimeMs + root.durationMs);
  return out.sort((a, b) => a.startMs - b.startMs);
}
