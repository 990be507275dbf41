import { otlpProtobufTypes } from '../proto/protobuf-types';

/** A body that is not an OTLP JSON ExportTraceServiceRequest; the message says where. */
export class OtlpJsonError extends Error {
  override readonly name = 'OtlpJsonError';
}

const ID_HEX_DIGITS = { traceId: 32, spanId: 16, parentSpanId: 16 } as const;

/**
 * Reads an OTLP/HTTP JSON body as the Collector's receiver does (pdata's JSON unmarshaler, e.g.
 * pdata/ptrace/json.go): field names in lowerCamelCase or snake_case, unknown fields skipped, trace and span
 * ids as hex strings, enums as numbers or names, 64-bit integers as strings or numbers, bytes as base64.
 * Returns the request as protobuf bytes, so the OTLP/gRPC decoding and checks apply to it unchanged.
 */
export function otlpJsonToProtobuf(body: Buffer): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new OtlpJsonError(`invalid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new OtlpJsonError('an ExportTraceServiceRequest must be a JSON object with "resourceSpans"');
  }
  const request = camelCaseKeys(parsed) as Record<string, unknown>;
  idsToBytes(request);
  const type = otlpProtobufTypes().exportTraceServiceRequest;
  let message;
  try {
    message = type.fromObject(request);
  } catch (err) {
    // protobufjs names the field: ".opentelemetry.proto.trace.v1.Span.kind: enum value expected".
    throw new OtlpJsonError((err as Error).message.replace(/^\./, ''));
  }
  return Buffer.from(type.encode(message).finish());
}

function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())] = camelCaseKeys(v);
  return out;
}

/** Hex ids of spans and links become bytes; anything else is left for protobufjs to judge. */
function idsToBytes(request: Record<string, unknown>): void {
  forEach(request.resourceSpans, (rs, r) =>
    forEach(rs.scopeSpans, (ss, s) =>
      forEach(ss.spans, (span, i) => {
        const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        hexField(span, 'traceId', where);
        hexField(span, 'spanId', where);
        hexField(span, 'parentSpanId', where);
        forEach(span.links, (link, l) => {
          hexField(link, 'traceId', `${where}.links[${l}]`);
          hexField(link, 'spanId', `${where}.links[${l}]`);
        });
      }),
    ),
  );
}

function forEach(list: unknown, fn: (item: Record<string, unknown>, index: number) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, index) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) fn(item as Record<string, unknown>, index);
  });
}

function hexField(obj: Record<string, unknown>, field: keyof typeof ID_HEX_DIGITS, where: string): void {
  const value = obj[field];
  if (value === undefined || value === null || value === '') {
    delete obj[field];
    return;
  }
  const digits = ID_HEX_DIGITS[field];
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(value)) {
    throw new OtlpJsonError(`${where}.${field}: ${JSON.stringify(value)} is not ${digits} hex digits`);
  }
  obj[field] = Buffer.from(value, 'hex');
}
