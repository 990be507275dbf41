/**
 * A unary gRPC client over a raw HTTP/2 connection that writes what grpc-go's transport writes, for
 * testing runtime-sim against Go clients without a Go toolchain. What it copies was read off the wire
 * from grpc-go 1.33.3 dialling a bare socket path (as crictl up to 1.2x does):
 *   - client preface and an empty SETTINGS frame; no request before the server's SETTINGS has arrived
 *     (grpc-go waits for the server preface), every SETTINGS is acknowledged;
 *   - per call a HEADERS frame with :method POST, :scheme http, :path, :authority, content-type,
 *     user-agent grpc-go/1.33.3, te trailers, grpc-timeout <n>u, then any metadata; HPACK as Go's
 *     encoder does it (golang.org/x/net/http2/hpack encode.go): an exact table match is sent as an
 *     index, every other field as a literal with incremental indexing, a string Huffman-coded only when
 *     that is shorter; a block longer than the frame size continues in CONTINUATION frames;
 *   - the message in one DATA frame with END_STREAM; a connection WINDOW_UPDATE for every DATA received.
 * `recordedBlocks` replays header blocks exactly as grpc-go sent them.
 */
import * as net from 'node:net';
import * as hpack from 'hpack.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const TYPE = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const HEADER_TABLE_SIZE_BYTES = 4096;
const DEFAULT_MAX_FRAME_SIZE_BYTES = 16_384;

export interface GoWireClientOptions {
  /** The :authority every request carries (grpc-go: the bare socket path, or "localhost" for unix: targets). */
  readonly authority: string;
  /** Split header blocks into frames of at most this many octets (forces CONTINUATION frames). Default 16384. */
  readonly headerFrameBytes?: number;
  /** Send the first request without waiting for the server's SETTINGS, as some non-gRPC clients do. Default false. */
  readonly eager?: boolean;
}

export interface GoWireReply {
  readonly grpcStatus: number;
  readonly grpcMessage: string;
  /** The response message (without the 5-octet gRPC prefix); empty if none. */
  readonly message: Buffer;
}

/** The stream was reset (RST_STREAM) or the connection went away (GOAWAY, close) before the reply. */
export class GoWireStreamError extends Error {
  constructor(message: string, readonly http2ErrorCode: number) {
    super(message);
  }
}

interface PendingCall {
  readonly resolve: (reply: GoWireReply) => void;
  readonly reject: (err: Error) => void;
  headers: Record<string, string>;
  data: Buffer[];
}

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(9 + payload.length);
  out.writeUIntBE(payload.length, 0, 3);
  out[3] = type;
  out[4] = flags;
  out.writeUInt32BE(streamId, 5);
  payload.copy(out, 9);
  return out;
}

/** Go's rule: Huffman only if strictly shorter (hpack encode.go appendHpackString). */
function huffmanIsShorter(s: string): boolean {
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += hpack.huffman.encode[s.charCodeAt(i) & 0xff]![0];
  return Math.ceil(bits / 8) < s.length;
}

export class GoWireClient {
  private readonly encoder = hpack.compressor.create({ table: { maxSize: HEADER_TABLE_SIZE_BYTES } });
  private readonly decoder = hpack.decompressor.create({ table: { maxSize: HEADER_TABLE_SIZE_BYTES } });
  private readonly pending = new Map<number, PendingCall>();
  private nextStreamId = 1;
  private inbound: Buffer = Buffer.alloc(0);
  private headerBlock: { streamId: number; flags: number; fragments: Buffer[] } | undefined;
  private closedWith: Error | undefined;
  private timeoutMicros = 9_999_000;
  /** SETTINGS frames received from the server (the front door's and the gRPC server's). */
  serverSettingsFrames = 0;

  private constructor(private readonly socket: net.Socket, private readonly options: GoWireClientOptions) {}

  static async connect(socketPath: string, options: GoWireClientOptions): Promise<GoWireClient> {
    const socket = net.connect(socketPath);
    const client = new GoWireClient(socket, options);
    const serverPreface = new Promise<void>((resolve, reject) => {
      client.onServerPreface = resolve;
      socket.once('error', reject);
      socket.once('close', () => reject(new Error('connection closed before the server preface')));
    });
    socket.on('data', (chunk: Buffer) => client.receive(chunk));
    socket.on('close', () => client.fail(new GoWireStreamError('connection closed', 0)));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(Buffer.concat([PREFACE, frame(TYPE.SETTINGS, 0, 0, Buffer.alloc(0))]));
    if (!options.eager) await serverPreface;
    else serverPreface.catch(() => undefined);
    return client;
  }

  private onServerPreface: () => void = () => undefined;

  /** One unary call with fields encoded as Go encodes them. */
  call(path: string, message: Buffer, metadata: ReadonlyArray<readonly [string, string]> = []): Promise<GoWireReply> {
    this.timeoutMicros -= 1000;
    const fields: Array<readonly [string, string]> = [
      [':method', 'POST'],
      [':scheme', 'http'],
      [':path', path],
      [':authority', this.options.authority],
      ['content-type', 'application/grpc'],
      ['user-agent', 'grpc-go/1.33.3'],
      ['te', 'trailers'],
      ['grpc-timeout', `${this.timeoutMicros}u`],
      ...metadata,
    ];
    this.encoder.write(fields.map(([name, value]) => ({ name, value, huffman: huffmanIsShorter(value) })));
    return this.send(this.encoder.read() ?? Buffer.alloc(0), message);
  }

