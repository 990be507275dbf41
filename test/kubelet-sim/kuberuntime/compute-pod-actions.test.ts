import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, RestartPolicy } from '../../../kubelet-sim/src/container/pod';
import type { PodStatus } from '../../../kubelet-sim/src/container/pod-status';
import { computePodActions, isPodTerminal, podSandboxChanged, shouldContainerBeRestarted } from '../../../kubelet-sim/src/kuberuntime/compute-pod-actions';
import { container, containerStatus, makePod, podStatus, readySandbox } from '../fixtures';

/** The decision in plain values, so a table row can state it in one line. */
interface Summary {
  killPod: boolean;
  createSandbox: boolean;
  attempt: number;
  sandboxId: string;
  init: string | undefined;
  start: string[];
  kill: string[];
}

function summarize(pod: Pod, status: PodStatus): Summary {
  const a = computePodActions(pod, status);
  return {
    killPod: a.killPod,
    createSandbox: a.createSandbox,
    attempt: a.attempt,
    sandboxId: a.sandboxId,
    init: a.nextInitContainerToStart?.name,
    start: a.containersToStart.map((c) => c.name),
    kill: a.containersToKill.map((c) => c.id),
  };
}

const NOTHING = { killPod: false, createSandbox: false, attempt: 0, sandboxId: 'sandbox-1', init: undefined, start: [], kill: [] } satisfies Summary;

const twoApps = (restartPolicy: RestartPolicy = 'Always') => makePod({ restartPolicy, containers: [container('app'), container('sidecar')] });
const withInit = (restartPolicy: RestartPolicy = 'Always') => makePod({ restartPolicy, initContainers: [container('init-a'), container('init-b')], containers: [container('app')] });

interface Row {
  when: string;
  pod: Pod;
  status: PodStatus;
  expect: Summary;
}

