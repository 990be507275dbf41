/**
 * `npm run soak -- --minutes 30 --rates 0,100,1000000`: one simulated node (runtime-sim CRI-O persona +
 * kubelet-sim) with the churn workload holding about 110 pods (the kubelet's maxPods: 2 created per second,
 * each living 55 s) for the given time at each samplingRatePerMillion, in fresh processes, exporting to an
 * in-process trace-sink. Every SAMPLE_PERIOD_MS it reads each process's RSS and open file descriptors from
 * /proc; the summary gives the growth per hour of each (a least-squares slope over the samples after the
 * warm-up) next to the first and last values, and the spans received. A probe preloaded into both processes
 * (./soak-probe.ts) adds their V8 heap and their live handles and timers, which /proc cannot show. A script with a summary, not a test:
 * record the figures in docs/reliability.md. Every run is bounded by --minutes; nothing outlives the script.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';
import { startTraceSink } from '../../trace-sink/src';
import { startKubeletSim, startRuntimeSim, writeNodeFiles } from '../helpers/node-processes';
import { perHour } from './growth-per-hour';
import type { ProbeLine } from './soak-probe';

const SAMPLE_PERIOD_MS = 10_000;
/** Samples before this share of the run are the warm-up (pods still being created), left out of the slope. */
const WARM_UP_SHARE = 0.25;
const CHURN = { CREATION_RATE: 2, POD_LIFETIME: '55s' } as const;
const PAGE_BYTES = 4096;

interface Sample {
  atMs: number;
  rssMiB: number;
  fds: number;
  /** From the process's probe (its latest line); undefined until it has written one. */
  heapUsedMiB: number | undefined;
  /** Live handles and requests other than timers. */
  handles: number | undefined;
  timers: number | undefined;
}

