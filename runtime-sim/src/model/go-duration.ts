/**
 * Parser for Go duration strings (time.ParseDuration): a sequence of decimal numbers, each with an
 * optional fraction and a unit, e.g. "300ms", "1.5s", "2h45m". Units: ns, us, µs, μs, ms, s, m, h.
 * "0" alone is accepted. Negative durations are refused here: the simulator only needs spans of time.
 */
const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const TERM = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;

/** Nanoseconds, or undefined when `text` is not a valid non-negative Go duration. */
export function parseGoDurationNs(text: string): bigint | undefined {
  let rest = text.trim();
  if (rest === '0') return 0n;
  if (rest === '' || rest.startsWith('-')) return undefined;
  if (rest.startsWith('+')) rest = rest.slice(1);
  let total = 0n;
  let terms = 0;
  while (rest !== '') {
    const m = TERM.exec(rest);
    if (m === null) return undefined;
    const whole = m[1] ?? '';
    const frac = m[2];
    const unitNs = UNIT_NS[m[3] as string] as bigint;
    if (whole === '' && (frac === undefined || frac === '')) return undefined;
    total += BigInt(whole === '' ? '0' : whole) * unitNs;
    if (frac !== undefined && frac !== '') {
      const scale = 10n ** BigInt(frac.length);
      total += (BigInt(frac) * unitNs) / scale;
    }
    rest = rest.slice(m[0].length);
    terms++;
  }
  return terms > 0 ? total : undefined;
}

/** Formats nanoseconds the way Go's Duration.String() does for common values ("1.5s", "2m0s", "300ms"). */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  if (ns < 1_000n) return `${ns}ns`;
  if (ns < 1_000_000n) return `${trimFraction(ns, 1_000n)}µs`;
  if (ns < 1_000_000_000n) return `${trimFraction(ns, 1_000_000n)}ms`;
  const hours = ns / 3_600_000_000_000n;
  const minutes = (ns % 3_600_000_000_000n) / 60_000_000_000n;
  const secondsNs = ns % 60_000_000_000n;
  const seconds = `${trimFraction(secondsNs, 1_000_000_000n)}s`;
  if (hours > 0n) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0n) return `${minutes}m${seconds}`;
  return seconds;
}

function trimFraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const frac = value % unit;
  if (frac === 0n) return whole.toString();
  const digits = unit.toString().length - 1;
  return `${whole}.${frac.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}
