import { Reader } from 'protobufjs';

/**
 * Where the bytes of one ExportTraceServiceRequest go, read from its protobuf wire form without decoding it
 * again. Field numbers from opentelemetry-proto v1.x (`collector/trace/v1/trace_service.proto`:
 * ExportTraceServiceRequest.resource_spans = 1; `trace/v1/trace.proto`: ResourceSpans.scope_spans = 2,
 * ScopeSpans.spans = 2).
 */
export interface RequestWireSizes {
  /** Length of the whole message. */
  readonly totalBytes: number;
  /** Each ResourceSpans in wire order: its framed size (tag + length + body) and its spans' framed sizes. */
  readonly resources: readonly ResourceWireSizes[];
}

export interface ResourceWireSizes {
  readonly bytes: number;
  /** Framed size of each Span, in the order the spans appear (scope by scope), as flattenRequest lists them. */
  readonly spanBytes: readonly number[];
}

const FIELD = { REQUEST_RESOURCE_SPANS: 1, RESOURCE_SCOPE_SPANS: 2, SCOPE_SPANS: 2 } as const;
const WIRE_TYPE_LEN = 2;

/** Sizes of the resource_spans and spans of an encoded request; throws on malformed protobuf. */
export function requestWireSizes(bytes: Uint8Array): RequestWireSizes {
  const resources: ResourceWireSizes[] = [];
  forEachLenField(bytes, (field, body, framed) => {
    if (field !== FIELD.REQUEST_RESOURCE_SPANS) return;
    const spanBytes: number[] = [];
    forEachLenField(body, (rsField, scopeBody) => {
      if (rsField !== FIELD.RESOURCE_SCOPE_SPANS) return;
      forEachLenField(scopeBody, (ssField, _span, spanFramed) => {
        if (ssField === FIELD.SCOPE_SPANS) spanBytes.push(spanFramed);
      });
    });
    resources.push({ bytes: framed, spanBytes });
  });
  return { totalBytes: bytes.length, resources };
}

/** Calls `visit` with each length-delimited field's number, body and framed size; skips other wire types. */
function forEachLenField(bytes: Uint8Array, visit: (field: number, body: Uint8Array, framedBytes: number) => void): void {
  const reader = Reader.create(bytes);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (wireType !== WIRE_TYPE_LEN) {
      reader.skipType(wireType);
      continue;
    }
    const body = reader.bytes();
    visit(field, body, reader.pos - start);
  }
}
