/**
 * One saturation run (`--saturate`): fresh processes as in ./node-run.ts, but the churn creates `pods` pods as
 * fast as its flag allows (CHURN_LIMITS.MAX_CREATION_RATE_PER_SECOND: all of them within a fraction of a
 * second), so the kubelet's pod workers and the runtime set the pace; each pod is deleted `podLifetimeS`
 * after its creation. Bounded in count (`pods`) and time (`timeoutMs`).
 *
 * Measured from the runtime's side (./pod-progress-poller.ts): the pair is busy from the first sandbox until
 * 90% of the pods that start are seen started (PodMilestones.startP90Ms), and again from the first stop (or
 * that moment, if later) to the last pod stopped; the idle gap in between (pods running, none deleted yet) is
 * left out. Throughput = lifecycles completed (sandbox stopped) / busy time.
 * Container and sandbox removal (the kubelet's container GC, every minute) is not part of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningProcess } from '../../../node-demo/src/child-process-runner';
import { startTraceSink } from '../../../trace-sink/src';
import { churnPod, CHURN_LIMITS } from '../../../kubelet-sim/src/pod-sources/churn-workload';
import { startKubeletSim, writeNodeFiles } from '../../helpers/node-processes';
import { BENCH_PERSONA_SPECS, type BenchPersona } from './bench-persona';
import { exitCounts, type ExitCounts } from './exit-counts';
import { PodProgressPoller, type PodMilestones } from './pod-progress-poller';
import { readProcUsage } from './proc-usage';
import type { SamplingSetting } from './sampling-settings';
import { startBenchRuntime } from './start-bench-runtime';

export interface SaturationOptions {
  setting: SamplingSetting;
  persona?: BenchPersona;
  pods: number;
  podLifetimeS: number;
  seed: number;
  /** Bound on the whole run from kubelet-sim's start. */
  timeoutMs: number;
  /** The user's collector (OTLP/gRPC host:port) instead of the embedded receiver; see NodeRunOptions.collector. */
  collector?: string;
}

export interface SaturationResult {
  settingId: string;
  pods: number;
  /** Pods whose sandbox was seen ready and then stopped. */
  completed: number;
  /** Of the pods, those whose app containers were all seen started. */
  started: number;
  /**
   * False if not every pod went through (the time bound came first, or pods were deleted before they started
   * because the lifetime was shorter than the start phase): throughput then counts the pods completed.
   */
  complete: boolean;
  busyMs: number;
  lifecyclesPerSecond: number;
  milestones: PodMilestones;
  /** CPU seconds of each process from the first sandbox to the last pod stopped (idle gap included), per completed pod. */
  kubeletCpuSecondsPerLifecycle: number;
  runtimeCpuSecondsPerLifecycle: number;
  exit: { kubelet: ExitCounts | undefined; runtime: ExitCounts | undefined };
  spansReceived: number;
  /** Spans went to the user's collector: nothing was received here. */
  external: boolean;
}

const STOP_GRACE_MS = 20_000;
const POLL_PERIOD_MS = 100;
/** After stops began and every started pod stopped, this long without change ends the run early. */
const QUIET_MS = 5_000;

