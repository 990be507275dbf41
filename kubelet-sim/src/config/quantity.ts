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

/** resource.Format: how a Quantity prints, set by the suffix it was parsed with. */
export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

/** The Format ParseQuantity gives `text` (assumed to parse): Ki…Ei binary, e/E exponent, the rest decimal. */
export function quantityFormat(text: string): QuantityFormat {
  const suffix = QUANTITY_RE.exec(text)?.[2] ?? '';
  if (suffix in BINARY_SUFFIX) return 'BinarySI';
  return /^[eE]/.test(suffix) ? 'DecimalExponent' : 'DecimalSI';
}

/** A value with the format it prints in (Quantity.Add keeps the receiver's, or takes the operand's when zero). */
export interface GoQuantity {
  value: number;
  format: QuantityFormat;
}

/** Quantity.Add as the kubelet sums reservations: a zero receiver takes the operand's format. */
export function addQuantity(q: GoQuantity, y: GoQuantity): GoQuantity {
  return { value: q.value + y.value, format: q.value === 0 ? y.format : q.format };
}

const DECIMAL_SUFFIX_BY_EXPONENT: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * Quantity.String (quantity.go CanonicalizeBytes): zero is "0"; BinarySI strips factors of 1024 into Ki…Ei
 * unless the value is below 1024 in magnitude or fractional (then it prints as DecimalSI); DecimalSI strips
 * factors of 10 into an exponent that is a multiple of 3 (n…E); DecimalExponent prints that exponent as e<n>.
 * Exact for values that are whole multiples of 10^-9 within double precision.
 */
export function formatQuantity(q: GoQuantity): string {
  if (q.value === 0) return '0';
  let format = q.format;
  if (format === 'BinarySI' && (Math.abs(q.value) < 1024 || !Number.isInteger(q.value))) format = 'DecimalSI';
  if (format === 'BinarySI') {
    let amount = q.value;
    let power = 0;
    while (amount % 1024 === 0 && power < BINARY_SUFFIX_BY_POWER.length - 1) {
      amount /= 1024;
      power++;
    }
    return `${amount}${BINARY_SUFFIX_BY_POWER[power]}`;
  }
  let exponent = 0;
  let mantissa = q.value;
  while (!Number.isInteger(mantissa) && exponent > -9) {
    mantissa = Math.round(mantissa * 1000 * 1e6) / 1e6;
    exponent -= 3;
  }
  mantissa = Math.round(mantissa);
  while (mantissa % 10 === 0) {
    mantissa /= 10;
    exponent++;
  }
  const over = ((exponent % 3) + 3) % 3;
  mantissa *= 10 ** over;
  exponent -= over;
  if (format === 'DecimalExponent') return `${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  return `${mantissa}${DECIMAL_SUFFIX_BY_EXPONENT[exponent] ?? `e${exponent}`}`;
}
