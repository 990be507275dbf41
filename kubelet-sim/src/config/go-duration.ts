/**
 * Go `time.Duration` parsing and formatting, byte-for-byte compatible with the
 * Go standard library (`time.ParseDuration` and `Duration.String`).
 *
 * Behaviour reproduced from Go's `src/time/format.go` (ParseDuration, leadingInt,
 * leadingFraction, quote) and `src/time/time.go` (Duration.String / format /
 * fmtFrac / fmtInt). The implementation below is our own; only the observable
 * behaviour (accepted grammar, overflow limits, error texts) follows Go.
 *
 * Kubernetes serialises `metav1.Duration` fields (syncFrequency, imageMinimumGCAge, …)
 * as the string produced by `Duration.String()` and parses them with
 * `time.ParseDuration` (k8s.io/apimachinery/pkg/apis/meta/v1/duration.go).
 *
 * Values are nanoseconds held in a `bigint`, because a Go Duration is an int64 and
 * JavaScript numbers cannot represent every int64.
 */

/** Nanoseconds per unit, as in Go's `time` package. */
export const NANOSECOND = 1n;
export const MICROSECOND = 1000n * NANOSECOND;
export const MILLISECOND = 1000n * MICROSECOND;
export const SECOND = 1000n * MILLISECOND;
export const MINUTE = 60n * SECOND;
export const HOUR = 60n * MINUTE;

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const TWO_POW_63 = 1n << 63n;

/** Unit suffixes accepted by Go. Keys are UTF-8 byte strings written as latin1 for lookup. */
const UNIT_NANOS: ReadonlyMap<string, bigint> = new Map<string, bigint>([
  ['ns', NANOSECOND],
  ['us', MICROSECOND],
  [Buffer.from('\u00b5s', 'utf8').toString('latin1'), MICROSECOND], // U+00B5 micro sign
  [Buffer.from('\u03bcs', 'utf8').toString('latin1'), MICROSECOND], // U+03BC greek mu
  ['ms', MILLISECOND],
  ['s', SECOND],
  ['m', MINUTE],
  ['h', HOUR],
]);

/** Error thrown by {@link parseGoDuration}; `message` is exactly Go's error text. */
export class GoDurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoDurationError';
  }
}

const LOWER_HEX = '0123456789abcdef';

/**
 * Go's private `time.quote`: wraps the input in double quotes, backslash-escapes
 * `"` and `\`, and writes every byte of a non-ASCII or control rune as `\xNN`.
 */
export function goTimeQuote(bytes: Uint8Array): string {
  let out = '"';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      if (b < 0x20) {
        out += '\\x' + LOWER_HEX[b >> 4] + LOWER_HEX[b & 0xf];
      } else {
        const ch = String.fromCharCode(b);
        if (ch === '"' || ch === '\\') out += '\\';
        out += ch;
      }
      i += 1;
      continue;
    }
    // Multi-byte rune (or an invalid byte, which Go decodes as a 1-byte RuneError).
    const width = utf8RuneWidth(bytes, i);
    for (let j = 0; j < width; j++) {
      const x = bytes[i + j];
      out += '\\x' + LOWER_HEX[x >> 4] + LOWER_HEX[x & 0xf];
    }
    i += width;
  }
  return out + '"';
}

/** Width in bytes of the UTF-8 sequence at `i`, or 1 when it is not a valid sequence. */
function utf8RuneWidth(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i];
  const cont = (k: number): boolean => i + k < bytes.length && (bytes[i + k] & 0xc0) === 0x80;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 1;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (!cont(1) || !cont(2)) return 1;
    const b1 = bytes[i + 1];
    if (b0 === 0xe0 && b1 < 0xa0) return 1; // overlong
    if (b0 === 0xed && b1 > 0x9f) return 1; // surrogate range
    return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 1;
    const b1 = bytes[i + 1];
    if (b0 === 0xf0 && b1 < 0x90) return 1;
    if (b0 === 0xf4 && b1 > 0x8f) return 1;
    return 4;
  }
  return 1;
}

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const DOT = 0x2e;

/**
 * Parses a duration string with Go's `time.ParseDuration` grammar
 * `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` (units ns, us, µs, μs, ms, s, m, h) and
 * returns the duration in nanoseconds.
 *
 * @throws GoDurationError with Go's exact message, e.g. `time: invalid duration "abc"`,
 *   `time: missing unit in duration "10"`, `time: unknown unit "d" in duration "1d"`.
 */
