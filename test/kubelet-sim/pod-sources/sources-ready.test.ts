import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SourcesReady } from '../../../kubelet-sim/src/pod-sources/sources-ready';

describe('SourcesReady', () => {
  it('is ready at once when no config source is registered (no staticPodPath, no API server)', () => {
    assert.equal(new SourcesReady([]).allReady(), true);
  });

  it('waits for every registered source to have been seen', () => {
    const ready = new SourcesReady(['file', 'api']);
    assert.equal(ready.allReady(), false);
    ready.addSource('file');
    assert.equal(ready.allReady(), false);
    ready.addSource('api');
    assert.equal(ready.allReady(), true);
  });

  it('ignores sources that were never registered', () => {
    const ready = new SourcesReady(['file']);
    ready.addSource('http');
    assert.equal(ready.allReady(), false);
  });
});
