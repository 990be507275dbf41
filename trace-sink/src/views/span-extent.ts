import type { FlatSpan } from '../store/flat-span';

/** Earliest start and latest end of some spans, in Unix ms (a loop: spreading a big trace into Math.min overflows the stack). */
export function spanExtent(spans: readonly FlatSpan[]): { startMs: number; endMs: number } {
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const s of spans) {
    if (s.startTimeMs < startMs) startMs = s.startTimeMs;
    if (s.startTimeMs + s.durationMs > endMs) endMs = s.startTimeMs + s.durationMs;
  }
  return { startMs, endMs };
}
