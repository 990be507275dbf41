import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planFleetShards } from '../../node-demo/src/fleet-shards';

describe('planFleetShards (npm start -- --nodes N --shards K)', () => {
  it('splits the nodes into contiguous runs of numbers, sizes differing by at most one', () => {
    const shards = planFleetShards(5, 2);
    assert.deepEqual(shards.map((s) => [s.index, s.firstNodeNumber, s.nodeNames]), [
      [1, 1, ['node-0001', 'node-0002', 'node-0003']],
      [2, 4, ['node-0004', 'node-0005']],
    ]);
    const big = planFleetShards(200, 3);
    assert.deepEqual(big.map((s) => s.nodeNames.length), [67, 67, 66]);
    assert.equal(big[2].nodeNames[65], 'node-0200');
    // Together the shards are the fleet --nodes N would be, each node once.
    assert.deepEqual(big.flatMap((s) => s.nodeNames), planFleetShards(200, 1)[0].nodeNames);
  });

  it('refuses more shards than nodes', () => {
    assert.throws(() => planFleetShards(2, 3), RangeError);
  });
});
