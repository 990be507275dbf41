import assert from 'node:assert/strict';
import * as net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { SpdyConnection } from '../../../../cri-proto/src/streaming/spdy/spdy-connection';
import { encodeControlFrame, encodeWords, SPDY_FLAG, SPDY_FRAME_TYPE, SPDY_RST_STATUS, SpdyFrameReader, type SpdyFrame } from '../../../../cri-proto/src/streaming/spdy/spdy-frame';
import { SpdyHeaderDeflater, SpdyHeaderInflater } from '../../../../cri-proto/src/streaming/spdy/spdy-header-block';
import type { SpdyStream } from '../../../../cri-proto/src/streaming/spdy/spdy-stream';

/** A connected TCP socket pair on loopback (port 0). */
async function socketPair(): Promise<{ a: net.Socket; b: net.Socket; close: () => void }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const a = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const b = await accepted;
  await new Promise<void>((r) => (a.readyState === 'open' ? r() : a.once('connect', () => r())));
  return {
    a,
    b,
    close: () => {
      a.destroy();
      b.destroy();
      server.close();
    },
  };
}

/** A peer that speaks raw frames: what it received (header blocks inflated) and a way to send. */
function rawPeer(socket: net.Socket) {
  const reader = new SpdyFrameReader();
  const inflater = new SpdyHeaderInflater();
  const deflater = new SpdyHeaderDeflater();
  const frames: Array<{ frame: SpdyFrame; headers?: Array<[string, string]> }> = [];
  let chain = Promise.resolve();
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      chain = chain.then(async () => {
        let headers: Array<[string, string]> | undefined;
        if (frame.control && frame.type === SPDY_FRAME_TYPE.SYN_STREAM) headers = await inflater.decode(frame.payload.subarray(10));
        frames.push({ frame, headers });
        waiters.forEach((w) => w());
      });
    }
  });
  return {
    frames,
    deflater,
    send: (b: Buffer) => socket.write(b),
    until: (predicate: () => boolean, timeoutMs = 3000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; frames: ${JSON.stringify(frames.map((f) => (f.frame.control ? { type: f.frame.type, payload: f.frame.payload.toString('hex') } : { stream: f.frame.streamId, data: f.frame.data.toString() })))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => {
      inflater.close();
      deflater.close();
    },
  };
}

const controls = (frames: ReturnType<typeof rawPeer>['frames'], type: number) => frames.filter((f) => f.frame.control && f.frame.type === type);

describe('SpdyConnection', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  describe('client end against the server end, in process', () => {
    it('opens streams with odd ids, each resolved by the SYN_REPLY; data and FIN go both ways', async () => {
      const pair = await socketPair();
      const accepted: SpdyStream[] = [];
      const server = new SpdyConnection(pair.b, {
        server: true,
        onStream: (s) => {
          accepted.push(s);
          return null;
        },
      });
      const client = new SpdyConnection(pair.a, { server: false });
      cleanups.push(() => client.destroy(), () => server.destroy(), pair.close);

      const error = await client.createStream([['streamType', 'error']]);
      const stdin = await client.createStream([['streamType', 'stdin']]);
      const stdout = await client.createStream([['streamType', 'stdout']]);
      assert.deepEqual([error.id, stdin.id, stdout.id], [1, 3, 5]);
      assert.deepEqual(accepted.map((s) => [s.id, s.header('streamtype')]), [[1, 'error'], [3, 'stdin'], [5, 'stdout']]);

      const gotStdin: Buffer[] = [];
      const stdinEnded = new Promise<void>((r) => accepted[1]!.once('end', () => r()));
      accepted[1]!.on('data', (c: Buffer) => gotStdin.push(c));
      stdin.write(Buffer.from('input'));
      stdin.close();
      await stdinEnded;
      assert.equal(Buffer.concat(gotStdin).toString(), 'input');

      const gotStdout: Buffer[] = [];
      stdout.on('data', (c: Buffer) => gotStdout.push(c));
      const stdoutEnded = new Promise<void>((r) => stdout.once('end', () => r()));
      accepted[2]!.write(Buffer.from('hi\n'));
      accepted[2]!.close();
      await stdoutEnded;
      assert.equal(Buffer.concat(gotStdout).toString(), 'hi\n');
      assert.equal(stdout.isRemoteClosed, true);
    });

    it('rejects CreateStream with "stream reset" when the server refuses the stream', async () => {
      const pair = await socketPair();
      const server = new SpdyConnection(pair.b, { server: true, onStream: () => 'no such stream type' });
      const client = new SpdyConnection(pair.a, { server: false });
      cleanups.push(() => client.destroy(), () => server.destroy(), pair.close);
      await assert.rejects(client.createStream([['streamType', 'bogus']]), /^Error: stream reset$/);
    });

    it('ends the client\'s streams when the server closes: RST_STREAM for each, then GOAWAY and EOF', async () => {
      const pair = await socketPair();
      const accepted: SpdyStream[] = [];
      const server = new SpdyConnection(pair.b, { server: true, onStream: (s) => (accepted.push(s), null) });
      const client = new SpdyConnection(pair.a, { server: false });
      cleanups.push(() => client.destroy(), () => server.destroy(), pair.close);
      const s = await client.createStream([['streamType', 'error']]);
      const ended = new Promise<void>((r) => s.once('end', () => r()));
      const closed = new Promise<void>((r) => client.once('close', () => r()));
      accepted[0]!.write(Buffer.from('{"status":"Success"}'));
      const data: Buffer[] = [];
      s.on('data', (c: Buffer) => data.push(c));
      server.close();
      await ended;
      await closed;
      assert.equal(Buffer.concat(data).toString(), '{"status":"Success"}');
      await assert.rejects(client.createStream([['streamType', 'stdout']]), /connection closed/);
    });
  });

  describe('client end against a raw peer', () => {
    it('writes SYN_STREAM as spdystream does (id, no associated stream, priority 0) and its header block', async () => {
      const pair = await socketPair();
      const peer = rawPeer(pair.b);
      const client = new SpdyConnection(pair.a, { server: false });
      cleanups.push(() => client.destroy(), peer.close, pair.close);
      void client.createStream([['streamtype', 'error']]).catch(() => undefined);
      await peer.until(() => peer.frames.length === 1);
      const { frame, headers } = peer.frames[0]!;
      assert.ok(frame.control && frame.type === SPDY_FRAME_TYPE.SYN_STREAM && frame.flags === 0);
      assert.deepEqual([frame.payload.readUInt32BE(0), frame.payload.readUInt32BE(4), frame.payload[8], frame.payload[9]], [1, 0, 0, 0]);
      assert.deepEqual(headers, [['streamtype', 'error']]);
    });

    it('echoes a PING the server started (even id) and sends its own with odd ids every ping period', async () => {
      const pair = await socketPair();
      const peer = rawPeer(pair.b);
      const client = new SpdyConnection(pair.a, { server: false, pingPeriodMs: 30 });
      cleanups.push(() => client.destroy(), peer.close, pair.close);
      peer.send(encodeControlFrame(SPDY_FRAME_TYPE.PING, 0, encodeWords(2)));
      await peer.until(() => controls(peer.frames, SPDY_FRAME_TYPE.PING).length >= 3);
      const ids = controls(peer.frames, SPDY_FRAME_TYPE.PING).map((f) => (f.frame as { payload: Buffer }).payload.readUInt32BE(0));
      assert.ok(ids.includes(2), `the server's ping 2 echoed: ${ids}`);
      const own = ids.filter((id) => id !== 2);
      assert.deepEqual(own.slice(0, 2), [1, 3]);
      // Its own ping coming back (id 1) is not echoed again; the next server ping (4) is.
      peer.send(encodeControlFrame(SPDY_FRAME_TYPE.PING, 0, encodeWords(1)));
      peer.send(encodeControlFrame(SPDY_FRAME_TYPE.PING, 0, encodeWords(4)));
      const pingIds = () => controls(peer.frames, SPDY_FRAME_TYPE.PING).map((f) => (f.frame as { payload: Buffer }).payload.readUInt32BE(0));
      await peer.until(() => pingIds().includes(4));
      assert.equal(pingIds().filter((id) => id === 1).length, 1);
    });

    it('after GOAWAY opens no stream; a stream awaiting its reply fails on RST_STREAM', async () => {
      const pair = await socketPair();
      const peer = rawPeer(pair.b);
      const client = new SpdyConnection(pair.a, { server: false });
      cleanups.push(() => client.destroy(), peer.close, pair.close);
      const pending = client.createStream([['streamtype', 'error']]);
      await peer.until(() => peer.frames.length === 1);
      peer.send(encodeControlFrame(SPDY_FRAME_TYPE.RST_STREAM, 0, encodeWords(1, SPDY_RST_STATUS.REFUSED_STREAM)));
      await assert.rejects(pending, /stream reset/);
      peer.send(encodeControlFrame(SPDY_FRAME_TYPE.GOAWAY, 0, encodeWords(0, 0)));
      // A SYN_REPLY after the GOAWAY shows the frame was handled before we try again.
      peer.send(encodeControlFrame(SPDY_FRAME_TYPE.SYN_REPLY, 0, Buffer.concat([encodeWords(1), await peer.deflater.encode([])])));
      await new Promise((r) => setTimeout(r, 50));
      await assert.rejects(client.createStream([['streamtype', 'stdout']]), /connection closed/);
    });

    it('gives up on a SYN_REPLY that never comes after the create-stream timeout', async () => {
      const pair = await socketPair();
      const peer = rawPeer(pair.b);
      const client = new SpdyConnection(pair.a, { server: false, createStreamTimeoutMs: 50 });
      cleanups.push(() => client.destroy(), peer.close, pair.close);
      await assert.rejects(client.createStream([['streamtype', 'error']]), /^Error: timeout$/);
    });

    it('close(): RST_STREAM CANCEL for each open stream, then GOAWAY with last good id 0 (it received none), then EOF', async () => {
      const pair = await socketPair();
      const peer = rawPeer(pair.b);
      const client = new SpdyConnection(pair.a, { server: false });
      cleanups.push(() => client.destroy(), peer.close, pair.close);
      const created = client.createStream([['streamtype', 'error']]);
      await peer.until(() => peer.frames.length === 1);
      peer.send(encodeControlFrame(SPDY_FRAME_TYPE.SYN_REPLY, 0, Buffer.concat([encodeWords(1), await peer.deflater.encode([])])));
      const stream = await created;
      stream.write(Buffer.from('x'));
      const eof = new Promise<void>((r) => pair.b.once('end', () => r()));
      client.close();
      await eof;
      await peer.until(() => controls(peer.frames, SPDY_FRAME_TYPE.GOAWAY).length === 1);
      const kinds = peer.frames.map((f) => (f.frame.control ? f.frame.type : `data ${f.frame.streamId}${f.frame.flags & SPDY_FLAG.FIN ? ' fin' : ''}`));
      assert.deepEqual(kinds, [SPDY_FRAME_TYPE.SYN_STREAM, 'data 1', SPDY_FRAME_TYPE.RST_STREAM, SPDY_FRAME_TYPE.GOAWAY]);
      const rst = controls(peer.frames, SPDY_FRAME_TYPE.RST_STREAM)[0]!.frame as { payload: Buffer };
      assert.deepEqual([rst.payload.readUInt32BE(0), rst.payload.readUInt32BE(4)], [1, SPDY_RST_STATUS.CANCEL]);
      const goaway = controls(peer.frames, SPDY_FRAME_TYPE.GOAWAY)[0]!.frame as { payload: Buffer };
      assert.deepEqual([goaway.payload.readUInt32BE(0), goaway.payload.readUInt32BE(4)], [0, 0]);
    });
  });
});
