/**
 * Preloaded into a soaked process (`NODE_OPTIONS=--require …/soak-probe.js`, SOAK_PROBE_FILE=path) to report
 * what /proc cannot show: V8 heap and the event loop's live handles and timers. Every SOAK_PROBE_PERIOD_MS
 * (default 10 s) it appends one JSON line to the file (`%p` in the path is replaced by the process id, so one
 * NODE_OPTIONS inherited by a launcher and its children gives each process its own file). It loads only node:fs and uses an unref'd timer, so it
 * changes neither the process's module load order (the gRPC instrumentation must load first) nor when it exits.
 * Test tooling only; the sims know nothing of it.
 */
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

export interface ProbeLine {
  atMs: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  /** Live handles and requests by kind (process.getActiveResourcesInfo()), timers included as `Timeout`. */
  resources: Record<string, number>;
}

const file = process.env.SOAK_PROBE_FILE?.replace('%p', String(process.pid));
if (file !== undefined && file !== '' && isMainThread) {
  const periodMs = Number(process.env.SOAK_PROBE_PERIOD_MS ?? 10_000);
  const started = Date.now();
  const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 100) / 100;
  const timer = setInterval(() => {
    const memory = process.memoryUsage();
    const resources: Record<string, number> = {};
    for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1;
    const line: ProbeLine = { atMs: Date.now() - started, heapUsedMiB: mib(memory.heapUsed), heapTotalMiB: mib(memory.heapTotal), externalMiB: mib(memory.external), resources };
    try {
      appendFileSync(file, JSON.stringify(line) + '\n');
    } catch {
      clearInterval(timer); // the soak's temp dir is gone: the run is over
    }
  }, periodMs);
  timer.unref();
}
