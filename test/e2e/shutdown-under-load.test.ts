/**
 * SIGTERM to both processes while 30 static pods are starting (every CRI call takes 50 ms in runtime-sim, so
 * many are in flight), every trace sampled in both (samplingRatePerMillion 1000000): with the collector up,
 * no finished span is lost. Each process's exit line says how many sampled spans it ended (`spansEnded`),
 * and the collector holds exactly that many from it, each once; nothing lost or dropped; no process of the run
 * and no socket file is left behind.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { startTraceSink, type FlatSpan, type TraceSink } from '../../trace-sink/src';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';
import { sleeperPod, startKubeletSim, startRuntimeSim, writeNodeFiles } from '../helpers/node-processes';
import { descendants } from '../helpers/process-tree';

const PODS = 30;
const MODEL = `apiVersion: sim.cri.io/v1alpha1
kind: RuntimeModel
rules:
  - name: every-call-takes-a-while
    latency: { distribution: fixed, valueMs: 50 }
`;

interface ExitCounts { exported: number; lost: number; dropped: number; ended: number }

interface ShutdownRun {
  spans: FlatSpan[];
  log: string;
  kubelet: ExitCounts;
  runtime: ExitCounts;
  kubeletExit: number | string;
  runtimeExit: number | string;
  /** Pods whose syncPod had begun but whose container had not started yet at SIGTERM. */
  startingAtSignal: number;
  leftProcesses: string[];
  socketLeft: boolean;
}

function exitCounts(log: string, prefix: string): ExitCounts {
  const line = log.split('\n').find((l) => l.startsWith(prefix) && l.includes('spansEnded='));
  assert.ok(line, `no exit line starting ${prefix}:\n${log}`);
  const count = (name: string): number => Number(new RegExp(`${name}=(\\d+)`).exec(line)![1]);
  return { exported: count('spansExported'), lost: count('spansLost'), dropped: count('spansDropped'), ended: count('spansEnded') };
}

async function shutdownUnderLoad(): Promise<ShutdownRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'shutdown-load-e2e-'));
  const sink: TraceSink = await startTraceSink({ listen: '127.0.0.1:0' });
  const processes: RunningProcess[] = [];
  try {
    const pods = Object.fromEntries(Array.from({ length: PODS }, (_, i) => [`p${i}.yaml`, sleeperPod(`p${i}`)]));
    const files = writeNodeFiles(workDir, { pods, collector: sink.address, samplingRatePerMillion: 1_000_000 });
    const modelPath = join(workDir, 'model.yaml');
    writeFileSync(modelPath, MODEL);
    const runtime = await startRuntimeSim(files, { collector: sink.address, samplingRatePerMillion: 1_000_000, extraArgs: ['--model', modelPath] });
    processes.push(runtime);
    const kubelet = await startKubeletSim(files);
    processes.push(kubelet);
    // Signal once pods are being created: the first sandboxes are up, most of the pods are still starting.
    const by = Date.now() + 20_000;
    while (Date.now() < by && !readFileSync(files.logPath, 'utf8').includes('SyncLoop ADD')) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1_500));
    const signalAtMs = Date.now();
    kubelet.child.kill('SIGTERM');
    runtime.child.kill('SIGTERM');
    const [kubeletExit, runtimeExit] = await Promise.all([kubelet.exited, runtime.exited]);
    const log = readFileSync(files.logPath, 'utf8');
    const spans = sink.index.spans();
    const podOf = (s: FlatSpan): string => String(spans.find((p) => p.spanId === s.parentSpanId)?.attributes['k8s.pod.name'] ?? '');
    const started = new Set(spans.filter((s) => s.service === 'kubelet' && s.name === 'runtime.v1.RuntimeService/StartContainer' && s.startTimeMs + s.durationMs < signalAtMs).map(podOf));
    const syncing = new Set(spans.filter((s) => s.service === 'kubelet' && s.name === 'syncPod' && s.startTimeMs < signalAtMs).map((s) => String(s.attributes['k8s.pod.name'])));
    return {
      spans, log,
      kubelet: exitCounts(log, 'kubelet-sim: syncPod'), runtime: exitCounts(log, 'runtime-sim: spansExported'),
      kubeletExit, runtimeExit,
      startingAtSignal: [...syncing].filter((p) => !started.has(p)).length,
      leftProcesses: descendants(process.pid).filter((p) => p.cmdline.includes(workDir)).map((p) => `${p.pid} ${p.cmdline}`),
      socketLeft: existsSync(files.socketPath),
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

describe(`SIGTERM while ${PODS} pods are starting, every trace sampled`, () => {
  let run: ShutdownRun;
  before(async () => {
    run = await shutdownUnderLoad();
  });

  it('was under load: pods were still starting when the signal came', (t) => {
    t.diagnostic(`${run.startingAtSignal} of ${PODS} pods had not started their container at SIGTERM; spans ended: kubelet ${run.kubelet.ended}, runtime ${run.runtime.ended}`);
    assert.ok(run.startingAtSignal >= 5, `only ${run.startingAtSignal} pods still starting`);
  });

  it('loses no span: spans ended = spans received, each once, in both processes', () => {
    for (const [service, counts] of [['kubelet', run.kubelet], ['crio', run.runtime]] as const) {
      const received = run.spans.filter((s) => s.service === service);
      assert.equal(new Set(received.map((s) => s.spanId)).size, received.length, `${service}: a span received twice`);
      assert.deepEqual({ lost: counts.lost, dropped: counts.dropped }, { lost: 0, dropped: 0 }, `${service}: ${JSON.stringify(counts)}`);
      assert.equal(counts.exported, counts.ended, `${service}: exported ${counts.exported} of ${counts.ended} spans ended`);
      assert.equal(received.length, counts.ended, `${service}: received ${received.length} of ${counts.ended} spans ended`);
    }
  });

  it('exits 0 and leaves no process and no socket file behind', () => {
    assert.equal(run.kubeletExit, 0, run.log);
    assert.equal(run.runtimeExit, 0, run.log);
    assert.deepEqual(run.leftProcesses, []);
    assert.equal(run.socketLeft, false, 'runtime-sim left its socket file');
  });
});
