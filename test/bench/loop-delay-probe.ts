/**
 * Preloaded into a benchmarked process (`NODE_OPTIONS=--require …/loop-delay-probe.js`,
 * LOOP_DELAY_PROBE_DIR=dir) to measure how long its event loop was held: perf_hooks.monitorEventLoopDelay at
 * 1 ms resolution over the process's life, written at exit to `<dir>/<component>-<pid>.json`. A long delay is a
 * request or answer that waited for whatever the loop was doing. Main thread only (workers also run
 * preloads). Test tooling only; the sims know nothing of it.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

export interface LoopDelayReport {
  script: string;
  pid: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

const dir = process.env.LOOP_DELAY_PROBE_DIR;
if (dir !== undefined && dir !== '' && isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  process.on('exit', () => {
    histogram.disable();
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
    // …/runtime-sim/src/main.js → runtime-sim
    const script = basename(dirname(dirname(process.argv[1] ?? 'node')));
    const report: LoopDelayReport = {
      script,
      pid: process.pid,
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      p999Ms: ms(histogram.percentile(99.9)),
      maxMs: ms(histogram.max),
    };
    try {
      writeFileSync(join(dir, `${script}-${process.pid}.json`), JSON.stringify(report));
    } catch {
      // the bench's temp dir is gone: nothing to report to
    }
  });
}
