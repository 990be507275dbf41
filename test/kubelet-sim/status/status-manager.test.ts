import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiClient } from '../../../kubelet-sim/src/client/api-client';
import { StatusManager } from '../../../kubelet-sim/src/status/status-manager';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import type { Logger } from '../../../kubelet-sim/src/util/logger';
import type { PeriodicLoops } from '../../../kubelet-sim/src/util/periodic-loops';
import { startFakeApiserver } from '../../helpers/fake-apiserver';
import type { RecordedRequest } from '../../helpers/fake-apiserver';
import { makePod } from '../fixtures';

const QUIET: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const NO_LOOPS: PeriodicLoops = { every: () => undefined, stop: async () => undefined };
const POD_PATH = '/api/v1/namespaces/default/pods/web';

describe('StatusManager', () => {
  const stops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const stop of stops) await stop();
  });

  it('patches pods/<name>/status with a strategic merge patch holding the uid, only on change, and deletes a terminated pod the API is deleting', async () => {
    const pod = makePod({ annotations: { 'kubernetes.io/config.source': 'api' } });
    let apiPod: { metadata: Record<string, unknown>; status: Record<string, unknown> } = { metadata: { name: 'web', namespace: 'default', uid: pod.metadata.uid }, status: { phase: 'Pending', qosClass: 'BestEffort' } };
    const fake = await startFakeApiserver((req) => {
      if (req.method === 'GET' && req.path === POD_PATH) return { status: 200, body: apiPod };
      if (req.method === 'PATCH' && req.path === `${POD_PATH}/status`) {
        apiPod = { ...apiPod, status: { ...apiPod.status, ...((req.body as { status: Record<string, unknown> }).status) } };
        return { status: 200, body: apiPod };
      }
      if (req.method === 'DELETE' && req.path === POD_PATH) return { status: 200, body: apiPod };
      return { status: 404, body: {} };
    });
    stops.push(fake.close);
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const client = new ApiClient({ connection: { server: fake.url, context: 't' }, userAgent: 'test', qps: 0, burst: 0, tracer: undefined, clock, requestTimeoutMs: 5_000 });
    stops.push(async () => client.close());
    const manager = new StatusManager(client, clock, QUIET, NO_LOOPS);

    const running = { phase: 'Running' as const, conditions: [{ type: 'Ready', status: 'True' as const }], qosClass: 'BestEffort' as const };
    manager.setPodStatus(pod, running, apiPod.status);
    await manager.syncBatch();
    const patch = fake.requests.find((r) => r.method === 'PATCH');
    assert.equal(patch?.contentType, 'application/strategic-merge-patch+json');
    assert.deepEqual(patch?.body, {
      metadata: { uid: pod.metadata.uid },
      status: {
        phase: 'Running',
        '$setElementOrder/conditions': [{ type: 'Ready' }],
        conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }],
        startTime: '2026-01-01T00:00:00Z',
      },
    });

    fake.requests.length = 0;
    manager.setPodStatus(pod, running);
    await manager.syncBatch();
    assert.equal(fake.requests.length, 0, 'the same status again: nothing to send');

    apiPod = { ...apiPod, metadata: { ...apiPod.metadata, deletionTimestamp: '2026-01-01T00:00:30Z' } };
    manager.podTerminated(pod);
    await manager.syncBatch();
    const del = (fake.requests as RecordedRequest[]).find((r) => r.method === 'DELETE');
    assert.deepEqual(del?.body, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
  });
});
