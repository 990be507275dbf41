import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { PodCache, emptyPodStatus } from '../../../kubelet-sim/src/container/pod-status';
import type { PodStatus } from '../../../kubelet-sim/src/container/pod-status';
import { ImageManager } from '../../../kubelet-sim/src/images/image-manager';
import { KubeRuntimeManager } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import { generatePodSandboxConfig } from '../../../kubelet-sim/src/kuberuntime/sandbox-config';
import { generateContainerConfig } from '../../../kubelet-sim/src/kuberuntime/container-config';
import { GenericPleg, generateEvents } from '../../../kubelet-sim/src/pleg/generic-pleg';
import type { PodLifecycleEvent } from '../../../kubelet-sim/src/pleg/pleg';
import { GENERIC_PLEG } from '../../../kubelet-sim/src/pleg/pleg';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import { FakeRuntimeService } from '../../helpers/fake-runtime-service';
import { flush, MANAGER_OPTIONS, makePod } from '../fixtures';

type State = Parameters<typeof generateEvents>[2];

describe('generateEvents', () => {
  const table: Array<[old: State, now: State, expected: string[], why: string]> = [
    ['non-existent', 'running', ['ContainerStarted'], 'a new running container started'],
    ['exited', 'running', ['ContainerStarted'], 'a container seen exited is running again'],
    ['running', 'exited', ['ContainerDied'], 'a running container exited'],
    ['non-existent', 'exited', ['ContainerDied'], 'a container that came and went between relists died'],
    ['exited', 'non-existent', ['ContainerRemoved'], 'an exited container is gone'],
    ['running', 'non-existent', ['ContainerDied', 'ContainerRemoved'], 'a running container vanished: it died and was removed'],
    ['unknown', 'non-existent', ['ContainerDied', 'ContainerRemoved'], 'an unknown container vanished'],
    ['running', 'unknown', ['ContainerChanged'], 'a container went unknown'],
    ['non-existent', 'created', ['ContainerChanged'], 'created is treated as unknown'],
    ['unknown', 'created', [], 'created equals unknown: no change'],
    ['created', 'unknown', [], 'unknown equals created: no change'],
    ['running', 'running', [], 'nothing changed'],
    ['exited', 'exited', [], 'nothing changed'],
  ];
  for (const [old, now, expected, why] of table) {
    it(`gives [${expected.join(', ')}] for ${old} -> ${now} (${why})`, () => {
      const events = generateEvents('pod-uid', 'cid', old, now);
      assert.deepEqual(events.map((e) => e.type), expected);
      for (const e of events) assert.deepEqual({ id: e.id, data: e.data }, { id: 'pod-uid', data: 'cid' });
    });
  }
});

