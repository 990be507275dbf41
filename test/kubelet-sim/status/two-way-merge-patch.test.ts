import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTwoWayMergePatch } from '../../../kubelet-sim/src/status/two-way-merge-patch';
import type { Json } from '../../../kubelet-sim/src/status/two-way-merge-patch';

describe('createTwoWayMergePatch', () => {
  it('is empty when nothing changed', () => {
    const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    assert.deepEqual(createTwoWayMergePatch({ status }, { status: structuredClone(status) }), {});
  });

  it('sends changed condition fields with their merge key and the new order, and replaces atomic lists whole', () => {
    const before: Json = { status: { phase: 'Pending', conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }], containerStatuses: [{ name: 'c', ready: false }] } };
    const after: Json = { metadata: { uid: 'u1' }, status: { phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', ready: true }] } };
    assert.deepEqual(createTwoWayMergePatch(before, after), {
      metadata: { uid: 'u1' },
      status: {
        phase: 'Running',
        '$setElementOrder/conditions': [{ type: 'Initialized' }, { type: 'Ready' }],
        conditions: [{ status: 'True', reason: null, type: 'Ready' }],
        containerStatuses: [{ name: 'c', ready: true }],
      },
    });
  });

  it('deletes merge-keyed items that went away and keys that were removed', () => {
    const patch = createTwoWayMergePatch(
      { status: { podIP: '10.0.0.1', conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'True' }] } },
      { status: { conditions: [{ type: 'A', status: 'True' }] } },
    );
    assert.deepEqual(patch, { status: { '$setElementOrder/conditions': [{ type: 'A' }], conditions: [{ type: 'B', $patch: 'delete' }], podIP: null } });
  });
});
