/** Least-squares slope of `value` against each sample's time (`atMs`), per hour: a soak's growth rate. */
export function perHour<T extends { atMs: number }>(samples: readonly T[], value: (s: T) => number): number {
  if (samples.length < 2) return 0;
  const xs = samples.map((s) => s.atMs / 3_600_000);
  const ys = samples.map(value);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((a, x, i) => a + (x - mx) * ((ys[i] as number) - my), 0);
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
