import { examplePods, writeNodeFiles } from './node-processes';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTraceSink } from '../../trace-sink/src';
import type { TraceSink } from '../../trace-sink/src';
import { startNodeProcess } from '../../node-demo/src/child-process-runner';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';
import { runtimeExportSetup } from '../../node-demo/src/runtime-export-setup';

/** The compiled tree this file runs from. */
const DIST = resolve(__dirname, '..', '..');

export interface SimulatedFleetOptions {
  nodes: number;
  kubeletSamplingRatePerMillion: number;
  persona?: 'crio' | 'containerd';
  personaVersion?: string;
  durationMs: number;
  /** Static pod manifests (file name → YAML) for every node, instead of configs/pods. */
  podManifests?: Record<string, string>;
  /** More kubelet-sim flags (e.g. a churn workload). */
  kubeletArgs?: string[];
  /** More runtime-sim flags (e.g. `--model fast`). */
  runtimeArgs?: string[];
}

export interface SimulatedFleetRun {
  sink: TraceSink;
  logPath: string;
  kubeletExit: number | string;
  runtimeExit: number | string;
  pids: number[];
  cleanup(): Promise<void>;
}

/**
 * A fleet end to end: trace-sink in this process, `runtime-sim --nodes N` and `kubelet-sim --nodes N` as
 * child processes on temp sockets (one per node) with configs/pods as every node's static pods, until
 * kubelet-sim's --duration ends. cleanup() stops and removes everything.
 */
export async function runSimulatedFleet(options: SimulatedFleetOptions): Promise<SimulatedFleetRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'kubelet-cri-fleet-'));
  const sink = await startTraceSink({ listen: '127.0.0.1:0', outPath: join(workDir, 'spans.jsonl') });
  const { configPath, logPath } = writeNodeFiles(workDir, {
    pods: options.podManifests ?? examplePods(),
    collector: sink.address,
    samplingRatePerMillion: options.kubeletSamplingRatePerMillion,
  });
  const socket = `unix://${join(workDir, '{node}.sock')}`;
  const processes: RunningProcess[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const persona = options.persona ?? 'crio';
    const exportSetup = runtimeExportSetup(persona, options.personaVersion, sink.address, workDir, 0);
    const runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), [
      '--persona', persona, '--listen', socket, '--nodes', String(options.nodes), ...exportSetup.args, ...(options.runtimeArgs ?? []),
    ], logPath, exportSetup.env);
    processes.push(runtime);
    const kubelet = startNodeProcess('kubelet-sim', join(DIST, 'kubelet-sim/src/main.js'), [
      '--config', configPath, '--container-runtime-endpoint', socket, '--nodes', String(options.nodes), '--duration', `${options.durationMs}ms`, ...(options.kubeletArgs ?? []),
    ], logPath);
    processes.push(kubelet);
    const kubeletExit = await kubelet.exited;
    const runtimeExit = await runtime.stop(5_000);
    return { sink, logPath, kubeletExit, runtimeExit, pids: processes.map((p) => p.child.pid ?? -1), cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
