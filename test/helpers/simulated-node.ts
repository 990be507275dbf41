import { examplePods, writeNodeFiles } from './node-processes';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTraceSink } from '../../trace-sink/src';
import type { TraceSink } from '../../trace-sink/src';
import { startNodeProcess } from '../../node-demo/src/child-process-runner';
import { runtimeExportSetup } from '../../node-demo/src/runtime-export-setup';
import { freePort } from './free-port';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
/** The compiled tree this file runs from (dist/, or another --outDir at the same depth). */
const DIST = resolve(__dirname, '..', '..');

export interface SimulatedNodeOptions {
  /** samplingRatePerMillion in the kubelet's tracing block. */
  kubeletSamplingRatePerMillion: number;
  /** runtime-sim's own root sampling rate (CRI-O follows the parent for every CRI call). */
  runtimeSamplingRatePerMillion?: number;
  persona?: 'crio' | 'containerd';
  /** runtime-sim --persona-version (default: the persona's default, crio 1.33 / containerd 2.1). */
  personaVersion?: string;
  /** kubelet-sim --duration, ms. */
  durationMs: number;
  /** More environment variables for both processes (e.g. NODE_OPTIONS for a probe). */
  processEnv?: NodeJS.ProcessEnv;
  extraKubeletArgs?: string[];
  /** Delete this manifest from the static pod directory after the given time, so its pod terminates. */
  removeManifest?: { file: string; afterMs: number };
  /** Static pod manifests (file name → YAML) to use instead of configs/pods. */
  podManifests?: Record<string, string>;
  /** Extra top-level KubeletConfiguration lines (e.g. `imageMinimumGCAge: 3s`). */
  extraKubeletConfigLines?: string[];
  /** A runtime model (YAML text) for runtime-sim's --model, instead of its default. */
  runtimeModel?: string;
  /**
   * Runs while kubelet-sim is up (started right after it is spawned), e.g. to query its HTTP endpoints.
   * The run waits for it as well as for the kubelet's exit; a failure is rethrown after cleanup.
   */
  whileRunning?: (ctx: { logPath: string; sink: TraceSink }) => Promise<void>;
}

export interface SimulatedNodeRun {
  sink: TraceSink;
  workDir: string;
  logPath: string;
  kubeletExit: number | string;
  runtimeExit: number | string;
  pids: number[];
  cleanup(): Promise<void>;
}

/**
 * Runs the real thing: trace-sink in this process on a free port, runtime-sim and kubelet-sim as child
 * processes on a temp unix socket with configs/pods as static pods, until kubelet-sim's --duration ends.
 * Everything is stopped and removed by cleanup(), even after a failed assertion.
 */
export async function runSimulatedNode(options: SimulatedNodeOptions): Promise<SimulatedNodeRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'kubelet-cri-e2e-'));
  const sink = await startTraceSink({ listen: '127.0.0.1:0', outPath: join(workDir, 'spans.jsonl') });
  const { configPath, podsDir: pods, logPath } = writeNodeFiles(workDir, {
    pods: options.podManifests ?? examplePods(),
    collector: sink.address,
    samplingRatePerMillion: options.kubeletSamplingRatePerMillion,
    extraConfigLines: ['fileCheckFrequency: 1s', ...(options.extraKubeletConfigLines ?? [])],
  });
  const socket = `unix://${join(workDir, 'runtime.sock')}`;
  const processes: RunningProcess[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const exportSetup = runtimeExportSetup(options.persona ?? 'crio', options.personaVersion, sink.address, workDir, options.runtimeSamplingRatePerMillion ?? 0);
    const modelArgs: string[] = [];
    if (options.runtimeModel !== undefined) {
      writeFileSync(join(workDir, 'runtime-model.yaml'), options.runtimeModel);
      modelArgs.push('--model', join(workDir, 'runtime-model.yaml'));
    }
    const runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), [
      '--persona', options.persona ?? 'crio', '--listen', socket,
      ...modelArgs,
      ...exportSetup.args,
    ], logPath, { ...(exportSetup.env ?? process.env), ...options.processEnv });
    processes.push(runtime);
    const extraArgs = options.extraKubeletArgs ?? [];
    // Never the kubelet's fixed ports (10250, 10248) in tests: a free main port and no healthz server, unless given.
    const portArgs = extraArgs.includes('--port') ? [] : ['--port', String(await freePort()), '--healthz-port', '0'];
    const kubelet = startNodeProcess('kubelet-sim', join(DIST, 'kubelet-sim/src/main.js'), [
      '--config', configPath, '--container-runtime-endpoint', socket, '--hostname-override', 'e2e-node',
      '--duration', `${options.durationMs}ms`, ...portArgs, ...extraArgs,
    ], logPath, { ...process.env, ...options.processEnv });
    processes.push(kubelet);
    const removal = options.removeManifest;
    const timer = removal ? setTimeout(() => rmSync(join(pods, removal.file), { force: true }), removal.afterMs) : undefined;
    const during = options.whileRunning?.({ logPath, sink }).then(() => undefined, (err: unknown) => err ?? new Error('whileRunning failed'));
    const kubeletExit = await kubelet.exited;
    clearTimeout(timer);
    const duringError = await during;
    if (duringError !== undefined) throw duringError;
    const runtimeExit = await runtime.stop(5_000);
    return { sink, workDir, logPath, kubeletExit, runtimeExit, pids: processes.map((p) => p.child.pid ?? -1), cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** True while a process with this pid exists. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
