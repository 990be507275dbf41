import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as hpack from 'hpack.js';
import { AuthorityRewriter, RewriteError } from '../../../runtime-sim/src/server/authority-rewriter';
import { HeaderBlockDecoder, type HeaderField } from '../../../runtime-sim/src/server/header-block-codec';
import { CLIENT_PREFACE, encodeFrame, FRAME_FLAG, FRAME_TYPE, readFrameHeader } from '../../../runtime-sim/src/server/http2-frame';

const SETTINGS = encodeFrame(FRAME_TYPE.SETTINGS, 0, 0, Buffer.alloc(0));
const PING = encodeFrame(FRAME_TYPE.PING, 0, 0, Buffer.alloc(8, 7));

interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

function framesOf(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const header = readFrameHeader(bytes, offset)!;
    frames.push({ ...header, payload: bytes.subarray(offset + 9, offset + 9 + header.length) });
    offset += 9 + header.length;
  }
  return frames;
}

/** What the server would decode from the rewritten bytes: the header list of every request, in order. */
function serverView(bytes: Buffer): HeaderField[][] {
  assert.deepEqual(bytes.subarray(0, CLIENT_PREFACE.length), CLIENT_PREFACE);
  const decoder = new HeaderBlockDecoder();
  const blocks: HeaderField[][] = [];
  let fragments: Buffer[] = [];
  for (const frame of framesOf(bytes.subarray(CLIENT_PREFACE.length))) {
    if (frame.type !== FRAME_TYPE.HEADERS && frame.type !== FRAME_TYPE.CONTINUATION) continue;
    fragments.push(frame.payload);
    if (frame.flags & FRAME_FLAG.END_HEADERS) {
      blocks.push(decoder.decode(Buffer.concat(fragments)));
      fragments = [];
    }
  }
  return blocks;
}

/** A client connection as Go writes it: one HPACK encoder with incremental indexing, one HEADERS frame per request. */
function goLikeConnection(authority: string, requests: number): Buffer {
  const encoder = hpack.compressor.create({ table: { maxSize: 4096 } });
  const parts = [CLIENT_PREFACE, SETTINGS];
  for (let i = 0; i < requests; i++) {
    encoder.write([
      { name: ':method', value: 'POST' },
      { name: ':path', value: '/runtime.v1.RuntimeService/Version' },
      { name: ':authority', value: authority },
      { name: 'grpc-timeout', value: `${9_999_000 - i}u` },
    ]);
    parts.push(encodeFrame(FRAME_TYPE.HEADERS, FRAME_FLAG.END_HEADERS, 1 + 2 * i, encoder.read()!));
    parts.push(encodeFrame(FRAME_TYPE.DATA, FRAME_FLAG.END_STREAM, 1 + 2 * i, Buffer.alloc(5)), PING);
  }
  return Buffer.concat(parts);
}

