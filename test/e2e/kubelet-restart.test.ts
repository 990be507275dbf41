/**
 * End to end: kubelet-sim restarted on a runtime that kept the previous run's pods. runtime-sim (CRI-O) keeps
 * running while a first kubelet-sim starts two static pods and stops; a second kubelet-sim starts with only
 * one of the two manifests. As a real kubelet does (kubelet.go housekeeping, kubelet_pods.go
 * HandlePodCleanups, SyncTerminatingRuntimePod, kuberuntime_gc.go), it keeps the pod whose manifest is still
 * there without restarting it, stops the orphan's containers and sandbox at its first housekeeping (root
 * CLIENT spans, no kubelet span), and removes them at the next container GC.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@grpc/grpc-js';
import { createRuntimeServiceClient } from '../../cri-proto/src/load-cri';
import { startNodeProcess } from '../../node-demo/src/child-process-runner';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';
import { runtimeExportSetup } from '../../node-demo/src/runtime-export-setup';
import { startTraceSink } from '../../trace-sink/src';
import type { FlatSpan, TraceSink } from '../../trace-sink/src';
import { freePort } from '../helpers/free-port';
import { isProcessAlive } from '../helpers/simulated-node';
import { waitForFile } from '../helpers/wait-for-file';

const DIST = join(__dirname, '..', '..');

const KEEP_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: keep
  namespace: default
spec:
  containers:
    - name: nginx
      image: docker.io/library/nginx:1.27
`;
// Two servers: both exit on SIGTERM at once, as PID 1 of an exec'd server does in runtime-sim's command model.
const GONE_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: gone
  namespace: kube-system
spec:
  terminationGracePeriodSeconds: 30
  containers:
    - name: redis
      image: docker.io/library/redis:7.4
    - name: proxy
      image: docker.io/library/nginx:1.27
`;

interface SandboxView { id: string; state: string; metadata: { name: string; uid: string } }
interface ContainerView { id: string; state: string; pod_sandbox_id: string; metadata: { name: string } }

const RPC = (m: string): string => `runtime.v1.RuntimeService/${m}`;

describe('a kubelet-sim restarted on the same runtime-sim, with one manifest fewer', () => {
  let workDir: string;
  let sink: TraceSink;
  let runtime: RunningProcess;
  let rt: Client;
  let logPath: string;
  const exits: Array<number | string> = [];
  const pids: number[] = [];
  let run2StartMs: number;
  let afterRun1: { sandboxes: SandboxView[]; containers: ContainerView[] };
  let afterRun2: { sandboxes: SandboxView[]; containers: ContainerView[] };
  let run2: FlatSpan[];

  const call = <Res>(method: string, request: unknown): Promise<Res> =>
    new Promise((resolve, reject) => {
      (rt as unknown as Record<string, (r: unknown, cb: (e: Error | null, v: Res) => void) => void>)[method]!(request, (err, value) => (err ? reject(err) : resolve(value)));
    });
  const runtimeState = async (): Promise<{ sandboxes: SandboxView[]; containers: ContainerView[] }> => ({
    sandboxes: (await call<{ items: SandboxView[] }>('ListPodSandbox', {})).items,
    containers: (await call<{ containers: ContainerView[] }>('ListContainers', {})).containers,
  });

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'kubelet-restart-e2e-'));
    logPath = join(workDir, 'sims.log');
    sink = await startTraceSink({ listen: '127.0.0.1:0' });
    const pods = join(workDir, 'pods');
    mkdirSync(pods);
    writeFileSync(join(pods, 'keep.yaml'), KEEP_YAML);
    writeFileSync(join(pods, 'gone.yaml'), GONE_YAML);
    const configPath = join(workDir, 'kubelet-config.yaml');
    writeFileSync(configPath, [
      'apiVersion: kubelet.config.k8s.io/v1beta1',
      'kind: KubeletConfiguration',
      `staticPodPath: ${pods}`,
      `podLogsDir: ${join(workDir, 'pod-logs')}`,
      'tracing:',
      `  endpoint: ${sink.address}`,
      '  samplingRatePerMillion: 1000000',
      '',
    ].join('\n'));
    const socketPath = join(workDir, 'runtime.sock');
    const socket = `unix://${socketPath}`;
    const exportSetup = runtimeExportSetup('crio', undefined, sink.address, workDir, 0);
    runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), ['--persona', 'crio', '--listen', socket, ...exportSetup.args], logPath, exportSetup.env);
    pids.push(runtime.child.pid ?? -1);
    await waitForFile(socketPath, 10_000);
    rt = createRuntimeServiceClient(socket) as unknown as Client;

    const kubelet = async (durationMs: number, extra: string[] = []): Promise<void> => {
      const proc = startNodeProcess('kubelet-sim', join(DIST, 'kubelet-sim/src/main.js'), [
        '--config', configPath, '--container-runtime-endpoint', socket, '--hostname-override', 'e2e-node',
        '--duration', `${durationMs}ms`, '--port', String(await freePort()), '--healthz-port', '0', ...extra,
      ], logPath);
      pids.push(proc.child.pid ?? -1);
      exits.push(await proc.exited);
    };

    await kubelet(4_000);
    afterRun1 = await runtimeState();
    rmSync(join(pods, 'gone.yaml'));
    run2StartMs = Date.now();
    await kubelet(9_000, ['--container-gc-period', '4s']);
    afterRun2 = await runtimeState();
    run2 = sink.index.spans().filter((s) => s.startTimeMs >= run2StartMs);
  });

  after(async () => {
    rt?.close();
    await runtime?.stop(5_000);
    await sink?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  const log = (): string => readFileSync(logPath, 'utf8');
  const sandboxOf = (state: { sandboxes: SandboxView[] }, name: string): SandboxView | undefined => state.sandboxes.find((s) => s.metadata.name === `${name}-e2e-node`);
  const kubeletRoots = (name: string): FlatSpan[] => run2.filter((s) => s.service === 'kubelet' && s.kind === 'CLIENT' && s.parentSpanId === '' && s.name === RPC(name));

  it('both kubelet runs exit 0, and the first leaves both pods running', () => {
    assert.deepEqual(exits, [0, 0], log());
    assert.equal(sandboxOf(afterRun1, 'keep')?.state, 'SANDBOX_READY', log());
    assert.equal(sandboxOf(afterRun1, 'gone')?.state, 'SANDBOX_READY');
    assert.equal(afterRun1.containers.filter((c) => c.state === 'CONTAINER_RUNNING').length, 3);
  });

  it('keeps the pod whose manifest is still there: same sandbox and container, still running, nothing started again', () => {
    const keep = sandboxOf(afterRun1, 'keep')!;
    assert.deepEqual(sandboxOf(afterRun2, 'keep'), keep);
    const nginx = afterRun1.containers.find((c) => c.pod_sandbox_id === keep.id)!;
    assert.deepEqual(afterRun2.containers.find((c) => c.pod_sandbox_id === keep.id), nginx);
    for (const rpc of ['RunPodSandbox', 'CreateContainer', 'StartContainer']) {
      assert.deepEqual(run2.filter((s) => s.name === RPC(rpc)).map((s) => s.service), [], `${rpc} in the second run`);
    }
    const create = run2.find((s) => s.name === 'syncPod' && s.attributes['k8s.pod.name'] === 'keep-e2e-node');
    assert.equal(create?.attributes['k8s.pod.update_type'], 'create', 'the kept pod is synced as a create: its worker is new');
  });

  it('stops the orphan at the first housekeeping, 2 s in: one root CLIENT StopContainer per running container, in its own trace, then a root StopPodSandbox', () => {
    const stops = kubeletRoots('StopContainer');
    const sandboxStops = kubeletRoots('StopPodSandbox');
    assert.equal(stops.length, 2, `root StopContainer spans: ${stops.length}\n${log()}`);
    assert.equal(sandboxStops.length, 1);
    assert.equal(new Set([...stops, ...sandboxStops].map((s) => s.traceId)).size, 3, 'each CRI call is a trace of its own');
    const firstMs = Math.min(...stops.map((s) => s.startTimeMs)) - run2StartMs;
    assert.ok(firstMs >= 1_900 && firstMs < 6_000, `first StopContainer ${firstMs} ms after the second kubelet started`);
    const stopsEndMs = Math.max(...stops.map((s) => s.startTimeMs + s.durationMs));
    assert.ok(sandboxStops[0].startTimeMs >= stopsEndMs - 1, 'StopPodSandbox after the containers are stopped');
    for (const client of [...stops, ...sandboxStops]) {
      assert.ok(run2.some((s) => s.service === 'crio' && s.kind === 'SERVER' && s.parentSpanId === client.spanId && s.name === client.name), `${client.name} has no crio SERVER child`);
    }
  });

  it('makes no kubelet span for the orphan: no syncTerminatingPod, syncTerminatedPod or syncPod for it', () => {
    const kubeletSpans = run2.filter((s) => s.service === 'kubelet' && s.kind === 'INTERNAL');
    assert.deepEqual(kubeletSpans.filter((s) => ['syncTerminatingPod', 'syncTerminatedPod'].includes(s.name)).map((s) => s.name), []);
    assert.deepEqual([...new Set(kubeletSpans.filter((s) => s.name === 'syncPod').map((s) => s.attributes['k8s.pod.name']))], ['keep-e2e-node']);
    assert.match(log(), /Clean up containers for orphaned pod we had not seen before/);
  });

  it('then container GC removes the orphan: RemoveContainer for both containers, StopPodSandbox and RemovePodSandbox, under Containers/GarbageCollect', () => {
    const gone = sandboxOf(afterRun1, 'gone')!;
    assert.equal(sandboxOf(afterRun2, 'gone'), undefined, 'the sandbox is removed');
    assert.deepEqual(afterRun2.containers.filter((c) => c.pod_sandbox_id === gone.id), [], 'its containers are removed');
    const sandboxStop = kubeletRoots('StopPodSandbox')[0];
    const gcRoots = run2.filter((s) => s.name === 'Containers/GarbageCollect' && s.parentSpanId === '');
    const removing = gcRoots.find((g) => run2.some((s) => s.parentSpanId === g.spanId && s.name === RPC('RemovePodSandbox')));
    assert.ok(removing, 'no GC pass removed a sandbox');
    assert.ok(removing.startTimeMs > sandboxStop.startTimeMs, 'GC removes what housekeeping stopped');
    const children = run2.filter((s) => s.parentSpanId === removing.spanId && s.kind === 'CLIENT').sort((a, b) => a.startTimeMs - b.startTimeMs).map((s) => s.name.split('/')[1]);
    assert.deepEqual(children.filter((n) => ['RemoveContainer', 'StopPodSandbox', 'RemovePodSandbox'].includes(n)), ['RemoveContainer', 'RemoveContainer', 'StopPodSandbox', 'RemovePodSandbox'], children.join(', '));
  });

  it('leaves no process running', async () => {
    await runtime.stop(5_000);
    for (const pid of pids) assert.equal(isProcessAlive(pid), false, `process ${pid} still running`);
  });
});
