import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerEventHub, EVENT_DELIVERY, type ContainerEvent } from '../../../runtime-sim/src/state/container-events';
import { containerConfig, createReq, newHarness, podConfig, runPod, SECOND_NS, type Harness } from './fixtures';

function hubFor(h: Harness, enabled?: boolean): ContainerEventHub {
  return new ContainerEventHub(h.state, { persona: h.state.persona, enabled, nowMs: () => Number(h.clock.nowNs() / 1_000_000n) });
}

function recorder(): { events: ContainerEvent[]; ended: number; sink: { deliver(e: ContainerEvent): void; end(): void } } {
  const r = {
    events: [] as ContainerEvent[],
    ended: 0,
    sink: {
      deliver: (e: ContainerEvent) => void r.events.push(e),
      end: () => void r.ended++,
    },
  };
  return r;
}

/** A kubelet-shaped pod (uid label on the container) whose container exits 5 s after start. */
function lifecycle(h: Harness): { sandboxId: string; containerId: string; startNs: bigint } {
  const pod = podConfig('web', { annotations: { 'sim.cri.io/exit-after': '5s' } });
  const sandboxId = runPod(h.state, pod);
  h.state.pullImage({ image: 'docker.io/library/nginx:latest' });
  h.clock.advanceNs(SECOND_NS);
  const ctr = containerConfig('app', 'docker.io/library/nginx:latest', { labels: { 'io.kubernetes.pod.uid': 'uid-web' } });
  const containerId = h.state.createContainer(createReq(sandboxId, pod, ctr)).containerId;
  h.clock.advanceNs(SECOND_NS);
  const startNs = h.clock.nowNs();
  h.state.startContainer(containerId);
  h.clock.advanceNs(10n * SECOND_NS);
  h.state.advance();
  h.state.removeContainer(containerId);
  h.state.stopPodSandbox(sandboxId);
  h.state.removePodSandbox(sandboxId);
  return { sandboxId, containerId, startNs };
}

describe('ContainerEventHub', () => {
  it('containerd: sends the sandbox and container lifecycle in order, with statuses of that sandbox', () => {
    const h = newHarness('containerd');
    const hub = hubFor(h);
    const r = recorder();
    assert.notEqual(hub.subscribe(r.sink), null);
    const { sandboxId, containerId, startNs } = lifecycle(h);
    assert.deepEqual(
      r.events.map((e) => [e.type, e.containerId === sandboxId ? 'sandbox' : e.containerId === containerId ? 'container' : e.containerId]),
      [
        ['CONTAINER_CREATED_EVENT', 'sandbox'],
        ['CONTAINER_CREATED_EVENT', 'container'],
        ['CONTAINER_STARTED_EVENT', 'container'],
        ['CONTAINER_STOPPED_EVENT', 'container'],
        ['CONTAINER_DELETED_EVENT', 'container'],
        ['CONTAINER_STOPPED_EVENT', 'sandbox'],
        ['CONTAINER_DELETED_EVENT', 'sandbox'],
      ],
    );
    const stopped = r.events[3]!;
    assert.equal(stopped.createdAtNs, startNs + 5n * SECOND_NS, 'an exit is stamped with the exit instant');
    assert.equal(stopped.podSandbox?.id, sandboxId);
    assert.deepEqual(stopped.containers.map((c) => [c.id, c.state, c.exitCode]), [[containerId, 'CONTAINER_EXITED', 0]]);
    assert.equal(r.events[2]!.containers[0]!.state, 'CONTAINER_RUNNING', 'views are taken at the transition');
    assert.equal(r.events[4]!.containers.length, 0, 'a deleted container is no longer listed');
    assert.equal(r.events[6]!.podSandbox, null, 'the sandbox is gone at its DELETED event');
  });

  it('crio: off by default (enable_pod_events=false); when on, no sandbox DELETED and statuses by pod UID label', () => {
    const off = newHarness('crio');
    assert.equal(hubFor(off).subscribe(recorder().sink), null);
    assert.equal(EVENT_DELIVERY.crio.enabledByDefault, false);

    const h = newHarness('crio');
    const hub = hubFor(h, true);
    const r = recorder();
    hub.subscribe(r.sink);
    const { sandboxId } = lifecycle(h);
    assert.deepEqual(
      r.events.filter((e) => e.containerId === sandboxId).map((e) => e.type),
      ['CONTAINER_CREATED_EVENT', 'CONTAINER_STOPPED_EVENT'],
    );
    assert.equal(r.events.find((e) => e.type === 'CONTAINER_STARTED_EVENT')!.containers.length, 1);
  });

  it('delivers every event to every subscriber and stops after unsubscribe', () => {
    const h = newHarness('containerd');
    const hub = hubFor(h);
    const a = recorder();
    const b = recorder();
    hub.subscribe(a.sink);
    const unsubscribeB = hub.subscribe(b.sink)!;
    runPod(h.state, podConfig('one'));
    unsubscribeB();
    runPod(h.state, podConfig('two'));
    assert.equal(a.events.length, 2);
    assert.equal(b.events.length, 1);
    assert.equal(hub.subscriberCount, 1);
  });

  it('containerd: holds events for 5 minutes without a subscriber and replays them to the next one', () => {
    const h = newHarness('containerd');
    const hub = hubFor(h);
    runPod(h.state, podConfig('early'));
    h.clock.advanceMs(EVENT_DELIVERY.containerd.holdWithoutSubscriberMs - 1);
    runPod(h.state, podConfig('late'));
    h.clock.advanceMs(1);
    const r = recorder();
    hub.subscribe(r.sink);
    assert.deepEqual(r.events.map((e) => e.podSandbox?.metadata.name), ['late']);
    assert.equal(hub.droppedEvents, 1);
  });

  it('crio: buffers up to the channel capacity before the first subscriber and drops the rest', () => {
    const h = newHarness('crio');
    const hub = hubFor(h, true);
    for (let i = 0; i < EVENT_DELIVERY.crio.channelCapacity + 5; i++) runPod(h.state, podConfig(`p${i}`));
    const r = recorder();
    hub.subscribe(r.sink);
    assert.equal(r.events.length, EVENT_DELIVERY.crio.channelCapacity);
    assert.equal(hub.droppedEvents, 5);
  });

  it('close() ends every subscriber once and ignores later transitions', () => {
    const h = newHarness('containerd');
    const hub = hubFor(h);
    const r = recorder();
    hub.subscribe(r.sink);
    hub.close();
    hub.close();
    runPod(h.state, podConfig('after'));
    assert.equal(r.ended, 1);
    assert.equal(r.events.length, 0);
    assert.equal(hub.subscribe(recorder().sink), null);
  });
});
