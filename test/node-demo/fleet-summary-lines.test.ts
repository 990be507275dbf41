import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyValues, mergeFleetSummaries, parseFleetSummaries } from '../../node-demo/src/fleet-summary-lines';

describe('parseFleetSummaries (the fleet processes\' exit summaries)', () => {
  it('reads per-node and fleet lines of both processes, ignoring other lines', () => {
    const log = [
      'I1204 07:35:51.1 123 kubelet-fleet.ts:78] "Fleet progress" pods=3',
      'kubelet-sim: node=node-0001 pods=30 syncPod=94 (errors 0) syncTerminatingPod=0 plegEvents=60 spansExported=5 spansLost=0',
      'kubelet-sim: fleet nodes=1 pods=30 syncPod=94 (errors 0) relistIntervalP99=1130ms spansDropped=0 unscopedSpans=0',
      'runtime-sim: node=node-0001 sandboxes=30 containers=30 spansExported=7 spansLost=0',
      'runtime-sim: fleet nodes=1 spansExported=7 spansLost=0 spansDropped=0 unscopedSpans=0',
    ].join('\n');
    const s = parseFleetSummaries(log);
    assert.deepEqual(s.kubeletNodes.get('node-0001'), { pods: '30', syncPod: '94', syncTerminatingPod: '0', plegEvents: '60', spansExported: '5', spansLost: '0' });
    assert.equal(s.kubeletFleet?.relistIntervalP99, '1130ms');
    assert.equal(s.runtimeNodes.get('node-0001')?.containers, '30');
    assert.equal(s.runtimeFleet?.spansExported, '7');
  });

  it('leaves the fleet summaries undefined when a process printed none (it failed)', () => {
    const s = parseFleetSummaries('runtime-sim: fatal: boom\n');
    assert.equal(s.kubeletFleet, undefined);
    assert.equal(s.runtimeFleet, undefined);
    assert.deepEqual(keyValues('a=1 (errors 0) b=x'), { a: '1', b: 'x' });
  });
});

describe('mergeFleetSummaries (a fleet run as several process pairs)', () => {
  const shard = (node: string, buckets: string, steadyBuckets: string, max: string, spans: string) =>
    parseFleetSummaries([
      `kubelet-sim: node=${node} pods=30 syncPod=90 spansExported=${spans}`,
      `kubelet-sim: fleet nodes=1 pods=30 syncPod=90 (errors 0) relists=3 relistIntervalP50=1000ms relistIntervalP99=1500ms relistIntervalMax=${max} steadyRelists=2 steadyRelistIntervalP99=1000ms relistBuckets=${buckets} steadyRelistBuckets=${steadyBuckets} spansExported=${spans} spansLost=0 spansDropped=0 unscopedSpans=0`,
      `runtime-sim: node=${node} spansExported=7`,
      'runtime-sim: fleet nodes=1 spansExported=7 spansLost=0 spansDropped=0 unscopedSpans=0',
    ].join('\n'));

  it('adds the counts, keeps every node, and takes the relist percentiles from the merged histograms', () => {
    const merged = mergeFleetSummaries([
      shard('node-0001', '100:2,150:1', '100:2', '1496ms', '5'),
      shard('node-0002', '100:1,200:2', '100:1,200:1', '1990ms', '6'),
    ]);
    assert.deepEqual([...merged.kubeletNodes.keys()], ['node-0001', 'node-0002']);
    assert.equal(merged.runtimeNodes.size, 2);
    assert.equal(merged.kubeletFleet?.nodes, '2');
    assert.equal(merged.kubeletFleet?.pods, '60');
    assert.equal(merged.kubeletFleet?.spansExported, '11');
    assert.equal(merged.kubeletFleet?.relists, '6');
    // Buckets 1000 ms ×3, 1500 ms ×1, 2000 ms ×2: the median is 1000 ms; p99 is the 2000 ms bucket, bounded by
    // the largest interval either shard saw (1990 ms).
    assert.equal(merged.kubeletFleet?.relistIntervalP50, '1000ms');
    assert.equal(merged.kubeletFleet?.relistIntervalP99, '1990ms');
    assert.equal(merged.kubeletFleet?.relistIntervalMax, '1990ms');
    assert.equal(merged.kubeletFleet?.steadyRelists, '4');
    assert.equal(merged.kubeletFleet?.steadyRelistIntervalP50, '1000ms');
    assert.equal(merged.kubeletFleet?.steadyRelistIntervalP99, '2000ms');
    assert.equal(merged.runtimeFleet?.spansExported, '14');
  });

  it('leaves the totals unknown when a shard printed no fleet line', () => {
    const merged = mergeFleetSummaries([shard('node-0001', '100:1', '100:1', '1000ms', '5'), parseFleetSummaries('kubelet-sim: killed\n')]);
    assert.equal(merged.kubeletFleet, undefined);
    assert.equal(merged.runtimeFleet, undefined);
    assert.equal(merged.kubeletNodes.size, 1);
  });
});
