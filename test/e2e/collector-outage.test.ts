/**
 * The collector away while a node runs (kubelet-sim and runtime-sim, CRI-O persona, every trace sampled):
 *  - down for the first seconds, then up on the same port: both processes keep running and exit on time, the
 *    spans they export once it is up arrive, and what each process says it exported is what was received;
 *  - a collector that accepts connections and never answers: shutdown is not held beyond the exporter's
 *    timeout, and the spans that could not be sent are counted as lost in each process's exit line.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTraceSink, type TraceSink } from '../../trace-sink/src';
import { startNodeProcess, type RunningProcess } from '../../node-demo/src/child-process-runner';
import { runtimeExportSetup } from '../../node-demo/src/runtime-export-setup';
import { freePort } from '../helpers/free-port';
import { waitForFile } from '../helpers/wait-for-file';

const DIST = resolve(__dirname, '..', '..');
const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: [sleep, "3600"]
`;
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

/** Starts runtime-sim and kubelet-sim exporting to `collector`; `during` runs while they do. */
async function runNode(collector: string, during: () => Promise<void>): Promise<NodeRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'collector-outage-e2e-'));
  const processes: RunningProcess[] = [];
  try {
    const pods = join(workDir, 'pods');
    mkdirSync(pods);
    writeFileSync(join(pods, 'web.yaml'), POD);
    const configPath = join(workDir, 'kubelet-config.yaml');
    writeFileSync(configPath, [
      'apiVersion: kubelet.config.k8s.io/v1beta1',
      'kind: KubeletConfiguration',
      `staticPodPath: ${pods}`,
      `podLogsDir: ${join(workDir, 'pod-logs')}`,
      'tracing:',
      `  endpoint: ${collector}`,
      '  samplingRatePerMillion: 1000000',
      '',
    ].join('\n'));
    const socketPath = join(workDir, 'runtime.sock');
    const logPath = join(workDir, 'sims.log');
    const exportSetup = runtimeExportSetup('crio', undefined, collector, workDir, 1_000_000);
    const runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), ['--persona', 'crio', '--listen', `unix://${socketPath}`, ...exportSetup.args], logPath, exportSetup.env);
    processes.push(runtime);
    await waitForFile(socketPath, 10_000);
    const kubelet = startNodeProcess('kubelet-sim', join(DIST, 'kubelet-sim/src/main.js'), [
      '--config', configPath, '--container-runtime-endpoint', `unix://${socketPath}`, '--hostname-override', 'e2e-node',
      '--duration', `${KUBELET_DURATION_MS}ms`, '--port', String(await freePort()), '--healthz-port', '0',
    ], logPath);
    processes.push(kubelet);
    const startedAt = Date.now();
    await during();
    const kubeletExit = await kubelet.exited;
    const kubeletShutdownMs = Date.now() - (startedAt + KUBELET_DURATION_MS);
    const stopAt = Date.now();
    const runtimeExit = await runtime.stop(SHUTDOWN_BOUND_MS);
    const runtimeShutdownMs = Date.now() - stopAt;
    return { log: readFileSync(logPath, 'utf8'), kubeletExit, runtimeExit, kubeletShutdownMs, runtimeShutdownMs };
  } finally {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** `spansExported` / `spansLost` from a process's exit line. */
function exitCounts(log: string, prefix: 'kubelet-sim: syncPod' | 'runtime-sim: spansExported'): { exported: number; lost: number } {
  const line = log.split('\n').find((l) => l.startsWith(prefix) && l.includes('spansExported='));
  assert.ok(line, `no exit line starting ${prefix}:\n${log}`);
  return { exported: Number(/spansExported=(\d+)/.exec(line)![1]), lost: Number(/spansLost=(\d+)/.exec(line)![1]) };
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
      const pods = join(workDir, 'pods');
      mkdirSync(pods);
      writeFileSync(join(pods, 'web.yaml'), POD);
      const configPath = join(workDir, 'kubelet-config.yaml');
      writeFileSync(configPath, ['apiVersion: kubelet.config.k8s.io/v1beta1', 'kind: KubeletConfiguration', `staticPodPath: ${pods}`,
        `podLogsDir: ${join(workDir, 'pod-logs')}`, 'tracing:', `  endpoint: ${collector}`, '  samplingRatePerMillion: 1000000', ''].join('\n'));
      const socketPath = join(workDir, 'runtime.sock');
      const logPath = join(workDir, 'sims.log');
      const exportSetup = runtimeExportSetup('crio', undefined, collector, workDir, 1_000_000);
      const runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), ['--persona', 'crio', '--listen', `unix://${socketPath}`, ...exportSetup.args], logPath, exportSetup.env);
      processes.push(runtime);
      await waitForFile(socketPath, 10_000);
      const kubelet = startNodeProcess('kubelet-sim', join(DIST, 'kubelet-sim/src/main.js'), [
        '--config', configPath, '--container-runtime-endpoint', `unix://${socketPath}`, '--hostname-override', 'e2e-node',
        '--port', String(await freePort()), '--healthz-port', '0',
      ], logPath);
      processes.push(kubelet);
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
