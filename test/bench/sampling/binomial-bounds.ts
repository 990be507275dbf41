/**
 * Two-sided bounds on a Binomial(n, p) count: the smallest `low` and largest `high` such that
 * P(X < low) ≤ tail and P(X > high) ≤ tail, summed from the probability mass function in log space.
 */
export function binomialBounds(n: number, p: number, tail: number): { low: number; high: number } {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be within [0, 1], got ${p}`);
  if (p === 0) return { low: 0, high: 0 };
  if (p === 1) return { low: n, high: n };
  const pmf: number[] = [];
  let logC = 0; // log C(n, k)
  for (let k = 0; k <= n; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    pmf.push(Math.exp(logC + k * Math.log(p) + (n - k) * Math.log1p(-p)));
  }
  let low = 0;
  for (let below = 0; low < n && below + (pmf[low] as number) <= tail; low++) below += pmf[low] as number;
  let high = n;
  for (let above = 0; high > 0 && above + (pmf[high] as number) <= tail; high--) above += pmf[high] as number;
  return { low, high };
}
