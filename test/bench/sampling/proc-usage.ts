import { readFileSync } from 'node:fs';

/** Linux USER_HZ (`getconf CLK_TCK`): /proc/<pid>/stat utime and stime are in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcUsage {
  /** utime + stime so far. */
  cpuSeconds: number;
  /** VmHWM: the peak resident set so far. */
  peakRssMiB: number;
}

/** CPU and peak RSS of a live process from /proc (proc(5)); undefined once it is gone. */
export function readProcUsage(pid: number): ProcUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ", field 3 (state) is index 0: utime (14) and stime (15) are indices 11 and 12.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuSeconds, peakRssMiB: hwm ? Number(hwm[1]) / 1024 : Number.NaN };
  } catch {
    return undefined;
  }
}
