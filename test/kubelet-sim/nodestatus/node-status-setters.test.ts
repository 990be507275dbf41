import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeFacts } from '../../../kubelet-sim/src/nodestatus/node-status-setters';
import { initialNode, nodeStatusHasChanged, setNodeStatus } from '../../../kubelet-sim/src/nodestatus/node-status-setters';

const FACTS: NodeFacts = {
  nodeName: 'node-a',
  kubeletVersion: '1.34',
  port: 10250,
  maxPods: 110,
  nodeIP: '127.0.0.1',
  containerRuntimeVersion: 'containerd://2.1.0',
  readinessErrors: [],
  imageFsCapacityBytes: 100 * 1024 ** 3,
  images: [
    { repoTags: ['nginx:1.27'], repoDigests: ['nginx@sha256:aa'], sizeBytes: 70_000_000 },
    { repoTags: ['a:1', 'a:2', 'a:3', 'a:4', 'a:5'], repoDigests: ['a@sha256:bb'], sizeBytes: 5_000_000 },
  ],
  maxImages: 50,
};

describe('initialNode / setNodeStatus', () => {
  it('builds the Node the kubelet registers: labels, annotation, port, capacity and allocatable, nodeInfo, conditions', () => {
    const node = initialNode(FACTS, Date.parse('2026-01-01T00:00:00Z'));
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'node-a');
    assert.equal(node.metadata.annotations?.['volumes.kubernetes.io/controller-managed-attach-detach'], 'true');
    assert.deepEqual(node.status.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.equal(node.status.capacity?.pods, '110');
    assert.equal(node.status.capacity?.['ephemeral-storage'], `${100 * 1024 * 1024}Ki`);
    assert.equal(node.status.allocatable?.['ephemeral-storage'], String(Math.floor(100 * 1024 ** 3 * 0.9)));
    assert.equal(node.status.nodeInfo?.kubeletVersion, 'v1.34.0');
    assert.deepEqual(node.status.images, [
      { names: ['nginx@sha256:aa', 'nginx:1.27'], sizeBytes: 70_000_000 },
      { names: ['a@sha256:bb', 'a:1', 'a:2', 'a:3', 'a:4'], sizeBytes: 5_000_000 },
    ]);
    assert.equal(initialNode({ ...FACTS, maxImages: 1 }, 0).status.images?.length, 1);
    assert.deepEqual(node.status.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`), [
      'MemoryPressure=False/KubeletHasSufficientMemory',
      'DiskPressure=False/KubeletHasNoDiskPressure',
      'PIDPressure=False/KubeletHasSufficientPID',
      'Ready=True/KubeletReady',
    ]);
  });

  it('says NotReady with the runtime errors, keeps a transition time while the status holds, and a heartbeat alone is no change', () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const notReady = initialNode({ ...FACTS, readinessErrors: ['container runtime status check may not have completed yet'] }, t0);
    const ready = notReady.status.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['False', 'KubeletNotReady', 'container runtime status check may not have completed yet']);
    const later = setNodeStatus(notReady, { ...FACTS, readinessErrors: ['container runtime status check may not have completed yet'] }, t0 + 10_000);
    assert.equal(later.status.conditions?.[3]?.lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.equal(later.status.conditions?.[3]?.lastHeartbeatTime, '2026-01-01T00:00:10Z');
    assert.equal(nodeStatusHasChanged(notReady.status, later.status), false);
    const nowReady = setNodeStatus(later, FACTS, t0 + 20_000);
    assert.equal(nowReady.status.conditions?.[3]?.lastTransitionTime, '2026-01-01T00:00:20Z');
    assert.equal(nodeStatusHasChanged(later.status, nowReady.status), true);
  });
});
