/**
 * Small helpers that reproduce Go standard-library and apimachinery formatting the
 * kubelet's messages depend on. Each function names the Go behaviour it mirrors;
 * the code is our own.
 */

const LOWER_HEX = '0123456789abcdef';

/** Unicode categories Go's `strconv.IsPrint` treats as printable (L, M, N, P, S) plus U+0020. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/**
 * Go's `strconv.Quote` (also what `fmt`'s `%q` prints for a string): double-quoted,
 * with `\a \b \f \n \r \t \v \\ \"` escapes, `\xNN` for other ASCII control bytes,
 * `\uNNNN`/`\UNNNNNNNN` for non-printable non-ASCII runes; printable Unicode is kept.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') {
      out += '\\' + ch;
      continue;
    }
    if (r === 0x20 || (r > 0x20 && r < 0x7f) || (r >= 0x80 && PRINTABLE.test(ch))) {
      out += ch;
      continue;
    }
    switch (ch) {
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (r < 0x20 || r === 0x7f) {
      out += '\\x' + LOWER_HEX[r >> 4] + LOWER_HEX[r & 0xf];
    } else if (r >= 0xd800 && r <= 0xdfff) {
      out += '\\ufffd'; // lone surrogate: Go sees RuneError
    } else if (r < 0x10000) {
      out += '\\u' + r.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + r.toString(16).padStart(8, '0');
    }
  }
  return out + '"';
}

/**
 * Go's `path.Clean` (== `filepath.Clean` on Linux): shortest equivalent path,
 * no trailing slash, `.`/`..` resolved lexically, `""` → `"."`.
 */
export function goPathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts = p.split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') {
        out.pop();
      } else if (!rooted) {
        out.push('..');
      }
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** Go's `filepath.Join` on Linux: joins non-empty elements with `/` and cleans the result. */
export function goFilepathJoin(...elems: string[]): string {
  const nonEmpty = elems.filter((e) => e !== '');
  if (nonEmpty.length === 0) return '';
  return goPathClean(nonEmpty.join('/'));
}

/** Go's `filepath.IsAbs` on Linux. */
export function goFilepathIsAbs(p: string): boolean {
  return p.startsWith('/');
}

/** Go's `filepath.Dir` on Linux. */
export function goFilepathDir(p: string): string {
  const i = p.lastIndexOf('/');
  return goPathClean(p.slice(0, i + 1));
}

/**
 * Error text of `k8s.io/apimachinery/pkg/util/errors.NewAggregate(errs).Error()`:
 * a single error prints as itself; several print as `[e1, e2]` with duplicate
 * messages dropped (and a lone survivor printed without brackets).
 */
export function goAggregateMessage(messages: readonly string[]): string {
  if (messages.length === 0) return '';
  if (messages.length === 1) return messages[0];
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const m of messages) {
    if (seen.has(m)) continue;
    seen.add(m);
    kept.push(m);
  }
  return kept.length === 1 ? kept[0] : '[' + kept.join(', ') + ']';
}

/**
 * Go's `%v` for an integer-valued JS number (int32/int64 fields). Non-integers fall
 * back to JavaScript's shortest representation, which matches Go's `%v` for float64
 * in the ranges the kubelet config uses.
 */
export function goFormatNumber(n: number): string {
  if (Object.is(n, -0)) return '0';
  return String(n);
}

const MAX_INT64 = 2n ** 63n - 1n;

/** strconv.Atoi on a 64-bit platform: the value, or throws an Error with the text of Go's *NumError. */
export function goAtoi(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new Error(`strconv.Atoi: parsing ${goQuote(text)}: invalid syntax`);
  const n = BigInt(text);
  if (n > MAX_INT64 || n < -MAX_INT64 - 1n) throw new Error(`strconv.Atoi: parsing ${goQuote(text)}: value out of range`);
  return Number(n);
}

/** strconv.ParseBool: the value, or throws an Error with the text of Go's *NumError. */
export function goParseBool(text: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw new Error(`strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax`);
}

/** Go's %v of a map[string]string: `map[k1:v1 k2:v2]`, keys sorted as fmt sorts them. */
export function goFormatStringMap(m: Readonly<Record<string, string>>): string {
  return `map[${Object.keys(m).sort().map((k) => `${k}:${m[k]}`).join(' ')}]`;
}
