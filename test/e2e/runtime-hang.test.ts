/**
 * A runtime that takes a call and never answers it (the model's `hang` effect): the kubelet's deadline ends the
 * call (cri-client: twice runtimeRequestTimeout for RunPodSandbox), its CLIENT span records DEADLINE_EXCEEDED and
 * the syncPod fails, the runtime exports no SERVER span for the call (a handler that never returns never ends its
 * span), and the other pod on the node starts as if nothing happened.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { runSimulatedNode, type SimulatedNodeRun } from '../helpers/simulated-node';

const RUNTIME_REQUEST_TIMEOUT_S = 2;
const pod = (name: string, labels: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: default
  labels: {${labels}}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: [sleep, "3600"]
`;
const MODEL = `apiVersion: sim.cri.io/v1alpha1
kind: RuntimeModel
rules:
  - name: wedged-sandbox-creation
    match:
      methods: [RunPodSandbox]
      podSelector: { matchLabels: { sim.test/wedge: "true" } }
    hang: { probability: 1 }
  - name: quick
    latency: { distribution: fixed, valueMs: 1 }
`;

describe('a runtime that never answers some calls', () => {
  let run: SimulatedNodeRun;
  let spans: FlatSpan[];

  before(async () => {
    run = await runSimulatedNode({
      kubeletSamplingRatePerMillion: 1_000_000,
      runtimeSamplingRatePerMillion: 0,
      durationMs: 12_000,
      podManifests: { 'stuck.yaml': pod('stuck', 'sim.test/wedge: "true"'), 'fine.yaml': pod('fine', 'app: fine') },
      extraKubeletConfigLines: [`runtimeRequestTimeout: ${RUNTIME_REQUEST_TIMEOUT_S}s`],
      runtimeModel: MODEL,
    });
    spans = run.sink.index.spans();
  });
  after(async () => run?.cleanup());

  const runPodSandboxClients = (podName: string): FlatSpan[] =>
    spans.filter((s) => s.service === 'kubelet' && s.kind === 'CLIENT' && s.name === 'runtime.v1.RuntimeService/RunPodSandbox' &&
      spans.some((p) => p.spanId === s.parentSpanId && String(p.attributes['k8s.pod.name'] ?? '').startsWith(podName)));

  it('ends the hung RunPodSandbox at twice runtimeRequestTimeout with DEADLINE_EXCEEDED on the CLIENT span', () => {
    const calls = runPodSandboxClients('stuck');
    assert.ok(calls.length >= 1, 'no RunPodSandbox CLIENT span for the stuck pod');
    for (const call of calls) {
      assert.equal(call.status.code, 'ERROR');
      assert.equal(call.attributes['rpc.grpc.status_code'], 4);
      assert.ok(call.durationMs >= 2 * RUNTIME_REQUEST_TIMEOUT_S * 1000 - 50, `ended after ${call.durationMs} ms`);
      assert.ok(call.durationMs < 2 * RUNTIME_REQUEST_TIMEOUT_S * 1000 + 1500, `ended after ${call.durationMs} ms`);
    }
  });

  it('exports no runtime SERVER span under a hung call', () => {
    for (const call of runPodSandboxClients('stuck')) {
      assert.equal(spans.filter((s) => s.parentSpanId === call.spanId).length, 0, 'a SERVER span was exported for a call the runtime never answered');
    }
  });

  it("fails the stuck pod's syncPod, and starts the other pod meanwhile", () => {
    const stuck = runPodSandboxClients('stuck')[0]!;
    const syncPod = spans.find((s) => s.spanId === stuck.parentSpanId);
    assert.equal(syncPod?.name, 'syncPod');
    assert.equal(syncPod?.status.code, 'ERROR');
    const fine = runPodSandboxClients('fine');
    assert.equal(fine.length, 1);
    assert.equal(fine[0]?.status.code, 'UNSET');
    const started = spans.filter((s) => s.service === 'kubelet' && s.kind === 'CLIENT' && s.name === 'runtime.v1.RuntimeService/StartContainer' && s.traceId === fine[0]?.traceId);
    assert.equal(started.length, 1);
    assert.ok(started[0]!.startTimeMs < runPodSandboxClients('stuck')[0]!.startTimeMs + 2 * RUNTIME_REQUEST_TIMEOUT_S * 1000, 'the other pod waited for the hung call');
  });

  it('keeps both processes up until the end: both exit 0', () => {
    assert.equal(run.kubeletExit, 0, readFileSync(run.logPath, 'utf8'));
    assert.equal(run.runtimeExit, 0, readFileSync(run.logPath, 'utf8'));
  });
});
