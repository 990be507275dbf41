import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { CadvisorStatsProvider } from '../../../kubelet-sim/src/stats/cadvisor-stats-provider';
import { CriStatsProvider } from '../../../kubelet-sim/src/stats/cri-stats-provider';
import { StatsProvider, statsProviderKindFor } from '../../../kubelet-sim/src/stats/stats-provider';
import { FakeRuntimeService, GRPC_CODE } from '../../helpers/fake-runtime-service';

/* pkg/kubelet/stats: which provider a kubelet builds, and the CRI calls each one makes. */

describe('statsProviderKindFor (cadvisor.UsingLegacyCadvisorStats)', () => {
  it('picks cAdvisor for CRI-O\'s socket, whichever spelling of /run', () => {
    assert.equal(statsProviderKindFor('unix:///var/run/crio/crio.sock', false), 'cadvisor');
    assert.equal(statsProviderKindFor('unix:///run/crio/crio.sock', false), 'cadvisor');
  });
  it('picks CRI for containerd and for any other socket, a CRI-O on a temp socket included', () => {
    assert.equal(statsProviderKindFor('unix:///run/containerd/containerd.sock', false), 'cri');
    assert.equal(statsProviderKindFor('unix:///tmp/sim/runtime.sock', false), 'cri');
  });
  it('picks CRI for every endpoint with PodAndContainerStatsFromCRI on', () => {
    assert.equal(statsProviderKindFor('unix:///var/run/crio/crio.sock', true), 'cri');
  });
});

describe('CriStatsProvider', () => {
  let fake: FakeRuntimeService;
  beforeEach(() => {
    fake = new FakeRuntimeService();
  });

  it('lists pod stats: ListContainers, ListPodSandbox, ListContainerStats, each with an empty filter', async () => {
    await new CriStatsProvider(fake, fake, false).listPodStatsAndUpdateCpuNanoCoreUsage();
    assert.deepEqual(fake.calls.map((c) => [c.method, c.args]), [['ListContainers', [{}]], ['ListPodSandbox', [{}]], ['ListContainerStats', [{}]]]);
  });

  it('asks ListPodSandboxStats instead with PodAndContainerStatsFromCRI', async () => {
    await new CriStatsProvider(fake, fake, true).listPodStatsAndUpdateCpuNanoCoreUsage();
    assert.deepEqual(fake.callNames(), ['ListContainers', 'ListPodSandbox', 'ListPodSandboxStats']);
  });

  it('falls back to ListContainerStats when the runtime does not implement ListPodSandboxStats', async () => {
    fake.failNext('ListPodSandboxStats', GRPC_CODE.UNIMPLEMENTED, 'unknown method ListPodSandboxStats');
    await new CriStatsProvider(fake, fake, true).listPodStatsAndUpdateCpuNanoCoreUsage();
    assert.deepEqual(fake.callNames(), ['ListContainers', 'ListPodSandbox', 'ListPodSandboxStats', 'ListContainerStats']);
  });

  it('fails on any other ListPodSandboxStats error', async () => {
    fake.failNext('ListPodSandboxStats', GRPC_CODE.UNAVAILABLE, 'down');
    await assert.rejects(new CriStatsProvider(fake, fake, true).listPodStatsAndUpdateCpuNanoCoreUsage(), /down/);
  });

  it('reads ImageFsStats and ImageFsDevice from ImageFsInfo', async () => {
    const provider = new CriStatsProvider(fake, fake, false);
    await provider.imageFsStats();
    await provider.imageFsDevice();
    assert.deepEqual(fake.callNames(), ['ImageFsInfo', 'ImageFsInfo']);
  });
});

describe('CadvisorStatsProvider', () => {
  let fake: FakeRuntimeService;
  beforeEach(() => {
    fake = new FakeRuntimeService();
  });

  it('makes no CRI call for pod stats or the image filesystem device', async () => {
    const provider = new CadvisorStatsProvider(fake, true);
    assert.deepEqual(await provider.listPodStatsAndUpdateCpuNanoCoreUsage(), []);
    await provider.imageFsDevice();
    assert.deepEqual(fake.callNames(), []);
  });

  it('asks ImageFsInfo for ImageFsStats with KubeletSeparateDiskGC, ListImages (ImageStats) without', async () => {
    await new CadvisorStatsProvider(fake, true).imageFsStats();
    await new CadvisorStatsProvider(fake, false).imageFsStats();
    assert.deepEqual(fake.callNames(), ['ImageFsInfo', 'ListImages']);
  });
});

describe('StatsProvider.hasDedicatedImageFs', () => {
  it('with the image filesystem on the root device, compares image and container filesystems through ImageFsStats', async () => {
    const fake = new FakeRuntimeService();
    assert.equal(await new StatsProvider(new CriStatsProvider(fake, fake, false)).hasDedicatedImageFs(), false);
    assert.deepEqual(fake.callNames(), ['ImageFsInfo', 'ImageFsInfo']);
  });
  it('is true for an image filesystem on another device, without asking ImageFsStats', async () => {
    const fake = new FakeRuntimeService();
    assert.equal(await new StatsProvider(new CriStatsProvider(fake, fake, false), '/dev/sda1').hasDedicatedImageFs(), true);
    assert.deepEqual(fake.callNames(), ['ImageFsInfo']);
  });
});
