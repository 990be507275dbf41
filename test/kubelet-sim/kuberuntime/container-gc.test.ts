import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import type { Pod } from '../../../kubelet-sim/src/container/pod';
import { ImageManager } from '../../../kubelet-sim/src/images/image-manager';
import { generateContainerConfig } from '../../../kubelet-sim/src/kuberuntime/container-config';
import { ContainerGC, DEFAULT_CONTAINER_GC_POLICY } from '../../../kubelet-sim/src/kuberuntime/container-gc';
import type { ContainerGCPolicy } from '../../../kubelet-sim/src/kuberuntime/container-gc';
import { KubeRuntimeManager } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import { generatePodSandboxConfig } from '../../../kubelet-sim/src/kuberuntime/sandbox-config';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import { FakeRuntimeService, GRPC_CODE } from '../../helpers/fake-runtime-service';
import type { MemoryTracer } from '../fixtures';
import { container, MANAGER_OPTIONS, makePod, memoryTracer } from '../fixtures';

describe('ContainerGC', () => {
  let clock: FakeClock;
  let fake: FakeRuntimeService;
  let manager: KubeRuntimeManager;
  let spans: MemoryTracer;
  let knownPods: Set<string>;

  const web = makePod({ name: 'web', uid: 'uid-web', containers: [container('app'), container('sidecar')] });
  const gone = makePod({ name: 'gone', uid: 'uid-gone' });

  beforeEach(() => {
    clock = new FakeClock();
    fake = new FakeRuntimeService({ clock });
    manager = new KubeRuntimeManager(fake, new ImageManager(fake, { serializeImagePulls: true, maxParallelImagePulls: 0 }, clock), MANAGER_OPTIONS, clock);
    spans = memoryTracer();
    knownPods = new Set(['uid-web']);
  });

  function gc(policy: ContainerGCPolicy = DEFAULT_CONTAINER_GC_POLICY): ContainerGC {
    return new ContainerGC(manager, { shouldPodContentBeRemoved: (uid) => !knownPods.has(uid) }, spans.tracer, clock, policy);
  }

  async function sandboxFor(pod: Pod): Promise<string> {
    const ready = fake.sandboxes().filter((s) => s.metadata?.uid === pod.metadata.uid && s.state === 'SANDBOX_READY');
    return ready[ready.length - 1]?.id ?? fake.runPodSandbox(generatePodSandboxConfig(pod, 0, MANAGER_OPTIONS), '');
  }

  /** Runs `count` attempts of one container, each exiting after a second; returns their ids, oldest first. */
  async function deadContainers(pod: Pod, name: string, count: number, leaveLastRunning = false): Promise<string[]> {
    const sandboxId = await sandboxFor(pod);
    const spec = pod.spec.containers.find((c) => c.name === name)!;
    const imageRef = fake.addImage(spec.image);
    const sandboxConfig = generatePodSandboxConfig(pod, 0, MANAGER_OPTIONS);
    const ids: string[] = [];
    for (let attempt = 0; attempt < count; attempt++) {
      clock.step(1_000);
      const id = await fake.createContainer(sandboxId, generateContainerConfig(pod, spec, attempt, imageRef), sandboxConfig);
      await fake.startContainer(id);
      clock.step(1_000);
      if (!(leaveLastRunning && attempt === count - 1)) fake.exitContainer(id, 1);
      ids.push(id);
    }
    return ids;
  }

  const removed = () => fake.callsOf('RemoveContainer').map((c) => c.args[0]);
  const remaining = () => new Set(fake.containers().map((c) => c.id));

  describe('garbageCollect', () => {
    it('runs under one root INTERNAL span named Containers/GarbageCollect', async () => {
      await deadContainers(web, 'app', 3);
      await gc().garbageCollect(true);
      const finished = spans.exporter.getFinishedSpans();
      assert.deepEqual(finished.map((s) => s.name), ['Containers/GarbageCollect']);
      assert.equal(finished[0].kind, SpanKind.INTERNAL);
      assert.equal(finished[0].parentSpanContext, undefined);
    });

    it('keeps MaxPerPodContainer=1 dead container per pod and name, removing the older ones', async () => {
      const apps = await deadContainers(web, 'app', 3);
      const sidecars = await deadContainers(web, 'sidecar', 2);
      fake.clearCalls();
      assert.deepEqual(await gc().garbageCollect(true), []);
      assert.deepEqual(new Set(removed()), new Set([apps[0], apps[1], sidecars[0]]));
      assert.deepEqual(remaining(), new Set([apps[2], sidecars[1]]));
    });

    it('asks ContainerStatus twice (log manager Clean, then the legacy symlink) before each RemoveContainer', async () => {
      await deadContainers(web, 'app', 3);
      fake.clearCalls();
      await gc().garbageCollect(true);
      const perContainer = fake.calls.filter((c) => c.method === 'ContainerStatus' || c.method === 'RemoveContainer').map((c) => [c.method, c.args[0]]);
      assert.equal(perContainer.length, 6);
      for (let i = 0; i < perContainer.length; i += 3) {
        assert.deepEqual(perContainer[i + 1], ['ContainerStatus', perContainer[i][1]]);
        assert.deepEqual(perContainer[i + 2], ['RemoveContainer', perContainer[i][1]]);
      }
    });

    it('removes the evicted containers oldest first (removeOldestN)', async () => {
      const apps = await deadContainers(web, 'app', 3);
      fake.clearCalls();
      await gc().garbageCollect(true);
      assert.deepEqual(removed(), [apps[0], apps[1]]);
    });

    it('never removes a running container, and keeps the newest dead one besides it', async () => {
      const apps = await deadContainers(web, 'app', 3, true);
      await gc().garbageCollect(true);
      assert.deepEqual(remaining(), new Set([apps[1], apps[2]]));
    });

    it('keeps dead containers younger than minAge out of the count', async () => {
      const apps = await deadContainers(web, 'app', 4);
      // Created 7s, 5s, 3s and 1s ago: with minAge 4s only the first two are evictable, and the newer of them stays.
      await gc({ ...DEFAULT_CONTAINER_GC_POLICY, minAgeMs: 4_000 }).garbageCollect(true);
      assert.deepEqual(remaining(), new Set([apps[1], apps[2], apps[3]]));
    });

    it('removes every dead container of a pod the workers no longer know, including the newest', async () => {
      const mine = await deadContainers(web, 'app', 2);
      const theirs = await deadContainers(gone, 'app', 2);
      fake.clearCalls();
      await gc().garbageCollect(true);
      assert.ok(theirs.every((id) => removed().includes(id)));
      assert.deepEqual(remaining(), new Set([mine[1]]));
    });

    it('leaves a gone pod\'s newest dead container when not all sources are ready', async () => {
      const theirs = await deadContainers(gone, 'app', 2);
      await gc().garbageCollect(false);
      assert.deepEqual(remaining(), new Set([theirs[1]]));
    });

    it('removes the stopped sandbox of a gone pod once it holds no containers (StopPodSandbox, then RemovePodSandbox)', async () => {
      await deadContainers(gone, 'app', 2);
      const sandboxId = fake.sandboxes()[0].id;
      await fake.stopPodSandbox(sandboxId);
      fake.clearCalls();
      await gc().garbageCollect(true);
      const sandboxCalls = fake.calls.filter((c) => c.method === 'StopPodSandbox' || c.method === 'RemovePodSandbox').map((c) => [c.method, c.args[0]]);
      assert.deepEqual(sandboxCalls, [['StopPodSandbox', sandboxId], ['RemovePodSandbox', sandboxId]]);
      assert.deepEqual(fake.sandboxes(), []);
    });

    it('keeps a ready sandbox, even of a gone pod', async () => {
      await deadContainers(gone, 'app', 1);
      await gc().garbageCollect(true);
      assert.equal(fake.sandboxes().length, 1);
      assert.equal(fake.callsOf('RemovePodSandbox').length, 0);
    });

    it('removes a gone pod\'s stopped sandbox whose own containers are gone, though another of its sandboxes holds one', async () => {
      const oldId = await fake.runPodSandbox(generatePodSandboxConfig(gone, 0, MANAGER_OPTIONS), '');
      await fake.stopPodSandbox(oldId);
      clock.step(1_000);
      await fake.runPodSandbox(generatePodSandboxConfig(gone, 1, MANAGER_OPTIONS), '');
      await deadContainers(gone, 'app', 1, true); // runs in the newest (ready) sandbox
      await gc().garbageCollect(true);
      assert.deepEqual(fake.callsOf('RemovePodSandbox').map((c) => c.args[0]), [oldId]);
      assert.equal(fake.containers().length, 1, 'the running container stays');
    });

    it('keeps a stopped sandbox that still holds a dead container', async () => {
      await deadContainers(web, 'app', 1);
      const [sandbox] = fake.sandboxes();
      await fake.stopPodSandbox(sandbox.id);
      knownPods.clear();
      knownPods.add('uid-web');
      await gc().garbageCollect(true);
      assert.equal(fake.callsOf('RemovePodSandbox').length, 0);
    });

    it('removes an older stopped sandbox of a known pod that has a newer ready one', async () => {
      const oldId = await fake.runPodSandbox(generatePodSandboxConfig(web, 0, MANAGER_OPTIONS), '');
      await fake.stopPodSandbox(oldId);
      clock.step(1_000);
      await fake.runPodSandbox(generatePodSandboxConfig(web, 1, MANAGER_OPTIONS), '');
      await gc().garbageCollect(true);
      assert.deepEqual(fake.callsOf('RemovePodSandbox').map((c) => c.args[0]), [oldId]);
    });

    it('aggregates a RemoveContainer error and goes on with the rest of the pass', async () => {
      await deadContainers(web, 'app', 3);
      await deadContainers(web, 'sidecar', 2);
      fake.failNext('RemoveContainer', GRPC_CODE.UNAVAILABLE, 'connection refused');
      const errors = await gc().garbageCollect(true);
      assert.equal(errors.length, 1);
      assert.equal(errors[0].message, 'rpc error: code = Unavailable desc = connection refused');
      assert.equal(removed().length, 3, 'all three evictions were attempted');
      assert.equal(fake.containers().length, 3, 'one failed removal left one extra container');
      assert.ok(fake.callNames().includes('ListPodSandbox'), 'the sandbox pass still ran');
      assert.deepEqual(spans.exporter.getFinishedSpans().map((s) => s.name), ['Containers/GarbageCollect']);
    });

    it('reports a failed listing and still runs the sandbox pass', async () => {
      fake.failNext('ListContainers', GRPC_CODE.UNAVAILABLE, 'runtime down');
      const errors = await gc().garbageCollect(true);
      assert.deepEqual(errors.map((e) => e.message), ['rpc error: code = Unavailable desc = runtime down']);
      // evictSandboxes lists containers before sandboxes (kuberuntime_gc.go).
      assert.deepEqual(fake.callNames(), ['ListContainers', 'ListContainers', 'ListPodSandbox']);
    });

    it('lists with the filters getKubeletContainers(all) and getKubeletSandboxes(all) send: an empty container filter, no sandbox filter', async () => {
      await gc().garbageCollect(true);
      assert.deepEqual(fake.calls.map((c) => [c.method, c.args]), [['ListContainers', [{}]], ['ListContainers', [{}]], ['ListPodSandbox', []]]);
    });

    it('asks ContainerStatus twice (log manager Clean, legacy symlink) before each RemoveContainer', async () => {
      await deadContainers(web, 'app', 2);
      fake.clearCalls();
      await gc().garbageCollect(true);
      const removal = fake.callNames().filter((m) => m === 'ContainerStatus' || m === 'RemoveContainer');
      assert.deepEqual(removal, ['ContainerStatus', 'ContainerStatus', 'RemoveContainer']);
    });

    it('bounds the dead containers of the node with maxContainers, keeping the newest', async () => {
      await deadContainers(web, 'app', 2);
      const sidecars = await deadContainers(web, 'sidecar', 2);
      await gc({ minAgeMs: 0, maxPerPodContainer: -1, maxContainers: 1 }).garbageCollect(true);
      assert.deepEqual(remaining(), new Set([sidecars[1]]));
    });

    it('shares maxContainers equally between evict units before evicting oldest first', async () => {
      const apps = await deadContainers(web, 'app', 2);
      const sidecars = await deadContainers(web, 'sidecar', 2);
      await gc({ minAgeMs: 0, maxPerPodContainer: -1, maxContainers: 2 }).garbageCollect(true);
      assert.deepEqual(remaining(), new Set([apps[1], sidecars[1]]));
    });
  });
});
