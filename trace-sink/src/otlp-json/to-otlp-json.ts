import type * as D from '../proto/decoded-types';
import type * as J from './otlp-json-types';

// Keys are inserted in the Collector's output order so JSON.stringify yields
// the same line the Collector's file exporter would write.

/** Converts a decoded ExportTraceServiceRequest into Collector-style OTLP JSON. */
export function toOtlpJson(request: D.DecodedExportTraceServiceRequest): J.OtlpJsonExportTraceServiceRequest {
  const out: J.OtlpJsonExportTraceServiceRequest = {};
  if (nonEmpty(request.resourceSpans)) out.resourceSpans = request.resourceSpans.map(resourceSpans);
  return out;
}

function resourceSpans(rs: D.DecodedResourceSpans): J.OtlpJsonResourceSpans {
  const out: J.OtlpJsonResourceSpans = { resource: resource(rs.resource ?? {}) };
  if (nonEmpty(rs.scopeSpans)) out.scopeSpans = rs.scopeSpans.map(scopeSpans);
  if (rs.schemaUrl) out.schemaUrl = rs.schemaUrl;
  return out;
}

function resource(r: D.DecodedResource): J.OtlpJsonResource {
  const out: J.OtlpJsonResource = {};
  if (nonEmpty(r.attributes)) out.attributes = r.attributes.map(keyValue);
  if (r.droppedAttributesCount) out.droppedAttributesCount = r.droppedAttributesCount;
  if (nonEmpty(r.entityRefs)) out.entityRefs = r.entityRefs.map(entityRef);
  return out;
}

function entityRef(e: D.DecodedEntityRef): J.OtlpJsonEntityRef {
  const out: J.OtlpJsonEntityRef = {};
  if (e.schemaUrl) out.schemaUrl = e.schemaUrl;
  if (e.type) out.type = e.type;
  if (nonEmpty(e.idKeys)) out.idKeys = [...e.idKeys];
  if (nonEmpty(e.descriptionKeys)) out.descriptionKeys = [...e.descriptionKeys];
  return out;
}

function scopeSpans(ss: D.DecodedScopeSpans): J.OtlpJsonScopeSpans {
  const out: J.OtlpJsonScopeSpans = { scope: scope(ss.scope ?? {}) };
  if (nonEmpty(ss.spans)) out.spans = ss.spans.map(span);
  if (ss.schemaUrl) out.schemaUrl = ss.schemaUrl;
  return out;
}

function scope(s: D.DecodedInstrumentationScope): J.OtlpJsonInstrumentationScope {
  const out: J.OtlpJsonInstrumentationScope = {};
  if (s.name) out.name = s.name;
  if (s.version) out.version = s.version;
  if (nonEmpty(s.attributes)) out.attributes = s.attributes.map(keyValue);
  if (s.droppedAttributesCount) out.droppedAttributesCount = s.droppedAttributesCount;
  return out;
}

function span(s: D.DecodedSpan): J.OtlpJsonSpan {
  const out = {} as J.OtlpJsonSpan;
  if (isSetId(s.traceId)) out.traceId = hex(s.traceId);
  if (isSetId(s.spanId)) out.spanId = hex(s.spanId);
  if (s.traceState) out.traceState = s.traceState;
  if (isSetId(s.parentSpanId)) out.parentSpanId = hex(s.parentSpanId);
  if (s.flags) out.flags = s.flags;
  if (s.name) out.name = s.name;
  if (s.kind) out.kind = s.kind;
  if (isSetUint64(s.startTimeUnixNano)) out.startTimeUnixNano = s.startTimeUnixNano;
  if (isSetUint64(s.endTimeUnixNano)) out.endTimeUnixNano = s.endTimeUnixNano;
  if (nonEmpty(s.attributes)) out.attributes = s.attributes.map(keyValue);
  if (s.droppedAttributesCount) out.droppedAttributesCount = s.droppedAttributesCount;
  if (nonEmpty(s.events)) out.events = s.events.map(event);
  if (s.droppedEventsCount) out.droppedEventsCount = s.droppedEventsCount;
  if (nonEmpty(s.links)) out.links = s.links.map(link);
  if (s.droppedLinksCount) out.droppedLinksCount = s.droppedLinksCount;
  out.status = status(s.status ?? {});
  return out;
}

function event(e: D.DecodedEvent): J.OtlpJsonEvent {
  const out: J.OtlpJsonEvent = {};
  if (isSetUint64(e.timeUnixNano)) out.timeUnixNano = e.timeUnixNano;
  if (e.name) out.name = e.name;
  if (nonEmpty(e.attributes)) out.attributes = e.attributes.map(keyValue);
  if (e.droppedAttributesCount) out.droppedAttributesCount = e.droppedAttributesCount;
  return out;
}

function link(l: D.DecodedLink): J.OtlpJsonLink {
  const out: J.OtlpJsonLink = {};
  if (isSetId(l.traceId)) out.traceId = hex(l.traceId);
  if (isSetId(l.spanId)) out.spanId = hex(l.spanId);
  if (l.traceState) out.traceState = l.traceState;
  if (nonEmpty(l.attributes)) out.attributes = l.attributes.map(keyValue);
  if (l.droppedAttributesCount) out.droppedAttributesCount = l.droppedAttributesCount;
  if (l.flags) out.flags = l.flags;
  return out;
}

function status(s: D.DecodedStatus): J.OtlpJsonStatus {
  const out: J.OtlpJsonStatus = {};
  if (s.message) out.message = s.message;
  if (s.code) out.code = s.code;
  return out;
}

function keyValue(kv: D.DecodedKeyValue): J.OtlpJsonKeyValue {
  const out = {} as J.OtlpJsonKeyValue;
  if (kv.key) out.key = kv.key;
  out.value = anyValue(kv.value ?? {});
  return out;
}

// A oneof member is written even when it holds its default (0, "", false).
function anyValue(v: D.DecodedAnyValue): J.OtlpJsonAnyValue {
  switch (v.value) {
    case 'stringValue':
      return { stringValue: v.stringValue ?? '' };
    case 'boolValue':
      return { boolValue: v.boolValue ?? false };
    case 'intValue':
      return { intValue: v.intValue ?? '0' };
    case 'doubleValue':
      return { doubleValue: double(v.doubleValue ?? 0) };
    case 'arrayValue': {
      const values = v.arrayValue?.values;
      return { arrayValue: nonEmpty(values) ? { values: values.map(anyValue) } : {} };
    }
    case 'kvlistValue': {
      const values = v.kvlistValue?.values;
      return { kvlistValue: nonEmpty(values) ? { values: values.map(keyValue) } : {} };
    }
    case 'bytesValue':
      return { bytesValue: (v.bytesValue ?? Buffer.alloc(0)).toString('base64') };
    default:
      return {};
  }
}

// JSON has no NaN/Infinity; the Collector writes Go's %f spelling of them.
function double(n: number): number | string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return n;
}

// An all-zero id is "empty" to the Collector and is left out of the JSON.
function isSetId(id: Buffer | undefined): id is Buffer {
  return id !== undefined && id.some((b) => b !== 0);
}

function isSetUint64(n: string | undefined): n is string {
  return n !== undefined && n !== '0';
}

function hex(id: Buffer): string {
  return id.toString('hex');
}

function nonEmpty<T>(list: T[] | undefined): list is T[] {
  return list !== undefined && list.length > 0;
}
