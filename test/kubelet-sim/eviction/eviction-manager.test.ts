import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { EVICTION_MONITORING_PERIOD_MS, EvictionManager } from '../../../kubelet-sim/src/eviction/eviction-manager';
import { CadvisorStatsProvider } from '../../../kubelet-sim/src/stats/cadvisor-stats-provider';
import { CriStatsProvider } from '../../../kubelet-sim/src/stats/cri-stats-provider';
import { StatsProvider } from '../../../kubelet-sim/src/stats/stats-provider';
import type { Logger } from '../../../kubelet-sim/src/util/logger';
import { FakeRuntimeService, GRPC_CODE } from '../../helpers/fake-runtime-service';

/* pkg/kubelet/eviction/eviction_manager.go synchronize with the summary of server/stats/summary.go. */

describe('EvictionManager', () => {
  let fake: FakeRuntimeService;
  let errors: string[];
  let log: Logger;

  beforeEach(() => {
    fake = new FakeRuntimeService();
    errors = [];
    log = { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) };
  });

  it('monitors every 10 s (kubelet.go evictionMonitoringPeriod)', () => {
    assert.equal(EVICTION_MONITORING_PERIOD_MS, 10_000);
  });

  describe('synchronize with the CRI stats provider', () => {
    const manager = (): EvictionManager => new EvictionManager(new StatsProvider(new CriStatsProvider(fake, fake, false)), log);

    it('first detects a dedicated image filesystem (two ImageFsInfo), then reads the summary: ImageFsInfo, ListContainers, ListPodSandbox, ListContainerStats', async () => {
      await manager().synchronize();
      assert.deepEqual(fake.callNames(), ['ImageFsInfo', 'ImageFsInfo', 'ImageFsInfo', 'ListContainers', 'ListPodSandbox', 'ListContainerStats']);
    });

    it('reads only the summary on later passes', async () => {
      const m = manager();
      await m.synchronize();
      fake.clearCalls();
      await m.synchronize();
      assert.deepEqual(fake.callNames(), ['ImageFsInfo', 'ListContainers', 'ListPodSandbox', 'ListContainerStats']);
      assert.equal(m.hasDedicatedImageFs, false);
    });

    it('tries the image filesystem detection again on the next pass after it failed', async () => {
      const m = manager();
      fake.failNext('ImageFsInfo', GRPC_CODE.UNAVAILABLE, 'starting');
      await m.synchronize();
      assert.deepEqual(fake.callNames(), ['ImageFsInfo']);
      assert.match(errors[0], /Eviction manager: failed to get HasDedicatedImageFs/);
      fake.clearCalls();
      await m.synchronize();
      assert.deepEqual(fake.callNames().slice(0, 2), ['ImageFsInfo', 'ImageFsInfo']);
    });

    it('reports a failed summary and makes no further call in that pass', async () => {
      const m = manager();
      await m.synchronize();
      fake.clearCalls();
      fake.failNext('ListContainers', GRPC_CODE.UNAVAILABLE, 'down');
      await m.synchronize();
      assert.deepEqual(fake.callNames(), ['ImageFsInfo', 'ListContainers']);
      assert.match(errors[0], /Eviction manager: failed to get summary stats/);
    });
  });

  describe('synchronize with the cAdvisor stats provider (CRI-O on its own socket)', () => {
    it('asks only ImageFsInfo: twice on the first pass, once after', async () => {
      const m = new EvictionManager(new StatsProvider(new CadvisorStatsProvider(fake, true)), log);
      await m.synchronize();
      await m.synchronize();
      assert.deepEqual(fake.callNames(), ['ImageFsInfo', 'ImageFsInfo', 'ImageFsInfo']);
    });
  });
});
