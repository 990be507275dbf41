import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { decodeRequestObject } from '../../../control-plane/apiserver-sim/src/handlers/request-body';
import { StatusError } from '../../../control-plane/apiserver-sim/src/handlers/responses';

const NAMESPACE_BIN = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'kube-protobuf', 'kubectl-1.33-create-namespace.bin'));
const PROTOBUF = { 'content-type': 'application/vnd.kubernetes.protobuf' };

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

describe('decodeRequestObject', () => {
  it('decodes JSON and Kubernetes protobuf bodies to the same object', () => {
    const json = decodeRequestObject({ 'content-type': 'application/json; charset=utf-8' }, Buffer.from('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"cap"},"spec":{},"status":{}}'), 'Namespace');
    assert.deepEqual(decodeRequestObject(PROTOBUF, NAMESPACE_BIN, 'Namespace'), json);
  });

  it('names the kind and version of an undecodable protobuf body, as transformDecodeError does', () => {
    // The fixture's magic and typeMeta, then a raw Namespace whose metadata claims 5 bytes and has 1.
    const body = Buffer.concat([NAMESPACE_BIN.subarray(0, 4 + 2 + 15), Buffer.from([0x12, 0x03, 0x0a, 0x05, 0x0a])]);
    const err = statusOf(() => decodeRequestObject(PROTOBUF, body, 'Namespace'));
    assert.equal(err.code, 400);
    assert.match(err.message, /^Namespace in version "v1" cannot be handled as a Namespace: Namespace: index out of range/);
    // A body cut inside the envelope has no kind to name.
    assert.match(statusOf(() => decodeRequestObject(PROTOBUF, NAMESPACE_BIN.subarray(0, 40), 'Namespace')).message, /^the object provided is unrecognized \(must be of type Namespace\): Unknown: index out of range/);
  });

  it('calls a body without the protobuf prefix unrecognized, with the first 30 bytes in hex', () => {
    const err = statusOf(() => decodeRequestObject(PROTOBUF, Buffer.from('not protobuf at all, clearly not'), 'Pod'));
    assert.equal(err.code, 400);
    assert.equal(err.message, `the object provided is unrecognized (must be of type Pod): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (${Buffer.from('not protobuf at all, clearly n').toString('hex')} ...)`);
  });

  it('answers 415 for a media type it does not decode', () => {
    const err = statusOf(() => decodeRequestObject({ 'content-type': 'application/yaml' }, Buffer.from('kind: Pod'), 'Pod'));
    assert.equal(err.code, 415);
    assert.equal(err.message, 'the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf');
  });
});
