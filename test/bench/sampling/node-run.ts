/**
 * One benchmark run: a fresh trace-sink, runtime-sim (CRI-O or containerd persona, `--model fast`) and kubelet-sim with the
 * churn workload at one sampling setting; CPU and peak RSS of each process from /proc over a measurement
 * window after a warm-up; the spans and bytes received; the exit counters each process prints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningProcess } from '../../../node-demo/src/child-process-runner';
import { startTraceSink } from '../../../trace-sink/src';
import { startKubeletSim, writeNodeFiles } from '../../helpers/node-processes';
import { BENCH_PERSONA_SPECS, type BenchPersona } from './bench-persona';
import { exitCounts, type ExitCounts } from './exit-counts';
import { startMachineProbe, type MachineProbe, type MachineProbeResult } from './machine-probe';
import { readProcUsage, type ProcUsage } from './proc-usage';
import { receivedSpansOf, type ReceivedSpan } from './received-span';
import type { SamplingSetting } from './sampling-settings';
import { spanFigures, type SpanFigures, type Volume } from './span-figures';
import { startBenchRuntime } from './start-bench-runtime';

export interface ChurnShape {
  /** Pods created per second (kubelet-sim --creation-rate). */
  creationRate: number;
  /** Seconds each pod lives (--pod-lifetime): pods on the node in steady state = creationRate × lifetime. */
  podLifetimeS: number;
  seed: number;
}

export interface NodeRunOptions {
  setting: SamplingSetting;
  /** The runtime runtime-sim plays (default crio). */
  persona?: BenchPersona;
  churn: ChurnShape;
  /**
   * OTLP/gRPC `host:port` of the user's collector: both processes export there instead of to the embedded
   * receiver (containerd then with OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc), and volume comes from each
   * process's own export count; bytes, latencies and span names are not known.
   */
  collector?: string;
  /** From kubelet-sim's start to the start of the measurement window. */
  warmUpMs: number;
  measureMs: number;
}

export interface ProcessFigures {
  /** CPU seconds in the window divided by the pod lifecycles the churn schedules in it. */
  cpuSecondsPerLifecycle: number;
  cpuSecondsInWindow: number;
  peakRssMiB: number;
  /** From the process's exit line; undefined when it ran untraced. */
  exit: ExitCounts | undefined;
  /** Spans and bytes the receiver got from this process over the whole run (not only the window). */
  received: Volume;
  /** Its exit line's exported spans over its whole life (start to stop), per second; undefined when untraced. */
  exportedPerSecond: number | undefined;
}

export interface NodeRunResult {
  settingId: string;
  /** service.name of the runtime's spans (crio, containerd). */
  runtimeService: string;
  window: { startMs: number; endMs: number };
  /** Pod lifecycles in the window: creationRate × window seconds (deletions match creations in steady state). */
  lifecycles: number;
  kubelet: ProcessFigures;
  runtime: ProcessFigures;
  spans: SpanFigures;
  /** Wall time of the whole run, start to clean-up. */
  wallMs: number;
  /** The spans went to the user's collector (NodeRunOptions.collector): nothing was received here. */
  external: boolean;
  /** The machine probe over the window (./machine-probe.ts): how fast the machine was during this run. */
  machineProbe: MachineProbeResult;
}

/** Seconds after the window in which the churn keeps creating pods, so the window is never the tail. */
const CHURN_SLACK_S = 10;
const STOP_GRACE_MS = 20_000;
/** kubelet-sim's line once the churn runs (kubelet-sim/src/main.ts). */
const WORKLOAD_STARTED = 'Started synthetic workload';
const KUBELET_START_TIMEOUT_MS = 60_000;

