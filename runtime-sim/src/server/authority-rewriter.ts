/**
 * The client-to-server byte stream of a connection whose requests carry an :authority Node's http2
 * would refuse (a socket path; see authority-policy.ts), rewritten so the server takes them.
 *
 * Every header block the client sends (HEADERS plus any CONTINUATION frames, RFC 9113 §4.3) is decoded
 * with the client's HPACK state, refused :authority / host values become UNIX_SOCKET_AUTHORITY, and the
 * block is re-encoded without the dynamic table (header-block-codec.ts) into a HEADERS frame followed by
 * CONTINUATION frames as the server's frame size needs. Every other frame passes unchanged.
 * Re-encoding every block, not only the ones that change, is what keeps the server's decoder right:
 * the client's blocks refer to its own dynamic table (Go's HPACK encoder indexes :authority, so the
 * second request on a connection sends it as a one-octet reference), which the server never sees.
 */
import { withAcceptableAuthority } from './authority-policy';
import { encodeWithoutIndexing, HeaderBlockDecoder } from './header-block-codec';
import {
  CLIENT_PREFACE,
  DEFAULT_HEADER_TABLE_SIZE_BYTES,
  DEFAULT_MAX_FRAME_SIZE_BYTES,
  encodeFrame,
  FRAME_FLAG,
  FRAME_HEADER_BYTES,
  FRAME_TYPE,
  headersFragment,
  readFrameHeader,
} from './http2-frame';

/** Largest header block (all fragments) one request may carry here; the client is cut off past it. */
export const MAX_HEADER_BLOCK_BYTES = 1024 * 1024;

/** The client broke HTTP/2 framing or HPACK; the connection cannot continue. */
export class RewriteError extends Error {
  override readonly name = 'RewriteError';
}

interface OpenBlock {
  readonly streamId: number;
  readonly endStream: boolean;
  /** The 5 priority octets of the HEADERS frame, if it had them. */
  readonly priority: Buffer | undefined;
  readonly fragments: Buffer[];
  size: number;
}

export interface AuthorityRewriterOptions {
  /** The server's SETTINGS_MAX_FRAME_SIZE. Default DEFAULT_MAX_FRAME_SIZE_BYTES (Node's http2 server's). */
  readonly maxFrameSizeBytes?: number;
  /** The server's SETTINGS_HEADER_TABLE_SIZE, the most the client's encoder may use. Default DEFAULT_HEADER_TABLE_SIZE_BYTES. */
  readonly headerTableSizeBytes?: number;
}

export class AuthorityRewriter {
  private readonly decoder: HeaderBlockDecoder;
  private readonly maxFrameSizeBytes: number;
  private prefaceLeft = CLIENT_PREFACE.length;
  /** Bytes of an incomplete frame, kept until the rest arrives. */
  private pending: Buffer = Buffer.alloc(0);
  private open: OpenBlock | undefined;
  /** Requests (header blocks) whose :authority or host was replaced. */
  rewrittenBlocks = 0;

  constructor(options: AuthorityRewriterOptions = {}) {
    this.decoder = new HeaderBlockDecoder(options.headerTableSizeBytes ?? DEFAULT_HEADER_TABLE_SIZE_BYTES);
    this.maxFrameSizeBytes = options.maxFrameSizeBytes ?? DEFAULT_MAX_FRAME_SIZE_BYTES;
  }

