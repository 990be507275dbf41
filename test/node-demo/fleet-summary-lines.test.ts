import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyValues, parseFleetSummaries } from '../../node-demo/src/fleet-summary-lines';

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
