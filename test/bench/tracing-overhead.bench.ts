/**
 * `npm run bench`: what tracing costs a node, across the kubelet's samplingRatePerMillion.
 *
 * Each run is a fresh runtime-sim (CRI-O persona, tracing enabled with rate 0, so it follows the kubelet's
 * sampled flag as CRI-O does) and a fresh load client (kubelet-sim's CRI client under the kubelet's root
 * spans at one rate, see cri-load-client.ts), both exporting to an in-process trace-sink. Configurations
 * are interleaved round by round (the order rotates each round) so drift on a noisy 2-core machine hits
 * them all alike; the table reports medians over rounds, and ratios against "off" (no tracing block: no
 * provider and no gRPC instrumentation) from the same run.
 *
 * Measured per call: client round trip (p50/p90 of the run), client CPU including the final flush, and
 * runtime-sim CPU from /proc over the run plus its export (OTEL_BSP_SCHEDULE_DELAY shortened so a run's
 * spans are exported before the next run; everything else is the SDK default).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { startTraceSink } from '../../trace-sink/src';
import type { FlatSpan } from '../../trace-sink/src';
import { startNodeProcess } from '../../node-demo/src/child-process-runner';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';
import { median, formatRatio, renderTable } from './bench-stats';
import { CALLS_PER_POD, CLIENT_SPANS_PER_POD } from './call-run-result';
import type { CallRunResult } from './call-run-result';

/** The compiled tree this file runs from. */
const DIST = resolve(__dirname, '..', '..');
const DEFAULT_RATES = ['off', '0', '100', '10000', '1000000'];
/** Runtime spans are exported within this many ms of the run's last call. */
const RUNTIME_BSP_DELAY_MS = 200;
/** Hard bound on one run, whatever the machine does. */
const RUN_TIMEOUT_MS = 120_000;
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ; /proc/<pid>/stat utime/stime are in these ticks

interface RunRecord extends CallRunResult {
  runtimeCpuUsPerCall: number;
  runtimeSpans: number;
}

/** utime + stime of a live process, microseconds. */
function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0, so utime (14) and stime (15) are indices 11 and 12.
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

async function waitForFile(path: string, timeoutMs: number, process: RunningProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (process.child.exitCode !== null) throw new Error(`${process.name} exited before creating ${path}`);
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function runClient(args: string[], logPath: string): Promise<CallRunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(DIST, 'test/bench/cri-load-client.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`load client exited ${code}: ${err.trim()} (runtime log: ${logPath})`));
      try {
        resolveRun(JSON.parse(out.trim().split('\n').pop() ?? '') as CallRunResult);
      } catch {
        reject(new Error(`load client printed no result: ${out} ${err}`));
      }
    });
  });
}

