import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateApiPodStatus } from '../../../kubelet-sim/src/status/generate-api-pod-status';
import { mergePodStatus } from '../../../kubelet-sim/src/status/status-manager';
import { container, containerStatus, makePod, podStatus, readySandbox } from '../fixtures';

const CTX = { runtimeName: 'containerd', hostIP: '127.0.0.1', podIsTerminal: false };

describe('generateApiPodStatus', () => {
  it('reports a pod with no sandbox yet as Pending, ContainerCreating, with the kubelet conditions in order', () => {
    const status = generateApiPodStatus(makePod(), undefined, CTX);
    assert.equal(status.phase, 'Pending');
    assert.equal(status.podIP, undefined);
    assert.deepEqual(status.conditions?.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=False', 'Initialized=True', 'Ready=False', 'ContainersReady=False', 'PodScheduled=True']);
    assert.equal(status.conditions?.[2]?.message, 'containers with unready status: [app]');
    assert.deepEqual(status.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
  });

  it('reports a running container as Running and Ready with the sandbox IP and the runtime-scheme container ID', () => {
    const pod = makePod();
    const status = generateApiPodStatus(pod, podStatus([readySandbox()], [containerStatus('app', 'running')], pod), CTX);
    assert.equal(status.phase, 'Running');
    assert.equal(status.podIP, '10.88.0.2');
    assert.deepEqual(status.podIPs, [{ ip: '10.88.0.2' }]);
    assert.deepEqual(status.hostIPs, [{ ip: '127.0.0.1' }]);
    assert.equal(status.containerStatuses?.[0]?.containerID, 'containerd://app-id');
    assert.ok(status.conditions?.every((c) => c.status === 'True'));
  });

  it('reports an unfinished init container in Initialized and a terminated pod as Succeeded when every container exited 0', () => {
    const pod = makePod({ initContainers: [container('init')] });
    const pending = generateApiPodStatus(pod, podStatus([readySandbox()], [containerStatus('init', 'running')], pod), CTX);
    assert.deepEqual(pending.conditions?.[1], { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init]' });
    const done = generateApiPodStatus(pod, podStatus([], [containerStatus('init', 'exited'), containerStatus('app', 'exited')], pod), { ...CTX, podIsTerminal: true });
    assert.equal(done.phase, 'Succeeded');
    assert.equal(done.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  });
});

describe('mergePodStatus', () => {
  it('keeps the API conditions the kubelet does not own, before its own', () => {
    const merged = mergePodStatus(
      { conditions: [{ type: 'DisruptionTarget', status: 'True' }, { type: 'Ready', status: 'False' }] },
      { conditions: [{ type: 'Ready', status: 'True' }] },
    );
    assert.deepEqual(merged.conditions?.map((c) => `${c.type}=${c.status}`), ['DisruptionTarget=True', 'Ready=True']);
  });
});
