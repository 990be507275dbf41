import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { ContainerConfig, PodSandboxConfig } from '../../../cri-proto/src/types';
import type { Pod } from '../../../kubelet-sim/src/container/pod';
import { emptyPodStatus } from '../../../kubelet-sim/src/container/pod-status';
import type { PodStatus } from '../../../kubelet-sim/src/container/pod-status';
import { ImageManager } from '../../../kubelet-sim/src/images/image-manager';
import { isBackoffOnly, KubeRuntimeManager, runtimePodToApiPod } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import type { SyncResult } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import { FakeRuntimeService, GRPC_CODE } from '../../helpers/fake-runtime-service';
import { container, containerStatus, MANAGER_OPTIONS, makePod } from '../fixtures';

const UID = '8d5c0c47-3a49-4c1e-b0a4-7f0f8f3e2a11';
const IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

interface Harness {
  clock: FakeClock;
  fake: FakeRuntimeService;
  manager: KubeRuntimeManager;
}

function harness(): Harness {
  const clock = new FakeClock();
  const fake = new FakeRuntimeService({ clock });
  const images = new ImageManager(fake, { serializeImagePulls: true, maxParallelImagePulls: 0 }, clock);
  return { clock, fake, manager: new KubeRuntimeManager(fake, images, { ...MANAGER_OPTIONS, runtimeHandler: 'runc' }, clock) };
}

function webPod(overrides: Parameters<typeof makePod>[0] = {}): Pod {
  return makePod({ name: 'web', namespace: 'shop', uid: UID, labels: { app: 'web' }, containers: [container('app', { image: IMAGE })], ...overrides });
}

const statusOf = (h: Harness, pod: Pod): Promise<PodStatus> => h.manager.getPodStatus(pod.metadata.uid, pod.metadata.name, pod.metadata.namespace);

function sandboxConfigOf(h: Harness): PodSandboxConfig {
  const [call] = h.fake.callsOf('RunPodSandbox');
  return call.args[0] as PodSandboxConfig;
}

function containerConfigs(h: Harness): ContainerConfig[] {
  return h.fake.callsOf('CreateContainer').map((c) => c.args[1] as ContainerConfig);
}

function runningContainerId(h: Harness, name: string): string {
  const found = h.fake.containers().find((c) => c.metadata?.name === name && c.state === 'CONTAINER_RUNNING');
  assert.ok(found, `no running container ${name}`);
  return found.id;
}

function noErrors(result: SyncResult): void {
  assert.deepEqual(result.errors, []);
}

