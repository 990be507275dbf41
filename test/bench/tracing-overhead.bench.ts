/**
 * `npm run bench`: what the emulator and its tracing cost a CRI call, against a bare grpc-js floor.
 *
 * Arms: "raw" is a bare grpc-js client and server on our CRI proto (raw-cri-client.ts, raw-cri-server.ts),
 * one call at a time and 16 lifecycles in flight; "off" is kubelet-sim's CRI client against runtime-sim
 * with no kubelet tracing block, at the same two concurrencies; then each kubelet samplingRatePerMillion.
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
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { startTraceSink } from '../../trace-sink/src';
import type { FlatSpan } from '../../trace-sink/src';
import { startNodeProcess } from '../../node-demo/src/child-process-runner';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';
import { median, formatRatio, renderTable } from './bench-stats';
import { clientServerGaps, summariseGaps, type GapSample } from './client-server-gap';
import type { LoopDelayReport } from './loop-delay-probe';
import { runPodBurst } from './pod-burst';
import { CALLS_PER_POD, CLIENT_SPANS_PER_POD } from './call-run-result';
import type { CallRunResult } from './call-run-result';

/** The compiled tree this file runs from. */
const DIST = resolve(__dirname, '..', '..');
const DEFAULT_RATES = ['off', '0', '100', '10000', '1000000'];
/** Runtime spans are exported within this many ms of the run's last call. */
const RUNTIME_BSP_DELAY_MS = 200;
/** Hard bound on one run, whatever the machine does. */
const RUN_TIMEOUT_MS = 120_000;
/** kubelet-sim --duration of one burst run: the pods start in the first seconds. */
const BURST_RUN_MS = 8_000;
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ; /proc/<pid>/stat utime/stime are in these ticks

interface RunRecord extends CallRunResult {
  runtimeCpuUsPerCall: number;
  runtimeSpans: number;
}

/** One configuration measured every round. */
interface Arm {
  readonly id: string;
  readonly client: 'raw' | 'sim';
  /** kubelet samplingRatePerMillion, or "off". */
  readonly rate: string;
  /** Pod lifecycles in flight at once. */
  readonly concurrency: number;
}

