import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { everyPeriod, formatProgress } from '../../../kubelet-sim/src/cli/progress-line';

describe('formatProgress', () => {
  it('reports pods, syncs, churn and spans as klog key=value pairs', () => {
    assert.equal(
      formatProgress({ elapsedMs: 20_400, pods: 12, syncPod: 34, syncPodErrors: 1, syncTerminatingPod: 3, workload: { created: 10, updated: 2, deleted: 4 }, spans: { exported: 120, lost: 0 } }),
      '"Progress" elapsed="20s" pods=12 syncPod=34 syncPodErrors=1 syncTerminatingPod=3 churnCreated=10 churnUpdated=2 churnDeleted=4 spansExported=120 spansLost=0',
    );
  });

  it('says tracing is off and leaves churn out when there is none', () => {
    assert.equal(
      formatProgress({ elapsedMs: 70_000, pods: 3, syncPod: 9, syncPodErrors: 0, syncTerminatingPod: 0, workload: undefined, spans: undefined }),
      '"Progress" elapsed="1m10s" pods=3 syncPod=9 syncPodErrors=0 syncTerminatingPod=0 tracing=off',
    );
  });
});

describe('everyPeriod', () => {
  it('reports each period until stopped', (t) => {
    // Mocked timers: the count depends on the periods that passed, not on how loaded the machine is.
    t.mock.timers.enable({ apis: ['setInterval'] });
    let calls = 0;
    const stop = everyPeriod(() => calls++, 10);
    t.mock.timers.tick(35);
    assert.equal(calls, 3);
    stop();
    t.mock.timers.tick(50);
    assert.equal(calls, 3);
  });
});
