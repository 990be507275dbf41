import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiClient } from '../../../kubelet-sim/src/client/api-client';
import { KubeletNodeStatus } from '../../../kubelet-sim/src/nodestatus/kubelet-node-status';
import type { NodeFacts } from '../../../kubelet-sim/src/nodestatus/node-status-setters';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import type { Logger } from '../../../kubelet-sim/src/util/logger';
import { startFakeApiserver, statusFailure } from '../../helpers/fake-apiserver';

const QUIET: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('KubeletNodeStatus.syncNodeStatus', () => {
  const stops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const stop of stops) await stop();
  });

  it('adopts an existing Node (putting back its labels), then patches status only on a change or after nodeStatusReportFrequency', async () => {
    let node: { metadata: Record<string, unknown>; spec: object; status: Record<string, unknown> } = {
      metadata: { name: 'node-a', uid: 'u', labels: { 'kubernetes.io/hostname': 'old' } },
      spec: {},
      status: {},
    };
    const sleeps: number[] = [];
    const fake = await startFakeApiserver((req) => {
      if (req.method === 'POST' && req.path === '/api/v1/nodes') return statusFailure(409, 'AlreadyExists', 'nodes "node-a" already exists');
      if (req.method === 'GET' && req.path === '/api/v1/nodes/node-a') return { status: 200, body: node };
      if (req.method === 'PATCH' && req.path === '/api/v1/nodes/node-a/status') {
        const patch = req.body as { metadata?: { labels?: Record<string, string> }; status?: Record<string, unknown> };
        node = {
          ...node,
          metadata: { ...node.metadata, labels: { ...(node.metadata.labels as object), ...(patch.metadata?.labels ?? {}) } },
          // The test keeps the whole new status when one is sent (conditions included).
          status: patch.status ? { ...node.status, ...Object.fromEntries(Object.entries(patch.status).filter(([k]) => !k.startsWith('$'))) } : node.status,
        };
        return { status: 200, body: node };
      }
      return statusFailure(404, 'NotFound', 'no route');
    });
    stops.push(fake.close);
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const client = new ApiClient({ connection: { server: fake.url, context: 't' }, userAgent: 'test', qps: 0, burst: 0, tracer: undefined, clock, requestTimeoutMs: 5_000 });
    stops.push(async () => client.close());
    let readinessErrors: string[] = [];
    const facts = (): NodeFacts => ({ nodeName: 'node-a', kubeletVersion: '1.34', port: 10250, maxPods: 110, nodeIP: '127.0.0.1', containerRuntimeVersion: 'cri-o://1.33.0', readinessErrors, imageFsCapacityBytes: 1e9, images: [], maxImages: 50 });
    const status = new KubeletNodeStatus({ client, clock, log: QUIET, updateFrequencyMs: 10_000, reportFrequencyMs: 300_000, facts, sleep: async (ms) => void sleeps.push(ms) });

    await status.syncNodeStatus();
    assert.deepEqual(sleeps, [100], 'registerWithAPIServer waits 100 ms before its first try');
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), [
      'POST /api/v1/nodes', 'GET /api/v1/nodes/node-a', 'PATCH /api/v1/nodes/node-a/status',
      'GET /api/v1/nodes/node-a', 'PATCH /api/v1/nodes/node-a/status',
    ]);
    assert.equal((node.metadata.labels as Record<string, string>)['kubernetes.io/hostname'], 'node-a');
    assert.equal(fake.requests[2]?.contentType, 'application/strategic-merge-patch+json');

    fake.requests.length = 0;
    clock.step(10_000);
    await status.syncNodeStatus();
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), ['GET /api/v1/nodes/node-a'], 'only heartbeat times changed: no patch');

    fake.requests.length = 0;
    readinessErrors = ['container runtime is down'];
    await status.syncNodeStatus();
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), ['GET /api/v1/nodes/node-a', 'PATCH /api/v1/nodes/node-a/status'], 'Ready turned False: patched');

    fake.requests.length = 0;
    clock.step(300_000);
    await status.syncNodeStatus();
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), ['GET /api/v1/nodes/node-a', 'PATCH /api/v1/nodes/node-a/status'], 'nodeStatusReportFrequency passed: patched');
  });
});
