import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../../kubelet-sim/src/container/pod';
import type { PodStatus } from '../../../kubelet-sim/src/container/pod-status';
import { CONFIG_ANNOTATION } from '../../../kubelet-sim/src/pod-sources/static-pod-source';
import { generatePodPhase } from '../../../kubelet-sim/src/server/api-pod-status';
import { buildPodList } from '../../../kubelet-sim/src/server/pod-list';
import { container, containerStatus, makePod, podStatus, readySandbox } from '../fixtures';

describe('generatePodPhase (getPhase)', () => {
  const cases: Array<[string, Pod, PodStatus | undefined, string]> = [
    ['no status yet', makePod(), undefined, 'Pending'],
    ['container running', makePod(), podStatus([readySandbox()], [containerStatus('app', 'running')]), 'Running'],
    ['Never, exited 0', makePod({ restartPolicy: 'Never' }), podStatus([readySandbox()], [containerStatus('app', 'exited')]), 'Succeeded'],
    ['Never, exited 1', makePod({ restartPolicy: 'Never' }), podStatus([readySandbox()], [containerStatus('app', 'exited', { exitCode: 1 })]), 'Failed'],
    ['Always, exited: will be restarted', makePod(), podStatus([readySandbox()], [containerStatus('app', 'exited', { exitCode: 1 })]), 'Running'],
    ['OnFailure, exited 1', makePod({ restartPolicy: 'OnFailure' }), podStatus([readySandbox()], [containerStatus('app', 'exited', { exitCode: 1 })]), 'Running'],
    ['one of two containers not created', makePod({ containers: [container('a'), container('b')] }), podStatus([readySandbox()], [containerStatus('a', 'running')]), 'Pending'],
    ['init container still running', makePod({ initContainers: [container('init')] }), podStatus([readySandbox()], [containerStatus('init', 'running')]), 'Pending'],
    ['init container failed, Never', makePod({ restartPolicy: 'Never', initContainers: [container('init')] }), podStatus([readySandbox()], [containerStatus('init', 'exited', { exitCode: 2 })]), 'Failed'],
  ];
  for (const [why, pod, status, phase] of cases) {
    it(`${phase} when ${why}`, () => assert.equal(generatePodPhase(pod, status), phase));
  }
});

describe('buildPodList', () => {
  it('reports the last attempt of a restarted container as lastState, and the restart count', () => {
    const pod = makePod({ annotations: { [CONFIG_ANNOTATION.SEEN]: '2025-01-02T03:04:05.678Z' } });
    const status = podStatus([readySandbox()], [
      containerStatus('app', 'running', { id: 'new', restartCount: 1, startedAtMs: Date.parse('2025-01-02T03:05:00Z') }),
      containerStatus('app', 'exited', { id: 'old', exitCode: 137, reason: 'Error' }),
    ]);
    const list = buildPodList({ nodeName: 'n1', runtimeName: 'containerd', pods: () => [pod], cachedStatus: () => status });
    const item = list.items[0];
    assert.equal(item.status.startTime, '2025-01-02T03:04:05Z');
    const cs = item.status.containerStatuses?.[0];
    assert.equal(cs?.restartCount, 1);
    assert.equal(cs?.containerID, 'containerd://new');
    assert.deepEqual(cs?.state, { running: { startedAt: '2025-01-02T03:05:00Z' } });
    assert.equal(cs?.lastState?.terminated?.exitCode, 137);
    assert.equal(cs?.lastState?.terminated?.containerID, 'containerd://old');
    assert.equal(cs?.ready, true);
  });

  it('lists no pods as an empty PodList', () => {
    assert.deepEqual(buildPodList({ nodeName: 'n1', runtimeName: 'cri-o', pods: () => [], cachedStatus: () => undefined }), { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] });
  });
});
