import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeControlFrame, encodeDataFrame, SPDY_FLAG, SPDY_FRAME_TYPE, SpdyFrameReader } from '../../../../cri-proto/src/streaming/spdy/spdy-frame';
import { decodeHeaderBlock, encodeHeaderBlock, SPDY3_DICTIONARY, SpdyHeaderDeflater, SpdyHeaderInflater } from '../../../../cri-proto/src/streaming/spdy/spdy-header-block';
import { KUBECTL_129_SYN_BLOCKS } from '../../../helpers/spdy-go-client';

/** zlib's Adler-32 (RFC 1950), the DICTID a stream with a preset dictionary names. */
function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

describe('spdy-frame', () => {
  it('holds the SPDY/3 dictionary Go uses: its Adler-32 is the DICTID in kubectl\'s first header block', () => {
    const first = Buffer.from(KUBECTL_129_SYN_BLOCKS.exec[0][1], 'hex');
    assert.deepEqual([first[0], first[1]], [0x78, 0xf9], 'zlib header with FDICT, level 9');
    assert.equal(adler32(SPDY3_DICTIONARY), first.readUInt32BE(2));
  });

  it('inflates kubectl\'s header blocks in order within one context', async () => {
    const inflater = new SpdyHeaderInflater();
    try {
      const decoded = [];
      for (const [, hex] of KUBECTL_129_SYN_BLOCKS.portForward8080) decoded.push(await inflater.decode(Buffer.from(hex, 'hex')));
      assert.deepEqual(decoded, [
        [['requestid', '0'], ['streamtype', 'error'], ['port', '8080']],
        [['streamtype', 'data'], ['port', '8080'], ['requestid', '0']],
      ]);
    } finally {
      inflater.close();
    }
  });

  it('round-trips header blocks through a deflate and an inflate context; NUL separates values of one name', async () => {
    const deflater = new SpdyHeaderDeflater();
    const inflater = new SpdyHeaderInflater();
    try {
      for (const headers of [[], [['streamType', 'stdout']], [['X-Multi', 'a\0b']]] as Array<Array<[string, string]>>) {
        const back = await inflater.decode(await deflater.encode(headers));
        assert.deepEqual(back, decodeHeaderBlock(encodeHeaderBlock(headers)));
      }
      assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock([['X-Multi', 'a\0b']])), [['x-multi', 'a'], ['x-multi', 'b']]);
    } finally {
      deflater.close();
      inflater.close();
    }
  });

  it('reassembles frames split at any byte and tells control from data frames', () => {
    const wire = Buffer.concat([
      encodeControlFrame(SPDY_FRAME_TYPE.PING, 0, Buffer.from([0, 0, 0, 1])),
      encodeDataFrame(3, SPDY_FLAG.FIN, Buffer.from('hi\n')),
    ]);
    const reader = new SpdyFrameReader();
    const frames = [];
    for (let i = 0; i < wire.length; i++) frames.push(...reader.push(wire.subarray(i, i + 1)));
    assert.deepEqual(frames, [
      { control: true, type: SPDY_FRAME_TYPE.PING, flags: 0, payload: Buffer.from([0, 0, 0, 1]) },
      { control: false, streamId: 3, flags: SPDY_FLAG.FIN, data: Buffer.from('hi\n') },
    ]);
    assert.throws(() => new SpdyFrameReader().push(Buffer.from([0x80, 0x02, 0, 6, 0, 0, 0, 0])), /unsupported SPDY version 2/);
  });
});