export function parseGoDuration(input: string): bigint {
  const orig = Buffer.from(input, 'utf8');
  const invalid = (): GoDurationError => new GoDurationError('time: invalid duration ' + goTimeQuote(orig));
  let s = 0; // index into orig: the unconsumed rest is orig[s..]
  const end = orig.length;
  let d = 0n;
  let neg = false;

  if (s < end) {
    const c = orig[s];
    if (c === 0x2d /* - */ || c === 0x2b /* + */) {
      neg = c === 0x2d;
      s += 1;
    }
  }
  // A bare "0" (optionally signed) is the only unit-less value Go accepts.
  if (end - s === 1 && orig[s] === 0x30) return 0n;
  if (s === end) throw invalid();

  while (s < end) {
    let v = 0n; // integer part
    let f = 0n; // fractional digits as an integer
    let scale = 1; // f / scale is the fraction (float64 in Go)

    if (!(orig[s] === DOT || isDigit(orig[s]))) throw invalid();

    // Integer part: [0-9]*
    const intStart = s;
    while (s < end && isDigit(orig[s])) {
      if (v > TWO_POW_63 / 10n) throw invalid(); // overflow
      v = v * 10n + BigInt(orig[s] - 0x30);
      if (v > TWO_POW_63) throw invalid(); // overflow
      s += 1;
    }
    const pre = s !== intStart;

    // Fraction: (\.[0-9]*)?
    let post = false;
    if (s < end && orig[s] === DOT) {
      s += 1;
      const fracStart = s;
      let overflow = false;
      while (s < end && isDigit(orig[s])) {
        if (!overflow) {
          if (f > MAX_INT64 / 10n) {
            overflow = true;
          } else {
            const y = f * 10n + BigInt(orig[s] - 0x30);
            if (y > TWO_POW_63) {
              overflow = true;
            } else {
              f = y;
              scale *= 10;
            }
          }
        }
        s += 1;
      }
      post = s !== fracStart;
    }
    if (!pre && !post) throw invalid(); // e.g. ".s" or "-.s"

    // Unit: everything up to the next '.' or digit.
    const unitStart = s;
    while (s < end && !(orig[s] === DOT || isDigit(orig[s]))) s += 1;
    if (s === unitStart) {
      throw new GoDurationError('time: missing unit in duration ' + goTimeQuote(orig));
    }
    const unitBytes = orig.subarray(unitStart, s);
    const unit = UNIT_NANOS.get(Buffer.from(unitBytes).toString('latin1'));
    if (unit === undefined) {
      throw new GoDurationError(
        'time: unknown unit ' + goTimeQuote(unitBytes) + ' in duration ' + goTimeQuote(orig),
      );
    }
    if (v > TWO_POW_63 / unit) throw invalid(); // overflow
    v *= unit;
    if (f > 0n) {
      // Go computes the fractional contribution in float64 and truncates to uint64.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_POW_63) throw invalid();
    }
    d += v;
    if (d > TWO_POW_63) throw invalid();
  }
  if (neg) return -d;
  if (d > MAX_INT64) throw invalid();
  return d;
}

/** Formats the fraction v/10^prec without trailing zeros; returns [text, v/10^prec]. */
function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let digits = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) digits = digit.toString() + digits;
    v /= 10n;
  }
  return [print ? '.' + digits : '', v];
}

/**
 * Formats nanoseconds exactly like Go's `time.Duration.String()`:
 * `0s`, `300ms`, `1.5µs`, `20s`, `1m0s`, `2h45m0s`, `-1m30s`.
 * Accepts a bigint (exact) or a number of nanoseconds (truncated to an integer).
 */
export function formatGoDuration(nanos: bigint | number): string {
  let d = typeof nanos === 'bigint' ? nanos : BigInt(Math.trunc(nanos));
  if (d > MAX_INT64 || d < MIN_INT64) {
    throw new RangeError(`duration ${d}ns does not fit in a Go time.Duration (int64)`);
  }
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < SECOND) {
    // Sub-second values use the smallest fitting unit, e.g. "1.2ms".
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < MICROSECOND) {
      prec = 0;
      unit = 'ns';
    } else if (u < MILLISECOND) {
      prec = 3;
      unit = '\u00b5s'; // Go prints U+00B5 MICRO SIGN
    } else {
      prec = 6;
      unit = 'ms';
    }
    const [frac, whole] = fmtFrac(u, prec);
    out = whole.toString() + frac + unit;
  } else {
    const [frac, secsTotal] = fmtFrac(u, 9);
    u = secsTotal;
    out = (u % 60n).toString() + frac + 's';
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + 'm' + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + 'h' + out; // Go stops at hours
    }
  }
  return neg ? '-' + out : out;
}

/** Nanoseconds → milliseconds as a JavaScript number (may be fractional for sub-ms values). */
export function nanosToMs(nanos: bigint): number {
  const whole = nanos / MILLISECOND;
  const rest = nanos % MILLISECOND;
  return Number(whole) + Number(rest) / 1e6;
}

/** Milliseconds → nanoseconds (rounded to the nearest nanosecond). */
export function msToNanos(ms: number): bigint {
  const whole = Math.trunc(ms);
  return BigInt(whole) * MILLISECOND + BigInt(Math.round((ms - whole) * 1e6));
}

/** Parses a Go duration string and returns milliseconds (see {@link parseGoDuration}). */
export function parseGoDurationMs(input: string): number {
  return nanosToMs(parseGoDuration(input));
}
