// The fake the kubelet-sim unit tests stand on: its contract, checked once here so the other tests can trust it.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { CriCallError } from '../../kubelet-sim/src/cri/runtime-service';
import { generateContainerConfig } from '../../kubelet-sim/src/kuberuntime/container-config';
import { generatePodSandboxConfig } from '../../kubelet-sim/src/kuberuntime/sandbox-config';
import { FakeClock } from '../../kubelet-sim/src/util/clock';
import { FakeRuntimeService, GRPC_CODE } from '../helpers/fake-runtime-service';
import { MANAGER_OPTIONS, makePod } from './fixtures';

describe('FakeRuntimeService', () => {
  let clock: FakeClock;
  let fake: FakeRuntimeService;
  const pod = makePod({ name: 'web', uid: 'uid-web', annotations: { note: 'kept' } });
  const sandboxConfig = generatePodSandboxConfig(pod, 0, MANAGER_OPTIONS);

  beforeEach(() => {
    clock = new FakeClock(1_700_000_000_000);
    fake = new FakeRuntimeService({ clock });
  });

  async function runningContainer(): Promise<{ sandboxId: string; containerId: string }> {
    const sandboxId = await fake.runPodSandbox(sandboxConfig, 'runc');
    const imageRef = fake.addImage(pod.spec.containers[0].image);
    const containerId = await fake.createContainer(sandboxId, generateContainerConfig(pod, pod.spec.containers[0], 0, imageRef), sandboxConfig);
    await fake.startContainer(containerId);
    return { sandboxId, containerId };
  }

  it('records every call with its arguments, in order', async () => {
    await fake.version('v1');
    await fake.listPodSandbox({ label_selector: { a: 'b' } });
    assert.deepEqual(fake.calls, [
      { method: 'Version', args: ['v1'], activeSpanName: undefined },
      { method: 'ListPodSandbox', args: [{ label_selector: { a: 'b' } }], activeSpanName: undefined },
    ]);
  });

  it('gives 64-hex ids, CRI nanosecond timestamps from the clock, and keeps labels and annotations', async () => {
    const { sandboxId, containerId } = await runningContainer();
    assert.match(sandboxId, /^[0-9a-f]{64}$/);
    assert.match(containerId, /^[0-9a-f]{64}$/);
    const [sandbox] = await fake.listPodSandbox();
    assert.equal(sandbox.state, 'SANDBOX_READY');
    assert.equal(BigInt(sandbox.created_at) / 1_000_000n, 1_700_000_000_000n);
    assert.equal(sandbox.labels['io.kubernetes.pod.uid'], 'uid-web');
    assert.equal(sandbox.annotations.note, 'kept');
    const { status } = await fake.containerStatus(containerId, false);
    assert.equal(status?.state, 'CONTAINER_RUNNING');
    assert.equal(status?.annotations['io.kubernetes.container.restartCount'], '0');
    assert.equal(status?.log_path, `${sandboxConfig.log_directory}/app/0.log`);
    assert.ok(BigInt(status!.created_at) < BigInt(status!.started_at), 'same-millisecond events still order');
  });

  it('makes a container exit with a code, a reason and a finish time', async () => {
    const { containerId } = await runningContainer();
    clock.step(2_500);
    fake.exitContainer(containerId, 1);
    const { status } = await fake.containerStatus(containerId, false);
    assert.deepEqual([status?.state, status?.exit_code, status?.reason], ['CONTAINER_EXITED', 1, 'Error']);
    assert.equal(BigInt(status!.finished_at) / 1_000_000n, 1_700_000_002_500n);
  });

  it('fails the next call of a method once with the injected gRPC code, recording the error', async () => {
    fake.failNext('ListContainers', GRPC_CODE.UNAVAILABLE, 'runtime down');
    await assert.rejects(fake.listContainers(), (err: unknown) => err instanceof CriCallError && err.code === GRPC_CODE.UNAVAILABLE && err.message === 'rpc error: code = Unavailable desc = runtime down');
    assert.deepEqual(await fake.listContainers(), []);
    assert.ok(fake.calls[0].error);
    assert.equal(fake.calls[1].error, undefined);
  });

  it('fails every call of a method until the failures are cleared', async () => {
    fake.failAlways('Status', GRPC_CODE.DEADLINE_EXCEEDED);
    await assert.rejects(fake.status(false), /DeadlineExceeded/);
    await assert.rejects(fake.status(false), /DeadlineExceeded/);
    fake.clearFailures();
    assert.equal((await fake.status(false)).status?.conditions.every((c) => c.status), true);
  });

  it('answers NotFound for the status of an unknown container or sandbox, and is idempotent on stop/remove', async () => {
    await assert.rejects(fake.containerStatus('nope', false), (err: unknown) => (err as CriCallError).code === GRPC_CODE.NOT_FOUND);
    await assert.rejects(fake.podSandboxStatus('nope', false), (err: unknown) => (err as CriCallError).code === GRPC_CODE.NOT_FOUND);
    await fake.stopPodSandbox('nope');
    await fake.removePodSandbox('nope');
    await fake.removeContainer('nope');
  });

  it('stops the containers of a sandbox it stops, and removes them with it', async () => {
    const { sandboxId, containerId } = await runningContainer();
    await fake.stopPodSandbox(sandboxId);
    assert.equal((await fake.containerStatus(containerId, false)).status?.exit_code, 137);
    assert.equal(fake.sandboxes()[0].state, 'SANDBOX_NOTREADY');
    await fake.removePodSandbox(sandboxId);
    assert.deepEqual([fake.sandboxes(), fake.containers()], [[], []]);
  });

  it('filters listings by label selector, state and sandbox', async () => {
    const { sandboxId } = await runningContainer();
    assert.equal((await fake.listContainers({ label_selector: { 'io.kubernetes.pod.uid': 'uid-web' } })).length, 1);
    assert.equal((await fake.listContainers({ label_selector: { 'io.kubernetes.pod.uid': 'other' } })).length, 0);
    assert.equal((await fake.listContainers({ state: { state: 'CONTAINER_EXITED' } })).length, 0);
    assert.equal((await fake.listContainers({ pod_sandbox_id: sandboxId })).length, 1);
    assert.equal((await fake.listPodSandbox({ state: { state: 'SANDBOX_NOTREADY' } })).length, 0);
  });

  it('pulls images under sha256 ids, finds them by tag, id or :latest default, and sums their sizes in ImageFsInfo', async () => {
    const id = await fake.pullImage({ image: 'busybox:latest' }, sandboxConfig);
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal((await fake.imageStatus({ image: 'busybox' }, false)).image?.id, id);
    assert.equal((await fake.imageStatus({ image: id }, false)).image?.repo_tags[0], 'busybox:latest');
    assert.equal((await fake.imageStatus({ image: 'nginx:1' }, false)).image, null);
    fake.addImage('nginx:1', { size: 500 });
    const fs = await fake.imageFsInfo();
    assert.equal(fs.imageFilesystems[0].used_bytes?.value, String(1_000_000 + 500));
  });

  it('refuses to create a container whose image is not present', async () => {
    const sandboxId = await fake.runPodSandbox(sandboxConfig, '');
    await assert.rejects(fake.createContainer(sandboxId, generateContainerConfig(pod, pod.spec.containers[0], 0, 'sha256:' + '0'.repeat(64)), sandboxConfig), /NotFound/);
  });
});
