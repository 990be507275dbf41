import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeletMetrics } from '../../../kubelet-sim/src/metrics/kubelet-metrics';
import { FleetStats } from '../../../kubelet-sim/src/node/fleet-stats';

describe('FleetStats (fleet-wide PLEG relist intervals)', () => {
  it('collects every watched node\'s relist intervals, which the nodes\' metrics still record', async () => {
    const stats = new FleetStats();
    const a = new KubeletMetrics();
    const b = new KubeletMetrics();
    stats.watch(a);
    stats.watch(b);
    for (let i = 0; i < 98; i++) a.plegRelistInterval.observe(1.0);
    b.plegRelistInterval.observe(1.2);
    b.plegRelistInterval.observe(7.5);
    assert.equal(stats.relistSummary(), 'relists=100 relistIntervalP50=1000ms relistIntervalP99=1200ms relistIntervalMax=7500ms steadyRelists=100 steadyRelistIntervalP50=1000ms steadyRelistIntervalP99=1200ms steadyRelistIntervalMax=7500ms');
    const metric = (await a.plegRelistInterval.get()).values.find((v) => v.metricName === 'kubelet_pleg_relist_interval_seconds_count');
    assert.equal(metric?.value, 98);
  });

  it('reports the steady window apart from the start-up burst', () => {
    const stats = new FleetStats();
    stats.record(14_000);
    stats.startSteadyWindow();
    stats.record(1_010);
    stats.record(1_020);
    assert.match(stats.relistSummary(), /^relists=3 .*relistIntervalMax=14000ms steadyRelists=2 steadyRelistIntervalP50=1010ms steadyRelistIntervalP99=1020ms steadyRelistIntervalMax=1020ms$/);
  });

  it('prints its histograms for a launcher to merge, and says so when nothing was recorded', () => {
    const stats = new FleetStats();
    stats.record(14_000);
    stats.startSteadyWindow();
    stats.record(1_010);
    assert.equal(stats.relistHistograms(), 'relistBuckets=101:1,1400:1 steadyRelistBuckets=101:1');
    assert.equal(new FleetStats().relistHistograms(), 'relistBuckets=- steadyRelistBuckets=-');
    assert.equal(new FleetStats().relistSummary(), 'relists=0 steadyRelists=0');
  });
});
