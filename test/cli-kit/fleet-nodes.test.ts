import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEndpointTemplate, endpointForNode, fleetNodeNames, FleetFlagError, parseFirstNodeNumberFlag, parseNodesFlag } from '../../cli-kit/src';

describe('fleet nodes (--nodes, --node-name-pattern, {node} endpoints)', () => {
  it('names nodes node-0001 … by default pattern, zero-padded to 4 digits', () => {
    assert.deepEqual(fleetNodeNames('node-{n}', 3), ['node-0001', 'node-0002', 'node-0003']);
    assert.deepEqual(fleetNodeNames('rack1.worker-{n}', 2), ['rack1.worker-0001', 'rack1.worker-0002']);
    assert.equal(fleetNodeNames('n{n}', 1000)[998], 'n0999');
  });

  it('numbers a later shard on from --first-node-number, past 4 digits when it must', () => {
    assert.deepEqual(fleetNodeNames('node-{n}', 2, 101), ['node-0101', 'node-0102']);
    assert.deepEqual(fleetNodeNames('node-{n}', 2, 9999), ['node-9999', 'node-10000']);
    assert.equal(parseFirstNodeNumberFlag(undefined, 50), 1);
    assert.equal(parseFirstNodeNumberFlag('51', 50), 51);
    assert.equal(parseFirstNodeNumberFlag('99950', 50), 99950);
    for (const bad of ['0', '99951', '-1', '1.5', 'x']) {
      assert.throws(() => parseFirstNodeNumberFlag(bad, 50), { message: `invalid argument ${JSON.stringify(bad)} for "--first-node-number" flag: give a whole number from 1 to 99950 (the last of the 50 nodes must be at most 99999)` });
    }
  });

  it('refuses a pattern without {n} or one that makes invalid node names, naming the flag', () => {
    assert.throws(() => fleetNodeNames('node', 2), (err: unknown) => err instanceof FleetFlagError && /"--node-name-pattern" flag: it must contain \{n\}/.test(err.message));
    assert.throws(() => fleetNodeNames('Node_{n}', 2), /"Node_0001" is not a valid node name/);
  });

  it('accepts 1 to 1000 nodes and refuses anything else with the range', () => {
    assert.equal(parseNodesFlag('1'), 1);
    assert.equal(parseNodesFlag('1000'), 1000);
    for (const bad of ['0', '1001', '-3', '2.5', 'ten', '']) {
      assert.throws(() => parseNodesFlag(bad), { message: `invalid argument ${JSON.stringify(bad)} for "--nodes" flag: give a whole number of nodes from 1 to 1000` });
    }
  });

  it('gives each node its own endpoint from a {node} template, and refuses a template without it', () => {
    assert.equal(endpointForNode('unix:///tmp/fleet/{node}/crio.sock', 'node-0007'), 'unix:///tmp/fleet/node-0007/crio.sock');
    assert.doesNotThrow(() => checkEndpointTemplate('unix:///tmp/{node}.sock', '--listen'));
    assert.throws(() => checkEndpointTemplate('unix:///tmp/crio.sock', '--listen'), {
      message: '--listen "unix:///tmp/crio.sock" must contain {node} with --nodes: each node has its own CRI socket, e.g. unix:///tmp/fleet/{node}.sock',
    });
  });
});
