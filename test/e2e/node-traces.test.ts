import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { isProcessAlive, runSimulatedNode } from '../helpers/simulated-node';
import type { SimulatedNodeRun } from '../helpers/simulated-node';

const STARTUP_RPCS = ['runtime.v1.RuntimeService/RunPodSandbox', 'runtime.v1.RuntimeService/CreateContainer', 'runtime.v1.RuntimeService/StartContainer'];

describe('a simulated node (runtime-sim crio + kubelet-sim) traced end to end', () => {
  describe('with samplingRatePerMillion 1000000', () => {
    let run: SimulatedNodeRun;
    let spans: FlatSpan[];

    before(async () => {
      run = await runSimulatedNode({
        kubeletSamplingRatePerMillion: 1_000_000,
        durationMs: 14_000,
        extraKubeletArgs: ['--container-gc-period', '3s', '--image-gc-period', '4s', '--image-fs-capacity-bytes', '600000000'],
        removeManifest: { file: 'node-exporter.yaml', afterMs: 8_000 },
      });
      spans = run.sink.index.spans();
    });
    after(async () => run?.cleanup());

    it('both processes exit 0 and none is left running', () => {
      assert.equal(run.kubeletExit, 0, readFileSync(run.logPath, 'utf8'));
      assert.equal(run.runtimeExit, 0, readFileSync(run.logPath, 'utf8'));
      for (const pid of run.pids) assert.equal(isProcessAlive(pid), false, `process ${pid} still running`);
    });

    it('logs in klog format (pid, TypeScript file:line) with a progress line after 10 s', () => {
      const log = readFileSync(run.logPath, 'utf8');
      assert.match(log, /^I\d{4} \d{2}:\d{2}:\d{2}\.\d{6} [ \d]{7} kubelet\.ts:\d+\] SyncLoop ADD /m);
      assert.match(log, /^I\d{4} \d{2}:\d{2}:\d{2}\.\d{6} [ \d]{7} main\.ts:\d+\] "Progress" elapsed="10s" pods=\d+ syncPod=\d+ syncPodErrors=\d+ syncTerminatingPod=\d+ spansExported=\d+ spansLost=0$/m);
    });

    it('gives every runtime SERVER span a kubelet CLIENT parent of the same RPC in the same trace', () => {
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const servers = spans.filter((s) => s.service === 'crio' && s.kind === 'SERVER');
      assert.ok(servers.length > 20, `expected many crio server spans, got ${servers.length}`);
      for (const server of servers) {
        const parent = byId.get(server.parentSpanId);
        assert.ok(parent, `server span ${server.name} has no received parent`);
        assert.equal(parent.service, 'kubelet');
        assert.equal(parent.kind, 'CLIENT');
        assert.equal(parent.name, server.name);
        assert.equal(parent.traceId, server.traceId);
      }
    });

    it('roots each pod startup at a kubelet syncPod holding sandbox, image, create and start client/server pairs', () => {
      for (const pod of ['web-e2e-node', 'node-exporter-e2e-node', 'flaky-worker-e2e-node']) {
        const root = spans.find((s) => s.name === 'syncPod' && s.attributes['k8s.pod.name'] === pod && s.attributes['k8s.pod.update_type'] === 'create');
        assert.ok(root, `no create syncPod span for ${pod}`);
        assert.equal(root.parentSpanId, '');
        assert.equal(root.kind, 'INTERNAL');
        assert.equal(root.service, 'kubelet');
        const trace = spans.filter((s) => s.traceId === root.traceId);
        for (const rpc of [...STARTUP_RPCS, 'runtime.v1.ImageService/ImageStatus']) {
          assert.ok(trace.some((s) => s.name === rpc && s.kind === 'CLIENT' && s.parentSpanId === root.spanId), `${pod}: no ${rpc} CLIENT child of syncPod`);
          assert.ok(trace.some((s) => s.name === rpc && s.kind === 'SERVER' && s.service === 'crio'), `${pod}: no ${rpc} SERVER span`);
        }
      }
    });

    it('records otelgrpc message events and attributes on CRI client spans', () => {
      const client = spans.find((s) => s.name === 'runtime.v1.RuntimeService/RunPodSandbox' && s.kind === 'CLIENT');
      assert.ok(client);
      assert.equal(client.scope, 'go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc');
      assert.equal(client.attributes['rpc.system'], 'grpc');
      assert.equal(client.attributes['rpc.service'], 'runtime.v1.RuntimeService');
      assert.equal(client.attributes['rpc.method'], 'RunPodSandbox');
      assert.equal(client.attributes['rpc.grpc.status_code'], 0);
      assert.deepEqual(client.events.map((e) => [e.name, e.attributes['message.type'], e.attributes['message.id']]), [['message', 'SENT', 1], ['message', 'RECEIVED', 1]]);
    });

    it('sets the kubelet and crio resources as the real components do', () => {
      const kubelet = spans.find((s) => s.service === 'kubelet');
      assert.equal(kubelet?.resource['host.name'], 'e2e-node');
      const crio = spans.find((s) => s.service === 'crio');
      assert.equal(typeof crio?.resource['process.pid'], 'number');
    });

    it('restarts the crashing container after PLEG reports it died', () => {
      const restart = spans.find((s) => s.name === 'syncPod' && s.attributes['k8s.pod.name'] === 'flaky-worker-e2e-node' && s.attributes['k8s.pod.update_type'] === 'sync'
        && spans.some((c) => c.parentSpanId === s.spanId && c.name === 'runtime.v1.RuntimeService/StartContainer'));
      assert.ok(restart, 'no sync-type syncPod restarting flaky-worker');
    });

    it('terminates a pod whose manifest was deleted: StopContainer and StopPodSandbox under syncTerminatingPod, then syncTerminatedPod', () => {
      const pod = 'node-exporter-e2e-node';
      const terminating = spans.find((s) => s.name === 'syncTerminatingPod' && s.attributes['k8s.pod.name'] === pod);
      assert.ok(terminating, 'no syncTerminatingPod span');
      assert.equal(terminating.parentSpanId, '');
      const children = spans.filter((s) => s.parentSpanId === terminating.spanId).map((s) => s.name);
      assert.ok(children.includes('runtime.v1.RuntimeService/StopContainer'), children.join(', '));
      assert.ok(children.includes('runtime.v1.RuntimeService/StopPodSandbox'), children.join(', '));
      assert.ok(children.includes('runtime.v1.RuntimeService/ListPodSandbox'), 'pod status is read back after KillPod');
      const terminated = spans.find((s) => s.name === 'syncTerminatedPod' && s.attributes['k8s.pod.name'] === pod);
      assert.ok(terminated && terminated.startTimeMs >= terminating.startTimeMs + terminating.durationMs - 1);
    });

    it('makes each pod\'s log directory itself (CRI-O needs it) and removes the deleted pod\'s in container GC', () => {
      const dirs = readdirSync(join(run.workDir, 'pod-logs'));
      assert.ok(dirs.some((d) => d.startsWith('default_web-e2e-node_')), dirs.join(' '));
      assert.ok(existsSync(join(run.workDir, 'pod-logs', dirs.find((d) => d.startsWith('default_web-e2e-node_'))!, 'nginx')));
      assert.ok(!dirs.some((d) => d.startsWith('monitoring_node-exporter-e2e-node_')), `the deleted pod's log directory is still there: ${dirs.join(' ')}`);
    });

    it('emits container GC and image GC spans, each the root of its CRI calls', () => {
      for (const name of ['Containers/GarbageCollect', 'Images/GarbageCollect']) {
        const gc = spans.filter((s) => s.name === name);
        assert.ok(gc.length >= 2, `expected at least two ${name} spans, got ${gc.length}`);
        assert.ok(gc.every((s) => s.parentSpanId === ''));
        assert.ok(spans.some((s) => s.parentSpanId === gc[0].spanId && s.kind === 'CLIENT'), `${name} has no CRI child`);
      }
      const imageGc = spans.filter((s) => s.name === 'Images/GarbageCollect');
      const children = new Set(spans.filter((s) => imageGc.some((g) => g.spanId === s.parentSpanId)).map((s) => s.name));
      assert.ok(children.has('runtime.v1.ImageService/ListImages') && children.has('runtime.v1.ImageService/ImageFsInfo'), [...children].join(', '));
    });

    it('writes every received span to the JSON-lines file', () => {
      const lines = readFileSync(run.sink.outPath as string, 'utf8').trim().split('\n');
      const inFile = lines.flatMap((l) => JSON.parse(l).resourceSpans.flatMap((rs: { scopeSpans: Array<{ spans: unknown[] }> }) => rs.scopeSpans.flatMap((ss) => ss.spans)));
      assert.equal(inFile.length, spans.length);
    });
  });

  describe('with samplingRatePerMillion 0', () => {
    let run: SimulatedNodeRun;
    before(async () => {
      // The runtime's own rate is 1000000: it must still follow the kubelet's unsampled parents.
      run = await runSimulatedNode({ kubeletSamplingRatePerMillion: 0, runtimeSamplingRatePerMillion: 1_000_000, durationMs: 6_000, extraKubeletArgs: ['--container-gc-period', '2s'] });
    });
    after(async () => run?.cleanup());

    it('exports no kubelet trace and no runtime child of an unsampled kubelet span', () => {
      assert.equal(run.kubeletExit, 0, readFileSync(run.logPath, 'utf8'));
      const log = readFileSync(run.logPath, 'utf8');
      assert.match(log, /syncPod=\d+/, 'kubelet-sim did sync pods');
      assert.doesNotMatch(log, /syncPod=0 /);
      assert.deepEqual(run.sink.index.spans().map((s) => `${s.service} ${s.name}`), []);
    });
  });
});
