import type { OtlpJsonAnyValue, OtlpJsonKeyValue } from '../otlp-json/otlp-json-types';

/**
 * A plain-JS attribute value. int64 becomes a number when it fits in a double
 * exactly and stays a decimal string otherwise; bytes become a Buffer; an
 * empty AnyValue becomes null.
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | Buffer
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

export function toAttributes(list: readonly OtlpJsonKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) out[kv.key ?? ''] = toAttributeValue(kv.value);
  return out;
}

export function toAttributeValue(v: OtlpJsonAnyValue | undefined): AttributeValue {
  if (v === undefined) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return int64(v.intValue);
  if (v.doubleValue !== undefined) return double(v.doubleValue);
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(toAttributeValue);
  if (v.kvlistValue !== undefined) return toAttributes(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue, 'base64');
  return null;
}

// OTLP JSON readers must accept int64 as a string or a number.
function int64(value: string | number): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

const SPECIAL_DOUBLES: Record<string, number> = {
  NaN: NaN,
  '+Inf': Infinity,
  Infinity: Infinity,
  '-Inf': -Infinity,
  '-Infinity': -Infinity,
};

function double(value: number | string): number {
  return typeof value === 'number' ? value : (SPECIAL_DOUBLES[value] ?? Number(value));
}