function armsFor(rates: readonly string[], concurrency: number): Arm[] {
  const arms: Arm[] = [{ id: 'raw x1', client: 'raw', rate: 'off', concurrency: 1 }];
  if (concurrency > 1) arms.push({ id: `raw x${concurrency}`, client: 'raw', rate: 'off', concurrency });
  for (const rate of rates) {
    arms.push({ id: `${rate} x1`, client: 'sim', rate, concurrency: 1 });
    if (rate === 'off' && concurrency > 1) arms.push({ id: `off x${concurrency}`, client: 'sim', rate, concurrency });
  }
  return arms;
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
    .option('rounds', { type: 'number', default: 5, describe: 'runs per arm (interleaved)' })
    .option('pods', { type: 'number', default: 200, describe: `pod lifecycles measured per run (${CALLS_PER_POD} CRI calls each)` })
    .option('warmup-pods', { type: 'number', default: 30, describe: 'unmeasured lifecycles first in each run' })
    .option('concurrency', { type: 'number', default: 16, describe: 'lifecycles in flight for the second raw and off arms (1 = no such arms)' })
    .option('burst-pods', { type: 'number', default: 30, describe: 'pods started at once on a real node for the CLIENT-minus-SERVER measurement (0 = skip)' })
    .option('burst-rounds', { type: 'number', default: 3, describe: 'burst runs (their samples are pooled)' })
    .check((a) => {
      if (!Number.isInteger(a.rounds) || a.rounds < 1 || a.rounds > 50) throw new Error('--rounds must be an integer in [1, 50]');
      if (!Number.isInteger(a.pods) || a.pods < 1 || a.pods > 5000) throw new Error('--pods must be an integer in [1, 5000]');
      if (!Number.isInteger(a['warmup-pods']) || a['warmup-pods'] < 0 || a['warmup-pods'] > 1000) throw new Error('--warmup-pods must be an integer in [0, 1000]');
      if (!Number.isInteger(a.concurrency) || a.concurrency < 1 || a.concurrency > 256) throw new Error('--concurrency must be an integer in [1, 256]');
      if (!Number.isInteger(a['burst-pods']) || a['burst-pods'] < 0 || a['burst-pods'] > 500) throw new Error('--burst-pods must be an integer in [0, 500]');
      if (!Number.isInteger(a['burst-rounds']) || a['burst-rounds'] < 1 || a['burst-rounds'] > 20) throw new Error('--burst-rounds must be an integer in [1, 20]');
      return true;
    })
    .strict()
    .parseSync();
  const rates = argv.rates.split(',').map((r) => r.trim()).filter(Boolean);
  const arms = armsFor(rates, argv.concurrency);

  const workDir = mkdtempSync(join(tmpdir(), 'kubelet-cri-bench-'));
  const sink = await startTraceSink({ listen: '127.0.0.1:0', maxSpans: 10_000 });
  let currentRunSpans: FlatSpan[] = [];
  sink.onExport((e) => void currentRunSpans.push(...e.spans));
  const records = new Map<string, RunRecord[]>(arms.map((a) => [a.id, []]));
  const logPath = join(workDir, 'runtime-sim.log');
  let server: RunningProcess | undefined;
  try {
    process.stderr.write(`bench: ${argv.rounds} rounds x arms [${arms.map((a) => a.id).join(', ')}], ${argv.pods} pods per run; node ${process.version}\n`);
    for (let round = 0; round < argv.rounds; round++) {
      const order = arms.map((_, i) => arms[(i + round) % arms.length]);
      for (const arm of order) {
        const socketPath = join(workDir, `runtime-${round}-${arm.id.replace(/\W+/g, '_')}.sock`);
        server = arm.client === 'raw'
          ? startNodeProcess('raw-cri-server', join(DIST, 'test/bench/raw-cri-server.js'), [socketPath], logPath)
          : startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), [
            '--persona', 'crio', '--listen', `unix://${socketPath}`,
            '--enable-tracing', '--tracing-endpoint', sink.address, '--tracing-sampling-rate-per-million', '0',
          ], logPath, { ...process.env, OTEL_BSP_SCHEDULE_DELAY: String(RUNTIME_BSP_DELAY_MS) });
        await waitForFile(socketPath, 15_000, server);
        const serverPid = server.child.pid as number;
        currentRunSpans = [];
        const cpuBefore = processCpuUs(serverPid);
        const result = await runClient([
          '--endpoint', `unix://${socketPath}`, '--client', arm.client, '--rate', arm.rate, '--collector', sink.address,
          '--concurrency', String(arm.concurrency),
          '--pods', String(argv.pods), '--warmup-pods', String(argv['warmup-pods']), '--pod-logs-dir', join(workDir, 'pod-logs'),
        ], logPath);
        if (arm.client === 'sim') await new Promise((r) => setTimeout(r, RUNTIME_BSP_DELAY_MS * 3));
        const runtimeCpuUs = processCpuUs(serverPid) - cpuBefore;
        await server.stop(5_000);
        server = undefined;
        const runtimeSpans = currentRunSpans.filter((s) => s.service === 'crio').length;
        records.get(arm.id)?.push({ ...result, runtimeCpuUsPerCall: runtimeCpuUs / result.calls, runtimeSpans });
        process.stderr.write(`  round ${round + 1} ${arm.id}: p50 ${result.p50Us.toFixed(0)} µs, client CPU ${result.cpuUsPerCall.toFixed(0)} µs/call, server CPU ${(runtimeCpuUs / result.calls).toFixed(0)} µs/call, spans kubelet ${result.spansExported} crio ${runtimeSpans}\n`);
      }
    }
  } finally {
    await server?.stop(5_000);
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }

  const summary = new Map(arms.map((arm) => {
    const runs = records.get(arm.id) ?? [];
    return [arm.id, {
      arm,
      p50: median(runs.map((r) => r.p50Us)),
      p90: median(runs.map((r) => r.p90Us)),
      clientCpu: median(runs.map((r) => r.cpuUsPerCall)),
      runtimeCpu: median(runs.map((r) => r.runtimeCpuUsPerCall)),
      spans: median(runs.map((r) => r.spansExported)),
      runtimeSpans: median(runs.map((r) => r.runtimeSpans)),
      lost: runs.reduce((n, r) => n + r.spansLost, 0),
    }] as const;
  }));
  const rawOf = (arm: Arm) => summary.get(`raw x${arm.concurrency}`);
  const offRow = summary.get('off x1');
  const podsPerRun = argv.pods + argv['warmup-pods'];
  const rows = [...summary.values()].map((s) => {
    const raw = rawOf(s.arm);
    const isRaw = s.arm.client === 'raw';
    const label = isRaw ? 'raw grpc-js (bare client and server)' : s.arm.rate === 'off' ? 'off (no tracing block)' : `${s.arm.rate} per million`;
    const vsOff = (v: number, base: number | undefined): string => (isRaw || s.arm.concurrency !== 1 || base === undefined ? '' : formatRatio(v, base));
    return [
      label,
      String(s.arm.concurrency),
      s.p50.toFixed(0),
      s.p90.toFixed(0),
      isRaw ? '' : formatRatio(s.p50, raw?.p50 ?? Number.NaN),
      s.clientCpu.toFixed(0),
      isRaw ? '' : formatRatio(s.clientCpu, raw?.clientCpu ?? Number.NaN),
      vsOff(s.clientCpu, offRow?.clientCpu),
      s.runtimeCpu.toFixed(0),
      isRaw ? '' : formatRatio(s.runtimeCpu, raw?.runtimeCpu ?? Number.NaN),
      vsOff(s.runtimeCpu, offRow?.runtimeCpu),
      isRaw ? '' : `${s.spans.toFixed(0)}/${s.arm.rate === 'off' ? 0 : Math.round((podsPerRun * CLIENT_SPANS_PER_POD * Number(s.arm.rate)) / 1_000_000)}`,
      isRaw ? '' : s.runtimeSpans.toFixed(0),
      isRaw ? '' : String(s.lost),
    ];
  });
  process.stdout.write('\nPer CRI call of the pod lifecycle mix (medians over rounds; ratios against the raw arm at the same concurrency and against "off", from this run)\n\n');
  process.stdout.write(renderTable(
    ['arm', 'in flight', 'p50 µs', 'p90 µs', 'p50 /raw', 'kubelet CPU µs', '/raw', '/off', 'runtime CPU µs', '/raw', '/off', 'kubelet spans/expected', 'crio spans', 'lost'],
    rows,
  ) + '\n');
  process.stdout.write(`\n${argv.rounds} rounds, ${argv.pods} measured pod lifecycles per run (+${argv['warmup-pods']} warm-up), ${CALLS_PER_POD} CRI calls each; node ${process.version}, ${cpus().length} CPUs.\n`);
  process.stdout.write('Targets (issue 9): off x1 kubelet and runtime CPU /raw <= 2.00x, p50 /raw <= 1.50x; rates 0 and 100 CPU /off <= 1.05x.\n');

  if (argv['burst-pods'] > 0) {
    process.stderr.write(`bench: ${argv['burst-rounds']} runs of ${argv['burst-pods']} pods starting at once on one node (every span sampled)\n`);
    const samples: GapSample[] = [];
    const loopDelays: LoopDelayReport[] = [];
    for (let i = 0; i < argv['burst-rounds']; i++) {
      const loopDelayDir = mkdtempSync(join(tmpdir(), 'loop-delay-'));
      try {
        samples.push(...clientServerGaps(await runPodBurst({ pods: argv['burst-pods'], durationMs: BURST_RUN_MS, loopDelayDir })));
        for (const file of readdirSync(loopDelayDir)) loopDelays.push(JSON.parse(readFileSync(join(loopDelayDir, file), 'utf8')) as LoopDelayReport);
      } finally {
        rmSync(loopDelayDir, { recursive: true, force: true });
      }
    }
    const table = (title: string, gaps: typeof samples): void => {
      process.stdout.write(`\n${title}\n\n`);
      process.stdout.write(renderTable(
        ['RPC', 'calls', 'p50 ms', 'p99 ms', 'max ms', 'request side p50 ms', 'response side p50 ms'],
        summariseGaps(gaps).map((r) => [r.rpc, String(r.count), r.p50Ms.toFixed(3), r.p99Ms.toFixed(3), r.maxMs.toFixed(3), r.requestSideP50Ms.toFixed(3), r.responseSideP50Ms.toFixed(3)]),
      ) + '\n');
    };
    table(`Time our two processes add (kubelet CLIENT span minus the runtime SERVER span under it), ${argv['burst-pods']} pods starting at once, pod start-up calls (syncPod traces), ${argv['burst-rounds']} runs pooled`, samples.filter((s) => s.rootName === 'syncPod'));
    table('The same, every CRI call of those runs (background loops included)', samples);
    process.stdout.write('\nTargets (issue 9): p50 <= 0.3 ms, p99 <= 2 ms.\n');
    process.stdout.write(`\nEvent-loop delay of each process over its burst runs (perf_hooks.monitorEventLoopDelay, 1 ms resolution, whole run of ${BURST_RUN_MS / 1000} s; worst run and median of runs; max includes the start-up module loading, p99 does not show it)\n\n`);
    process.stdout.write(renderTable(
      ['process', 'runs', 'p99 ms (median)', 'p99.9 ms (median)', 'max ms (median)', 'max ms (worst)'],
      [...new Set(loopDelays.map((d) => d.script))].sort().map((script) => {
        const runs = loopDelays.filter((d) => d.script === script);
        return [script, String(runs.length), median(runs.map((r) => r.p99Ms)).toFixed(1), median(runs.map((r) => r.p999Ms)).toFixed(1), median(runs.map((r) => r.maxMs)).toFixed(1), Math.max(...runs.map((r) => r.maxMs)).toFixed(1)];
      }),
    ) + '\n');
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
