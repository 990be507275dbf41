/**
 * CPU sets as k8s.io/utils cpuset/cpuset.go (`Parse`, `String`) parses and prints them: a comma-separated list of
 * CPUs and inclusive ranges ("0-3,6"). Parse takes each element or range end through Go's strconv.Atoi (an
 * optional sign, decimal digits, nothing else, not even a space) and refuses a range that runs backwards;
 * the empty string is the empty set. The kubelet parses reservedSystemCPUs with it in config validation and
 * again in cmd/kubelet/app/server.go getReservedCPUs, which also requires the set within the online CPUs.
 */
import { goAtoi, goQuote } from '../config/go-compat';

export class CpuSetParseError extends Error {}

/** strconv.Atoi, its error as a CpuSetParseError. */
function atoi(text: string): number {
  try {
    return goAtoi(text);
  } catch (err) {
    throw new CpuSetParseError((err as Error).message);
  }
}

/** A parsed set as inclusive ranges, ascending and merged (so that "0-999999999" costs nothing). */
export type CpuRanges = ReadonlyArray<readonly [number, number]>;

/** cpuset.Parse. */
export function parseCpuSet(list: string): CpuRanges {
  if (list === '') return [];
  const ranges: Array<[number, number]> = [];
  for (const r of list.split(',')) {
    const dash = r.indexOf('-');
    if (dash < 0) {
      const c = atoi(r);
      ranges.push([c, c]);
      continue;
    }
    const start = atoi(r.slice(0, dash));
    const end = atoi(r.slice(dash + 1));
    if (start > end) throw new CpuSetParseError(`invalid range ${goQuote(r)} (${start} > ${end})`);
    ranges.push([start, end]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [lo, hi] of ranges) {
    const last = merged.at(-1);
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  return merged;
}

/** CPUSet.Size. */
export function cpuSetSize(set: CpuRanges): number {
  return set.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
}

/** CPUSet.IsSubsetOf the set 0..count-1 (the online CPUs of a machine with `count` of them). */
export function isWithinFirstCpus(set: CpuRanges, count: number): boolean {
  return set.every(([lo, hi]) => lo >= 0 && hi < count);
}

/** CPUSet.String: ascending, consecutive CPUs folded into ranges ("0-3,6"). */
export function formatCpuSet(set: CpuRanges): string {
  return set.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(',');
}
