/**
 * `npm start -- --nodes N --shards K`: the fleet split into K process pairs (runtime-sim + kubelet-sim), each
 * with a contiguous run of the node numbers, so the names never collide and the shards together are the
 * fleet `--nodes N` would be. More event loops for the same nodes: on a 2-core machine one pair queues its
 * nodes' bursts on its one loop (docs/benchmarks.md, "Where the relist tail comes from").
 */
import { DEFAULT_NODE_NAME_PATTERN, fleetNodeNames } from '../../cli-kit/src';

export interface FleetShard {
  /** 1-based, for log names and the report. */
  index: number;
  /** Number of the shard's first node (`--first-node-number` of both sims). */
  firstNodeNumber: number;
  nodeNames: string[];
}

/** Splits `nodeCount` nodes into `shardCount` shards whose sizes differ by at most one, earlier shards larger. */
export function planFleetShards(nodeCount: number, shardCount: number): FleetShard[] {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > nodeCount) throw new RangeError(`cannot split ${nodeCount} nodes into ${shardCount} shards`);
  const base = Math.floor(nodeCount / shardCount);
  const larger = nodeCount % shardCount;
  const shards: FleetShard[] = [];
  let next = 1;
  for (let i = 0; i < shardCount; i++) {
    const size = base + (i < larger ? 1 : 0);
    shards.push({ index: i + 1, firstNodeNumber: next, nodeNames: fleetNodeNames(DEFAULT_NODE_NAME_PATTERN, size, next) });
    next += size;
  }
  return shards;
}
