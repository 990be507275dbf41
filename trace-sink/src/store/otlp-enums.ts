// OTLP enum numbers mapped to the OpenTelemetry API names (SpanKind, StatusCode).

export const SPAN_KIND_NAMES = {
  0: 'UNSPECIFIED',
  1: 'INTERNAL',
  2: 'SERVER',
  3: 'CLIENT',
  4: 'PRODUCER',
  5: 'CONSUMER',
} as const;

export type SpanKindName = (typeof SPAN_KIND_NAMES)[keyof typeof SPAN_KIND_NAMES];

export const STATUS_CODE_NAMES = {
  0: 'UNSET',
  1: 'OK',
  2: 'ERROR',
} as const;

export type StatusCodeName = (typeof STATUS_CODE_NAMES)[keyof typeof STATUS_CODE_NAMES];

// Readers of OTLP JSON should also accept enum names such as "SPAN_KIND_SERVER".
const SPAN_KIND_PREFIX = 'SPAN_KIND_';
const STATUS_CODE_PREFIX = 'STATUS_CODE_';

/** Unknown values fall back to UNSPECIFIED, as receivers may assume. */
export function spanKindName(kind: number | string | undefined): SpanKindName {
  return lookup(SPAN_KIND_NAMES, kind, SPAN_KIND_PREFIX) ?? 'UNSPECIFIED';
}

export function statusCodeName(code: number | string | undefined): StatusCodeName {
  return lookup(STATUS_CODE_NAMES, code, STATUS_CODE_PREFIX) ?? 'UNSET';
}

function lookup<T extends string>(names: Record<number, T>, value: number | string | undefined, prefix: string): T | undefined {
  if (typeof value === 'number') return names[value];
  if (typeof value !== 'string') return undefined;
  const short = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  return Object.values(names).find((name) => name === short);
}