describe('AuthorityRewriter', () => {
  it('gives the server localhost for every request, including the ones that index the path in the client\'s dynamic table', () => {
    const rewriter = new AuthorityRewriter();
    const out = Buffer.concat(rewriter.push(goLikeConnection('/run/containerd/containerd.sock', 120)));
    const blocks = serverView(out);
    assert.equal(blocks.length, 120);
    for (const [i, fields] of blocks.entries()) {
      assert.deepEqual(fields, [
        { name: ':method', value: 'POST' },
        { name: ':path', value: '/runtime.v1.RuntimeService/Version' },
        { name: ':authority', value: 'localhost' },
        { name: 'grpc-timeout', value: `${9_999_000 - i}u` },
      ]);
    }
    assert.equal(rewriter.rewrittenBlocks, 120);
  });

  it('passes every other frame through unchanged, in order', () => {
    const out = Buffer.concat(new AuthorityRewriter().push(goLikeConnection('/x.sock', 3)));
    const others = framesOf(out.subarray(CLIENT_PREFACE.length)).filter((f) => f.type !== FRAME_TYPE.HEADERS);
    assert.deepEqual(others.map((f) => [f.type, f.flags, f.streamId]), [
      [FRAME_TYPE.SETTINGS, 0, 0],
      [FRAME_TYPE.DATA, FRAME_FLAG.END_STREAM, 1], [FRAME_TYPE.PING, 0, 0],
      [FRAME_TYPE.DATA, FRAME_FLAG.END_STREAM, 3], [FRAME_TYPE.PING, 0, 0],
      [FRAME_TYPE.DATA, FRAME_FLAG.END_STREAM, 5], [FRAME_TYPE.PING, 0, 0],
    ]);
    assert.deepEqual(others[2]!.payload, Buffer.alloc(8, 7));
  });

  it('writes the same bytes however the input is chunked', () => {
    const input = goLikeConnection('/run/containerd/containerd.sock', 10);
    const whole = Buffer.concat(new AuthorityRewriter().push(input));
    const rewriter = new AuthorityRewriter();
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < input.length; offset += 3) pieces.push(...rewriter.push(input.subarray(offset, offset + 3)));
    assert.deepEqual(Buffer.concat(pieces), whole);
  });

  it('joins CONTINUATION frames, keeps END_STREAM and priority, and splits blocks larger than the server\'s frame size', () => {
    const encoder = hpack.compressor.create({ table: { maxSize: 4096 } });
    encoder.write([
      { name: ':authority', value: '/x.sock' },
      { name: 'x-big', value: 'v'.repeat(40_000), huffman: false },
    ]);
    const block = encoder.read()!;
    const priority = Buffer.from([0, 0, 0, 0, 15]);
    const input = Buffer.concat([
      CLIENT_PREFACE,
      encodeFrame(FRAME_TYPE.HEADERS, FRAME_FLAG.END_STREAM | FRAME_FLAG.PRIORITY, 1, Buffer.concat([priority, block.subarray(0, 100)])),
      encodeFrame(FRAME_TYPE.CONTINUATION, 0, 1, block.subarray(100, 20_000)),
      encodeFrame(FRAME_TYPE.CONTINUATION, FRAME_FLAG.END_HEADERS, 1, block.subarray(20_000)),
    ]);
    const out = Buffer.concat(new AuthorityRewriter({ maxFrameSizeBytes: 16_384 }).push(input));
    const frames = framesOf(out.subarray(CLIENT_PREFACE.length));
    assert.deepEqual(frames.map((f) => [f.type, f.flags, f.streamId]), [
      [FRAME_TYPE.HEADERS, FRAME_FLAG.END_STREAM | FRAME_FLAG.PRIORITY, 1],
      [FRAME_TYPE.CONTINUATION, 0, 1],
      [FRAME_TYPE.CONTINUATION, FRAME_FLAG.END_HEADERS, 1],
    ]);
    assert.ok(frames.every((f) => f.payload.length <= 16_384));
    assert.deepEqual(frames[0]!.payload.subarray(0, 5), priority);
    const payload = Buffer.concat(frames.map((f) => f.payload)).subarray(5);
    assert.deepEqual(new HeaderBlockDecoder().decode(payload), [
      { name: ':authority', value: 'localhost' },
      { name: 'x-big', value: 'v'.repeat(40_000) },
    ]);
  });

  it('refuses a CONTINUATION without HEADERS, another frame inside a header block, and a block that does not decode', () => {
    const block = Buffer.from([0x82]);
    assert.throws(() => new AuthorityRewriter().push(Buffer.concat([CLIENT_PREFACE, encodeFrame(FRAME_TYPE.CONTINUATION, FRAME_FLAG.END_HEADERS, 1, block)])), RewriteError);
    assert.throws(
      () => new AuthorityRewriter().push(Buffer.concat([CLIENT_PREFACE, encodeFrame(FRAME_TYPE.HEADERS, 0, 1, block), PING])),
      /frame type 6 inside the header block of stream 1/,
    );
    assert.throws(
      () => new AuthorityRewriter().push(Buffer.concat([CLIENT_PREFACE, encodeFrame(FRAME_TYPE.HEADERS, FRAME_FLAG.END_HEADERS, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]))])),
      /stream 1: cannot decode header block/,
    );
  });
});

describe('HeaderBlockDecoder', () => {
  it('follows the client\'s dynamic table size updates (hpack.js needs the table\'s maxSize, not the README\'s size)', () => {
    const decoder = new HeaderBlockDecoder(4096);
    // Size update to 4096 (0x3f e1 1f), then :authority with incremental indexing, then an index to it.
    const first = Buffer.concat([Buffer.from([0x3f, 0xe1, 0x1f, 0x41, 0x09]), Buffer.from('localhost', 'latin1')]);
    assert.deepEqual(decoder.decode(first), [{ name: ':authority', value: 'localhost' }]);
    assert.deepEqual(decoder.decode(Buffer.from([0xbe])), [{ name: ':authority', value: 'localhost' }]);
  });
});
