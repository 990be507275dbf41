/**
 * The collector away while a node runs (kubelet-sim and runtime-sim, CRI-O persona, every trace sampled):
 *  - down for the first seconds, then up on the same port: both processes keep running and exit on time, the
 *    spans they export once it is up arrive, and what each process says it exported is what was received;
 *  - a collector that accepts connections and never answers: shutdown is not held beyond the exporter's
 *    timeout, and the spans that could not be sent are counted as lost in each process's exit line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTraceSink, type TraceSink } from '../../trace-sink/src';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';
import { freePort } from '../helpers/free-port';
import { sleeperPod, startKubeletSim, startRuntimeSim, writeNodeFiles, type NodeFiles } from '../helpers/node-processes';

const KUBELET_DURATION_MS = 12_000;
/** OTLP exporter timeout (OTEL_EXPORTER_OTLP_TIMEOUT default, 10 s) plus room for a loaded machine. */
const SHUTDOWN_BOUND_MS = 10_000 + 6_000;

interface NodeRun {
  log: string;
  kubeletExit: number | string;
  runtimeExit: number | string;
  /** From the end of the kubelet's --duration to its exit. */
  kubeletShutdownMs: number;
  /** From SIGTERM to runtime-sim's exit. */
  runtimeShutdownMs: number;
}

/** A node whose two processes export every trace to `collector`. */
async function startNode(workDir: string, collector: string, kubeletArgs: string[]): Promise<{ files: NodeFiles; runtime: RunningProcess; kubelet: RunningProcess }> {
  const files = writeNodeFiles(workDir, { pods: { 'web.yaml': sleeperPod('web') }, collector, samplingRatePerMillion: 1_000_000 });
  const runtime = await startRuntimeSim(files, { collector, samplingRatePerMillion: 1_000_000 });
  const kubelet = await startKubeletSim(files, kubeletArgs);
  return { files, runtime, kubelet };
}