async function main(): Promise<void> {
  const argv = yargs(process.argv.slice(2))
    .scriptName('npm run bench --')
    .option('rates', { type: 'string', default: DEFAULT_RATES.join(','), describe: 'comma-separated samplingRatePerMillion values; "off" = no tracing block' })
    .option('rounds', { type: 'number', default: 5, describe: 'runs per rate (interleaved)' })
    .option('pods', { type: 'number', default: 200, describe: `pod lifecycles measured per run (${CALLS_PER_POD} CRI calls each)` })
    .option('warmup-pods', { type: 'number', default: 30, describe: 'unmeasured lifecycles first in each run' })
    .check((a) => {
      if (!Number.isInteger(a.rounds) || a.rounds < 1 || a.rounds > 50) throw new Error('--rounds must be an integer in [1, 50]');
      if (!Number.isInteger(a.pods) || a.pods < 1 || a.pods > 5000) throw new Error('--pods must be an integer in [1, 5000]');
      if (!Number.isInteger(a['warmup-pods']) || a['warmup-pods'] < 0 || a['warmup-pods'] > 1000) throw new Error('--warmup-pods must be an integer in [0, 1000]');
      return true;
    })
    .strict()
    .parseSync();
  const rates = argv.rates.split(',').map((r) => r.trim()).filter(Boolean);

  const workDir = mkdtempSync(join(tmpdir(), 'kubelet-cri-bench-'));
  const sink = await startTraceSink({ listen: '127.0.0.1:0', maxSpans: 10_000 });
  let currentRunSpans: FlatSpan[] = [];
  sink.onExport((e) => void currentRunSpans.push(...e.spans));
  const records = new Map<string, RunRecord[]>(rates.map((r) => [r, []]));
  const logPath = join(workDir, 'runtime-sim.log');
  let runtime: RunningProcess | undefined;
  try {
    process.stderr.write(`bench: ${argv.rounds} rounds x rates [${rates.join(', ')}], ${argv.pods} pods per run; node ${process.version}\n`);
    for (let round = 0; round < argv.rounds; round++) {
      const order = rates.map((_, i) => rates[(i + round) % rates.length]);
      for (const rate of order) {
        const socketPath = join(workDir, `runtime-${round}-${rate}.sock`);
        runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), [
          '--persona', 'crio', '--listen', `unix://${socketPath}`,
          '--enable-tracing', '--tracing-endpoint', sink.address, '--tracing-sampling-rate-per-million', '0',
        ], logPath, { ...process.env, OTEL_BSP_SCHEDULE_DELAY: String(RUNTIME_BSP_DELAY_MS) });
        await waitForFile(socketPath, 15_000, runtime);
        const runtimePid = runtime.child.pid as number;
        currentRunSpans = [];
        const cpuBefore = processCpuUs(runtimePid);
        const result = await runClient([
          '--endpoint', `unix://${socketPath}`, '--rate', rate, '--collector', sink.address,
          '--pods', String(argv.pods), '--warmup-pods', String(argv['warmup-pods']), '--pod-logs-dir', join(workDir, 'pod-logs'),
        ], logPath);
        await new Promise((r) => setTimeout(r, RUNTIME_BSP_DELAY_MS * 3));
        const runtimeCpuUs = processCpuUs(runtimePid) - cpuBefore;
        await runtime.stop(5_000);
        runtime = undefined;
        const runtimeSpans = currentRunSpans.filter((s) => s.service === 'crio').length;
        records.get(rate)?.push({ ...result, runtimeCpuUsPerCall: runtimeCpuUs / result.calls, runtimeSpans });
        process.stderr.write(`  round ${round + 1} rate=${rate}: p50 ${result.p50Us.toFixed(0)} µs, client CPU ${result.cpuUsPerCall.toFixed(0)} µs/call, runtime CPU ${(runtimeCpuUs / result.calls).toFixed(0)} µs/call, spans kubelet ${result.spansExported} crio ${runtimeSpans}\n`);
      }
    }
  } finally {
    await runtime?.stop(5_000);
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }

  const summary = rates.map((rate) => {
    const runs = records.get(rate) ?? [];
    return {
      rate,
      p50: median(runs.map((r) => r.p50Us)),
      p90: median(runs.map((r) => r.p90Us)),
      clientCpu: median(runs.map((r) => r.cpuUsPerCall)),
      runtimeCpu: median(runs.map((r) => r.runtimeCpuUsPerCall)),
      spans: median(runs.map((r) => r.spansExported)),
      runtimeSpans: median(runs.map((r) => r.runtimeSpans)),
      lost: runs.reduce((n, r) => n + r.spansLost, 0),
    };
  });
  const base = summary.find((s) => s.rate === 'off') ?? summary[0];
  const podsPerRun = argv.pods + argv['warmup-pods'];
  const rows = summary.map((s) => [
    s.rate === 'off' ? 'off (no tracing block)' : `${s.rate} per million`,
    s.p50.toFixed(0),
    s.p90.toFixed(0),
    formatRatio(s.p50, base.p50),
    s.clientCpu.toFixed(0),
    formatRatio(s.clientCpu, base.clientCpu),
    s.runtimeCpu.toFixed(0),
    formatRatio(s.runtimeCpu, base.runtimeCpu),
    `${s.spans.toFixed(0)}/${s.rate === 'off' ? 0 : Math.round((podsPerRun * CLIENT_SPANS_PER_POD * Number(s.rate)) / 1_000_000)}`,
    s.runtimeSpans.toFixed(0),
    String(s.lost),
  ]);
  process.stdout.write('\nTracing overhead per CRI call (medians over rounds; ratios against "off" from this run)\n\n');
  process.stdout.write(renderTable(
    ['kubelet samplingRatePerMillion', 'p50 µs', 'p90 µs', 'p50 ratio', 'kubelet CPU µs', 'ratio', 'runtime CPU µs', 'ratio', 'kubelet spans/expected', 'crio spans', 'lost'],
    rows,
  ) + '\n');
  process.stdout.write(`\n${argv.rounds} rounds, ${argv.pods} measured pod lifecycles per run (+${argv['warmup-pods']} warm-up), ${CALLS_PER_POD} CRI calls each; node ${process.version}, ${cpus().length} CPUs.\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