/** The environment that preloads the probe into a process, writing to `file`. */
function probeEnv(file: string): NodeJS.ProcessEnv {
  const probe = join(__dirname, 'soak-probe.js');
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${probe}`.trim(), SOAK_PROBE_FILE: file, SOAK_PROBE_PERIOD_MS: String(SAMPLE_PERIOD_MS) };
}

function latestProbeLine(file: string): ProbeLine | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const last = lines[lines.length - 1];
  return last ? (JSON.parse(last) as ProbeLine) : undefined;
}

function sample(pid: number, atMs: number, probeFile: string): Sample | undefined {
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    const probe = latestProbeLine(probeFile);
    const timers = probe?.resources.Timeout ?? 0;
    const all = probe ? Object.values(probe.resources).reduce((a, b) => a + b, 0) : undefined;
    return {
      atMs,
      rssMiB: (Number(statm[1]) * PAGE_BYTES) / 2 ** 20,
      fds: readdirSync(`/proc/${pid}/fd`).length,
      heapUsedMiB: probe?.heapUsedMiB,
      handles: all === undefined ? undefined : all - timers,
      timers: probe ? timers : undefined,
    };
  } catch {
    return undefined; // the process is gone
  }
}

interface SoakResult {
  rate: string;
  minutes: number;
  kubelet: Sample[];
  runtime: Sample[];
  spans: { kubelet: number; runtime: number };
  exits: { kubelet: number | string; runtime: number | string };
}

async function soak(rate: string, minutes: number): Promise<SoakResult> {
  const workDir = mkdtempSync(join(tmpdir(), 'node-soak-'));
  const sink = await startTraceSink({ listen: '127.0.0.1:0' });
  const processes: RunningProcess[] = [];
  try {
    const traced = rate !== 'off';
    const files = writeNodeFiles(workDir, traced ? { collector: sink.address, samplingRatePerMillion: Number(rate) } : {});
    const probeFiles = { kubelet: join(workDir, 'kubelet-probe.jsonl'), runtime: join(workDir, 'runtime-probe.jsonl') };
    const runtime = await startRuntimeSim(files, { collector: traced ? sink.address : undefined, extraArgs: ['--model', 'fast'], env: probeEnv(probeFiles.runtime) });
    processes.push(runtime);
    const durationMs = minutes * 60_000;
    const kubelet = await startKubeletSim(files, [
      '--duration', `${durationMs}ms`, '--workload', 'churn', '--pods', String(Math.ceil((durationMs / 1000) * CHURN.CREATION_RATE) + 10),
      '--creation-rate', String(CHURN.CREATION_RATE), '--pod-lifetime', CHURN.POD_LIFETIME,
    ], probeEnv(probeFiles.kubelet));
    processes.push(kubelet);

    const started = Date.now();
    const samples = { kubelet: [] as Sample[], runtime: [] as Sample[] };
    const timer = setInterval(() => {
      const at = Date.now() - started;
      const k = sample(kubelet.child.pid ?? -1, at, probeFiles.kubelet);
      const r = sample(runtime.child.pid ?? -1, at, probeFiles.runtime);
      if (k) samples.kubelet.push(k);
      if (r) samples.runtime.push(r);
      process.stderr.write(`\r  rate ${rate}: ${Math.round(at / 1000)} s / ${minutes * 60} s, kubelet ${k?.rssMiB.toFixed(0) ?? '-'} MiB, runtime ${r?.rssMiB.toFixed(0) ?? '-'} MiB   `);
    }, SAMPLE_PERIOD_MS);
    const kubeletExit = await kubelet.exited;
    clearInterval(timer);
    process.stderr.write('\n');
    const runtimeExit = await runtime.stop(10_000);
    // Counted as received (the index keeps only the newest spans, so its size is no count).
    const volume = sink.volume().byService;
    return {
      rate,
      minutes,
      kubelet: samples.kubelet,
      runtime: samples.runtime,
      spans: { kubelet: volume.kubelet?.spans ?? 0, runtime: volume.crio?.spans ?? 0 },
      exits: { kubelet: kubeletExit, runtime: runtimeExit },
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function summaryRow(r: SoakResult, who: 'kubelet' | 'runtime'): string {
  const all = r[who];
  const steady = all.filter((s) => s.atMs >= r.minutes * 60_000 * WARM_UP_SHARE);
  const first = steady[0];
  const last = all[all.length - 1];
  const fmt = (n: number | undefined, digits = 1): string => (n === undefined ? '-' : n.toFixed(digits));
  const probed = steady.filter((s) => s.heapUsedMiB !== undefined);
  const range = (value: (s: Sample) => number | undefined): string => {
    const values = steady.map(value).filter((v): v is number => v !== undefined);
    return values.length === 0 ? '-' : `${Math.min(...values)}–${Math.max(...values)}`;
  };
  return `| ${r.rate} | ${who}-sim | ${r.minutes} | ${fmt(first?.rssMiB)} → ${fmt(last?.rssMiB)} | ${fmt(perHour(steady, (s) => s.rssMiB))} | ` +
    `${fmt(probed[0]?.heapUsedMiB)} → ${fmt(probed[probed.length - 1]?.heapUsedMiB)} | ${fmt(perHour(probed, (s) => s.heapUsedMiB ?? 0))} | ` +
    `${first?.fds ?? '-'} → ${last?.fds ?? '-'} | ${fmt(perHour(steady, (s) => s.fds))} | ${range((s) => s.handles)} | ${range((s) => s.timers)} | ` +
    `${r.spans[who]} | ${r.exits[who]} |`;
}

async function main(): Promise<void> {
  const args = yargs(process.argv.slice(2))
    .scriptName('npm run soak --')
    .option('minutes', { type: 'number', default: 30, describe: 'length of each run' })
    .option('rates', { type: 'string', default: '0,100,1000000', describe: 'samplingRatePerMillion values, comma-separated ("off": no tracing block)' })
    .strict()
    .parseSync();
  if (!(args.minutes > 0 && args.minutes <= 24 * 60)) throw new Error(`--minutes ${args.minutes}: give 0 < minutes <= 1440`);
  const results: SoakResult[] = [];
  for (const rate of args.rates.split(',').map((r) => r.trim())) results.push(await soak(rate, args.minutes));
  process.stdout.write([
    '',
    `Soak: 1 node, churn of ~110 pods (${CHURN.CREATION_RATE}/s, each ${CHURN.POD_LIFETIME}), CRI-O persona, model fast; growth = least-squares slope after the first ${WARM_UP_SHARE * 100}% of each run.`,
    '',
    '| samplingRatePerMillion | process | minutes | RSS MiB (after warm-up → end) | RSS MiB/hour | heap used MiB | heap MiB/hour | open fds | fds/hour | live handles (min–max) | timers (min–max) | spans received | exit |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.flatMap((r) => [summaryRow(r, 'kubelet'), summaryRow(r, 'runtime')]),
    '',
  ].join('\n'));
}

main().catch((err: unknown) => {
  process.stderr.write(`soak: ${(err as Error).message}\n`);
  process.exit(1);
});