export async function runSaturation(o: SaturationOptions): Promise<SaturationResult> {
  const persona = BENCH_PERSONA_SPECS[o.persona ?? 'crio'];
  const workDir = mkdtempSync(join(tmpdir(), 'sampling-saturate-'));
  const sink = await startTraceSink({ listen: '127.0.0.1:0', httpListen: persona.needsHttpReceiver ? '127.0.0.1:0' : undefined, maxSpans: 1 });
  const processes: RunningProcess[] = [];
  let poller: PodProgressPoller | undefined;
  try {
    const { setting } = o;
    const target = o.collector === undefined ? { grpc: sink.address, http: sink.httpAddress } : { grpc: o.collector, http: undefined };
    const files = writeNodeFiles(workDir, setting.kubeletRate === undefined ? {} : { collector: target.grpc, samplingRatePerMillion: setting.kubeletRate });
    const runtime = await startBenchRuntime({
      persona: persona.persona, listen: `unix://${files.socketPath}`, readySocket: files.socketPath, workDir, logPath: files.logPath,
      export: setting.runtimeRate === undefined ? undefined : { ...target, runtimeRate: setting.runtimeRate },
    });
    processes.push(runtime);
    const expected = new Map<string, string[]>();
    for (let i = 0; i < o.pods; i++) {
      const pod = churnPod(o.seed, i, 0);
      expected.set(pod.metadata.uid, pod.spec.containers.map((c) => c.name));
    }
    poller = new PodProgressPoller(`unix://${files.socketPath}`, expected, POLL_PERIOD_MS);
    poller.start();
    const kubelet = await startKubeletSim(files, [
      '--workload', 'churn', '--pods', String(o.pods), '--creation-rate', String(CHURN_LIMITS.MAX_CREATION_RATE_PER_SECOND),
      '--pod-lifetime', `${o.podLifetimeS}s`, '--workload-seed', String(o.seed),
    ]);
    processes.push(kubelet);
    const deadline = Date.now() + o.timeoutMs;
    let atFirstSandbox: { kubelet: number; runtime: number } | undefined;
    while (!poller.done(QUIET_MS) && Date.now() < deadline) {
      if (atFirstSandbox === undefined && poller.snapshot().firstSandboxMs !== undefined) {
        atFirstSandbox = { kubelet: readProcUsage(kubelet.child.pid ?? -1)?.cpuSeconds ?? Number.NaN, runtime: readProcUsage(runtime.child.pid ?? -1)?.cpuSeconds ?? Number.NaN };
      }
      const gone = [runtime, kubelet].find((p) => p.child.exitCode !== null);
      if (gone) throw new Error(`${gone.name} exited during the saturation run:\n${gone.outputTail().join('\n')}`);
      await new Promise((r) => setTimeout(r, POLL_PERIOD_MS));
    }
    const usage = { kubelet: readProcUsage(kubelet.child.pid ?? -1), runtime: readProcUsage(runtime.child.pid ?? -1) };
    await poller.stop();
    const m = poller.snapshot();
    poller = undefined;
    await kubelet.stop(STOP_GRACE_MS);
    await runtime.stop(STOP_GRACE_MS);
    const output = { kubelet: kubelet.outputTail().join('\n'), runtime: runtime.outputTail().join('\n') };
    const complete = m.allStoppedMs !== undefined;
    const busyMs = busyTime(m, complete ? Date.now() : (m.lastChangeMs ?? Date.now()));
    const completed = m.stopped;
    return {
      settingId: setting.id,
      pods: o.pods,
      completed,
      started: m.started,
      complete,
      busyMs,
      lifecyclesPerSecond: busyMs > 0 ? completed / (busyMs / 1000) : Number.NaN,
      milestones: m,
      kubeletCpuSecondsPerLifecycle: ((usage.kubelet?.cpuSeconds ?? Number.NaN) - (atFirstSandbox?.kubelet ?? Number.NaN)) / completed,
      runtimeCpuSecondsPerLifecycle: ((usage.runtime?.cpuSeconds ?? Number.NaN) - (atFirstSandbox?.runtime ?? Number.NaN)) / completed,
      exit: { kubelet: exitCounts(output.kubelet, 'kubelet', setting.kubeletRate !== undefined), runtime: exitCounts(output.runtime, 'runtime', setting.runtimeRate !== undefined) },
      spansReceived: Object.values(sink.volume().byService).reduce((n, v) => n + v.spans, 0),
      external: o.collector !== undefined,
    };
  } finally {
    await poller?.stop();
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Start phase (first sandbox → 90% of the pods that start seen started) plus stop phase (first stop, or the
 * start phase's end if later → all stopped); a phase not finished by the time bound ends at `nowMs`.
 */
export function busyTime(m: PodMilestones, nowMs: number): number {
  if (m.firstSandboxMs === undefined) return 0;
  const startEnd = m.startP90Ms ?? nowMs;
  const startPhase = startEnd - m.firstSandboxMs;
  if (m.firstStopMs === undefined) return startPhase;
  const stopFrom = Math.max(m.firstStopMs, startEnd);
  return startPhase + Math.max(0, (m.allStoppedMs ?? nowMs) - stopFrom);
}
