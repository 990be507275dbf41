/**
 * A stand-in for a kubelet's SPDY exec endpoint, for client tests: records the upgrade request head, answers
 * 101 with the chosen protocol (or a refusal), accepts every stream over cri-proto's server SpdyConnection,
 * records each stream's data and FIN, and once `expectStreams` streams are there runs `script`.
 */
import * as net from 'node:net';
import { SpdyConnection } from '../../cri-proto/src/streaming/spdy/spdy-connection';
import type { SpdyStream } from '../../cri-proto/src/streaming/spdy/spdy-stream';

export interface RecordedStream {
  readonly type: string;
  readonly stream: SpdyStream;
  data: string;
  ended: boolean;
}

export interface FakeSpdyServerOptions {
  /** The X-Stream-Protocol-Version answered; or a full refusal response. */
  readonly answer: { protocol: string } | { refusal: string };
  readonly expectStreams?: number;
  readonly script?: (byType: Map<string, RecordedStream>, conn: SpdyConnection) => void | Promise<void>;
}

export interface FakeSpdyServer {
  readonly url: string;
  readonly requestHeads: string[];
  readonly streams: RecordedStream[];
  close(): Promise<void>;
}

export async function startFakeSpdyServer(options: FakeSpdyServerOptions): Promise<FakeSpdyServer> {
  const requestHeads: string[] = [];
  const streams: RecordedStream[] = [];
  const conns = new Set<SpdyConnection>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      requestHeads.push(head.subarray(0, end + 4).toString('latin1'));
      if ('refusal' in options.answer) {
        socket.end(options.answer.refusal);
        return;
      }
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${options.answer.protocol}\r\n\r\n`);
      const byType = new Map<string, RecordedStream>();
      let started = false;
      const conn: SpdyConnection = new SpdyConnection(socket, {
        server: true,
        head: head.subarray(end + 4),
        onStream: (stream) => {
          const rec: RecordedStream = { type: stream.header('streamtype'), stream, data: '', ended: false };
          streams.push(rec);
          byType.set(rec.type, rec);
          stream.on('data', (c: Buffer) => (rec.data += c.toString()));
          stream.on('end', () => (rec.ended = true));
          stream.once('replySent', () => {
            if (!started && byType.size === (options.expectStreams ?? 1)) {
              started = true;
              void Promise.resolve(options.script?.(byType, conn)).catch(() => conn.destroy());
            }
          });
          return null;
        },
      });
      conns.add(conn);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requestHeads,
    streams,
    close: async () => {
      for (const c of conns) c.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Resolves once `predicate` holds, polling every 10 ms, or rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
