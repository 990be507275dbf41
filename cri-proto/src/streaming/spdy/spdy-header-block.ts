/**
 * SPDY/3 header blocks (github.com/moby/spdystream spdy/types.go headerDictionary, read.go
 * parseHeaderValueBlock, write.go writeHeaderValueBlock; draft-mbelshe-httpbis-spdy-00 section 2.6.10):
 * zlib streams with the SPDY/3 dictionary, one compression context per direction for the connection's
 * lifetime, each block ended with a sync flush; Node's zlib (`dictionary` option) does that. spdystream's
 * framer compresses at zlib.BestCompression (level 9), as the FLEVEL bits of kubectl's blocks show.
 */
import * as zlib from 'node:zlib';
import { encodeWords } from './spdy-frame';

/** A header block as name (lower case) → values, in wire order. */
export type SpdyHeaders = ReadonlyArray<readonly [string, string]>;

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
  private readonly ctx = new ZlibContext(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY, level: zlib.constants.Z_BEST_COMPRESSION }));
  encode(headers: SpdyHeaders): Promise<Buffer> {
    return this.ctx.run(encodeHeaderBlock(headers));
  }
  close(): void {
    this.ctx.close();
  }
}
