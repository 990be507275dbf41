/**
 * The one clock every span of a process is timed with: monotonic, nanosecond resolution, anchored to wall
 * time once at start. The OpenTelemetry JS SDK (sdk-trace Span) stamps each span that has no start time with
 * Date.now(), a whole millisecond, and times the rest of the span from there; a span given a start time gets
 * Date.now() for its end and events. Spans made by different tracers then disagree by up to a millisecond,
 * which shows as children outside their parents. Stamping every start, end and event from this clock (see
 * ./high-resolution-tracer-provider.ts) gives go-like nanosecond timestamps that nest.
 *
 * The anchor is taken at a millisecond edge of Date.now(): the wall clock is exactly a whole millisecond
 * there, and process.hrtime brackets the edge to within a microsecond or so. So two processes on one
 * machine agree to within microseconds and a runtime's SERVER span lies inside the kubelet's CLIENT span.
 * (performance.timeOrigin is not good enough: Node reads its wall and monotonic parts at slightly different
 * moments during start-up, and on a loaded machine they were measured milliseconds apart.) Like otel-go,
 * which stamps time.Now() and measures durations monotonically, the clock does not follow later wall-clock
 * adjustments during a run (drift is parts per million).
 */
import type { HrTime } from '@opentelemetry/api';

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;
/** Edges measured at start; the tightest bracket wins (a preempted one is wide). About 1 ms each. */
const ANCHOR_SAMPLES = 3;

/** The monotonic reading at which Date.now() stepped to a new millisecond, bracketed as tightly as seen. */
function measureAnchor(): { readonly wallNs: bigint; readonly monotonicNs: bigint } {
  let best: { wallNs: bigint; monotonicNs: bigint; widthNs: bigint } | undefined;
  for (let i = 0; i < ANCHOR_SAMPLES; i++) {
    const start = Date.now();
    let before = process.hrtime.bigint();
    let now = Date.now();
    let after = process.hrtime.bigint();
    // `before` was read before a Date.now() that still returned `start`, until the one that did not.
    while (now === start) {
      before = process.hrtime.bigint();
      now = Date.now();
      after = process.hrtime.bigint();
    }
    const widthNs = after - before;
    if (best === undefined || widthNs < best.widthNs) best = { wallNs: BigInt(now) * NS_PER_MS, monotonicNs: before + widthNs / 2n, widthNs };
  }
  return best!;
}

const anchor = measureAnchor();
const anchorMonotonicNs = anchor.monotonicNs;
const anchorWallNs = anchor.wallNs;

/** Nanoseconds since the epoch. */
export function spanClockNowNs(): bigint {
  return anchorWallNs + (process.hrtime.bigint() - anchorMonotonicNs);
}

/** The anchor split into seconds and nanoseconds, for the number-only arithmetic of spanClockNow(). */
const anchorMonotonicHr: [number, number] = [Number(anchorMonotonicNs / NS_PER_SECOND), Number(anchorMonotonicNs % NS_PER_SECOND)];
const anchorWallSeconds = Number(anchorWallNs / NS_PER_SECOND);
const anchorWallNanos = Number(anchorWallNs % NS_PER_SECOND);

/**
 * The same instant as an OpenTelemetry HrTime ([seconds, nanoseconds]). Called for every span start, end and
 * event, so it adds the monotonic time since the anchor (process.hrtime's difference form) in whole numbers,
 * with no BigInt: the same integers as nsToHrTime(spanClockNowNs()).
 */
export function spanClockNow(): HrTime {
  const elapsed = process.hrtime(anchorMonotonicHr);
  let seconds = anchorWallSeconds + elapsed[0];
  let nanos = anchorWallNanos + elapsed[1];
  if (nanos >= 1_000_000_000) {
    seconds += 1;
    nanos -= 1_000_000_000;
  }
  return [seconds, nanos];
}

/** Epoch milliseconds (fractional) on the same clock, for code that lays out time in ms. */
export function spanClockNowMs(): number {
  return Number(spanClockNowNs()) / 1e6;
}

export function nsToHrTime(ns: bigint): HrTime {
  return [Number(ns / NS_PER_SECOND), Number(ns % NS_PER_SECOND)];
}
