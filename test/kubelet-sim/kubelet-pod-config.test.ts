import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Pod } from '../../kubelet-sim/src/container/pod';
import type { KubeletSettings } from '../../kubelet-sim/src/kubelet';
import { Kubelet } from '../../kubelet-sim/src/kubelet';
import type { WorkloadTimers } from '../../kubelet-sim/src/pod-sources/churn-workload';
import { ChurnWorkload, churnPod, updatedChurnPod } from '../../kubelet-sim/src/pod-sources/churn-workload';
import { FakeClock } from '../../kubelet-sim/src/util/clock';
import type { Logger } from '../../kubelet-sim/src/util/logger';
import { FakeRuntimeService } from '../helpers/fake-runtime-service';
import { flush, kubeletSettings, memoryTracer } from './fixtures';
import type { MemoryTracer } from './fixtures';

/*
 * The kubelet's pod config handlers (kubelet.go HandlePodAdditions / HandlePodUpdates / HandlePodRemoves) as
 * the synthetic workload drives them: each sync lands under a syncPod span whose k8s.pod.update_type says why.
 */

const SETTINGS: KubeletSettings = kubeletSettings();

const SILENT: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('Kubelet pod config handlers', () => {
  let clock: FakeClock;
  let kubelet: Kubelet;
  let spans: MemoryTracer;

  beforeEach(() => {
    clock = new FakeClock();
    spans = memoryTracer();
    kubelet = new Kubelet(SETTINGS, new FakeRuntimeService({ clock }), () => spans.tracer, clock, SILENT);
  });

  afterEach(async () => {
    kubelet.podCache.updateTime(Number.MAX_SAFE_INTEGER);
    await kubelet.stop();
  });

  /** One PLEG relist by hand, a second later: the cache gets the runtime's view, newer than every sync so far. */
  async function relist(): Promise<void> {
    clock.step(1_000);
    await kubelet.pleg.relist();
    await flush(10);
  }

  function syncs(): Array<[name: string, pod: string, updateType: unknown]> {
    return spans.exporter.getFinishedSpans().map((s) => [s.name, String(s.attributes['k8s.pod.name']), s.attributes['k8s.pod.update_type']]);
  }

  it('turns add, in-place label update and delete into syncPod create, syncPod update, syncTerminatingPod', async () => {
    const pod: Pod = churnPod(1, 0, clock.nowMs());
    kubelet.addPod(pod);
    await relist();
    kubelet.updatePod(updatedChurnPod(pod));
    await relist();
    kubelet.deletePod(pod.metadata.uid);
    for (let i = 0; i < 3; i++) await relist();
    const name = pod.metadata.name;
    assert.deepEqual(syncs(), [['syncPod', name, 'create'], ['syncPod', name, 'update'], ['syncTerminatingPod', name, undefined], ['syncTerminatedPod', name, undefined]]);
  });

  it('ignores an update for a pod it does not know', async () => {
    kubelet.updatePod(churnPod(1, 3, clock.nowMs()));
    await relist();
    assert.deepEqual(syncs(), []);
  });

  it('runs a churn workload through the kubelet: every pod created, some updated, all terminated', async () => {
    const armed: Array<{ fn: () => void; delayMs: number }> = [];
    const timers: WorkloadTimers = { setTimeout: (fn, delayMs) => armed.push({ fn, delayMs }), clearTimeout: () => undefined };
    const workload = new ChurnWorkload({ pods: 6, podLifetimeMs: 4_000, creationRatePerSecond: 2, seed: 11 }, kubelet, clock, timers);
    workload.start();
    for (let guard = 0; guard < 100 && armed.length > 0; guard++) {
      const { fn, delayMs } = armed.shift()!;
      clock.step(delayMs);
      await kubelet.pleg.relist();
      fn();
      await flush(10);
    }
    for (let i = 0; i < 4; i++) await relist();
    const byType = (name: string, type?: string) => syncs().filter(([n, , t]) => n === name && (type === undefined || t === type)).length;
    assert.equal(byType('syncPod', 'create'), 6);
    assert.equal(byType('syncPod', 'update'), workload.stats.updated);
    assert.equal(byType('syncTerminatingPod'), 6);
    assert.equal(byType('syncTerminatedPod'), 6);
  });
});
