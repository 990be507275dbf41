import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCounts } from './exit-counts';

const LOG = [
  'I1204 05:29:39.668130   12345 main.ts:98] "Progress" elapsed="10s" pods=3 syncPod=14 spansExported=120 spansLost=0',
  'kubelet-sim: syncPod=40 (errors 0) syncTerminatingPod=9 syncTerminatedPod=9 containerGC=1 imageGC=0 plegEvents=80 spansExported=900 spansLost=3 spansDropped=2',
  'runtime-sim: spansExported=1500 spansLost=0 spansDropped=0',
].join('\n');

describe('exitCounts', () => {
  it('reads each process\'s exit line, not the progress lines', () => {
    assert.deepEqual(exitCounts(LOG, 'kubelet', true), { exported: 900, lost: 3, dropped: 2 });
    assert.deepEqual(exitCounts(LOG, 'runtime', true), { exported: 1500, lost: 0, dropped: 0 });
  });
  it('gives undefined for an untraced process', () => {
    assert.equal(exitCounts('kubelet-sim: syncPod=1 (errors 0) tracing=off', 'kubelet', false), undefined);
  });
  it('throws when a traced process left no exit line', () => {
    assert.throws(() => exitCounts('runtime-sim: SIGTERM: shutting down', 'runtime', true), /runtime-sim left no exit line/);
  });
  it('reads the fleet exit lines, not the per-node ones', () => {
    const fleet = [
      'kubelet-sim: node=node-0001 pods=10 syncPod=51 (errors 0) syncTerminatingPod=0 plegEvents=8 spansExported=430 spansLost=0',
      'kubelet-sim: fleet nodes=3 pods=30 syncPod=154 (errors 0) syncTerminatingPod=0 plegEvents=24 relists=3 spansExported=1286 spansLost=1 spansDropped=4 unscopedSpans=0',
      'runtime-sim: node=node-0001 sandboxes=51 containers=51 spansExported=3593 spansLost=0',
      'runtime-sim: fleet nodes=3 spansExported=10805 spansLost=0 spansDropped=0 unscopedSpans=0',
    ].join('\n');
    assert.deepEqual(exitCounts(fleet, 'kubelet-fleet', true), { exported: 1286, lost: 1, dropped: 4 });
    assert.deepEqual(exitCounts(fleet, 'runtime-fleet', true), { exported: 10805, lost: 0, dropped: 0 });
    assert.throws(() => exitCounts(fleet, 'kubelet', true), /kubelet-sim left no exit line/);
  });
});
