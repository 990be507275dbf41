import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdIndex } from '../../../runtime-sim/src/state/id-index';
import { NameRegistrar } from '../../../runtime-sim/src/state/name-registrar';
import { generateRuntimeId, SeededRandom } from '../../../runtime-sim/src/state/seeded-random';

describe('IdIndex', () => {
  const index = new IdIndex();
  index.add('abc123');
  index.add('abd456');
  index.add('ab');
  const cases: Array<[string, unknown]> = [
    ['', { kind: 'empty' }],
    ['abc', { kind: 'found', id: 'abc123' }],
    ['abc123', { kind: 'found', id: 'abc123' }],
    ['ab', { kind: 'found', id: 'ab' }],
    ['a', { kind: 'ambiguous' }],
    ['zz', { kind: 'not-found' }],
  ];
  for (const [query, expected] of cases) {
    it(`looks up ${JSON.stringify(query)}`, () => assert.deepEqual(index.lookup(query), expected));
  }
});

describe('NameRegistrar', () => {
  it('is idempotent for the same pair, refuses another id, and frees the name on release', () => {
    const r = new NameRegistrar();
    assert.deepEqual(r.reserve('n', 'id1'), { kind: 'reserved' });
    assert.deepEqual(r.reserve('n', 'id1'), { kind: 'reserved' });
    assert.deepEqual(r.reserve('n', 'id2'), { kind: 'name-taken', holderId: 'id1' });
    r.releaseById('id1');
    assert.deepEqual(r.reserve('n', 'id2'), { kind: 'reserved' });
  });
});

describe('generateRuntimeId', () => {
  it('yields 64 lowercase hex characters, the same sequence for the same seed', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const ids = [generateRuntimeId(a), generateRuntimeId(a)];
    assert.deepEqual(ids, [generateRuntimeId(b), generateRuntimeId(b)]);
    for (const id of ids) assert.match(id, /^[0-9a-f]{64}$/);
    assert.notEqual(ids[0], ids[1]);
    assert.notEqual(generateRuntimeId(new SeededRandom(8)), ids[0]);
  });
});
