// Shapes produced by proto-loader for our OTLP protos with the options in
// load-trace-service.ts: lowerCamelCase names, 64-bit integers as decimal
// strings, enums as numbers, bytes as Buffer, absent fields left undefined,
// and `value` naming the member set in the AnyValue oneof.

export interface DecodedAnyValue {
  value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: DecodedArrayValue;
  kvlistValue?: DecodedKeyValueList;
  bytesValue?: Buffer;
}

export interface DecodedArrayValue {
  values?: DecodedAnyValue[];
}

export interface DecodedKeyValueList {
  values?: DecodedKeyValue[];
}

export interface DecodedKeyValue {
  key?: string;
  value?: DecodedAnyValue;
}

export interface DecodedInstrumentationScope {
  name?: string;
  version?: string;
  attributes?: DecodedKeyValue[];
  droppedAttributesCount?: number;
}

export interface DecodedEntityRef {
  schemaUrl?: string;
  type?: string;
  idKeys?: string[];
  descriptionKeys?: string[];
}

export interface DecodedResource {
  attributes?: DecodedKeyValue[];
  droppedAttributesCount?: number;
  entityRefs?: DecodedEntityRef[];
}

export interface DecodedStatus {
  message?: string;
  code?: number;
}

export interface DecodedEvent {
  timeUnixNano?: string;
  name?: string;
  attributes?: DecodedKeyValue[];
  droppedAttributesCount?: number;
}

export interface DecodedLink {
  traceId?: Buffer;
  spanId?: Buffer;
  traceState?: string;
  attributes?: DecodedKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

export interface DecodedSpan {
  traceId?: Buffer;
  spanId?: Buffer;
  traceState?: string;
  parentSpanId?: Buffer;
  flags?: number;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: DecodedKeyValue[];
  droppedAttributesCount?: number;
  events?: DecodedEvent[];
  droppedEventsCount?: number;
  links?: DecodedLink[];
  droppedLinksCount?: number;
  status?: DecodedStatus;
}

export interface DecodedScopeSpans {
  scope?: DecodedInstrumentationScope;
  spans?: DecodedSpan[];
  schemaUrl?: string;
}

export interface DecodedResourceSpans {
  resource?: DecodedResource;
  scopeSpans?: DecodedScopeSpans[];
  schemaUrl?: string;
}

export interface DecodedExportTraceServiceRequest {
  resourceSpans?: DecodedResourceSpans[];
}
