/**
 * `--fleet-check N`: the fleet extrapolation held against a measured multi-node run. The fleet mode
 * (`runtime-sim --nodes N` and `kubelet-sim --nodes N`, docs/benchmarks.md "Fleet") runs N nodes in one process
 * pair, each node with the same churn as the single-node runs (kubelet-fleet.ts gives node i the seed + i), at
 * one sampling setting, exporting to a fresh embedded receiver; spans/s and protobuf bytes/s are counted over
 * a window after the same warm-up. The caller compares them with extrapolateFleet for N nodes at N × the
 * per-node churn.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_NODE_NAME_PATTERN, fleetNodeNames } from '../../../cli-kit/src/fleet-nodes';
import { startNodeProcess, type RunningProcess } from '../../../node-demo/src/child-process-runner';
import { startTraceSink } from '../../../trace-sink/src';
import { writeNodeFiles } from '../../helpers/node-processes';
import { BENCH_PERSONA_SPECS, type BenchPersona } from './bench-persona';
import { lineOrExit, type ChurnShape } from './node-run';
import { exitCounts, type ExitCounts } from './exit-counts';
import { readProcUsage } from './proc-usage';
import { receivedSpansOf, type ReceivedSpan } from './received-span';
import type { SamplingSetting } from './sampling-settings';
import { spanFigures } from './span-figures';
import { startBenchRuntime } from './start-bench-runtime';

export interface FleetCheckOptions {
  nodes: number;
  setting: SamplingSetting;
  persona?: BenchPersona;
  churn: ChurnShape;
  warmUpMs: number;
  measureMs: number;
}

export interface FleetCheckResult {
  nodes: number;
  settingId: string;
  windowSeconds: number;
  /** Received in the window (span start inside it), all services. */
  spansPerSecond: number;
  protobufBytesPerSecond: number;
  gzipBytesPerSecond: number;
  /** Both processes' CPU in the window over its wall time: near the machine's core count = CPU-bound. */
  cores: number;
  /** The fleet exit lines' counters (undefined when that process ran untraced), and what the receiver got in all. */
  exit: { kubelet: ExitCounts | undefined; runtime: ExitCounts | undefined };
  received: number;
}

/** The compiled tree this file runs from. */
const DIST = resolve(__dirname, '..', '..', '..');
const CHURN_SLACK_S = 10;
/** kubelet-sim's line once every node has started its kubelet and churn (kubelet-sim/src/node/kubelet-fleet.ts). */
const FLEET_STARTED = 'Started kubelet fleet';
const FLEET_START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;

export async function runFleetCheck(o: FleetCheckOptions): Promise<FleetCheckResult> {
  const persona = BENCH_PERSONA_SPECS[o.persona ?? 'crio'];
  const workDir = mkdtempSync(join(tmpdir(), 'sampling-fleet-'));
  const sink = await startTraceSink({ listen: '127.0.0.1:0', httpListen: persona.needsHttpReceiver ? '127.0.0.1:0' : undefined, maxSpans: 1, measureGzip: true });
  const received: ReceivedSpan[] = [];
  sink.onExport((event) => void received.push(...receivedSpansOf(event)));
  const processes: RunningProcess[] = [];
  try {
    const { setting, churn } = o;
    const files = writeNodeFiles(workDir, setting.kubeletRate === undefined ? {} : { collector: sink.address, samplingRatePerMillion: setting.kubeletRate });
    const template = `unix://${join(workDir, '{node}.sock')}`;
    const names = fleetNodeNames(DEFAULT_NODE_NAME_PATTERN, o.nodes);
    const runtime = await startBenchRuntime({
      persona: persona.persona, listen: template, readySocket: join(workDir, `${names[names.length - 1]}.sock`), workDir, logPath: files.logPath, nodes: o.nodes,
      export: setting.runtimeRate === undefined ? undefined : { grpc: sink.address, http: sink.httpAddress, runtimeRate: setting.runtimeRate },
    });
    processes.push(runtime);
    const totalS = (o.warmUpMs + o.measureMs) / 1000 + CHURN_SLACK_S;
    const kubelet = startNodeProcess('kubelet-sim', join(DIST, 'kubelet-sim/src/main.js'), [
      '--config', files.configPath, '--container-runtime-endpoint', template, '--nodes', String(o.nodes),
      '--workload', 'churn', '--pods', String(Math.ceil(totalS * churn.creationRate)), '--creation-rate', String(churn.creationRate),
      '--pod-lifetime', `${churn.podLifetimeS}s`, '--workload-seed', String(churn.seed),
    ], files.logPath);
    processes.push(kubelet);
    // The warm-up counts from the moment every node runs its churn (kubelet-fleet.ts starts 16 at a time).
    await lineOrExit(kubelet, FLEET_STARTED, FLEET_START_TIMEOUT_MS);
    await sleepAlive(o.warmUpMs, [runtime, kubelet]);
    const cpu = (): number => [runtime, kubelet].reduce((n, p) => n + (readProcUsage(p.child.pid ?? -1)?.cpuSeconds ?? Number.NaN), 0);
    const cpuBefore = cpu();
    const windowStart = Date.now();
    await sleepAlive(o.measureMs, [runtime, kubelet]);
    const windowEnd = Date.now();
    const cpuAfter = cpu();
    await kubelet.stop(STOP_GRACE_MS);
    await runtime.stop(STOP_GRACE_MS);
    const exit = {
      kubelet: exitCounts(kubelet.outputTail().join('\n'), 'kubelet-fleet', setting.kubeletRate !== undefined),
      runtime: exitCounts(runtime.outputTail().join('\n'), 'runtime-fleet', setting.runtimeRate !== undefined),
    };
    const figures = spanFigures(received, { startMs: windowStart, endMs: windowEnd });
    const total = Object.values(figures.byService).reduce((a, v) => ({ spans: a.spans + v.spans, bytes: a.bytes + v.bytes, gzip: a.gzip + v.gzipBytes }), { spans: 0, bytes: 0, gzip: 0 });
    const windowSeconds = (windowEnd - windowStart) / 1000;
    return {
      nodes: o.nodes,
      settingId: setting.id,
      windowSeconds,
      spansPerSecond: total.spans / windowSeconds,
      protobufBytesPerSecond: total.bytes / windowSeconds,
      gzipBytesPerSecond: total.gzip / windowSeconds,
      cores: (cpuAfter - cpuBefore) / windowSeconds,
      exit,
      received: received.length,
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function sleepAlive(ms: number, processes: readonly RunningProcess[]): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const gone = processes.find((p) => p.child.exitCode !== null);
    if (gone) throw new Error(`${gone.name} exited during the fleet check:\n${gone.outputTail().join('\n')}`);
    await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, until - Date.now()))));
  }
}
