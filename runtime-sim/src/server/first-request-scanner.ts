/**
 * Reads the start of a client connection until the front door can choose its path: the client
 * preface, then frames up to the end of the first request's header block and the client's ACK of the
 * front door's SETTINGS frame. Pure (bytes in, a decision out), so it is tested without sockets.
 *
 * Why wait for the ACK: the front door sends the server preface itself (clients such as grpc-go and
 * grpc-js send no request before they have it), and the gRPC server's nghttp2 sends its own SETTINGS
 * when it takes the connection over. nghttp2 treats a SETTINGS ACK it has no outstanding SETTINGS for
 * as a connection error (GOAWAY PROTOCOL_ERROR, measured), so the ACK of the front door's frame must
 * be taken out of what nghttp2 reads.
 */
import { findRefusedAuthority } from './authority-policy';
import { HeaderBlockDecoder } from './header-block-codec';
import { CLIENT_PREFACE, FRAME_FLAG, FRAME_HEADER_BYTES, FRAME_TYPE, headersFragment, isSettingsAck, readFrameHeader } from './http2-frame';

/** Bytes a client may send before the front door has decided; past this it hands the connection over as it is. */
export const MAX_FIRST_CONTACT_BYTES = 256 * 1024;

export type FirstContact =
  /** The bytes do not start with the HTTP/2 client preface (an HTTP/1.1 client, say). */
  | { readonly kind: 'not-http2'; readonly received: Buffer }
  /**
   * An HTTP/2 client. `forward`: what it sent, less the ACK of the front door's SETTINGS. `refusedAuthority`:
   * the first request's :authority (or host) if Node's http2 would refuse it. `undecided`: why the first
   * request could not be judged (the server will then answer the bytes as they are).
   */
  | { readonly kind: 'http2'; readonly forward: Buffer; readonly refusedAuthority?: string; readonly undecided?: string };

export class FirstRequestScanner {
  private received: Buffer = Buffer.alloc(0);
  /** Where the next unread frame starts. */
  private offset = CLIENT_PREFACE.length;
  /** Byte range of the ACK of the front door's SETTINGS, once seen. */
  private ack: { start: number; end: number } | undefined;
  private blockFragments: Buffer[] | undefined;
  private block: { refusedAuthority?: string; undecided?: string } | undefined;

  /** Feeds the next bytes; returns the decision once there is one (then the scanner is done). */
  push(chunk: Buffer): FirstContact | undefined {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    const prefaceBytes = Math.min(this.received.length, CLIENT_PREFACE.length);
    if (this.received.compare(CLIENT_PREFACE, 0, prefaceBytes, 0, prefaceBytes) !== 0) {
      return { kind: 'not-http2', received: this.received };
    }
    for (;;) {
      const header = readFrameHeader(this.received, this.offset);
      if (header === undefined || this.received.length < this.offset + FRAME_HEADER_BYTES + header.length) break;
      const start = this.offset;
      const payload = this.received.subarray(start + FRAME_HEADER_BYTES, start + FRAME_HEADER_BYTES + header.length);
      this.offset += FRAME_HEADER_BYTES + header.length;
      if (this.ack === undefined && isSettingsAck(header)) this.ack = { start, end: this.offset };
      if (this.block === undefined) this.readHeaderFrame(header.type, header.flags, payload);
      if (this.block !== undefined && this.ack !== undefined) return this.decided(this.block);
    }
    if (this.received.length > MAX_FIRST_CONTACT_BYTES) {
      return this.decided({ undecided: `no complete first request within ${MAX_FIRST_CONTACT_BYTES} bytes` });
    }
    return undefined;
  }

  /** True once the first request's header block is complete (then only the SETTINGS ACK is awaited). */
  get hasFirstRequest(): boolean {
    return this.block !== undefined;
  }

  private readHeaderFrame(type: number, flags: number, payload: Buffer): void {
    if (this.blockFragments === undefined) {
      if (type !== FRAME_TYPE.HEADERS) return;
      const parts = headersFragment(flags, payload);
      if (parts === undefined) {
        this.block = { undecided: 'first HEADERS frame has a bad pad length' };
        return;
      }
      this.blockFragments = [parts.fragment];
    } else if (type === FRAME_TYPE.CONTINUATION) {
      this.blockFragments.push(payload);
    } else {
      this.block = { undecided: 'first header block is interrupted by another frame (RFC 9113 §6.10)' };
      return;
    }
    if ((flags & FRAME_FLAG.END_HEADERS) === 0) return;
    try {
      const fields = new HeaderBlockDecoder().decode(Buffer.concat(this.blockFragments));
      const refusedAuthority = findRefusedAuthority(fields);
      this.block = refusedAuthority === undefined ? {} : { refusedAuthority };
    } catch (err) {
      this.block = { undecided: (err as Error).message };
    }
  }

  private decided(block: { refusedAuthority?: string; undecided?: string }): FirstContact {
    const forward =
      this.ack === undefined
        ? this.received
        : Buffer.concat([this.received.subarray(0, this.ack.start), this.received.subarray(this.ack.end)]);
    return { kind: 'http2', forward, ...block };
  }
}
