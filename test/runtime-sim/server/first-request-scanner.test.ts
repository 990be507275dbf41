import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as hpack from 'hpack.js';
import { FirstRequestScanner, type FirstContact } from '../../../runtime-sim/src/server/first-request-scanner';
import { CLIENT_PREFACE, encodeFrame, FRAME_FLAG, FRAME_TYPE } from '../../../runtime-sim/src/server/http2-frame';

const SETTINGS = encodeFrame(FRAME_TYPE.SETTINGS, 0, 0, Buffer.alloc(0));
const SETTINGS_ACK = encodeFrame(FRAME_TYPE.SETTINGS, FRAME_FLAG.ACK, 0, Buffer.alloc(0));
const WINDOW_UPDATE = encodeFrame(FRAME_TYPE.WINDOW_UPDATE, 0, 0, Buffer.from([0, 0, 0x10, 0]));
const DATA = encodeFrame(FRAME_TYPE.DATA, FRAME_FLAG.END_STREAM, 1, Buffer.alloc(5));

/** A request header block as a fresh HPACK encoder (incremental indexing, Huffman) writes it. */
function requestBlock(authority: string): Buffer {
  const encoder = hpack.compressor.create({ table: { maxSize: 4096 } });
  encoder.write([
    { name: ':method', value: 'POST' },
    { name: ':scheme', value: 'http' },
    { name: ':path', value: '/runtime.v1.RuntimeService/Version' },
    { name: ':authority', value: authority },
    { name: 'content-type', value: 'application/grpc' },
  ]);
  return encoder.read()!;
}

function headers(block: Buffer): Buffer {
  return encodeFrame(FRAME_TYPE.HEADERS, FRAME_FLAG.END_HEADERS, 1, block);
}

/** Feeds `bytes` in pieces of `step` octets; the decision, and how many octets it took. */
function scan(bytes: Buffer, step = bytes.length): { contact: FirstContact | undefined; fedBytes: number } {
  const scanner = new FirstRequestScanner();
  for (let offset = 0; offset < bytes.length; offset += step) {
    const contact = scanner.push(bytes.subarray(offset, offset + step));
    if (contact !== undefined) return { contact, fedBytes: Math.min(offset + step, bytes.length) };
  }
  return { contact: undefined, fedBytes: bytes.length };
}

/** The decision, which must be the HTTP/2 kind. */
function http2Contact(contact: FirstContact | undefined): Extract<FirstContact, { kind: 'http2' }> {
  assert.equal(contact?.kind, 'http2');
  return contact as Extract<FirstContact, { kind: 'http2' }>;
}

describe('FirstRequestScanner', () => {
  it('decides on the native path once the first request and the SETTINGS ACK are in, and takes the ACK out', () => {
    const sent = Buffer.concat([CLIENT_PREFACE, SETTINGS, WINDOW_UPDATE, SETTINGS_ACK, headers(requestBlock('localhost')), DATA]);
    const contact = http2Contact(scan(sent).contact);
    assert.equal(contact.refusedAuthority, undefined);
    assert.deepEqual(contact.forward, Buffer.concat([CLIENT_PREFACE, SETTINGS, WINDOW_UPDATE, headers(requestBlock('localhost')), DATA]));
  });

  it('reports a socket-path :authority, Huffman-coded, read one octet at a time', () => {
    const sent = Buffer.concat([CLIENT_PREFACE, SETTINGS, SETTINGS_ACK, headers(requestBlock('/run/containerd/containerd.sock'))]);
    const { contact, fedBytes } = scan(sent, 1);
    assert.equal(fedBytes, sent.length);
    assert.equal(http2Contact(contact).refusedAuthority, '/run/containerd/containerd.sock');
  });

  it('waits for the ACK when the request comes first, and for CONTINUATION frames up to END_HEADERS', () => {
    const block = requestBlock('/var/run/crio/crio.sock');
    const split = Buffer.concat([
      encodeFrame(FRAME_TYPE.HEADERS, 0, 1, block.subarray(0, 10)),
      encodeFrame(FRAME_TYPE.CONTINUATION, FRAME_FLAG.END_HEADERS, 1, block.subarray(10)),
    ]);
    const scanner = new FirstRequestScanner();
    assert.equal(scanner.push(Buffer.concat([CLIENT_PREFACE, SETTINGS, split.subarray(0, 19)])), undefined);
    assert.equal(scanner.hasFirstRequest, false);
    assert.equal(scanner.push(split.subarray(19)), undefined);
    assert.equal(scanner.hasFirstRequest, true);
    const contact = http2Contact(scanner.push(SETTINGS_ACK));
    assert.equal(contact.refusedAuthority, '/var/run/crio/crio.sock');
    assert.deepEqual(contact.forward, Buffer.concat([CLIENT_PREFACE, SETTINGS, split]));
  });

  it('tells a client that does not send the HTTP/2 preface as soon as the bytes differ', () => {
    assert.equal(scan(Buffer.from('PRI * HTTP/2.0\r\n')).contact, undefined);
    const { contact } = scan(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    assert.equal(contact?.kind, 'not-http2');
  });

  it('hands over undecided, keeping every byte, a first header block that does not decode', () => {
    const sent = Buffer.concat([CLIENT_PREFACE, SETTINGS_ACK, headers(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))]);
    const contact = http2Contact(scan(sent).contact);
    assert.match(contact.undecided ?? '', /cannot decode header block/);
    assert.deepEqual(contact.forward, Buffer.concat([CLIENT_PREFACE, headers(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))]));
  });
});
