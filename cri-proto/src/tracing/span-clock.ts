/**
 * The one clock every span of a process is timed with: monotonic, nanosecond resolution, anchored to wall
 * time once at start. The OpenTelemetry JS SDK (sdk-trace Span) stamps each span that has no start time with
 * Date.now(), a whole millisecond, and times the rest of the span from there; a span given a start time gets
 * Date.now() for its end and events. Spans made by different tracers then disagree by up to a millisecond,
 * which shows as children outside their parents. Stamping every start, end and event from this clock (see
 * ./high-resolution-tracer-provider.ts) gives go-like nanosecond timestamps that nest.
 *
 * The anchor uses performance.timeOrigin (sub-millisecond, read from the system clock at process start), so
 * two processes on one machine agree to within microseconds: a runtime's SERVER span lies inside the
 * kubelet's CLIENT span.
 */
import type { HrTime } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';

const NS_PER_SECOND = 1_000_000_000n;

const anchorMonotonicNs = process.hrtime.bigint();
const anchorWallNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1_000)) * 1_000n;

/** Nanoseconds since the epoch. */
export function spanClockNowNs(): bigint {
  return anchorWallNs + (process.hrtime.bigint() - anchorMonotonicNs);
}

/** The same instant as an OpenTelemetry HrTime ([seconds, nanoseconds]). */
export function spanClockNow(): HrTime {
  return nsToHrTime(spanClockNowNs());
}

/** Epoch milliseconds (fractional) on the same clock, for code that lays out time in ms. */
export function spanClockNowMs(): number {
  return Number(spanClockNowNs()) / 1e6;
}

export function nsToHrTime(ns: bigint): HrTime {
  return [Number(ns / NS_PER_SECOND), Number(ns % NS_PER_SECOND)];
}
