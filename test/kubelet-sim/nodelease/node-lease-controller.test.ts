import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiClient } from '../../../kubelet-sim/src/client/api-client';
import { NodeLeaseController } from '../../../kubelet-sim/src/nodelease/node-lease-controller';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import type { Logger } from '../../../kubelet-sim/src/util/logger';
import { startFakeApiserver, statusFailure } from '../../helpers/fake-apiserver';

const QUIET: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';

describe('NodeLeaseController.sync', () => {
  const stops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const stop of stops) await stop();
  });

  it('creates no lease before the Node exists, creates it owned by the Node once it does, then renews with PUT only', async () => {
    let nodeExists = false;
    let lease: Record<string, unknown> | undefined;
    let rv = 1;
    const fake = await startFakeApiserver((req) => {
      if (req.path === '/api/v1/nodes/node-a') return nodeExists ? { status: 200, body: { metadata: { name: 'node-a', uid: 'node-uid' } } } : statusFailure(404, 'NotFound', 'nodes "node-a" not found');
      if (req.method === 'GET' && req.path === `${LEASE_PATH}/node-a`) return lease ? { status: 200, body: lease } : statusFailure(404, 'NotFound', 'leases.coordination.k8s.io "node-a" not found');
      if (req.method === 'POST' && req.path === LEASE_PATH) {
        lease = { ...(req.body as Record<string, unknown>), metadata: { ...(req.body as { metadata: object }).metadata, resourceVersion: String(rv++) } };
        return { status: 201, body: lease };
      }
      if (req.method === 'PUT' && req.path === `${LEASE_PATH}/node-a`) {
        lease = { ...(req.body as Record<string, unknown>), metadata: { ...(req.body as { metadata: object }).metadata, resourceVersion: String(rv++) } };
        return { status: 200, body: lease };
      }
      return statusFailure(404, 'NotFound', 'no route');
    });
    stops.push(fake.close);
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const client = new ApiClient({ connection: { server: fake.url, context: 't' }, userAgent: 'test', qps: 0, burst: 0, tracer: undefined, clock, requestTimeoutMs: 5_000 });
    stops.push(async () => client.close());
    const controller = new NodeLeaseController({ client, clock, log: QUIET, nodeName: 'node-a', leaseDurationSeconds: 40, sleep: async () => undefined });
    assert.equal(controller.renewIntervalMs, 10_000);

    await controller.sync();
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), [`GET ${LEASE_PATH}/node-a`, 'GET /api/v1/nodes/node-a']);
    assert.equal(lease, undefined, 'no owner reference possible, so no lease yet');

    nodeExists = true;
    fake.requests.length = 0;
    await controller.sync();
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), [`GET ${LEASE_PATH}/node-a`, 'GET /api/v1/nodes/node-a', `POST ${LEASE_PATH}`]);
    const created = fake.requests[2]?.body as { metadata: { name: string; namespace: string; ownerReferences: unknown[] }; spec: Record<string, unknown> };
    assert.deepEqual(created.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: 'node-uid' }]);
    assert.deepEqual(created.spec, { holderIdentity: 'node-a', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' });

    fake.requests.length = 0;
    clock.step(10_000);
    await controller.sync();
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), [`PUT ${LEASE_PATH}/node-a`], 'a renewal is one PUT from the last lease, no GET');
    assert.equal((fake.requests[0]?.body as { spec: { renewTime: string } }).spec.renewTime, '2026-01-01T00:00:10.000000Z');
    assert.equal((fake.requests[0]?.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '1');
  });
});
