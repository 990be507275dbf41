/**
 * The physical ceiling the sampling benchmark's throughput is a fraction of: the fast-path benchmark's raw
 * grpc-js arm (../raw-cri-server.ts, ../cri-load-client.ts --client raw), a bare client and server on our
 * CRI proto doing the pod lifecycle's nine CRI calls as fast as they go, `concurrency` lifecycles in flight,
 * no kubelet, no runtime state, no tracing. Fresh processes per run, like every other arm.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startNodeProcess } from '../../../node-demo/src/child-process-runner';
import { waitForFile } from '../../helpers/wait-for-file';
import type { CallRunResult } from '../call-run-result';
import { readProcUsage } from './proc-usage';

/** The compiled tree this file runs from. */
const DIST = resolve(__dirname, '..', '..', '..');
const RUN_TIMEOUT_MS = 120_000;

export interface RawCeilingOptions {
  /** Lifecycles measured (after `warmUpPods` unmeasured ones). */
  pods: number;
  warmUpPods: number;
  concurrency: number;
}

export interface RawCeilingResult {
  calls: number;
  lifecycles: number;
  wallMs: number;
  callsPerSecond: number;
  lifecyclesPerSecond: number;
  /** Client CPU per call (its measured lifecycles), and the server's over the whole run incl. warm-up, per call of the run. */
  clientCpuUsPerCall: number;
  serverCpuUsPerCall: number;
}

export async function runRawCeiling(o: RawCeilingOptions): Promise<RawCeilingResult> {
  const workDir = mkdtempSync(join(tmpdir(), 'sampling-raw-'));
  const socketPath = join(workDir, 'raw.sock');
  const server = startNodeProcess('raw-cri-server', join(DIST, 'test/bench/raw-cri-server.js'), [socketPath], join(workDir, 'raw.log'));
  try {
    await waitForFile(socketPath, 15_000);
    const pid = server.child.pid ?? -1;
    const before = readProcUsage(pid);
    const result = await runRawClient([
      '--endpoint', `unix://${socketPath}`, '--client', 'raw', '--concurrency', String(o.concurrency),
      '--pods', String(o.pods), '--warmup-pods', String(o.warmUpPods), '--pod-logs-dir', join(workDir, 'pod-logs'),
    ]);
    const after = readProcUsage(pid);
    if (!before || !after) throw new Error(`raw-cri-server exited during the run: ${server.outputTail().join('\n')}`);
    const callsPerPod = result.calls / result.pods;
    const allCalls = result.calls + o.warmUpPods * callsPerPod;
    return {
      calls: result.calls,
      lifecycles: result.pods,
      wallMs: result.wallMs,
      callsPerSecond: result.calls / (result.wallMs / 1000),
      lifecyclesPerSecond: result.pods / (result.wallMs / 1000),
      clientCpuUsPerCall: result.cpuUsPerCall,
      serverCpuUsPerCall: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / allCalls,
    };
  } finally {
    await server.stop(5_000);
    rmSync(workDir, { recursive: true, force: true });
  }
}

function runRawClient(args: string[]): Promise<CallRunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(DIST, 'test/bench/cri-load-client.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`raw load client exited ${code}: ${err.trim()}`));
      try {
        resolveRun(JSON.parse(out.trim().split('\n').pop() ?? '') as CallRunResult);
      } catch {
        reject(new Error(`raw load client printed no result: ${out} ${err}`));
      }
    });
  });
}
