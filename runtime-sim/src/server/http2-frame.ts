/**
 * The few HTTP/2 wire facts the front door needs (RFC 9113 §3.4 connection preface, §4.1 frame layout,
 * §6 frame types and flags). Frames are read from byte buffers as the client sent them; nothing here
 * allocates on the native path except the one SETTINGS frame the front door writes.
 */

/** RFC 9113 §3.4: the 24 octets every HTTP/2 client connection starts with. */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** RFC 9113 §4.1: length (24 bits), type, flags, reserved bit + stream id (31 bits). */
export const FRAME_HEADER_BYTES = 9;

/** RFC 9113 §4.2 / §6.5.2: SETTINGS_MAX_FRAME_SIZE's initial value; Node's http2 server (and grpc-js) keep it. */
export const DEFAULT_MAX_FRAME_SIZE_BYTES = 16_384;

/** RFC 7541 §4.2 / RFC 9113 §6.5.2: SETTINGS_HEADER_TABLE_SIZE's initial value; Node's http2 server keeps it. */
export const DEFAULT_HEADER_TABLE_SIZE_BYTES = 4096;

/** RFC 9113 §6 frame type codes. */
export const FRAME_TYPE = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** RFC 9113 §6 flag bits (meaning depends on the frame type). */
export const FRAME_FLAG = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

export interface FrameHeader {
  readonly length: number;
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
}

/** The frame header at `offset`, or undefined if fewer than 9 bytes are there. */
export function readFrameHeader(buf: Buffer, offset: number): FrameHeader | undefined {
  if (buf.length - offset < FRAME_HEADER_BYTES) return undefined;
  return {
    length: buf.readUIntBE(offset, 3),
    type: buf[offset + 3]!,
    flags: buf[offset + 4]!,
    streamId: buf.readUInt32BE(offset + 5) & 0x7fff_ffff,
  };
}

/** One frame: header + payload. */
export function encodeFrame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUIntBE(payload.length, 0, 3);
  frame[3] = type;
  frame[4] = flags;
  frame.writeUInt32BE(streamId & 0x7fff_ffff, 5);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * A SETTINGS frame with no parameters: every setting at its RFC default. It is exactly the server
 * preface grpc-js's http2 server sends (grpc-js sets no http2 settings unless grpc.max_concurrent_streams
 * is given; measured on the wire with grpc-go 1.33 as the client).
 */
export const EMPTY_SETTINGS_FRAME = encodeFrame(FRAME_TYPE.SETTINGS, 0, 0, Buffer.alloc(0));

export function isSettingsAck(header: FrameHeader): boolean {
  return header.type === FRAME_TYPE.SETTINGS && (header.flags & FRAME_FLAG.ACK) !== 0;
}

/**
 * The header block fragment of a HEADERS frame's payload, without padding and priority fields
 * (RFC 9113 §6.2); undefined if the pad length does not fit the payload.
 */
export function headersFragment(flags: number, payload: Buffer): { fragment: Buffer; priority: Buffer | undefined } | undefined {
  let start = 0;
  let end = payload.length;
  if (flags & FRAME_FLAG.PADDED) {
    if (payload.length < 1) return undefined;
    start = 1;
    end -= payload[0]!;
  }
  let priority: Buffer | undefined;
  if (flags & FRAME_FLAG.PRIORITY) {
    priority = payload.subarray(start, start + 5);
    start += 5;
  }
  if (end < start) return undefined;
  return { fragment: payload.subarray(start, end), priority };
}