describe('KubeRuntimeManager', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  describe('syncPod for a new pod', () => {
    it('issues RunPodSandbox, PodSandboxStatus, ImageStatus, PullImage, ImageStatus (size), CreateContainer, StartContainer in that order', async () => {
      noErrors(await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop')));
      // The second ImageStatus is the puller's GetImageSize after a successful pull (puller.go, kuberuntime_image.go).
      assert.deepEqual(h.fake.callNames(), ['RunPodSandbox', 'PodSandboxStatus', 'ImageStatus', 'PullImage', 'ImageStatus', 'CreateContainer', 'StartContainer']);
    });

    it('runs the sandbox with the runtime handler and asks its status by the returned id', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const [run] = h.fake.callsOf('RunPodSandbox');
      assert.equal(run.args[1], 'runc');
      const [sandbox] = h.fake.sandboxes();
      assert.match(sandbox.id, /^[0-9a-f]{64}$/);
      assert.deepEqual(h.fake.callsOf('PodSandboxStatus')[0].args, [sandbox.id, false]);
      assert.equal(h.fake.callsOf('CreateContainer')[0].args[0], sandbox.id);
      assert.deepEqual(h.fake.callsOf('CreateContainer')[0].args[2], sandboxConfigOf(h), 'CreateContainer carries the same sandbox config');
      assert.deepEqual(h.fake.callsOf('PullImage')[0].args[1], sandboxConfigOf(h), 'PullImage carries it too (image_manager.go passes podSandboxConfig)');
    });

    it('sends a sandbox config with metadata, io.kubernetes.pod.* labels, log directory and a besteffort cgroup parent', async () => {
      await h.manager.syncPod(webPod({ annotations: { note: 'x' } }), emptyPodStatus(UID, 'web', 'shop'));
      const config = sandboxConfigOf(h);
      assert.deepEqual(config.metadata, { name: 'web', namespace: 'shop', uid: UID, attempt: 0 });
      assert.deepEqual(config.labels, { app: 'web', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.uid': UID });
      assert.deepEqual(config.annotations, { note: 'x' });
      assert.equal(config.log_directory, `/var/log/pods/shop_web_${UID}`);
      assert.equal(config.hostname, 'web');
      assert.equal(config.linux?.cgroup_parent, `/kubepods/besteffort/pod${UID}`);
      assert.equal(config.linux?.security_context?.namespace_options?.network, 'POD');
      assert.ok(config.dns_config, 'a pod-network sandbox gets cluster DNS');
    });

    it('uses NODE network and an empty hostname for a hostNetwork pod', async () => {
      await h.manager.syncPod(webPod({ hostNetwork: true }), emptyPodStatus(UID, 'web', 'shop'));
      const config = sandboxConfigOf(h);
      assert.equal(config.linux?.security_context?.namespace_options?.network, 'NODE');
      assert.equal(config.hostname, '');
      assert.equal(config.dns_config, null);
    });

    it('puts a Burstable pod under /kubepods/burstable and a Guaranteed one directly under /kubepods', async () => {
      await h.manager.syncPod(webPod({ qosClass: 'Burstable' }), emptyPodStatus(UID, 'web', 'shop'));
      assert.equal(sandboxConfigOf(h).linux?.cgroup_parent, `/kubepods/burstable/pod${UID}`);
      const g = harness();
      await g.manager.syncPod(webPod({ qosClass: 'Guaranteed' }), emptyPodStatus(UID, 'web', 'shop'));
      assert.equal(sandboxConfigOf(g).linux?.cgroup_parent, `/kubepods/pod${UID}`);
    });

    it('sends a container config with attempt 0, identity labels, restartCount annotation and log path <name>/0.log', async () => {
      await h.manager.syncPod(webPod({ terminationGracePeriodSeconds: 12 }), emptyPodStatus(UID, 'web', 'shop'));
      const [config] = containerConfigs(h);
      assert.deepEqual(config.metadata, { name: 'app', attempt: 0 });
      assert.deepEqual(config.labels, { 'io.kubernetes.container.name': 'app', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.uid': UID });
      assert.equal(config.annotations?.['io.kubernetes.container.restartCount'], '0');
      assert.equal(config.annotations?.['io.kubernetes.pod.terminationGracePeriod'], '12');
      assert.match(config.annotations?.['io.kubernetes.container.hash'] ?? '', /^[0-9a-f]+$/);
      assert.equal(config.log_path, 'app/0.log');
    });

    it('creates the container from the image id PullImage returned, keeping the user\'s spelling', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const imageId = h.fake.resolveImage(IMAGE);
      assert.match(imageId ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.deepEqual(containerConfigs(h)[0].image, { image: imageId, user_specified_image: IMAGE, annotations: {} });
      assert.equal(runningContainerId(h, 'app').length, 64);
    });

    it('does not pull an image that is present under IfNotPresent', async () => {
      h.fake.addImage(IMAGE);
      noErrors(await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop')));
      assert.deepEqual(h.fake.callNames(), ['RunPodSandbox', 'PodSandboxStatus', 'ImageStatus', 'CreateContainer', 'StartContainer']);
    });

    it('pulls an untagged image as :latest, even when present, under Always', async () => {
      h.fake.addImage('busybox:latest');
      await h.manager.syncPod(webPod({ containers: [container('app', { image: 'busybox', imagePullPolicy: 'Always' })] }), emptyPodStatus(UID, 'web', 'shop'));
      assert.equal((h.fake.callsOf('ImageStatus')[0].args[0] as { image: string }).image, 'busybox:latest');
      assert.equal((h.fake.callsOf('PullImage')[0].args[0] as { image: string }).image, 'busybox:latest');
    });

    it('fails the container with ErrImageNeverPull when the image is missing under Never, without pulling', async () => {
      const result = await h.manager.syncPod(webPod({ containers: [container('app', { image: IMAGE, imagePullPolicy: 'Never' })] }), emptyPodStatus(UID, 'web', 'shop'));
      assert.deepEqual(result.errors.map((e) => [e.action, e.target, e.reason]), [['StartContainer', 'app', 'ErrImageNeverPull']]);
      assert.equal(h.fake.callsOf('PullImage').length, 0);
      assert.equal(h.fake.callsOf('CreateContainer').length, 0);
    });

    it('reports a failed pull as ErrImagePull, then ImagePullBackOff on the next sync', async () => {
      h.fake.failNext('PullImage', GRPC_CODE.NOT_FOUND, 'pull access denied');
      const first = await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      assert.deepEqual(first.errors.map((e) => e.reason), ['ErrImagePull']);
      assert.match(first.errors[0].message, /^Failed to pull image ".*agnhost:2\.53": rpc error: code = NotFound desc = pull access denied$/);
      const second = await h.manager.syncPod(webPod(), await statusOf(h, webPod()));
      assert.deepEqual(second.errors.map((e) => e.reason), ['ImagePullBackOff']);
      assert.equal(isBackoffOnly(second), true);
    });

    it('starts only the first init container of a pod that has them', async () => {
      await h.manager.syncPod(webPod({ initContainers: [container('init-a', { image: IMAGE }), container('init-b', { image: IMAGE })] }), emptyPodStatus(UID, 'web', 'shop'));
      assert.deepEqual(containerConfigs(h).map((c) => c.metadata?.name), ['init-a']);
    });

    it('reports CreatePodSandboxError and starts nothing when RunPodSandbox fails', async () => {
      h.fake.failNext('RunPodSandbox', GRPC_CODE.UNKNOWN, 'failed to setup network for sandbox');
      const result = await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      assert.deepEqual(result.errors.map((e) => [e.action, e.reason]), [['CreatePodSandbox', 'CreatePodSandboxError']]);
      assert.equal(result.errors[0].message, 'Failed to create sandbox for pod "shop/web": rpc error: code = Unknown desc = failed to setup network for sandbox');
      assert.deepEqual(h.fake.callNames(), ['RunPodSandbox']);
    });

    it('reports RunContainerError when StartContainer fails', async () => {
      h.fake.failNext('StartContainer', GRPC_CODE.UNKNOWN, 'exec: "nope": executable file not found');
      const result = await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      assert.deepEqual(result.errors.map((e) => e.reason), ['RunContainerError']);
      assert.equal(isBackoffOnly(result), false);
    });
  });

  describe('syncPod for a pod already running', () => {
    it('issues no CRI call when every container runs', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const status = await statusOf(h, webPod());
      h.fake.clearCalls();
      noErrors(await h.manager.syncPod(webPod(), status));
      assert.deepEqual(h.fake.callNames(), []);
    });

    it('restarts an exited container with attempt = restartCount + 1 in the same sandbox, without a new sandbox', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      h.fake.exitContainer(runningContainerId(h, 'app'), 1);
      h.fake.clearCalls();
      noErrors(await h.manager.syncPod(webPod(), await statusOf(h, webPod())));
      assert.deepEqual(h.fake.callNames().filter((n) => !['ListPodSandbox', 'PodSandboxStatus', 'ListContainers', 'ContainerStatus'].includes(n)), ['ImageStatus', 'CreateContainer', 'StartContainer']);
      const [config] = containerConfigs(h);
      assert.equal(config.metadata?.attempt, 1);
      assert.equal(config.annotations?.['io.kubernetes.container.restartCount'], '1');
      assert.equal(config.log_path, 'app/1.log');
      assert.equal(h.fake.callsOf('CreateContainer')[0].args[0], h.fake.sandboxes()[0].id);
    });
  });

  describe('crash-loop back-off', () => {
    /** Makes the newest `app` container exit after `runMs`, then syncs with a fresh status. */
    async function crashAndSync(runMs: number): Promise<SyncResult> {
      h.clock.step(runMs);
      h.fake.exitContainer(runningContainerId(h, 'app'), 1);
      return h.manager.syncPod(webPod(), await statusOf(h, webPod()));
    }
    async function retry(afterMs: number): Promise<SyncResult> {
      h.clock.step(afterMs);
      return h.manager.syncPod(webPod(), await statusOf(h, webPod()));
    }
    const creates = () => h.fake.callsOf('CreateContainer').length;

    beforeEach(async () => {
      noErrors(await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop')));
    });

    it('restarts the first crash at once', async () => {
      noErrors(await crashAndSync(1_000));
      assert.equal(creates(), 2);
    });

    it('refuses the second quick restart with CrashLoopBackOff and a "back-off 10s" message', async () => {
      await crashAndSync(1_000);
      const refused = await crashAndSync(1_000);
      assert.deepEqual(refused.errors, [{
        action: 'StartContainer',
        target: 'app',
        reason: 'CrashLoopBackOff',
        message: `back-off 10s restarting failed container=app pod=web_shop(${UID})`,
      }]);
      assert.equal(isBackoffOnly(refused), true);
      assert.equal(creates(), 2, 'no CreateContainer while backing off');
    });

    it('allows the restart once 10s have passed since the container finished, then backs off 20s', async () => {
      await crashAndSync(1_000);
      await crashAndSync(1_000);
      assert.equal((await retry(9_999)).errors[0]?.reason, 'CrashLoopBackOff', 'still inside the 10s window');
      noErrors(await retry(1));
      assert.equal(creates(), 3);
      assert.equal(containerConfigs(h)[2].metadata?.attempt, 2);

      const again = await crashAndSync(1_000);
      assert.equal(again.errors[0]?.message, `back-off 20s restarting failed container=app pod=web_shop(${UID})`);
      assert.equal((await retry(19_999)).errors[0]?.reason, 'CrashLoopBackOff');
      noErrors(await retry(1));
      assert.equal(creates(), 4);
    });

    it('keeps the back-off per container: another pod restarts at once', async () => {
      await crashAndSync(1_000);
      await crashAndSync(1_000);
      const other = webPod({ name: 'other', uid: 'other-uid' });
      await h.manager.syncPod(other, emptyPodStatus('other-uid', 'other', 'shop'));
      const otherId = h.fake.containers().find((c) => c.labels['io.kubernetes.pod.uid'] === 'other-uid' && c.state === 'CONTAINER_RUNNING')!.id;
      h.fake.exitContainer(otherId, 1);
      noErrors(await h.manager.syncPod(other, await statusOf(h, other)));
    });
  });

  describe('killPod', () => {
    it('stops every running container with the grace period, then the sandbox', async () => {
      const pod = webPod({ containers: [container('app', { image: IMAGE }), container('sidecar', { image: IMAGE })] });
      await h.manager.syncPod(pod, emptyPodStatus(UID, 'web', 'shop'));
      const status = await statusOf(h, pod);
      h.fake.clearCalls();
      noErrors(await h.manager.killPod(pod, status, 7));
      assert.deepEqual(h.fake.callNames(), ['StopContainer', 'StopContainer', 'StopPodSandbox']);
      const stops = h.fake.callsOf('StopContainer');
      assert.deepEqual(new Set(stops.map((c) => c.args[0])), new Set(status.containerStatuses.map((c) => c.id)));
      assert.deepEqual(stops.map((c) => c.args[1]), [7, 7]);
      assert.deepEqual(h.fake.callsOf('StopPodSandbox')[0].args, [status.sandboxStatuses[0].id]);
      assert.deepEqual(h.fake.containers().map((c) => c.state), ['CONTAINER_EXITED', 'CONTAINER_EXITED']);
      assert.equal(h.fake.sandboxes()[0].state, 'SANDBOX_NOTREADY');
    });

    it('does not stop containers that already exited', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      h.fake.exitContainer(runningContainerId(h, 'app'), 0);
      const status = await statusOf(h, webPod());
      h.fake.clearCalls();
      await h.manager.killPod(webPod(), status, 30);
      assert.deepEqual(h.fake.callNames(), ['StopPodSandbox']);
    });

    it('stops only running containers: created, exited and unknown ones are left to the runtime (ConvertPodStatusToRunningPod)', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const status = await statusOf(h, webPod());
      const running = status.containerStatuses.map((c) => c.id);
      const withOthers: PodStatus = {
        ...status,
        containerStatuses: [...status.containerStatuses, containerStatus('init', 'created', { id: 'created-id' }), containerStatus('old', 'unknown', { id: 'unknown-id' }), containerStatus('done', 'exited', { id: 'exited-id' })],
      };
      h.fake.clearCalls();
      noErrors(await h.manager.killPod(webPod(), withOthers, 30));
      assert.deepEqual(h.fake.callsOf('StopContainer').map((c) => c.args[0]), running);
    });

    it('stops every sandbox of the pod, the dead one too, after the containers', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const old = h.fake.sandboxes()[0].id;
      h.fake.makeSandboxNotReady(old);
      h.fake.exitContainer(runningContainerId(h, 'app'), 137);
      await h.manager.syncPod(webPod(), await statusOf(h, webPod()));
      const status = await statusOf(h, webPod());
      assert.equal(status.sandboxStatuses.length, 2);
      h.fake.clearCalls();
      noErrors(await h.manager.killPod(webPod(), status, 30));
      assert.deepEqual(h.fake.callNames(), ['StopContainer', 'StopPodSandbox', 'StopPodSandbox']);
      assert.deepEqual(new Set(h.fake.callsOf('StopPodSandbox').map((c) => c.args[0])), new Set(status.sandboxStatuses.map((s) => s.id)));
    });

    it('collects a StopContainer failure as KillError and still stops the sandbox', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const status = await statusOf(h, webPod());
      h.fake.failNext('StopContainer', GRPC_CODE.DEADLINE_EXCEEDED, 'context deadline exceeded');
      const result = await h.manager.killPod(webPod(), status, 30);
      assert.deepEqual(result.errors.map((e) => [e.action, e.target, e.reason]), [['KillContainer', 'app', 'KillError']]);
      assert.equal(h.fake.callsOf('StopPodSandbox').length, 1);
    });

    it('never gives StopContainer less than the 2 s minimal shutdown window (minimumGracePeriodInSeconds)', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const status = await statusOf(h, webPod());
      h.fake.clearCalls();
      noErrors(await h.manager.killPod(webPod(), status, 1));
      assert.deepEqual(h.fake.callsOf('StopContainer').map((c) => c.args[1]), [2]);
    });

    it('treats NotFound from StopContainer and StopPodSandbox as already stopped (crierror.IsNotFound)', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const status = await statusOf(h, webPod());
      h.fake.failNext('StopContainer', GRPC_CODE.NOT_FOUND, 'container not found');
      h.fake.failNext('StopPodSandbox', GRPC_CODE.NOT_FOUND, 'sandbox not found');
      noErrors(await h.manager.killPod(webPod(), status, 30));
    });
  });

  describe('killRunningPod (a pod known only from the runtime)', () => {
    it('stops the listed running containers, then each listed sandbox, from the listing alone', async () => {
      await h.manager.syncPod(webPod({ containers: [container('app', { image: IMAGE }), container('sidecar', { image: IMAGE })] }), emptyPodStatus(UID, 'web', 'shop'));
      const [running] = await h.manager.getPods(false);
      h.fake.clearCalls();
      noErrors(await h.manager.killRunningPod(running, 1));
      assert.deepEqual(h.fake.callNames(), ['StopContainer', 'StopContainer', 'StopPodSandbox']);
      assert.deepEqual(h.fake.callsOf('StopContainer').map((c) => c.args[1]), [2, 2]);
      assert.ok(h.fake.containers().every((c) => c.state === 'CONTAINER_EXITED'));
      assert.equal(h.fake.sandboxes()[0].state, 'SANDBOX_NOTREADY');
    });

    it('turns the runtime pod into a v1 Pod with only its identity and container names and images (ToAPIPod)', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const [running] = await h.manager.getPods(false);
      const pod = runtimePodToApiPod(running);
      assert.deepEqual(pod.metadata, { name: 'web', namespace: 'shop', uid: UID, labels: {}, annotations: {} });
      assert.deepEqual(pod.spec.containers.map((c) => [c.name, c.image]), [['app', IMAGE]]);
    });
  });

  describe('syncPod when the sandbox died', () => {
    it('creates a new sandbox with attempt 1', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const old = h.fake.sandboxes()[0].id;
      h.fake.makeSandboxNotReady(old);
      h.fake.exitContainer(runningContainerId(h, 'app'), 137);
      h.fake.clearCalls();
      await h.manager.syncPod(webPod(), await statusOf(h, webPod()));
      const runs = h.fake.callsOf('RunPodSandbox');
      assert.equal(runs.length, 1);
      assert.equal((runs[0].args[0] as PodSandboxConfig).metadata?.attempt, 1);
    });

    it('kills the old pod (running containers, then the old sandbox) before RunPodSandbox', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const old = h.fake.sandboxes()[0].id;
      const running = runningContainerId(h, 'app');
      h.fake.makeSandboxNotReady(old);
      const status = await statusOf(h, webPod());
      h.fake.clearCalls();
      await h.manager.syncPod(webPod(), status);
      const names = h.fake.callNames();
      assert.deepEqual(names.slice(0, 3), ['StopContainer', 'StopPodSandbox', 'RunPodSandbox']);
      assert.equal(h.fake.callsOf('StopContainer')[0].args[0], running);
      assert.deepEqual(h.fake.callsOf('StopPodSandbox')[0].args, [old]);
    });
  });

  describe('getPodStatus', () => {
    it('issues ListPodSandbox, PodSandboxStatus, ListContainers, ContainerStatus filtered by the pod UID label', async () => {
      const pod = webPod();
      await h.manager.syncPod(pod, emptyPodStatus(UID, 'web', 'shop'));
      await h.manager.syncPod(webPod({ name: 'other', uid: 'other-uid' }), emptyPodStatus('other-uid', 'other', 'shop'));
      h.fake.clearCalls();
      await statusOf(h, pod);
      const byUid = { label_selector: { 'io.kubernetes.pod.uid': UID } };
      const mine = h.fake.sandboxes().find((s) => s.metadata?.uid === UID)!;
      const myContainer = h.fake.containers().find((c) => c.labels['io.kubernetes.pod.uid'] === UID)!;
      assert.deepEqual(h.fake.calls.map((c) => [c.method, ...c.args]), [
        ['ListPodSandbox', byUid],
        ['PodSandboxStatus', mine.id, false],
        ['ListContainers', byUid],
        ['ContainerStatus', myContainer.id, false],
      ]);
    });

    it('maps the CRI statuses into the PodStatus the kubelet caches', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      const createdMs = h.clock.nowMs();
      h.clock.step(5_000);
      h.fake.exitContainer(runningContainerId(h, 'app'), 3, 'Error', 'boom');
      const status = await statusOf(h, webPod());
      assert.deepEqual({ uid: status.uid, name: status.name, namespace: status.namespace }, { uid: UID, name: 'web', namespace: 'shop' });
      assert.equal(status.sandboxStatuses.length, 1);
      const [sb] = status.sandboxStatuses;
      assert.deepEqual({ ready: sb.ready, attempt: sb.attempt, hostNetwork: sb.hostNetwork, createdAtMs: sb.createdAtMs }, { ready: true, attempt: 0, hostNetwork: false, createdAtMs: createdMs });
      assert.match(sb.ip, /^10\.88\.0\.\d+$/);
      const [c] = status.containerStatuses;
      assert.deepEqual(
        { name: c.name, state: c.state, exitCode: c.exitCode, reason: c.reason, message: c.message, restartCount: c.restartCount, startedAtMs: c.startedAtMs, finishedAtMs: c.finishedAtMs, image: c.image },
        { name: 'app', state: 'exited', exitCode: 3, reason: 'Error', message: 'boom', restartCount: 0, startedAtMs: createdMs, finishedAtMs: createdMs + 5_000, image: IMAGE },
      );
      assert.equal(c.imageRef, h.fake.resolveImage(IMAGE));
    });

    it('lists containers newest first, so the latest attempt of a name comes first', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      h.clock.step(1_000);
      h.fake.exitContainer(runningContainerId(h, 'app'), 1);
      await h.manager.syncPod(webPod(), await statusOf(h, webPod()));
      const status = await statusOf(h, webPod());
      assert.deepEqual(status.containerStatuses.map((c) => [c.state, c.restartCount]), [['running', 1], ['exited', 0]]);
    });

    it('returns an empty status for a pod the runtime does not know', async () => {
      const status = await h.manager.getPodStatus('nobody', 'ghost', 'default');
      assert.deepEqual(status, { uid: 'nobody', name: 'ghost', namespace: 'default', sandboxStatuses: [], containerStatuses: [] });
    });
  });

  describe('getPods', () => {
    it('groups every sandbox and container of the runtime by pod UID', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      await h.manager.syncPod(webPod({ name: 'other', uid: 'other-uid' }), emptyPodStatus('other-uid', 'other', 'shop'));
      const pods = await h.manager.getPods();
      assert.deepEqual(pods.map((p) => [p.uid, p.name, p.namespace, p.sandboxes.length, p.containers.map((c) => [c.name, c.state])]).sort(), [
        [UID, 'web', 'shop', 1, [['app', 'running']]],
        ['other-uid', 'other', 'shop', 1, [['app', 'running']]],
      ].sort());
    });

    it('with all=false asks only for ready sandboxes and running containers, with a state filter on each list', async () => {
      await h.manager.syncPod(webPod(), emptyPodStatus(UID, 'web', 'shop'));
      await h.manager.syncPod(webPod({ name: 'other', uid: 'other-uid' }), emptyPodStatus('other-uid', 'other', 'shop'));
      const otherSandbox = h.fake.sandboxes().find((s) => s.metadata?.uid === 'other-uid')!.id;
      await h.fake.stopPodSandbox(otherSandbox);
      h.fake.clearCalls();
      const pods = await h.manager.getPods(false);
      assert.deepEqual(h.fake.calls.map((c) => [c.method, c.args]), [
        ['ListPodSandbox', [{ state: { state: 'SANDBOX_READY' } }]],
        ['ListContainers', [{ state: { state: 'CONTAINER_RUNNING' } }]],
      ]);
      assert.deepEqual(pods.map((p) => p.uid), [UID]);
    });
  });
});
