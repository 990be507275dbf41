import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** A process's CPU time so far and resident memory now, from Linux /proc (undefined elsewhere or once it has exited). */
export interface ProcessUsage {
  cpuSeconds: number;
  rssBytes: number;
}

export function readProcessUsage(pid: number): ProcessUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / USER_HZ;
    const rssKb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuSeconds, rssBytes: rssKb ? Number(rssKb[1]) * 1024 : 0 };
  } catch {
    return undefined;
  }
}

/**
 * CPU and memory of a set of processes over a run: cores used between two marks (CPU seconds over wall
 * seconds) and the largest total RSS seen at any sample.
 */
export class UsageMeter {
  private readonly marks = new Map<string, { atMs: number; cpuSeconds: number }>();
  private lastCpuSeconds = 0;
  peakRssBytes = 0;
  rssBytes = 0;

  constructor(private readonly pids: () => number[]) {}

  /** Reads every process now; call periodically (peak RSS is the largest total seen at a sample). */
  sample(nowMs: number = Date.now()): { cpuSeconds: number; rssBytes: number } {
    let cpuSeconds = 0;
    let rssBytes = 0;
    for (const pid of this.pids()) {
      const usage = readProcessUsage(pid);
      if (usage === undefined) continue;
      cpuSeconds += usage.cpuSeconds;
      rssBytes += usage.rssBytes;
    }
    // A process that has exited reads as nothing: keep the last total so marks never go backwards.
    this.lastCpuSeconds = Math.max(this.lastCpuSeconds, cpuSeconds);
    this.rssBytes = rssBytes;
    this.peakRssBytes = Math.max(this.peakRssBytes, rssBytes);
    this.lastSampleMs = nowMs;
    return { cpuSeconds: this.lastCpuSeconds, rssBytes };
  }

  private lastSampleMs = 0;

  mark(name: string): void {
    const { cpuSeconds } = this.sample();
    this.marks.set(name, { atMs: this.lastSampleMs, cpuSeconds });
  }

  /** Cores used between two marks. */
  coresBetween(from: string, to: string): number | undefined {
    const a = this.marks.get(from);
    const b = this.marks.get(to);
    if (a === undefined || b === undefined || b.atMs <= a.atMs) return undefined;
    return (b.cpuSeconds - a.cpuSeconds) / ((b.atMs - a.atMs) / 1000);
  }
}
