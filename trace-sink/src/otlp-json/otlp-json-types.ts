// OTLP JSON as the OpenTelemetry Collector writes it (file exporter, OTLP/HTTP
// JSON): lowerCamelCase keys, trace/span ids as lowercase hex, enums as
// integers, 64-bit integers as decimal strings, bytes as base64, default
// values omitted. resource, scope and status are always present.

export interface OtlpJsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  /** A number, or "NaN" / "+Inf" / "-Inf" as the Collector spells them. */
  doubleValue?: number | string;
  arrayValue?: OtlpJsonArrayValue;
  kvlistValue?: OtlpJsonKeyValueList;
  bytesValue?: string;
}

export interface OtlpJsonArrayValue {
  values?: OtlpJsonAnyValue[];
}

export interface OtlpJsonKeyValueList {
  values?: OtlpJsonKeyValue[];
}

export interface OtlpJsonKeyValue {
  key?: string;
  value: OtlpJsonAnyValue;
}

export interface OtlpJsonInstrumentationScope {
  name?: string;
  version?: string;
  attributes?: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpJsonEntityRef {
  schemaUrl?: string;
  type?: string;
  idKeys?: string[];
  descriptionKeys?: string[];
}

export interface OtlpJsonResource {
  attributes?: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
  entityRefs?: OtlpJsonEntityRef[];
}

export interface OtlpJsonStatus {
  message?: string;
  code?: number;
}

export interface OtlpJsonEvent {
  timeUnixNano?: string;
  name?: string;
  attributes?: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpJsonLink {
  traceId?: string;
  spanId?: string;
  traceState?: string;
  attributes?: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

export interface OtlpJsonSpan {
  traceId?: string;
  spanId?: string;
  traceState?: string;
  parentSpanId?: string;
  flags?: number;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
  events?: OtlpJsonEvent[];
  droppedEventsCount?: number;
  links?: OtlpJsonLink[];
  droppedLinksCount?: number;
  status: OtlpJsonStatus;
}

export interface OtlpJsonScopeSpans {
  scope: OtlpJsonInstrumentationScope;
  spans?: OtlpJsonSpan[];
  schemaUrl?: string;
}

export interface OtlpJsonResourceSpans {
  resource: OtlpJsonResource;
  scopeSpans?: OtlpJsonScopeSpans[];
  schemaUrl?: string;
}

/** One line of the JSON-lines output file. Same shape as TracesData. */
export interface OtlpJsonExportTraceServiceRequest {
  resourceSpans?: OtlpJsonResourceSpans[];
}
