/**
 * The seccomp profile the kubelet puts in CreateContainer (kuberuntime/helpers.go getSeccompProfile,
 * fieldSeccompProfile; security_context.go determineEffectiveSecurityContext): the container's
 * securityContext.seccompProfile, else the pod's, else RuntimeDefault only with `seccompDefault: true` and
 * Unconfined by default. The sandbox is always RuntimeDefault (kuberuntime_sandbox.go). Seen against a real
 * CRI-O 1.32: kubelet-sim sent RuntimeDefault to every container where a kubelet with default config sends
 * Unconfined.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { loadKubeletConfigData } from '../../../kubelet-sim/src/config';
import { FakeOS } from '../../../kubelet-sim/src/container/os-interface';
import { emptyPodStatus } from '../../../kubelet-sim/src/container/pod-status';
import { ImageManager } from '../../../kubelet-sim/src/images/image-manager';
import { generateContainerConfig, SECCOMP_PROFILE_ROOT } from '../../../kubelet-sim/src/kuberuntime/container-config';
import { KubeRuntimeManager } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import { generatePodSandboxConfig } from '../../../kubelet-sim/src/kuberuntime/sandbox-config';
import { parsePodManifest } from '../../../kubelet-sim/src/pod-sources/pod-manifest';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import { FakeRuntimeService } from '../../helpers/fake-runtime-service';
import { container, MANAGER_OPTIONS, makePod, POD_UID } from '../fixtures';

const HEADER = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';
const IMAGE = 'sha256:' + 'ab'.repeat(32);

function seccompOf(pod = makePod(), spec = pod.spec.containers[0]!, seccompDefault?: boolean) {
  return generateContainerConfig(pod, spec, 0, IMAGE, { seccompDefault }).linux?.security_context?.seccomp;
}

describe('container seccomp profile', () => {
  it('is Unconfined when neither pod nor container sets one and seccompDefault is off (the kubelet default)', () => {
    assert.deepEqual(seccompOf(), { profile_type: 'Unconfined' });
    assert.deepEqual(seccompOf(makePod(), undefined, false), { profile_type: 'Unconfined' });
  });

  it('is RuntimeDefault with seccompDefault: true', () => {
    assert.deepEqual(seccompOf(makePod(), undefined, true), { profile_type: 'RuntimeDefault' });
  });

  it('takes the container field over the pod field, and the pod field over seccompDefault', () => {
    const pod = makePod({ containers: [container('app', { seccompProfile: { type: 'Unconfined' } }), container('side')] });
    pod.spec.seccompProfile = { type: 'RuntimeDefault' };
    assert.deepEqual(seccompOf(pod, pod.spec.containers[0], true), { profile_type: 'Unconfined' });
    assert.deepEqual(seccompOf(pod, pod.spec.containers[1], false), { profile_type: 'RuntimeDefault' });
  });

  it('resolves a Localhost profile under the kubelet seccomp root and refuses one without localhostProfile', () => {
    const pod = makePod({ containers: [container('app', { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' } })] });
    assert.deepEqual(seccompOf(pod), { profile_type: 'Localhost', localhost_ref: `${SECCOMP_PROFILE_ROOT}/profiles/audit.json` });
    const bad = makePod({ containers: [container('app', { seccompProfile: { type: 'Localhost' } })] });
    assert.throws(() => seccompOf(bad), /^Error: localhostProfile must be set if seccompProfile type is Localhost\.$/);
  });

  it('leaves the sandbox at RuntimeDefault whatever the containers get', () => {
    const sandbox = generatePodSandboxConfig(makePod(), 0, MANAGER_OPTIONS);
    assert.deepEqual(sandbox.linux?.security_context?.seccomp, { profile_type: 'RuntimeDefault' });
  });

  it('reads securityContext.seccompProfile of the pod and of each container from a manifest', () => {
    const { parsed } = parsePodManifest(
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n' +
        '  containers:\n  - name: app\n    image: nginx:1.27\n    securityContext:\n      seccompProfile:\n        type: Localhost\n        localhostProfile: p.json\n' +
        '  - name: side\n    image: busybox:1.37\n',
    );
    assert.equal(parsed.errors, undefined);
    assert.deepEqual(parsed.pod?.spec.seccompProfile, { type: 'RuntimeDefault' });
    assert.deepEqual(parsed.pod?.spec.containers[0]?.seccompProfile, { type: 'Localhost', localhostProfile: 'p.json' });
    assert.equal(parsed.pod?.spec.containers[1]?.seccompProfile, undefined);
  });

  it('reads seccompDefault from the KubeletConfiguration, false when absent', () => {
    assert.equal(loadKubeletConfigData(HEADER, { path: '/k.yaml' }).config.seccompDefault, false);
    assert.equal(loadKubeletConfigData(`${HEADER}seccompDefault: true\n`, { path: '/k.yaml' }).config.seccompDefault, true);
  });

  describe('through syncPod', () => {
    let fake: FakeRuntimeService;
    let clock: FakeClock;
    beforeEach(() => {
      clock = new FakeClock();
      fake = new FakeRuntimeService({ clock });
    });
    const manager = (seccompDefault?: boolean) =>
      new KubeRuntimeManager(fake, new ImageManager(fake, { serializeImagePulls: true, maxParallelImagePulls: 0 }, clock), { ...MANAGER_OPTIONS, os: new FakeOS(), seccompDefault }, clock);
    const sentProfiles = () =>
      fake.callsOf('CreateContainer').map((c) => (c.args[1] as { linux?: { security_context?: { seccomp?: unknown } } }).linux?.security_context?.seccomp);

    it('sends Unconfined by default and RuntimeDefault with seccompDefault', async () => {
      await manager().syncPod(makePod(), emptyPodStatus(POD_UID, 'web', 'default'));
      await manager(true).syncPod(makePod({ name: 'api', uid: 'c0ffee00-0000-4000-8000-000000000001' }), emptyPodStatus('c0ffee00-0000-4000-8000-000000000001', 'api', 'default'));
      assert.deepEqual(sentProfiles(), [{ profile_type: 'Unconfined' }, { profile_type: 'RuntimeDefault' }]);
    });

    it('fails a Localhost profile without localhostProfile as CreateContainerConfigError, without calling CreateContainer', async () => {
      const pod = makePod({ containers: [container('app', { seccompProfile: { type: 'Localhost' } })] });
      const result = await manager().syncPod(pod, emptyPodStatus(POD_UID, 'web', 'default'));
      assert.equal(result.errors[0]?.reason, 'CreateContainerConfigError');
      assert.equal(fake.callsOf('CreateContainer').length, 0);
    });
  });
});