export async function runNode(opts: NodeRunOptions): Promise<NodeRunResult> {
  const startedAt = Date.now();
  const { setting, churn } = opts;
  const persona = BENCH_PERSONA_SPECS[opts.persona ?? 'crio'];
  const service = { kubelet: 'kubelet', runtime: persona.service } as const;
  const workDir = mkdtempSync(join(tmpdir(), 'sampling-bench-'));
  const sink = await startTraceSink({ listen: '127.0.0.1:0', httpListen: persona.needsHttpReceiver ? '127.0.0.1:0' : undefined, maxSpans: 1, measureGzip: true });
  const received: ReceivedSpan[] = [];
  sink.onExport((event) => void received.push(...receivedSpansOf(event)));
  const processes: RunningProcess[] = [];
  let probe: MachineProbe | undefined;
  try {
    const target = opts.collector === undefined ? { grpc: sink.address, http: sink.httpAddress } : { grpc: opts.collector, http: undefined };
    const files = writeNodeFiles(workDir, setting.kubeletRate === undefined ? {} : { collector: target.grpc, samplingRatePerMillion: setting.kubeletRate });
    const runtimeStart = Date.now();
    const runtime = await startBenchRuntime({
      persona: persona.persona,
      listen: `unix://${files.socketPath}`,
      readySocket: files.socketPath,
      workDir,
      logPath: files.logPath,
      export: setting.runtimeRate === undefined ? undefined : { ...target, runtimeRate: setting.runtimeRate },
    });
    processes.push(runtime);
    const totalS = (opts.warmUpMs + opts.measureMs) / 1000 + CHURN_SLACK_S;
    const kubelet = await startKubeletSim(files, [
      '--workload', 'churn', '--pods', String(Math.ceil(totalS * churn.creationRate)), '--creation-rate', String(churn.creationRate),
      '--pod-lifetime', `${churn.podLifetimeS}s`, '--workload-seed', String(churn.seed),
    ]);
    processes.push(kubelet);
    // The warm-up counts from the workload's start: a loaded machine can take seconds to load the code.
    await lineOrExit(kubelet, WORKLOAD_STARTED, KUBELET_START_TIMEOUT_MS);
    const kubeletStart = Date.now();
    await sleepWhileAlive(kubeletStart + opts.warmUpMs, [runtime, kubelet]);
    probe = startMachineProbe();
    const before = usageOf(runtime, kubelet);
    const windowStart = Date.now();
    await sleepWhileAlive(windowStart + opts.measureMs, [runtime, kubelet]);
    const after = usageOf(runtime, kubelet);
    const windowEnd = Date.now();
    const machineProbe = await probe.stop();
    // The kubelet first, as on a node being drained of its kubelet: it flushes its spans; then the runtime.
    await kubelet.stop(STOP_GRACE_MS);
    const kubeletStopped = Date.now();
    await runtime.stop(STOP_GRACE_MS);
    const runtimeStopped = Date.now();
    // The exit lines from each process's own output: the shared log file may still be being written.
    const output = { kubelet: kubelet.outputTail().join('\n'), runtime: runtime.outputTail().join('\n') };
    const volume = sink.volume();
    const lifecycles = churn.creationRate * ((windowEnd - windowStart) / 1000);
    const figures = (who: 'kubelet' | 'runtime', traced: boolean): ProcessFigures => {
      const cpu = after[who].cpuSeconds - before[who].cpuSeconds;
      const got = volume.byService[service[who]];
      const exit = exitCounts(output[who], who, traced);
      const lifeS = who === 'kubelet' ? (kubeletStopped - kubeletStart) / 1000 : (runtimeStopped - runtimeStart) / 1000;
      return {
        cpuSecondsPerLifecycle: cpu / lifecycles,
        cpuSecondsInWindow: cpu,
        peakRssMiB: after[who].peakRssMiB,
        exit,
        exportedPerSecond: exit === undefined ? undefined : exit.exported / lifeS,
        received: { spans: got?.spans ?? 0, bytes: got?.protobufBytes ?? 0, gzipBytes: got?.gzipBytes ?? 0 },
      };
    };
    return {
      settingId: setting.id,
      runtimeService: persona.service,
      window: { startMs: windowStart, endMs: windowEnd },
      lifecycles,
      kubelet: figures('kubelet', setting.kubeletRate !== undefined),
      runtime: figures('runtime', setting.runtimeRate !== undefined),
      spans: spanFigures(received, { startMs: windowStart, endMs: windowEnd }),
      wallMs: Date.now() - startedAt,
      external: opts.collector !== undefined,
      machineProbe,
    };
  } finally {
    await probe?.stop();
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function usageOf(runtime: RunningProcess, kubelet: RunningProcess): { runtime: ProcUsage; kubelet: ProcUsage } {
  const read = (p: RunningProcess): ProcUsage => {
    const usage = readProcUsage(p.child.pid ?? -1);
    if (!usage) throw new Error(`${p.name} exited during the run: ${p.outputTail().join('\n')}`);
    return usage;
  };
  return { runtime: read(runtime), kubelet: read(kubelet) };
}

/** Waits until `untilMs`, failing at once if a process exits early. */
async function sleepWhileAlive(untilMs: number, processes: readonly RunningProcess[]): Promise<void> {
  const died = Promise.race(processes.map((p) => p.exited.then((code) => p)));
  const wait = Math.max(0, untilMs - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([died, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), wait)))]);
  clearTimeout(timer);
  if (outcome !== undefined) throw new Error(`${outcome.name} exited during the run:\n${outcome.outputTail().join('\n')}`);
}

/** Resolves once `process` writes a line containing `text`; rejects if it exits first or after `timeoutMs`. */
export function lineOrExit(process: RunningProcess, text: string, timeoutMs: number): Promise<void> {
  if (process.outputTail().some((l) => l.includes(text))) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${process.name} wrote no "${text}" within ${timeoutMs} ms:\n${process.outputTail().join('\n')}`)), timeoutMs);
    const unsubscribe = process.onLine((line) => {
      if (line.includes(text)) done(undefined);
    });
    void process.exited.then((code) => done(new Error(`${process.name} exited (${code}) before "${text}":\n${process.outputTail().join('\n')}`)));
    function done(err: Error | undefined): void {
      clearTimeout(timer);
      unsubscribe();
      if (err) reject(err);
      else resolve();
    }
  });
}
