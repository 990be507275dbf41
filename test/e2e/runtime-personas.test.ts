/**
 * Each runtime persona version behind a real kubelet-sim, both exporting to the trace-sink: the span
 * layers each runtime adds under the kubelet's CRI client spans, and containerd 1.6's sampler, which
 * ignores the kubelet's (unsampled) decision.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { runSimulatedNode } from '../helpers/simulated-node';
import type { SimulatedNodeRun } from '../helpers/simulated-node';

const RUN_POD_SANDBOX = 'runtime.v1.RuntimeService/RunPodSandbox';
const DURATION_MS = 6_000;

function exitedCleanly(run: SimulatedNodeRun): void {
  assert.equal(run.kubeletExit, 0, readFileSync(run.logPath, 'utf8'));
  assert.equal(run.runtimeExit, 0, readFileSync(run.logPath, 'utf8'));
}

describe('runtime persona versions traced end to end', () => {
  describe('crio 1.33 under a sampling kubelet', () => {
    let run: SimulatedNodeRun;
    let spans: FlatSpan[];
    before(async () => {
      run = await runSimulatedNode({ persona: 'crio', personaVersion: '1.33', kubeletSamplingRatePerMillion: 1_000_000, durationMs: DURATION_MS });
      spans = run.sink.index.spans();
    });
    after(async () => run?.cleanup());

    it('nests kubelet CLIENT → crio SERVER → INTERNAL /full/method → Go function spans', () => {
      exitedCleanly(run);
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const server = spans.find((s) => s.service === 'crio' && s.kind === 'SERVER' && s.name === RUN_POD_SANDBOX);
      assert.ok(server, 'no crio RunPodSandbox SERVER span');
      assert.equal(byId.get(server.parentSpanId)?.service, 'kubelet');
      const interceptor = spans.find((s) => s.parentSpanId === server.spanId);
      assert.deepEqual([interceptor?.name, interceptor?.kind, interceptor?.scope], [`/${RUN_POD_SANDBOX}`, 'INTERNAL', 'crio']);
      // (*Server).RunPodSandbox has no StartSpan at v1.33.0: runPodSandbox is the first function span.
      const fn = spans.find((s) => s.parentSpanId === interceptor?.spanId);
      assert.deepEqual([fn?.name, fn?.scope], ['github.com/cri-o/cri-o/server.(*Server).runPodSandbox', 'go.opentelemetry.io/otel/sdk/tracer']);
      assert.ok(spans.some((s) => s.parentSpanId === fn?.spanId && s.name === 'github.com/cri-o/cri-o/server.(*Server).networkStart'));
    });
  });

  describe('containerd 2.1 under a sampling kubelet', () => {
    let run: SimulatedNodeRun;
    let spans: FlatSpan[];
    before(async () => {
      run = await runSimulatedNode({ persona: 'containerd', personaVersion: '2.1', kubeletSamplingRatePerMillion: 1_000_000, durationMs: DURATION_MS });
      spans = run.sink.index.spans();
    });
    after(async () => run?.cleanup());

    it('adds sandbox attributes, log lines and lifecycle events to its SERVER spans, children of the kubelet\'s, with the runtime\'s span tree under them', () => {
      exitedCleanly(run);
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const server = spans.find((s) => s.service === 'containerd' && s.kind === 'SERVER' && s.name === RUN_POD_SANDBOX);
      assert.ok(server, `no containerd RunPodSandbox SERVER span\n${readFileSync(run.logPath, 'utf8')}`);
      assert.equal(byId.get(server.parentSpanId)?.kind, 'CLIENT');
      assert.match(String(server.attributes['sandbox.id']), /^[0-9a-f]{64}$/);
      assert.match(String(server.attributes['sandbox.name']), /_\d+$/);
      assert.ok(server.events.some((e) => e.name === 'setup pod network'));
      const create = spans.find((s) => s.service === 'containerd' && s.name === 'runtime.v1.RuntimeService/CreateContainer');
      assert.ok(create?.events.some((e) => e.name === 'container created' && typeof e.attributes['container.create.duration'] === 'string'));
      assert.ok(server.events.some((e) => e.name.startsWith('RunPodSandbox for &PodSandboxMetadata{') && e.attributes.level === 'info'));
      // In-process and ttrpc spans nest under the SERVER span, in its trace, inside its time.
      const under = (parent: FlatSpan) => spans.filter((s) => s.parentSpanId === parent.spanId);
      const newTask = under(server).find((s) => s.name === 'container.NewTask');
      assert.ok(newTask, `no container.NewTask under RunPodSandbox: ${under(server).map((s) => s.name).join(', ')}`);
      assert.deepEqual(under(newTask).map((s) => [s.name, s.kind, s.scope]), [
        ['containerd.task.v3.Task/Create', 'CLIENT', 'github.com/containerd/otelttrpc'],
        ['containerd.task.v3.Task/Connect', 'CLIENT', 'github.com/containerd/otelttrpc'],
      ]);
      for (const s of [newTask, ...under(newTask)]) {
        assert.equal(s.traceId, server.traceId);
        assert.ok(BigInt(s.startTimeUnixNano) >= BigInt(server.startTimeUnixNano) && BigInt(s.endTimeUnixNano) <= BigInt(server.endTimeUnixNano), `${s.name} outside the SERVER span`);
      }
    });
  });

  describe('containerd 1.6 under a kubelet with samplingRatePerMillion 0', () => {
    let run: SimulatedNodeRun;
    let spans: FlatSpan[];
    before(async () => {
      run = await runSimulatedNode({ persona: 'containerd', personaVersion: '1.6', kubeletSamplingRatePerMillion: 0, durationMs: DURATION_MS });
      spans = run.sink.index.spans();
    });
    after(async () => run?.cleanup());

    it('records CRI SERVER spans although the kubelet sampled nothing, keeping the kubelet parent ids', () => {
      exitedCleanly(run);
      assert.equal(spans.filter((s) => s.service === 'kubelet').length, 0, 'the kubelet samples nothing at rate 0');
      const servers = spans.filter((s) => s.service === 'containerd' && s.kind === 'SERVER');
      assert.ok(servers.length > 5, `expected containerd SERVER spans, got ${servers.length}\n${readFileSync(run.logPath, 'utf8')}`);
      const run0 = servers.find((s) => s.name === RUN_POD_SANDBOX);
      assert.ok(run0);
      assert.notEqual(run0.parentSpanId, '', 'the kubelet client span stays the (remote, unexported) parent');
      assert.equal(run0.scopeVersion, 'semver:0.27.0');
    });

    it('turns the CRI plugin\'s Info lines into span events with a level', () => {
      const start = spans.find((s) => s.service === 'containerd' && s.name === 'runtime.v1.RuntimeService/StartContainer' && s.attributes['rpc.grpc.status_code'] === 0);
      assert.ok(start);
      const logs = start.events.filter((e) => e.name !== 'message');
      assert.match(logs[0]?.name ?? '', /^StartContainer for "[0-9a-f]{64}"$/);
      assert.match(logs[1]?.name ?? '', /returns successfully$/);
      assert.deepEqual(logs.map((e) => e.attributes.level), ['info', 'info']);
      assert.deepEqual(start.events.filter((e) => e.name === 'message').map((e) => e.attributes['message.type']), ['RECEIVED', 'SENT']);
    });
  });
});
