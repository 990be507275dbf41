/**
 * The part of apimachinery's resource.Quantity the kubelet needs for `containerLogMaxSize`
 * (k8s.io/apimachinery/pkg/api/resource/quantity.go ParseQuantity, then AsInt64): a signed decimal number
 * with a binary (Ki…Ei), decimal (n, u, m, k, M…E) or exponent (e3, E-2) suffix. Values are kept as
 * doubles, exact for the byte counts a log size takes.
 */

/** quantity.go ErrFormatWrong / ErrSuffix texts. */
export const QUANTITY_ERROR = {
  FORMAT_WRONG: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  SUFFIX: "unable to parse quantity's suffix",
} as const;

const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const BINARY_SUFFIX: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

export class QuantityError extends Error {}

/** ParseQuantity: the quantity's value, or a QuantityError with the upstream text. */
export function parseQuantity(text: string): number {
  const match = QUANTITY_RE.exec(text);
  if (match === null) throw new QuantityError(QUANTITY_ERROR.FORMAT_WRONG);
  const [, numberPart, suffix] = match;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(numberPart)) throw new QuantityError(QUANTITY_ERROR.FORMAT_WRONG);
  const value = Number(numberPart);
  if (suffix in BINARY_SUFFIX) return value * BINARY_SUFFIX[suffix];
  if (suffix in DECIMAL_SUFFIX) return value * 10 ** DECIMAL_SUFFIX[suffix];
  const exponent = /^[eE]([-+]?\d+)$/.exec(suffix);
  if (exponent !== null) return value * 10 ** Number(exponent[1]);
  throw new QuantityError(QUANTITY_ERROR.SUFFIX);
}

/** Quantity.AsInt64: the value when it is a whole number within int64, else undefined (ok=false). */
export function quantityAsInt64(value: number): number | undefined {
  return Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? value : undefined;
}
