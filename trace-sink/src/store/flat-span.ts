import type { Attributes } from './attribute-value';
import type { SpanKindName, StatusCodeName } from './otlp-enums';

/** A span with its resource and scope folded in, ready for queries and views. */
export interface FlatSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** 16 lowercase hex digits, or '' for a root span. */
  parentSpanId: string;
  name: string;
  /** Resource attribute service.name, or 'unknown_service' when absent. */
  service: string;
  /** Instrumentation scope name ('' when unknown). */
  scope: string;
  scopeVersion: string;
  kind: SpanKindName;
  /** Unix epoch nanoseconds as an exact decimal string. */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** Unix epoch milliseconds (microsecond precision). */
  startTimeMs: number;
  durationMs: number;
  attributes: Attributes;
  /** All resource attributes, service.name included. */
  resource: Attributes;
  events: FlatSpanEvent[];
  links: FlatSpanLink[];
  status: { code: StatusCodeName; message: string };
  traceState: string;
  /** W3C trace flags in the low byte; bits 8-9 say whether the parent is remote. */
  flags: number;
}

export interface FlatSpanEvent {
  name: string;
  timeUnixNano: string;
  attributes: Attributes;
}

export interface FlatSpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
}
