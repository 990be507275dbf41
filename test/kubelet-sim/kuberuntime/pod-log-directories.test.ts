/**
 * The kubelet makes and removes the pods' log directories itself (kuberuntime_sandbox.go createPodSandbox,
 * kuberuntime_container.go generateContainerConfig / removeContainerLog, kuberuntime_gc.go
 * evictPodLogsDirectories): CRI-O fails CreateContainer when they are missing.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FakeOS } from '../../../kubelet-sim/src/container/os-interface';
import { emptyPodStatus } from '../../../kubelet-sim/src/container/pod-status';
import { ImageManager } from '../../../kubelet-sim/src/images/image-manager';
import { ContainerGC } from '../../../kubelet-sim/src/kuberuntime/container-gc';
import { KubeRuntimeManager, LOG_DIRECTORY_MODE } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import { FakeRuntimeService } from '../../helpers/fake-runtime-service';
import { container, MANAGER_OPTIONS, makePod, memoryTracer } from '../fixtures';

const UID = '0b8f3a2e-6f0c-4a55-9a52-2d9c1f3d7e10';
const POD_DIR = `/var/log/pods/shop_web_${UID}`;

describe('pod log directories', () => {
  let os: FakeOS;
  let fake: FakeRuntimeService;
  let manager: KubeRuntimeManager;
  let clock: FakeClock;
  const pod = makePod({ name: 'web', namespace: 'shop', uid: UID, containers: [container('app'), container('sidecar')] });

  beforeEach(() => {
    clock = new FakeClock();
    os = new FakeOS();
    fake = new FakeRuntimeService({ clock });
    const images = new ImageManager(fake, { serializeImagePulls: true, maxParallelImagePulls: 0 }, clock);
    manager = new KubeRuntimeManager(fake, images, { ...MANAGER_OPTIONS, os }, clock);
  });

  it('creates <podLogsDir>/<namespace>_<name>_<uid> before RunPodSandbox and <...>/<container> before each CreateContainer, mode 0755', async () => {
    const seen: string[] = [];
    const mkdirAll = os.mkdirAll.bind(os);
    os.mkdirAll = (dir, mode) => {
      seen.push(`${dir} before ${fake.callsOf('RunPodSandbox').length} RunPodSandbox, ${fake.callsOf('CreateContainer').length} CreateContainer`);
      mkdirAll(dir, mode);
    };
    await manager.syncPod(pod, emptyPodStatus(UID, 'web', 'shop'));
    assert.deepEqual(seen, [
      `${POD_DIR} before 0 RunPodSandbox, 0 CreateContainer`,
      `${POD_DIR}/app before 1 RunPodSandbox, 0 CreateContainer`,
      `${POD_DIR}/sidecar before 1 RunPodSandbox, 1 CreateContainer`,
    ]);
    assert.equal(os.dirs.get(`${POD_DIR}/app`), LOG_DIRECTORY_MODE);
  });

  it('fails the sandbox with the kubelet message when the pod log directory cannot be made, and calls no runtime', async () => {
    os.failMkdirUnder = '/var/log/pods';
    const result = await manager.syncPod(pod, emptyPodStatus(UID, 'web', 'shop'));
    assert.equal(result.errors[0]?.reason, 'CreatePodSandboxError');
    assert.match(result.errors[0]?.message ?? '', /^Failed to create log directory for pod "web_shop\(0b8f3a2e.*\)": mkdir .*: permission denied$/);
    assert.equal(fake.callsOf('RunPodSandbox').length, 0);
  });

  it('removes a container\'s log files (rotated ones too) after two ContainerStatus calls, before RemoveContainer', async () => {
    await manager.syncPod(pod, emptyPodStatus(UID, 'web', 'shop'));
    const [id] = fake.callsOf('StartContainer').map((c) => c.args[0] as string);
    const log = `${POD_DIR}/app/0.log`;
    os.files.add(log).add(`${log}.20261204-101500`).add(`${log}.20261204-101500.gz`).add(`${POD_DIR}/app/1.log`);
    fake.exitContainer(id!, 0);
    fake.clearCalls();
    await manager.removeContainer(id!);
    assert.deepEqual(fake.callNames(), ['ContainerStatus', 'ContainerStatus', 'RemoveContainer']);
    assert.deepEqual([...os.files], [`${POD_DIR}/app/1.log`]);
  });

  it('lets container GC remove the log directories of pods that are gone, once all sources are ready', async () => {
    os.mkdirAll(POD_DIR, LOG_DIRECTORY_MODE);
    os.mkdirAll('/var/log/pods/shop_kept_uid-kept', LOG_DIRECTORY_MODE);
    const gc = new ContainerGC(manager, { shouldPodContentBeRemoved: (uid) => uid === UID }, memoryTracer().tracer, clock);
    await gc.garbageCollect(false);
    assert.deepEqual(os.readDir('/var/log/pods'), ['shop_kept_uid-kept', `shop_web_${UID}`]);
    await gc.garbageCollect(true);
    assert.deepEqual(os.readDir('/var/log/pods'), ['shop_kept_uid-kept']);
  });
});