  /** Client bytes in, in order from the connection's first byte; bytes for the server out. Throws RewriteError. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.prefaceLeft > 0) {
      const n = Math.min(this.prefaceLeft, data.length);
      out.push(data.subarray(0, n));
      this.prefaceLeft -= n;
      data = data.subarray(n);
    }
    let offset = 0;
    /** Start of a run of frames that pass unchanged, emitted as one slice. */
    let runStart = 0;
    for (;;) {
      const header = readFrameHeader(data, offset);
      if (header === undefined || data.length < offset + FRAME_HEADER_BYTES + header.length) break;
      const frameEnd = offset + FRAME_HEADER_BYTES + header.length;
      const isHeaderFrame = header.type === FRAME_TYPE.HEADERS || header.type === FRAME_TYPE.CONTINUATION;
      if (!isHeaderFrame && this.open !== undefined) {
        throw new RewriteError(`frame type ${header.type} inside the header block of stream ${this.open.streamId} (RFC 9113 §6.10)`);
      }
      if (isHeaderFrame) {
        if (runStart < offset) out.push(data.subarray(runStart, offset));
        const block = this.readHeaderFrame(header.type, header.flags, header.streamId, data.subarray(offset + FRAME_HEADER_BYTES, frameEnd));
        if (block !== undefined) out.push(...this.rewrite(block));
        runStart = frameEnd;
      }
      offset = frameEnd;
    }
    if (runStart < offset) out.push(data.subarray(runStart, offset));
    // Copy the tail: `data` may be a view of a large chunk that should not stay alive.
    this.pending = offset < data.length ? Buffer.from(data.subarray(offset)) : Buffer.alloc(0);
    return out;
  }

  /** Adds a HEADERS or CONTINUATION frame; returns the block once its END_HEADERS frame is in. */
  private readHeaderFrame(type: number, flags: number, streamId: number, payload: Buffer): OpenBlock | undefined {
    if (type === FRAME_TYPE.HEADERS) {
      if (this.open !== undefined) throw new RewriteError(`HEADERS on stream ${streamId} inside the header block of stream ${this.open.streamId}`);
      const parts = headersFragment(flags, payload);
      if (parts === undefined) throw new RewriteError(`HEADERS on stream ${streamId} has a pad length longer than its payload`);
      this.open = {
        streamId,
        endStream: (flags & FRAME_FLAG.END_STREAM) !== 0,
        priority: parts.priority,
        fragments: [parts.fragment],
        size: parts.fragment.length,
      };
    } else {
      if (this.open === undefined || this.open.streamId !== streamId) {
        throw new RewriteError(`CONTINUATION on stream ${streamId} without a HEADERS frame before it (RFC 9113 §6.10)`);
      }
      this.open.fragments.push(payload);
      this.open.size += payload.length;
    }
    if (this.open.size > MAX_HEADER_BLOCK_BYTES) {
      throw new RewriteError(`header block of stream ${streamId} exceeds ${MAX_HEADER_BLOCK_BYTES} bytes`);
    }
    if ((flags & FRAME_FLAG.END_HEADERS) === 0) return undefined;
    const block = this.open;
    this.open = undefined;
    return block;
  }

  /** One decoded, fixed, re-encoded header block as HEADERS (+ CONTINUATION) frames. */
  private rewrite(block: OpenBlock): Buffer[] {
    let fields;
    try {
      fields = this.decoder.decode(block.fragments.length === 1 ? block.fragments[0]! : Buffer.concat(block.fragments));
    } catch (err) {
      throw new RewriteError(`stream ${block.streamId}: ${(err as Error).message}`);
    }
    const fixed = withAcceptableAuthority(fields);
    if (fixed !== fields) this.rewrittenBlocks++;
    const encoded = encodeWithoutIndexing(fixed);
    const payload = block.priority === undefined ? encoded : Buffer.concat([block.priority, encoded]);
    const frames: Buffer[] = [];
    for (let start = 0; start === 0 || start < payload.length; start += this.maxFrameSizeBytes) {
      const end = Math.min(start + this.maxFrameSizeBytes, payload.length);
      const last = end === payload.length;
      const flags = start === 0
        ? (block.endStream ? FRAME_FLAG.END_STREAM : 0) | (block.priority === undefined ? 0 : FRAME_FLAG.PRIORITY) | (last ? FRAME_FLAG.END_HEADERS : 0)
        : last ? FRAME_FLAG.END_HEADERS : 0;
      frames.push(encodeFrame(start === 0 ? FRAME_TYPE.HEADERS : FRAME_TYPE.CONTINUATION, flags, block.streamId, payload.subarray(start, end)));
    }
    return frames;
  }
}