describe('computePodActions', () => {
  describe('sandbox', () => {
    const rows: Row[] = [
      {
        when: 'there is no sandbox yet: create one (attempt 0) and start every app container',
        pod: twoApps(),
        status: podStatus([]),
        expect: { killPod: true, createSandbox: true, attempt: 0, sandboxId: '', init: undefined, start: ['app', 'sidecar'], kill: [] },
      },
      {
        when: 'there is no sandbox and the pod has init containers: start only the first init container',
        pod: withInit(),
        status: podStatus([]),
        expect: { killPod: true, createSandbox: true, attempt: 0, sandboxId: '', init: 'init-a', start: [], kill: [] },
      },
      {
        when: 'the latest sandbox is not ready: create a new one with attempt + 1',
        pod: twoApps(),
        status: podStatus([readySandbox({ ready: false, attempt: 2 })], [containerStatus('app', 'exited')]),
        expect: { killPod: true, createSandbox: true, attempt: 3, sandboxId: 'sandbox-1', init: undefined, start: ['app', 'sidecar'], kill: [] },
      },
      {
        when: 'the sandbox has no IP on the pod network: recreate it',
        pod: twoApps(),
        status: podStatus([readySandbox({ ip: '' })]),
        expect: { killPod: true, createSandbox: true, attempt: 1, sandboxId: 'sandbox-1', init: undefined, start: ['app', 'sidecar'], kill: [] },
      },
      {
        when: 'the sandbox network mode differs from spec.hostNetwork: recreate it',
        pod: makePod({ hostNetwork: true }),
        status: podStatus([readySandbox({ hostNetwork: false })]),
        expect: { killPod: true, createSandbox: true, attempt: 1, sandboxId: 'sandbox-1', init: undefined, start: ['app'], kill: [] },
      },
      {
        when: 'more than one sandbox is ready: recreate',
        pod: makePod(),
        status: podStatus([readySandbox({ id: 'sandbox-2', attempt: 1 }), readySandbox()], [containerStatus('app', 'running')]),
        expect: { killPod: true, createSandbox: true, attempt: 2, sandboxId: 'sandbox-2', init: undefined, start: ['app'], kill: [] },
      },
      {
        when: 'the sandbox died under a restartPolicy Never pod that already ran: kill, no new sandbox',
        pod: makePod({ restartPolicy: 'Never' }),
        status: podStatus([readySandbox({ ready: false })], [containerStatus('app', 'exited', { exitCode: 1 })]),
        expect: { killPod: true, createSandbox: false, attempt: 1, sandboxId: 'sandbox-1', init: undefined, start: [], kill: [] },
      },
      {
        when: 'the sandbox died under an OnFailure pod whose containers all succeeded: kill, no new sandbox',
        pod: makePod({ restartPolicy: 'OnFailure' }),
        status: podStatus([readySandbox({ ready: false })], [containerStatus('app', 'exited', { exitCode: 0 })]),
        expect: { killPod: true, createSandbox: false, attempt: 1, sandboxId: 'sandbox-1', init: undefined, start: [], kill: [] },
      },
      {
        when: 'a host-network sandbox has no IP: that is expected, keep it',
        pod: makePod({ hostNetwork: true }),
        status: podStatus([readySandbox({ hostNetwork: true, ip: '' })], [containerStatus('app', 'running')]),
        expect: NOTHING,
      },
    ];
    for (const row of rows) it(`decides correctly when ${row.when}`, () => assert.deepEqual(summarize(row.pod, row.status), row.expect));
  });

  describe('init containers', () => {
    const sb = [readySandbox()];
    const rows: Row[] = [
      {
        when: 'none has run yet (sandbox ready): start the first',
        pod: withInit(),
        status: podStatus(sb),
        expect: { ...NOTHING, init: 'init-a' },
      },
      {
        when: 'the first succeeded: start the second',
        pod: withInit(),
        status: podStatus(sb, [containerStatus('init-a', 'exited', { exitCode: 0 })]),
        expect: { ...NOTHING, init: 'init-b' },
      },
      {
        when: 'the first is still running: wait, start nothing',
        pod: withInit(),
        status: podStatus(sb, [containerStatus('init-a', 'running')]),
        expect: NOTHING,
      },
      {
        when: 'all succeeded: start the app containers',
        pod: withInit(),
        status: podStatus(sb, [containerStatus('init-b', 'exited'), containerStatus('init-a', 'exited')]),
        expect: { ...NOTHING, start: ['app'] },
      },
      {
        when: 'one failed under restartPolicy Never: kill the pod',
        pod: withInit('Never'),
        status: podStatus(sb, [containerStatus('init-a', 'exited', { exitCode: 1 })]),
        expect: { ...NOTHING, killPod: true },
      },
      {
        when: 'one failed under restartPolicy OnFailure: run it again',
        pod: withInit('OnFailure'),
        status: podStatus(sb, [containerStatus('init-a', 'exited', { exitCode: 2 })]),
        expect: { ...NOTHING, init: 'init-a' },
      },
      {
        when: 'one failed under restartPolicy Always: run it again',
        pod: withInit('Always'),
        status: podStatus(sb, [containerStatus('init-a', 'exited'), containerStatus('init-b', 'exited', { exitCode: 1 })].reverse()),
        expect: { ...NOTHING, init: 'init-b' },
      },
      {
        when: 'an app container already has a status: initialisation is over',
        pod: withInit(),
        status: podStatus(sb, [containerStatus('app', 'running')]),
        expect: NOTHING,
      },
    ];
    for (const row of rows) it(`decides correctly when ${row.when}`, () => assert.deepEqual(summarize(row.pod, row.status), row.expect));
  });

  describe('app containers', () => {
    const sb = [readySandbox()];
    const exited = (exitCode: number) => [containerStatus('app', 'exited', { exitCode })];
    const rows: Row[] = [
      { when: 'all are running: nothing to do', pod: twoApps(), status: podStatus(sb, [containerStatus('app', 'running'), containerStatus('sidecar', 'running')]), expect: NOTHING },
      { when: 'one exited 0 under Always: restart it', pod: makePod({ restartPolicy: 'Always' }), status: podStatus(sb, exited(0)), expect: { ...NOTHING, start: ['app'] } },
      { when: 'one exited 1 under Always: restart it', pod: makePod({ restartPolicy: 'Always' }), status: podStatus(sb, exited(1)), expect: { ...NOTHING, start: ['app'] } },
      { when: 'one exited 1 under OnFailure: restart it', pod: makePod({ restartPolicy: 'OnFailure' }), status: podStatus(sb, exited(1)), expect: { ...NOTHING, start: ['app'] } },
      { when: 'the only one exited 0 under OnFailure: do not restart; nothing runs, so kill the pod', pod: makePod({ restartPolicy: 'OnFailure' }), status: podStatus(sb, exited(0)), expect: { ...NOTHING, killPod: true } },
      { when: 'the only one exited 1 under Never: do not restart; kill the pod', pod: makePod({ restartPolicy: 'Never' }), status: podStatus(sb, exited(1)), expect: { ...NOTHING, killPod: true } },
      {
        when: 'one exited under Never while another still runs: keep the pod, start nothing',
        pod: twoApps('Never'),
        status: podStatus(sb, [containerStatus('app', 'exited', { exitCode: 1 }), containerStatus('sidecar', 'running')]),
        expect: NOTHING,
      },
      {
        when: 'a container has never been created: start it',
        pod: twoApps(),
        status: podStatus(sb, [containerStatus('app', 'running')]),
        expect: { ...NOTHING, start: ['sidecar'] },
      },
      {
        when: 'a container is in unknown state: kill it and start it again',
        pod: makePod(),
        status: podStatus(sb, [containerStatus('app', 'unknown', { id: 'c-unknown' })]),
        expect: { ...NOTHING, start: ['app'], kill: ['c-unknown'] },
      },
      {
        when: 'only the latest status of a name counts (statuses are newest first)',
        pod: makePod({ restartPolicy: 'OnFailure' }),
        status: podStatus(sb, [containerStatus('app', 'exited', { id: 'new', exitCode: 0 }), containerStatus('app', 'exited', { id: 'old', exitCode: 1 })]),
        expect: { ...NOTHING, killPod: true },
      },
    ];
    for (const row of rows) it(`decides correctly when ${row.when}`, () => assert.deepEqual(summarize(row.pod, row.status), row.expect));
  });
});

