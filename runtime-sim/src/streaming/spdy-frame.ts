/**
 * SPDY/3.1 framing as Go's spdystream speaks it (github.com/moby/spdystream/spdy types.go, read.go,
 * write.go; draft-mbelshe-httpbis-spdy-00), the transport of kubectl ≤ 1.29 exec/attach and of every
 * port-forward before 1.31, and of crictl's default `--transport spdy`.
 *
 * Written here rather than taken from npm: `spdy-transport` 3.0.0 (2018, the `spdy` server's
 * transport) treats every stream as an HTTP request. Fed kubectl 1.29's SYN_STREAM frames it fails the
 * connection with "Missing `:method` and/or `:path` header" (spdystream streams carry only
 * `streamtype`, `port`, `requestID`); it also opens with its own SETTINGS and WINDOW_UPDATE frames.
 * Header blocks are zlib streams with the SPDY/3 dictionary, one compression context per direction
 * for the connection's lifetime, each block ended with a sync flush; Node's zlib (`dictionary`
 * option) does that.
 */
import * as zlib from 'node:zlib';

export const SPDY_VERSION = 3;

/** Control frame types (spdy types.go ControlFrameType). */
export const SPDY_FRAME_TYPE = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const SPDY_FLAG = { FIN: 0x01, UNIDIRECTIONAL: 0x02 } as const;

/** RST_STREAM status codes (spdy types.go RstStreamStatus). */
export const SPDY_RST_STATUS = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
} as const;

/** GOAWAY status codes. */
export const SPDY_GOAWAY_STATUS = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;

/** Length-prefixed names of the SPDY/3 header dictionary (draft section 2.6.10.1), in order. */
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
  'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
  'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5',
  'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host', 'if-match',
  'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified', 'location',
  'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'retry-after',
  'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public',
  'set-cookie', 'keep-alive', 'origin',
];
/** The dictionary's unprefixed tail. */
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const SPDY3_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.map((w) => {
    const b = Buffer.alloc(4 + w.length);
    b.writeUInt32BE(w.length);
    b.write(w, 4, 'latin1');
    return b;
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

export type SpdyFrame =
  | { readonly control: true; readonly type: number; readonly flags: number; readonly payload: Buffer }
  | { readonly control: false; readonly streamId: number; readonly flags: number; readonly data: Buffer };

/** A header block as name (lower case) → values, in wire order. */
export type SpdyHeaders = ReadonlyArray<readonly [string, string]>;

const FRAME_HEADER_BYTES = 8;

/** Splits a byte stream into frames; keeps a partial frame until the rest arrives. */
export class SpdyFrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: SpdyFrame[] = [];
    let at = 0;
    while (this.pending.length - at >= FRAME_HEADER_BYTES) {
      const length = this.pending.readUIntBE(at + 5, 3);
      if (this.pending.length - at < FRAME_HEADER_BYTES + length) break;
      const flags = this.pending[at + 4]!;
      const body = this.pending.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length);
      const first = this.pending.readUInt32BE(at);
      if ((first & 0x80000000) !== 0) {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new Error(`unsupported SPDY version ${version}`);
        frames.push({ control: true, type: first & 0xffff, flags, payload: Buffer.from(body) });
      } else {
        frames.push({ control: false, streamId: first & 0x7fffffff, flags, data: Buffer.from(body) });
      }
      at += FRAME_HEADER_BYTES + length;
    }
    this.pending = this.pending.subarray(at);
    return frames;
  }
}

export function encodeControlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  head.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0);
  head[4] = flags;
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

export function encodeDataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  head.writeUInt32BE(streamId & 0x7fffffff);
  head[4] = flags;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

/** Two 32-bit words (RST_STREAM: stream id, status; GOAWAY: last good stream id, status; WINDOW_UPDATE). */
export function encodeWords(...words: number[]): Buffer {
  const b = Buffer.alloc(4 * words.length);
  words.forEach((w, i) => b.writeUInt32BE(w >>> 0, 4 * i));
  return b;
}

/** The uncompressed name/value block: count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [encodeWords(headers.length)];
  for (const [name, value] of headers) {
    for (const s of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(s, 'utf8');
      parts.push(encodeWords(bytes.length), bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Values holding NULs are several values of one name (spdy read.go parseHeaderValueBlock). */
export function decodeHeaderBlock(block: Buffer): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let at = 0;
  const next = (): string => {
    if (block.length - at < 4) throw new Error('truncated SPDY header block');
    const n = block.readUInt32BE(at);
    at += 4;
    if (block.length - at < n) throw new Error('truncated SPDY header block');
    const s = block.toString('utf8', at, at + n);
    at += n;
    return s;
  };
  if (block.length < 4) throw new Error('truncated SPDY header block');
  const count = block.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = next().toLowerCase();
    for (const value of next().split('\0')) out.push([name, value]);
  }
  return out;
}

/**
 * One direction's zlib context. Every block is written and sync-flushed in order; the output of a
 * flush is exactly that block, so callers must not interleave (they await each call in turn).
 */
class ZlibContext {
  private chunks: Buffer[] = [];
  private failure: Error | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly z: zlib.Inflate | zlib.Deflate) {
    z.on('data', (c: Buffer) => this.chunks.push(c));
    z.on('error', (err: Error) => (this.failure = err));
  }

  run(input: Buffer): Promise<Buffer> {
    const step = this.chain.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.failure) return reject(this.failure);
          this.z.write(input);
          this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            // Let a push that was buffered rather than emitted reach the 'data' listener first.
            setImmediate(() => {
              if (this.failure) return reject(this.failure);
              const out = Buffer.concat(this.chunks);
              this.chunks = [];
              resolve(out);
            });
          });
        }),
    );
    this.chain = step.catch(() => undefined);
    return step;
  }

  close(): void {
    this.z.destroy();
  }
}

/** The receive side: decompresses SYN_STREAM / SYN_REPLY / HEADERS blocks in arrival order. */
export class SpdyHeaderInflater {
  private readonly ctx = new ZlibContext(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }));
  async decode(compressed: Buffer): Promise<Array<[string, string]>> {
    return decodeHeaderBlock(await this.ctx.run(compressed));
  }
  close(): void {
    this.ctx.close();
  }
}

/** The send side. */
export class SpdyHeaderDeflater {
  private readonly ctx = new ZlibContext(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }));
  encode(headers: SpdyHeaders): Promise<Buffer> {
    return this.ctx.run(encodeHeaderBlock(headers));
  }
  close(): void {
    this.ctx.close();
  }
}
