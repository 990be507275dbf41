/**
 * SPDY/3.1 framing as Go's spdystream speaks it (github.com/moby/spdystream/spdy types.go, read.go,
 * write.go; draft-mbelshe-httpbis-spdy-00), the transport of kubectl ≤ 1.29 exec/attach and of every
 * port-forward before 1.31, of crictl's default `--transport spdy`, and of kube-apiserver's stream
 * translator and tunnel to the kubelet.
 *
 * Written here rather than taken from npm: `spdy-transport` 3.0.0 (2018, the `spdy` server's
 * transport) treats every stream as an HTTP request. Fed kubectl 1.29's SYN_STREAM frames it fails the
 * connection with "Missing `:method` and/or `:path` header" (spdystream streams carry only
 * `streamtype`, `port`, `requestID`); it also opens with its own SETTINGS and WINDOW_UPDATE frames.
 * Header blocks are in ./spdy-header-block.ts.
 */
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

export type SpdyFrame =
  | { readonly control: true; readonly type: number; readonly flags: number; readonly payload: Buffer }
  | { readonly control: false; readonly streamId: number; readonly flags: number; readonly data: Buffer };

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