describe('GenericPleg', () => {
  let clock: FakeClock;
  let fake: FakeRuntimeService;
  let manager: KubeRuntimeManager;
  let cache: PodCache;
  let events: PodLifecycleEvent[];
  let pleg: GenericPleg;
  const pod = makePod({ name: 'web', uid: 'uid-web' });

  beforeEach(() => {
    clock = new FakeClock();
    fake = new FakeRuntimeService({ clock });
    manager = new KubeRuntimeManager(fake, new ImageManager(fake, { serializeImagePulls: true, maxParallelImagePulls: 0 }, clock), MANAGER_OPTIONS, clock);
    cache = new PodCache();
    events = [];
    pleg = new GenericPleg(manager, cache, clock, (e) => {
      events.push(e);
      return true;
    });
  });

  async function startPod(): Promise<{ sandboxId: string; containerId: string }> {
    await manager.syncPod(pod, emptyPodStatus(pod.metadata.uid, pod.metadata.name, pod.metadata.namespace));
    const sandboxId = fake.sandboxes()[0].id;
    const containerId = fake.containers()[0].id;
    return { sandboxId, containerId };
  }

  const summary = () => events.map((e) => [e.type, e.data]);

  describe('relist', () => {
    it('sends ContainerStarted for a new sandbox and a new running container, and lists through the root context', async () => {
      const { sandboxId, containerId } = await startPod();
      fake.clearCalls();
      await pleg.relist();
      assert.deepEqual(summary(), [['ContainerStarted', sandboxId], ['ContainerStarted', containerId]]);
      assert.ok(events.every((e) => e.id === 'uid-web'));
      assert.deepEqual(fake.callNames().slice(0, 2), ['ListPodSandbox', 'ListContainers'], 'GetPods(all) first');
      assert.deepEqual(fake.callNames().slice(2), ['ListPodSandbox', 'PodSandboxStatus', 'ListContainers', 'ContainerStatus'], 'then GetPodStatus for the changed pod');
    });

    it('sends nothing when nothing changed since the previous relist, and inspects no pod', async () => {
      await startPod();
      await pleg.relist();
      events.length = 0;
      fake.clearCalls();
      clock.step(1_000);
      await pleg.relist();
      assert.deepEqual(events, []);
      assert.deepEqual(fake.callNames(), ['ListPodSandbox', 'ListContainers']);
    });

    it('sends ContainerDied for a container that exited', async () => {
      const { containerId } = await startPod();
      await pleg.relist();
      events.length = 0;
      clock.step(1_000);
      fake.exitContainer(containerId, 1);
      await pleg.relist();
      assert.deepEqual(summary(), [['ContainerDied', containerId]]);
    });

    it('sends ContainerRemoved for an exited container that is gone', async () => {
      const { containerId } = await startPod();
      fake.exitContainer(containerId, 0);
      await pleg.relist();
      events.length = 0;
      await fake.removeContainer(containerId);
      await pleg.relist();
      assert.deepEqual(summary(), [['ContainerRemoved', containerId]]);
    });

    it('sends no event for a container that is only created (created counts as unknown)', async () => {
      const sandboxConfig = generatePodSandboxConfig(pod, 0, MANAGER_OPTIONS);
      const sandboxId = await fake.runPodSandbox(sandboxConfig, '');
      const imageRef = fake.addImage(pod.spec.containers[0].image);
      await fake.createContainer(sandboxId, generateContainerConfig(pod, pod.spec.containers[0], 0, imageRef), sandboxConfig);
      await pleg.relist();
      assert.deepEqual(summary(), [['ContainerStarted', sandboxId]]);
    });

    it('updates the PodCache with the pod status, stamped with the relist time', async () => {
      const { containerId } = await startPod();
      const relistAt = clock.nowMs();
      await pleg.relist();
      const cached = cache.get('uid-web');
      assert.ok(cached);
      assert.deepEqual(cached.containerStatuses.map((c) => [c.id, c.state]), [[containerId, 'running']]);
      assert.equal(pleg.lastRelistTimeMs, relistAt);

      // Newer than just before the relist: answered at once. Newer than the relist itself: only after the next one.
      assert.equal(await cache.getNewerThan('uid-web', relistAt - 1), cached);
      const progress = { answered: false };
      const waiting = cache.getNewerThan('uid-web', relistAt).then((s) => {
        progress.answered = true;
        return s;
      });
      await flush();
      assert.equal(progress.answered, false, 'nothing is newer than the relist yet');
      clock.step(1_000);
      fake.exitContainer(containerId, 2);
      await pleg.relist();
      const fresher: PodStatus | undefined = await waiting;
      assert.deepEqual(fresher?.containerStatuses.map((c) => [c.state, c.exitCode]), [['exited', 2]]);
    });

    it('advances the cache\'s global timestamp even when no pod changed', async () => {
      await pleg.relist();
      let resolved = false;
      const waiting = cache.getNewerThan('never-seen', clock.nowMs()).then(() => (resolved = true));
      await flush();
      assert.equal(resolved, false);
      clock.step(1_000);
      await pleg.relist();
      await waiting;
      assert.equal(resolved, true);
    });

    it('gives a pod that vanished an empty cached status', async () => {
      const { sandboxId } = await startPod();
      await pleg.relist();
      await fake.stopPodSandbox(sandboxId);
      await fake.removePodSandbox(sandboxId);
      clock.step(1_000);
      await pleg.relist();
      assert.deepEqual(cache.get('uid-web'), { uid: 'uid-web', name: 'web', namespace: 'default', sandboxStatuses: [], containerStatuses: [] });
    });

    it('counts events the consumer could not take as dropped', async () => {
      const full = new GenericPleg(manager, cache, clock, () => false);
      await startPod();
      await full.relist();
      assert.equal(full.droppedEvents, 2);
    });
  });

  describe('healthy', () => {
    it('is healthy after a relist and up to exactly 3 minutes past it', async () => {
      await pleg.relist();
      assert.deepEqual(pleg.healthy(), { ok: true, message: '' });
      clock.step(GENERIC_PLEG.RELIST_THRESHOLD_MS);
      assert.equal(pleg.healthy().ok, true);
    });

    it('is unhealthy before its first successful relist', () => {
      assert.deepEqual(pleg.healthy(), { ok: false, message: 'pleg has yet to be successful' });
    });

    it('is unhealthy once the last relist is more than 3 minutes old on the FakeClock', async () => {
      await pleg.relist();
      clock.step(3 * 60_000 + 1_000);
      const health = pleg.healthy();
      assert.equal(health.ok, false);
      assert.match(health.message, /^pleg was last seen active .+ ago; threshold is 3m0s$/);
    });

    it('recovers after a new relist', async () => {
      await pleg.relist();
      clock.step(4 * 60_000);
      assert.equal(pleg.healthy().ok, false);
      await pleg.relist();
      assert.equal(pleg.healthy().ok, true);
    });

    it('does not count a failed relist as activity', async () => {
      await pleg.relist();
      fake.failAlways('ListPodSandbox');
      clock.step(2 * 60_000);
      await assert.rejects(pleg.relist(), /rpc error: code = Unknown/);
      clock.step(60_000 + 1);
      assert.equal(pleg.healthy().ok, false);
    });

    it('spells the age as a Go duration, as upstream formats it', async () => {
      await pleg.relist();
      clock.step(3 * 60_000 + 1_000);
      assert.equal(pleg.healthy().message, 'pleg was last seen active 3m1s ago; threshold is 3m0s');
    });
  });
});
