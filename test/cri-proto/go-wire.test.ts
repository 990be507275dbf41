import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCriPackageDefinition } from '../../cri-proto/src/load-cri';
import type { ServiceDefinition } from '@grpc/proto-loader';

/** Sizes of Go's proto.Marshal for the same messages (proto3: zero scalars and empty lists/maps are not written). */
describe('CRI messages on the wire as Go writes them', () => {
  const runtime = loadCriPackageDefinition()['runtime.v1.RuntimeService'] as ServiceDefinition;
  const size = (method: string, value: unknown, side: 'request' | 'response' = 'request'): number =>
    (side === 'request' ? runtime[method]!.requestSerialize : runtime[method]!.responseSerialize)(value as object).length;

  it('leaves out zero scalars: Status{verbose:false} and Version{version:""} are empty', () => {
    assert.equal(size('Status', { verbose: false }), 0);
    assert.equal(size('Status', { verbose: true }), 2);
    assert.equal(size('Version', { version: '' }), 0);
    assert.equal(size('Version', { version: '0.1.0' }), 7);
  });

  it('keeps present messages even when empty, and leaves out the 0 enum value inside them', () => {
    assert.equal(size('ListContainers', { filter: null }), 0);
    assert.equal(size('ListContainers', { filter: {} }), 2);
    assert.equal(size('ListContainers', { filter: { state: { state: 'CONTAINER_CREATED' } } }), 4);
    assert.equal(size('ListContainers', { filter: { state: { state: 'CONTAINER_RUNNING' } } }), 6);
  });

  it('leaves out empty lists, maps, zero int64 strings and empty bytes in responses, and still decodes to the same values', () => {
    const response = { containers: [{ id: 'a', state: 'CONTAINER_CREATED', created_at: '0', labels: {}, annotations: { k: 'v' }, image: null }] };
    // containers[0]: id (1 + 1 + 1) + annotations (1 + 1 + entry of 3 + 3) = 11, wrapped in the list field: 13
    assert.equal(size('ListContainers', response, 'response'), 13);
    const decoded = runtime.ListContainers!.responseDeserialize(runtime.ListContainers!.responseSerialize(response)) as { containers: { id: string; state: string; created_at: string; annotations: object }[] };
    assert.deepEqual([decoded.containers[0]!.id, decoded.containers[0]!.state, decoded.containers[0]!.created_at, decoded.containers[0]!.annotations], ['a', 'CONTAINER_CREATED', '0', { k: 'v' }]);
  });
});