/** Runs a node for KUBELET_DURATION_MS exporting to `collector`; `during` runs meanwhile. */
async function runNode(collector: string, during: () => Promise<void>): Promise<NodeRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'collector-outage-e2e-'));
  const processes: RunningProcess[] = [];
  try {
    const { files, runtime, kubelet } = await startNode(workDir, collector, ['--duration', `${KUBELET_DURATION_MS}ms`]);
    processes.push(runtime, kubelet);
    const startedAt = Date.now();
    await during();
    const kubeletExit = await kubelet.exited;
    const kubeletShutdownMs = Date.now() - (startedAt + KUBELET_DURATION_MS);
    const stopAt = Date.now();
    const runtimeExit = await runtime.stop(SHUTDOWN_BOUND_MS);
    const runtimeShutdownMs = Date.now() - stopAt;
    return { log: readFileSync(files.logPath, 'utf8'), kubeletExit, runtimeExit, kubeletShutdownMs, runtimeShutdownMs };
  } finally {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** `spansExported` / `spansLost` from a process's exit line. */
function exitCounts(log: string, prefix: 'kubelet-sim: syncPod' | 'runtime-sim: spansExported'): { exported: number; lost: number; dropped: number } {
  const line = log.split('\n').find((l) => l.startsWith(prefix) && l.includes('spansExported='));
  assert.ok(line, `no exit line starting ${prefix}:\n${log}`);
  const count = (name: string): number => Number(new RegExp(`${name}=(\\d+)`).exec(line)![1]);
  return { exported: count('spansExported'), lost: count('spansLost'), dropped: count('spansDropped') };
}

describe('the collector is down when the node starts, and comes up later', () => {
  let port: number;
  let sink: TraceSink | undefined;
  let upAtMs = 0;
  let run: NodeRun;

  before(async () => {
    port = await freePort();
    run = await runNode(`127.0.0.1:${port}`, async () => {
      await new Promise((r) => setTimeout(r, 4_000));
      sink = await startTraceSink({ listen: `127.0.0.1:${port}` });
      upAtMs = Date.now();
    });
  });
  after(async () => sink?.close());

  it('keeps both processes running: both exit 0, on time', () => {
    assert.equal(run.kubeletExit, 0, run.log);
    assert.equal(run.runtimeExit, 0, run.log);
    assert.ok(run.kubeletShutdownMs < SHUTDOWN_BOUND_MS, `kubelet-sim exited ${run.kubeletShutdownMs} ms after its --duration`);
    assert.ok(run.runtimeShutdownMs < SHUTDOWN_BOUND_MS, `runtime-sim exited ${run.runtimeShutdownMs} ms after SIGTERM`);
  });

  it('delivers the spans of both processes once the collector is up', () => {
    const spans = sink!.index.spans();
    for (const service of ['kubelet', 'crio']) {
      assert.ok(spans.some((s) => s.service === service && s.startTimeMs >= upAtMs), `no ${service} span made after the collector came up`);
    }
  });

  it('says what it exported, and that is what the collector received', () => {
    const spans = sink!.index.spans();
    const kubelet = exitCounts(run.log, 'kubelet-sim: syncPod');
    const runtime = exitCounts(run.log, 'runtime-sim: spansExported');
    assert.equal(spans.filter((s) => s.service === 'kubelet').length, kubelet.exported);
    assert.equal(spans.filter((s) => s.service === 'crio').length, runtime.exported);
    assert.equal(kubelet.dropped, 0, 'the kubelet\'s batch queue dropped spans');
    assert.equal(runtime.dropped, 0, 'the runtime\'s batch queue dropped spans');
  });
});

describe('a collector that accepts connections and never answers', () => {
  let stalled: Server;
  const sockets: Socket[] = [];
  let run: NodeRun;

  before(async () => {
    stalled = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    const address = stalled.address() as { port: number };
    run = await runNode(`127.0.0.1:${address.port}`, async () => undefined);
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => stalled.close(() => r()));
  });

  it('does not hold shutdown beyond the export timeout: both exit 0 in time', (t) => {
    assert.equal(run.kubeletExit, 0, run.log);
    assert.equal(run.runtimeExit, 0, run.log);
    t.diagnostic(`kubelet-sim exited ${run.kubeletShutdownMs} ms after its --duration, runtime-sim ${run.runtimeShutdownMs} ms after SIGTERM`);
    assert.ok(run.kubeletShutdownMs < SHUTDOWN_BOUND_MS, `kubelet-sim exited ${run.kubeletShutdownMs} ms after its --duration`);
    assert.ok(run.runtimeShutdownMs < SHUTDOWN_BOUND_MS, `runtime-sim exited ${run.runtimeShutdownMs} ms after SIGTERM`);
  });

  it('counts the spans it could not send as lost, and exports none', () => {
    const kubelet = exitCounts(run.log, 'kubelet-sim: syncPod');
    const runtime = exitCounts(run.log, 'runtime-sim: spansExported');
    assert.equal(kubelet.exported, 0);
    assert.equal(runtime.exported, 0);
    assert.ok(kubelet.lost > 0, `kubelet lost ${kubelet.lost}`);
    assert.ok(runtime.lost > 0, `runtime lost ${runtime.lost}`);
  });
});

describe('a second signal while shutdown waits for a collector that never answers', () => {
  let stalled: Server;
  const sockets: Socket[] = [];
  const exits: Record<string, { code: number | string; afterSecondMs: number }> = {};

  before(async () => {
    stalled = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    const collector = `127.0.0.1:${(stalled.address() as { port: number }).port}`;
    const workDir = mkdtempSync(join(tmpdir(), 'second-signal-e2e-'));
    const processes: RunningProcess[] = [];
    try {
      const { runtime, kubelet } = await startNode(workDir, collector, []);
      processes.push(runtime, kubelet);
      await new Promise((r) => setTimeout(r, 4_000)); // pods up, spans waiting in the batch processors
      for (const [name, proc] of [['kubelet-sim', kubelet], ['runtime-sim', runtime]] as const) {
        proc.child.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 500));
        const secondAt = Date.now();
        proc.child.kill('SIGTERM');
        const code = await proc.exited;
        exits[name] = { code, afterSecondMs: Date.now() - secondAt };
      }
    } finally {
      await Promise.all(processes.map((p) => p.stop(5_000)));
      rmSync(workDir, { recursive: true, force: true });
    }
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => stalled.close(() => r()));
  });

  it('exits at once with status 1, as the Kubernetes components do on a second signal', () => {
    for (const name of ['kubelet-sim', 'runtime-sim']) {
      assert.equal(exits[name]?.code, 1, `${name} exit ${String(exits[name]?.code)}`);
      assert.ok((exits[name]?.afterSecondMs ?? Infinity) < 2_000, `${name} took ${exits[name]?.afterSecondMs} ms after the second signal`);
    }
  });
});
