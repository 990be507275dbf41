/**
 * A machine probe beside a benchmark run's measurement window: a child process that does the same fixed work
 * once a second (./machine-probe-child.ts) and reports the CPU time it took. The sims' CPU per pod lifecycle
 * moves by 10–30% between runs of the same commit on this shared 2-core VM; if the probe's CPU per unit of
 * work moves with it, the machine was slower (clock, caches, neighbours), not our code. It costs ~1% of a core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { median } from '../bench-stats';

export interface MachineProbeResult {
  /** CPU ms of one unit of the reference work: median over the samples; NaN without samples. */
  medianCpuMs: number;
  samples: number;
}

export interface MachineProbe {
  stop(): Promise<MachineProbeResult>;
}

export function startMachineProbe(intervalMs = 1_000): MachineProbe {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'machine-probe-child.js'), String(intervalMs)], { stdio: ['pipe', 'pipe', 'ignore'] });
  const cpuUs: number[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^probe (\d+) /.exec(line);
      if (m) cpuUs.push(Number(m[1]));
    }
  });
  // A child that could not start reports 'error' and may never 'close'; closing the stdin of one that died is EPIPE.
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.on('error', () => resolve());
  });
  child.stdin?.on('error', () => undefined);
  return {
    async stop() {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      return { medianCpuMs: cpuUs.length === 0 ? Number.NaN : median(cpuUs) / 1000, samples: cpuUs.length };
    },
  };
}
