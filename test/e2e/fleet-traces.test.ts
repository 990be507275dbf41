import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { runSimulatedFleet } from '../helpers/simulated-fleet';
import type { SimulatedFleetRun } from '../helpers/simulated-fleet';
import { isProcessAlive } from '../helpers/simulated-node';
import { diffShapes, GOLDEN_TRACES_DIR, renderSpanShape, subtreeOf } from '../helpers/span-shape';

const NODES = ['node-0001', 'node-0002', 'node-0003', 'node-0004', 'node-0005'];

/**
 * The golden startup scenario's pod (test/e2e/golden-traces.test.ts), so each node's pod startup trace can be
 * compared with the single-node golden; plus one more pod so each node runs two.
 */
const POD_MANIFESTS: Record<string, string> = {
  'web.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
  annotations:
    sim.cri.io/exit-after.init-config: "1s"
spec:
  initContainers:
    - name: init-config
      image: docker.io/library/busybox:1.36
  containers:
    - name: nginx
      image: docker.io/library/nginx:1.27
`,
  'cache.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: cache
  namespace: default
spec:
  containers:
    - name: redis
      image: docker.io/library/redis:7.4
`,
};

describe('a 5-node fleet (runtime-sim --nodes 5 + kubelet-sim --nodes 5) traced end to end', () => {
  let run: SimulatedFleetRun;
  let spans: FlatSpan[];

  before(async () => {
    run = await runSimulatedFleet({ nodes: NODES.length, kubeletSamplingRatePerMillion: 1_000_000, durationMs: 9_000, podManifests: POD_MANIFESTS });
    spans = run.sink.index.spans();
  });
  after(async () => run?.cleanup());

  it('both processes exit 0, none is left running, and no span was made outside a node', () => {
    const log = readFileSync(run.logPath, 'utf8');
    assert.equal(run.kubeletExit, 0, log);
    assert.equal(run.runtimeExit, 0, log);
    for (const pid of run.pids) assert.equal(isProcessAlive(pid), false, `process ${pid} still running`);
    assert.match(log, /kubelet-sim: fleet nodes=5 .* spansLost=0 spansDropped=0 unscopedSpans=0$/m);
    assert.match(log, /runtime-sim: fleet nodes=5 .* spansLost=0 spansDropped=0 unscopedSpans=0$/m);
  });

  it('gives each node its own kubelet and runtime resource (service.name, host.name)', () => {
    const hosts = (service: string) => new Set(spans.filter((s) => s.service === service).map((s) => s.resource['host.name']));
    assert.deepEqual([...hosts('kubelet')].sort(), NODES);
    assert.deepEqual([...hosts('crio')].sort(), NODES);
  });

  it('starts each node\'s static pods with the single-node span shapes (golden startup trace)', () => {
    const golden = readFileSync(join(GOLDEN_TRACES_DIR, 'startup.txt'), 'utf8');
    for (const node of NODES) {
      const creates = spans.filter((s) => s.name === 'syncPod' && s.parentSpanId === '' && s.resource['host.name'] === node && s.attributes['k8s.pod.update_type'] === 'create');
      const pods = creates.map((s) => String(s.attributes['k8s.pod.name'])).sort();
      assert.deepEqual(pods, [`cache-${node}`, `web-${node}`]);
      const web = creates.find((s) => s.attributes['k8s.pod.name'] === `web-${node}`)!;
      const rendered = renderSpanShape(subtreeOf(spans, web));
      const shape = rendered.endsWith('\n') ? rendered : `${rendered}\n`;
      assert.ok(shape === golden, `${node}: web's startup trace differs from the single-node golden:\n${diffShapes(golden, shape)}`);
    }
  });

  it('makes every runtime SERVER span a child of a kubelet CLIENT span of the same node and RPC', () => {
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const servers = spans.filter((s) => s.service === 'crio' && s.kind === 'SERVER');
    assert.ok(servers.length > NODES.length * 20, `${servers.length} SERVER spans`);
    for (const server of servers) {
      const client = byId.get(server.parentSpanId);
      assert.ok(client, `SERVER ${server.name} on ${String(server.resource['host.name'])} has no received parent`);
      assert.equal(client.service, 'kubelet');
      assert.equal(client.kind, 'CLIENT');
      assert.equal(client.name, server.name);
      assert.equal(client.traceId, server.traceId);
      assert.equal(client.resource['host.name'], server.resource['host.name']);
    }
  });

  it('keeps every trace on one node: no span has a parent or child on another node', () => {
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const nodesPerTrace = new Map<string, Set<unknown>>();
    for (const span of spans) {
      const parent = byId.get(span.parentSpanId);
      if (parent) assert.equal(parent.resource['host.name'], span.resource['host.name'], `${span.name} under ${parent.name}`);
      const set = nodesPerTrace.get(span.traceId) ?? new Set();
      set.add(span.resource['host.name']);
      nodesPerTrace.set(span.traceId, set);
    }
    for (const [traceId, nodes] of nodesPerTrace) assert.equal(nodes.size, 1, `trace ${traceId} spans nodes ${[...nodes].join(', ')}`);
  });
});
