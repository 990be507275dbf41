import type { OtlpJsonExportTraceServiceRequest, OtlpJsonSpan } from '../otlp-json/otlp-json-types';
import { toAttributes, type Attributes } from './attribute-value';
import type { FlatSpan } from './flat-span';
import { spanKindName, statusCodeName } from './otlp-enums';

const UNKNOWN_SERVICE = 'unknown_service';

/** Flattens one OTLP JSON export request (or TracesData) into spans. */
export function flattenRequest(request: OtlpJsonExportTraceServiceRequest): FlatSpan[] {
  const out: FlatSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = toAttributes(rs.resource?.attributes);
    const serviceName = resource['service.name'];
    const service = typeof serviceName === 'string' && serviceName !== '' ? serviceName : UNKNOWN_SERVICE;
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' };
      for (const span of ss.spans ?? []) out.push(flattenSpan(span, service, scope, resource));
    }
  }
  return out;
}

function flattenSpan(
  span: OtlpJsonSpan,
  service: string,
  scope: { name: string; version: string },
  resource: Attributes,
): FlatSpan {
  const start = uint64(span.startTimeUnixNano);
  const end = uint64(span.endTimeUnixNano);
  return {
    traceId: span.traceId ?? '',
    spanId: span.spanId ?? '',
    parentSpanId: span.parentSpanId ?? '',
    name: span.name ?? '',
    service,
    scope: scope.name,
    scopeVersion: scope.version,
    kind: spanKindName(span.kind),
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    startTimeMs: Number(start / 1000n) / 1000,
    durationMs: Number(end - start) / 1e6,
    attributes: toAttributes(span.attributes),
    resource,
    events: (span.events ?? []).map((e) => ({
      name: e.name ?? '',
      timeUnixNano: uint64(e.timeUnixNano).toString(),
      attributes: toAttributes(e.attributes),
    })),
    links: (span.links ?? []).map((l) => ({
      traceId: l.traceId ?? '',
      spanId: l.spanId ?? '',
      traceState: l.traceState ?? '',
      attributes: toAttributes(l.attributes),
    })),
    status: { code: statusCodeName(span.status?.code), message: span.status?.message ?? '' },
    traceState: span.traceState ?? '',
    flags: span.flags ?? 0,
  };
}

// OTLP JSON readers must accept 64-bit integers as strings or numbers.
function uint64(value: string | number | undefined): bigint {
  if (value === undefined) return 0n;
  try {
    return BigInt(value);
  } catch {
    return 0n;
  }
}