describe('podSandboxChanged', () => {
  it('is unchanged for a single ready sandbox with an IP, keeping its attempt', () => {
    assert.deepEqual(podSandboxChanged(makePod(), podStatus([readySandbox({ attempt: 4 })])), { changed: false, attempt: 4, sandboxId: 'sandbox-1' });
  });
});

describe('shouldContainerBeRestarted', () => {
  const table: Array<[RestartPolicy, PodStatus['containerStatuses'][number]['state'], number, boolean]> = [
    ['Always', 'exited', 0, true],
    ['Always', 'exited', 1, true],
    ['OnFailure', 'exited', 0, false],
    ['OnFailure', 'exited', 137, true],
    ['Never', 'exited', 0, false],
    ['Never', 'exited', 1, false],
    ['Never', 'created', 0, true],
    ['Never', 'unknown', 0, true],
    ['Always', 'running', 0, false],
  ];
  for (const [policy, state, exitCode, expected] of table) {
    it(`is ${expected} for a ${state} container (exit ${exitCode}) under ${policy}`, () => {
      const pod = makePod({ restartPolicy: policy });
      assert.equal(shouldContainerBeRestarted(pod.spec.containers[0], pod, podStatus([readySandbox()], [containerStatus('app', state, { exitCode })])), expected);
    });
  }

  it('is true for a container without any status', () => {
    const pod = makePod({ restartPolicy: 'Never' });
    assert.equal(shouldContainerBeRestarted(pod.spec.containers[0], pod, podStatus([readySandbox()])), true);
  });
});

describe('isPodTerminal', () => {
  const sb = [readySandbox()];
  it('is never true under restartPolicy Always, even with every container exited', () => {
    assert.equal(isPodTerminal(makePod({ restartPolicy: 'Always' }), podStatus(sb, [containerStatus('app', 'exited', { exitCode: 1 })])), false);
  });
  it('is true under Never once every app container has exited, whatever the codes', () => {
    const status = podStatus(sb, [containerStatus('app', 'exited', { exitCode: 0 }), containerStatus('sidecar', 'exited', { exitCode: 3 })]);
    assert.equal(isPodTerminal(twoApps('Never'), status), true);
  });
  it('is false under Never while a container still runs or has not started', () => {
    assert.equal(isPodTerminal(twoApps('Never'), podStatus(sb, [containerStatus('app', 'exited'), containerStatus('sidecar', 'running')])), false);
    assert.equal(isPodTerminal(twoApps('Never'), podStatus(sb, [containerStatus('app', 'exited')])), false);
  });
  it('is true under OnFailure when every container succeeded', () => {
    assert.equal(isPodTerminal(makePod({ restartPolicy: 'OnFailure' }), podStatus(sb, [containerStatus('app', 'exited', { exitCode: 0 })])), true);
  });
  it('is false under OnFailure while a failed container will be restarted', () => {
    assert.equal(isPodTerminal(makePod({ restartPolicy: 'OnFailure' }), podStatus(sb, [containerStatus('app', 'exited', { exitCode: 1 })])), false);
  });
});
