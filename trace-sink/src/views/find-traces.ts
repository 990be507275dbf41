import type { FlatSpan } from '../store/flat-span';
import type { SpanIndexView, TraceRecord } from '../store/span-index';

type SpanSource = SpanIndexView | readonly FlatSpan[];

/** Groups spans by trace id, traces ordered by their earliest span start. */
export function groupByTrace(spans: readonly FlatSpan[]): TraceRecord[] {
  const groups = new Map<string, FlatSpan[]>();
  for (const span of spans) {
    const list = groups.get(span.traceId);
    if (list) list.push(span);
    else groups.set(span.traceId, [span]);
  }
  return [...groups.entries()]
    .map(([traceId, list]) => ({ traceId, spans: list }))
    .sort((a, b) => startOf(a) - startOf(b));
}

/** Traces (from an index or a span list, e.g. readSpansFromJsonl) matching `predicate`. */
export function findTraces(source: SpanSource, predicate: (trace: TraceRecord) => boolean): TraceRecord[] {
  const traces = Array.isArray(source) ? groupByTrace(source) : (source as SpanIndexView).traces();
  return traces.filter(predicate);
}

export function traceHasError(trace: TraceRecord): boolean {
  return trace.spans.some((s) => s.status.code === 'ERROR');
}

/** Distinct service names in the trace, sorted. */
export function traceServices(trace: TraceRecord): string[] {
  return [...new Set(trace.spans.map((s) => s.service))].sort();
}

/** Wall time from the earliest span start to the latest span end. */
export function traceDurationMs(trace: TraceRecord): number {
  if (trace.spans.length === 0) return 0;
  // A loop, not Math.min(...spans): spreading a very large trace overflows the call stack.
  let start = Infinity;
  let end = -Infinity;
  for (const s of trace.spans) {
    if (s.startTimeMs < start) start = s.startTimeMs;
    if (s.startTimeMs + s.durationMs > end) end = s.startTimeMs + s.durationMs;
  }
  return end - start;
}

/**
 * The trace most worth showing a user: one with an error first, then the one
 * crossing the most services (e.g. kubelet → runtime), then the biggest, then
 * the longest. Optionally restricted by `predicate`.
 */
export function findMostInterestingTrace(
  source: SpanSource,
  predicate: (trace: TraceRecord) => boolean = () => true,
): TraceRecord | undefined {
  const score = (t: TraceRecord): number[] => [
    traceHasError(t) ? 1 : 0,
    traceServices(t).length,
    t.spans.length,
    traceDurationMs(t),
  ];
  let best: TraceRecord | undefined;
  let bestScore: number[] = [];
  for (const trace of findTraces(source, predicate)) {
    const s = score(trace);
    if (!best || isGreater(s, bestScore)) {
      best = trace;
      bestScore = s;
    }
  }
  return best;
}

function isGreater(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}

function startOf(trace: TraceRecord): number {
  let start = Infinity;
  for (const s of trace.spans) if (s.startTimeMs < start) start = s.startTimeMs;
  return start;
}
