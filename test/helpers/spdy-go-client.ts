/**
 * A SPDY client that puts on the wire what kubectl 1.29 (client-go remotecommand/spdy.go and
 * portforward.go over apimachinery httpstream/spdy roundtripper.go and moby/spdystream) sends,
 * frame by frame. The SYN_STREAM header blocks below are the bytes a real kubectl v1.29 sent to
 * runtime-sim (captured once through apiserver-sim and kubelet-sim): zlib level 9 with the SPDY/3
 * dictionary, one context per connection, so they are replayed in their original order on a new
 * connection. Go writes http.Header from a map, so the port-forward blocks carry their names in the
 * order that capture happened to have.
 */
import * as net from 'node:net';
import { encodeControlFrame, encodeDataFrame, encodeWords, SPDY_FLAG, SPDY_FRAME_TYPE, SpdyFrameReader } from '../../cri-proto/src/streaming/spdy/spdy-frame';
import { SpdyHeaderInflater } from '../../cri-proto/src/streaming/spdy/spdy-header-block';

/** Stream id, then the compressed block, of each SYN_STREAM kubectl sent (payload minus the 10-byte prefix). */
export const KUBECTL_129_SYN_BLOCKS = {
  /** exec/attach without stdin: error, stdout, stderr. */
  exec: [
    [1, '78f9e3c6a7c26260606004a7b392a2d4c45c6851c29a0a0a6800000000ffff'],
    [3, 'c22ac5565c92925f5a02000000ffff'],
    [5, 'c229975a5404000000ffff'],
  ],
  /** exec -i: error, stdin, stdout, stderr. */
  execStdin: [
    [1, '78f9e3c6a7c26260606004a7b392a2d4c45c6851c29a0a0a6800000000ffff'],
    [3, 'c22e555c92929907000000ffff'],
    [5, 'c22ac5565c92925f5a02000000ffff'],
    [7, 'c229975a5404000000ffff'],
  ],
  /** port-forward of port 8080, request 0: the error stream (then FIN from the client), the data stream. */
  portForward8080: [
    [1, '78f9e3c6a7c202253a060606ce2248fc6482d22da30138e59514a526e6420b17d65450d0430aea22709eb030b03000000000ffff'],
    [3, '826a46550a2a8712b1a844b302000000ffff'],
  ],
} as const satisfies Record<string, ReadonlyArray<readonly [number, string]>>;

/** SYN_STREAM as spdystream writes it: stream id, associated id 0, priority 0, slot 0, block. */
export function synStream(streamId: number, blockHex: string, flags = 0): Buffer {
  return encodeControlFrame(SPDY_FRAME_TYPE.SYN_STREAM, flags, Buffer.concat([encodeWords(streamId, 0), Buffer.from([0, 0]), Buffer.from(blockHex, 'hex')]));
}

export function dataFrame(streamId: number, data: string, fin = false): Buffer {
  return encodeDataFrame(streamId, fin ? SPDY_FLAG.FIN : 0, Buffer.from(data));
}

export type ServerEvent =
  | { readonly type: 'SYN_REPLY'; readonly streamId: number; readonly headers: Array<[string, string]> }
  | { readonly type: 'DATA'; readonly streamId: number; readonly fin: boolean; readonly data: string }
  | { readonly type: 'RST_STREAM'; readonly streamId: number; readonly status: number }
  | { readonly type: 'GOAWAY'; readonly lastGoodStreamId: number; readonly status: number }
  | { readonly type: 'PING'; readonly id: number }
  | { readonly type: 'OTHER'; readonly frameType: number }
  | { readonly type: 'EOF' };

export interface SpdyClient {
  readonly status: number;
  /** Response header lines as sent, e.g. ['Connection: Upgrade', ...]. */
  readonly headerLines: readonly string[];
  readonly events: ServerEvent[];
  send(...frames: Buffer[]): void;
  /** Resolves once `predicate` holds for the events so far (or rejects after timeoutMs). */
  until(predicate: (events: readonly ServerEvent[]) => boolean, timeoutMs?: number): Promise<ServerEvent[]>;
  end(): void;
}

/** kubectl's upgrade request (roundtripper.go, req.Write: sorted headers, one line per protocol). */
export function openSpdy(url: string, protocols: readonly string[]): Promise<SpdyClient> {
  const u = new URL(url);
  const sock = net.connect(Number(u.port), u.hostname);
  const request = [
    `POST ${u.pathname} HTTP/1.1`,
    `Host: ${u.host}`,
    'User-Agent: kubectl/v1.29.15 (linux/amd64) kubernetes/0d0f172',
    'Content-Length: 0',
    'Connection: Upgrade',
    'Upgrade: SPDY/3.1',
    ...protocols.map((p) => `X-Stream-Protocol-Version: ${p}`),
    '',
    '',
  ].join('\r\n');
  sock.write(request);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const events: ServerEvent[] = [];
    const reader = new SpdyFrameReader();
    const inflater = new SpdyHeaderInflater();
    let chain = Promise.resolve();
    const waiters = new Set<() => void>();
    const notify = (): void => waiters.forEach((w) => w());
    const onFrames = (bytes: Buffer): void => {
      for (const f of reader.push(bytes)) {
        chain = chain.then(async () => {
          if (!f.control) {
            events.push({ type: 'DATA', streamId: f.streamId, fin: (f.flags & SPDY_FLAG.FIN) !== 0, data: f.data.toString() });
          } else if (f.type === SPDY_FRAME_TYPE.SYN_REPLY) {
            events.push({ type: 'SYN_REPLY', streamId: f.payload.readUInt32BE(0), headers: await inflater.decode(f.payload.subarray(4)) });
          } else if (f.type === SPDY_FRAME_TYPE.RST_STREAM) {
            events.push({ type: 'RST_STREAM', streamId: f.payload.readUInt32BE(0), status: f.payload.readUInt32BE(4) });
          } else if (f.type === SPDY_FRAME_TYPE.GOAWAY) {
            events.push({ type: 'GOAWAY', lastGoodStreamId: f.payload.readUInt32BE(0), status: f.payload.readUInt32BE(4) });
          } else if (f.type === SPDY_FRAME_TYPE.PING) {
            events.push({ type: 'PING', id: f.payload.readUInt32BE(0) });
          } else {
            events.push({ type: 'OTHER', frameType: f.type });
          }
          notify();
        });
      }
    };
    let upgraded = false;
    sock.on('data', (chunk: Buffer) => {
      if (upgraded) return onFrames(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      upgraded = true;
      const lines = head.subarray(0, end).toString().split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      const rest = head.subarray(end + 4);
      const client: SpdyClient = {
        status,
        headerLines: lines.slice(1),
        events,
        send: (...frames) => void sock.write(Buffer.concat(frames)),
        until: (predicate, timeoutMs = 5000) =>
          new Promise((res, rej) => {
            const check = (): void => {
              if (!predicate(events)) return;
              waiters.delete(check);
              clearTimeout(timer);
              res(events);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              rej(new Error(`timed out; events so far: ${JSON.stringify(events)}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
        end: () => {
          sock.destroy();
          inflater.close();
        },
      };
      if (rest.length > 0) onFrames(rest);
      resolve(client);
    });
    sock.on('end', () => {
      chain = chain.then(() => {
        events.push({ type: 'EOF' });
        notify();
      });
    });
    sock.on('error', (err) => (upgraded ? undefined : reject(err)));
  });
}

export const hasEOF = (events: readonly ServerEvent[]): boolean => events.some((e) => e.type === 'EOF');
