import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyJsonPatch, applyMergePatch, PatchError } from '../../../control-plane/apiserver-sim/src/handlers/json-patches';

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
