/**
 * The layout rules of a persona's span tree: children inside their parent, sequential siblings one after
 * another, shares from the data's weights, and the kinds, scopes and typed attributes a node asks for.
 * Plays containerd 2.1's real trees (runtime-sim/personas/containerd-2.1.yaml) into an in-memory exporter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { hrTimeToNanoseconds } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { HighResolutionTracerProvider } from '../../../cri-proto/src/tracing/high-resolution-tracer-provider';
import { loadPersonaVersion } from '../../../runtime-sim/src/personas/persona-catalog';
import type { CallFacts } from '../../../runtime-sim/src/personas/call-facts';
import { meetsCondition, planSteps, TreePlayer } from '../../../runtime-sim/src/tracing/span-tree-player';

const ns = (t: [number, number]): bigint => BigInt(hrTimeToNanoseconds(t));
const FROM_NS = 1_800_000_000_000_000_000n;
const CALL_NS = 100_000_000n; // 100 ms

const SANDBOX_FACTS: CallFacts = {
  outcome: 'success',
  hostNetwork: false,
  sandboxId: 'a'.repeat(64),
  sandboxName: 'web_default_uid_0',
  sandboxPid: '4242',
  sandboxMetadataGogo: '&PodSandboxMetadata{Name:web,Uid:uid,Namespace:default,Attempt:0,}',
  nowRfc3339: '2026-12-04T07:00:00Z',
  shimAddress: `unix:///run/containerd/s/${'b'.repeat(64)}`,
};

describe('span tree player', () => {
  const exporter = new InMemorySpanExporter();
  const sdk = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spec = loadPersonaVersion('containerd', '2.1');
  const layer = spec.spanLayers.functionSpans!;

  before(() => trace.setGlobalTracerProvider(new HighResolutionTracerProvider(sdk)));
  after(() => trace.disable());

  /** Plays `method`'s first outcome that holds for `facts` under a fresh root span over [FROM_NS, FROM_NS + width]. */
  const play = (method: string, facts: CallFacts, width: bigint, perContainer: CallFacts[] = []): { root: ReadableSpan; spans: ReadableSpan[] } => {
    exporter.reset();
    const outcome = layer.calls[method]!.find((o) => meetsCondition(o.when, facts));
    assert.ok(outcome, `no outcome of ${method} holds`);
    const tracer = trace.getTracer('test');
    const root = tracer.startSpan(`root ${method}`, { startTime: [Number(FROM_NS / 1_000_000_000n), 0] });
    const player = new TreePlayer(layer.tracer, spec.spanLayers.logHook);
    player.layOut(planSteps(outcome.steps, facts, { sandboxContainers: perContainer }), root, trace.setSpan(context.active(), root), FROM_NS, FROM_NS + width);
    root.end([Number((FROM_NS + width) / 1_000_000_000n), Number((FROM_NS + width) % 1_000_000_000n)]);
    const spans = exporter.getFinishedSpans();
    return { root: spans.find((s) => s.name === `root ${method}`)!, spans };
  };

  /** Every span inside its parent, every event inside its span, and no two children of one parent overlapping. */
  const assertLaidOut = (spans: readonly ReadableSpan[]): void => {
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const kids = new Map<string, ReadableSpan[]>();
    for (const s of spans) {
      for (const e of s.events) assert.ok(ns(e.time) >= ns(s.startTime) && ns(e.time) <= ns(s.endTime), `event ${e.name} outside ${s.name}`);
      const parent = byId.get(s.parentSpanContext?.spanId ?? '');
      if (!parent) continue;
      assert.ok(ns(s.startTime) >= ns(parent.startTime) && ns(s.endTime) <= ns(parent.endTime), `${s.name} outside ${parent.name}`);
      kids.set(parent.spanContext().spanId, [...(kids.get(parent.spanContext().spanId) ?? []), s]);
    }
    for (const list of kids.values()) {
      const sorted = [...list].sort((a, b) => (ns(a.startTime) < ns(b.startTime) ? -1 : 1));
      for (let i = 1; i < sorted.length; i += 1) {
        assert.ok(ns(sorted[i - 1].endTime) <= ns(sorted[i].startTime), `${sorted[i - 1].name} overlaps ${sorted[i].name}`);
      }
    }
  };

  it('lays RunPodSandbox\'s tree inside the call, siblings one after another, events inside their spans', () => {
    const { spans } = play('RunPodSandbox', SANDBOX_FACTS, CALL_NS);
    assert.equal(spans.length, 14, spans.map((s) => s.name).join(", "));
    assertLaidOut(spans);
  });

  it('divides the call by the data\'s weights: NewTask holds most of RunPodSandbox, the shim\'s Task/Create most of NewTask', () => {
    const { root, spans } = play('RunPodSandbox', SANDBOX_FACTS, CALL_NS);
    const width = (s: ReadableSpan): bigint => ns(s.endTime) - ns(s.startTime);
    const newTask = spans.find((s) => s.name === 'container.NewTask')!;
    const create = spans.find((s) => s.name === 'containerd.task.v3.Task/Create')!;
    assert.ok(width(newTask) * 2n > width(root), `NewTask ${width(newTask)} of ${width(root)}`);
    assert.ok(width(create) * 2n > width(newTask), `Create ${width(create)} of ${width(newTask)}`);
    // The shim starts before Create: the "connecting to shim" line comes after a share of NewTask with no span.
    const connecting = newTask.events.find((e) => e.name.startsWith('connecting to shim'))!;
    assert.ok(ns(connecting.time) > ns(newTask.startTime) && ns(connecting.time) <= ns(create.startTime));
  });

  it('makes ttrpc spans CLIENT spans of the otelttrpc scope, and types attributes as Go does', () => {
    const { spans } = play('RunPodSandbox', SANDBOX_FACTS, CALL_NS);
    const create = spans.find((s) => s.name === 'containerd.task.v3.Task/Create')!;
    assert.equal(create.kind, 2 /* CLIENT */);
    assert.deepEqual([create.instrumentationScope.name, create.instrumentationScope.version], ['github.com/containerd/otelttrpc', '0.0.0']);
    assert.deepEqual(create.attributes, { 'rpc.system': 'ttrpc', 'rpc.service': 'containerd.task.v3.Task', 'rpc.method': 'Create', 'rpc.ttrpc.status_code': 0 });
    const start = spans.find((s) => s.name === 'task.Start')!;
    assert.equal(start.instrumentationScope.name, 'go.opentelemetry.io/otel/sdk/tracer');
    assert.equal(start.attributes['task.pid'], '4242', 'a uint32 through tracing.Attribute is a string');
    const newTask = spans.find((s) => s.name === 'container.NewTask')!;
    assert.equal(newTask.events.find((e) => e.name === 'task created')?.attributes?.['task.process.id'], 4242);
    const connecting = newTask.events.find((e) => e.name.startsWith('connecting to shim'))!;
    assert.deepEqual(connecting.attributes, { namespace: 'k8s.io', address: SANDBOX_FACTS.shimAddress, protocol: 'ttrpc', version: 3, level: 'info' });
  });

  it('repeats a loop\'s steps per container in place, with each container\'s facts', () => {
    const containers: CallFacts[] = [
      { containerId: 'c1', containerPid: 11, containerState: 'CONTAINER_RUNNING' },
      { containerId: 'c2', containerPid: 12, containerState: 'CONTAINER_EXITED' },
      { containerId: 'c3', containerPid: 13, containerState: 'CONTAINER_RUNNING' },
    ];
    const facts: CallFacts = { ...SANDBOX_FACTS, sandboxFound: true, sandboxState: 'SANDBOX_READY', requestSandboxId: SANDBOX_FACTS.sandboxId, elapsed: '1ms' };
    const { root, spans } = play('StopPodSandbox', facts, CALL_NS, containers);
    assertLaidOut(spans);
    const kills = spans.filter((s) => s.name === 'task.Kill').sort((a, b) => (ns(a.startTime) < ns(b.startTime) ? -1 : 1));
    assert.deepEqual(kills.map((s) => s.attributes['task.id']), ['c1', 'c3', SANDBOX_FACTS.sandboxId]);
    assert.deepEqual(kills.map((s) => s.attributes['task.pid']), [11, 13, 4242]);
    assert.deepEqual(root.events.map((e) => e.name).slice(0, 6), [
      'StopPodSandbox for "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"',
      'stopping containers in the sandbox',
      'Kill container "c1"',
      'container stopped',
      'Container to stop "c2" must be in running or unknown state, current state "CONTAINER_EXITED"',
      'Kill container "c3"',
    ]);
  });

  it('keeps every span inside a call too short to hold them, without failing', () => {
    const { spans } = play('RunPodSandbox', SANDBOX_FACTS, 0n);
    assertLaidOut(spans);
    for (const s of spans) assert.equal(ns(s.startTime), FROM_NS);
  });

  it('records a failure as the hook\'s error line, then the exception with grpc-go\'s error text', () => {
    const facts: CallFacts = { outcome: 'failure', errorCode: 'NotFound', requestContainerId: 'nope', statusErrorText: 'rpc error: code = NotFound desc = not found' };
    const { root } = play('StartContainer', facts, CALL_NS);
    assert.deepEqual(root.events.map((e) => [e.name, e.attributes]), [
      ['StartContainer for "nope"', { level: 'info' }],
      ['StartContainer for "nope" failed', { error: '{}', level: 'error' }],
      ['exception', { 'exception.type': '*status.Error', 'exception.message': 'rpc error: code = NotFound desc = not found' }],
    ]);
    assert.equal(root.status.code, 0, 'containerd\'s hook never sets a status');
  });
});
