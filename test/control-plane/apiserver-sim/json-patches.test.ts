import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyJsonPatch, applyMergePatch, PatchError } from '../../../control-plane/apiserver-sim/src/handlers/json-patches';
import type { Json } from '../../../control-plane/apiserver-sim/src/handlers/json-patches';
import { applyStrategicMergePatch } from '../../../control-plane/apiserver-sim/src/handlers/strategic-merge-patch';

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects, deletes keys set to null and replaces arrays and scalars', () => {
    const target = { metadata: { name: 'web', labels: { app: 'web', old: 'x' } }, spec: { containers: [{ name: 'a' }] } };
    const patch = { metadata: { labels: { tier: 'front', old: null } }, spec: { containers: [{ name: 'b' }] } };
    assert.deepEqual(applyMergePatch(target, patch), { metadata: { name: 'web', labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'b' }] } });
    assert.deepEqual(target.metadata.labels, { app: 'web', old: 'x' }, 'the target is not modified');
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  it('adds, replaces, removes, moves, copies and tests, leaving the input alone', () => {
    const doc = { a: { b: 1 }, list: [1, 2] };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/a/c', value: 2 },
      { op: 'replace', path: '/a/b', value: 5 },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'remove', path: '/list/0' },
      { op: 'copy', from: '/a/b', path: '/d' },
      { op: 'move', from: '/a/c', path: '/e~1f' },
      { op: 'test', path: '/d', value: 5 },
    ]);
    assert.deepEqual(out, { a: { b: 5 }, list: [2, 3], d: 5, 'e/f': 2 });
    assert.deepEqual(doc, { a: { b: 1 }, list: [1, 2] });
  });

  it('fails a test that does not hold and a remove of a missing path', () => {
    assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), PatchError);
    assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }]), /missing path/);
    assert.throws(() => applyJsonPatch({ a: 1 }, { op: 'add' }), /must be an array/);
  });
});

describe('applyStrategicMergePatch', () => {
  it('merges lists with a merge key by that key, deletes with $patch: delete and orders by $setElementOrder', () => {
    const target: Json = { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }, { type: 'DiskPressure', status: 'False' }] } };
    const out = applyStrategicMergePatch(target, {
      status: {
        '$setElementOrder/conditions': [{ type: 'PIDPressure' }, { type: 'Ready' }],
        conditions: [{ type: 'Ready', status: 'False' }, { type: 'PIDPressure', status: 'False' }, { type: 'DiskPressure', $patch: 'delete' }],
      },
    });
    assert.deepEqual(out, { status: { conditions: [{ type: 'PIDPressure', status: 'False' }, { type: 'Ready', status: 'False', reason: 'KubeletReady' }] } });
    assert.equal(JSON.stringify(target).includes('DiskPressure'), true, 'the target is not modified');
  });

  it('replaces lists without a merge key, unions primitive merge lists and deletes keys set to null', () => {
    const target: Json = { metadata: { finalizers: ['a'], labels: { x: '1', y: '2' } }, status: { containerStatuses: [{ name: 'c', ready: false }, { name: 'd' }] } };
    const out = applyStrategicMergePatch(target, { metadata: { finalizers: ['b', 'a'], labels: { y: null } }, status: { containerStatuses: [{ name: 'c', ready: true }] } });
    assert.deepEqual(out, { metadata: { finalizers: ['a', 'b'], labels: { x: '1' } }, status: { containerStatuses: [{ name: 'c', ready: true }] } });
  });

  it('refuses a merge-keyed item without its key and a patch that is not an object', () => {
    assert.throws(() => applyStrategicMergePatch({}, { status: { conditions: [{ status: 'True' }] } }), /does not contain declared merge key: type/);
    assert.throws(() => applyStrategicMergePatch({}, [] as never), PatchError);
  });
});
