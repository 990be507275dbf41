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
});