  /** One unary call whose header block is given as it was recorded (it must fit this connection's HPACK state). */
  callWithRecordedBlock(block: Buffer, message: Buffer): Promise<GoWireReply> {
    return this.send(block, message);
  }

  close(): void {
    this.socket.destroy();
  }

  private send(block: Buffer, message: Buffer): Promise<GoWireReply> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const streamId = this.nextStreamId;
    this.nextStreamId += 2;
    const frameBytes = this.options.headerFrameBytes ?? DEFAULT_MAX_FRAME_SIZE_BYTES;
    const frames: Buffer[] = [];
    for (let start = 0; start === 0 || start < block.length; start += frameBytes) {
      const end = Math.min(start + frameBytes, block.length);
      frames.push(frame(start === 0 ? TYPE.HEADERS : TYPE.CONTINUATION, end === block.length ? END_HEADERS : 0, streamId, block.subarray(start, end)));
    }
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(message.length, 1);
    frames.push(frame(TYPE.DATA, END_STREAM, streamId, Buffer.concat([prefix, message])));
    return new Promise<GoWireReply>((resolve, reject) => {
      this.pending.set(streamId, { resolve, reject, headers: {}, data: [] });
      this.socket.write(Buffer.concat(frames));
    });
  }

  private receive(chunk: Buffer): void {
    this.inbound = Buffer.concat([this.inbound, chunk]);
    while (this.inbound.length >= 9) {
      const length = this.inbound.readUIntBE(0, 3);
      if (this.inbound.length < 9 + length) return;
      const type = this.inbound[3]!;
      const flags = this.inbound[4]!;
      const streamId = this.inbound.readUInt32BE(5) & 0x7fff_ffff;
      const payload = this.inbound.subarray(9, 9 + length);
      this.inbound = this.inbound.subarray(9 + length);
      this.onFrame(type, flags, streamId, payload);
    }
  }

  private onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    switch (type) {
      case TYPE.SETTINGS:
        if ((flags & ACK) === 0) {
          this.serverSettingsFrames++;
          this.socket.write(frame(TYPE.SETTINGS, ACK, 0, Buffer.alloc(0)));
          this.onServerPreface();
        }
        return;
      case TYPE.PING:
        if ((flags & ACK) === 0) this.socket.write(frame(TYPE.PING, ACK, 0, payload));
        return;
      case TYPE.HEADERS:
        this.headerBlock = { streamId, flags, fragments: [payload] };
        if (flags & END_HEADERS) this.onHeaderBlock();
        return;
      case TYPE.CONTINUATION:
        this.headerBlock?.fragments.push(payload);
        if (flags & END_HEADERS) this.onHeaderBlock();
        return;
      case TYPE.DATA: {
        this.pending.get(streamId)?.data.push(Buffer.from(payload));
        if (payload.length > 0) {
          const increment = Buffer.alloc(4);
          increment.writeUInt32BE(payload.length);
          this.socket.write(frame(TYPE.WINDOW_UPDATE, 0, 0, increment));
        }
        if (flags & END_STREAM) this.finish(streamId);
        return;
      }
      case TYPE.RST_STREAM: {
        const code = payload.readUInt32BE(0);
        this.pending.get(streamId)?.reject(new GoWireStreamError(`stream terminated by RST_STREAM with error code ${code}`, code));
        this.pending.delete(streamId);
        return;
      }
      case TYPE.GOAWAY:
        this.fail(new GoWireStreamError(`GOAWAY with error code ${payload.readUInt32BE(4)}`, payload.readUInt32BE(4)));
        return;
      default:
    }
  }

  private onHeaderBlock(): void {
    const block = this.headerBlock!;
    this.headerBlock = undefined;
    this.decoder.write(Buffer.concat(block.fragments));
    this.decoder.execute();
    const call = this.pending.get(block.streamId);
    for (let field = this.decoder.read(); field !== null; field = this.decoder.read()) {
      if (call !== undefined) call.headers[field.name] = field.value;
    }
    if (block.flags & END_STREAM) this.finish(block.streamId);
  }

  private finish(streamId: number): void {
    const call = this.pending.get(streamId);
    if (call === undefined) return;
    this.pending.delete(streamId);
    const body = Buffer.concat(call.data);
    call.resolve({
      grpcStatus: Number(call.headers['grpc-status'] ?? -1),
      grpcMessage: decodeURIComponent(call.headers['grpc-message'] ?? ''),
      message: body.length >= 5 ? body.subarray(5, 5 + body.readUInt32BE(1)) : Buffer.alloc(0),
    });
  }

  private fail(err: Error): void {
    this.closedWith ??= err;
    for (const call of this.pending.values()) call.reject(err);
    this.pending.clear();
  }
}
