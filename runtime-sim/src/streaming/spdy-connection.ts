/**
 * The server end of a SPDY/3.1 connection as the streaming library runs it: apimachinery
 * util/httpstream/spdy connection.go (newConnection, newSpdyStream, Close) over
 * github.com/moby/spdystream connection.go (frame dispatch, PING echo, GOAWAY). Streams are opened
 * by the client only; each accepted SYN_STREAM gets an empty SYN_REPLY, a refused one RST_STREAM.
 * Flow control is not enforced, as spdystream does not (WINDOW_UPDATE and SETTINGS are read and
 * ignored); the streams here carry a few kilobytes at most.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  encodeControlFrame,
  encodeDataFrame,
  encodeWords,
  SPDY_FLAG,
  SPDY_FRAME_TYPE,
  SPDY_GOAWAY_STATUS,
  SPDY_RST_STATUS,
  SpdyFrameReader,
  SpdyHeaderDeflater,
  SpdyHeaderInflater,
  type SpdyFrame,
} from './spdy-frame';

/** One client-opened stream. Emits 'data' (Buffer) and 'end' (FIN or RST from the client). */
export class SpdyStream extends EventEmitter {
  private localClosed = false;
  private remoteClosed = false;

  constructor(
    private readonly conn: SpdyServerConnection,
    readonly id: number,
    /** Lower-case names; the first value of each. */
    readonly headers: ReadonlyMap<string, string>,
  ) {
    super();
  }

  /** http.Header.Get of the stream's headers ('' when absent). */
  header(name: string): string {
    return this.headers.get(name.toLowerCase()) ?? '';
  }

  write(data: Buffer): void {
    if (this.localClosed || data.length === 0) return;
    this.conn.touch();
    this.conn.send(encodeDataFrame(this.id, 0, data));
  }

  /** spdystream Stream.Close: an empty data frame with FIN. */
  close(): void {
    if (this.localClosed) return;
    this.localClosed = true;
    this.conn.send(encodeDataFrame(this.id, SPDY_FLAG.FIN, Buffer.alloc(0)));
  }

  /** spdystream Stream.Reset: RST_STREAM CANCEL, both halves closed. */
  reset(): void {
    if (this.localClosed && this.remoteClosed) return;
    this.localClosed = true;
    this.conn.send(encodeControlFrame(SPDY_FRAME_TYPE.RST_STREAM, 0, encodeWords(this.id, SPDY_RST_STATUS.CANCEL)));
    this.endRemote();
  }

  /** @internal */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length > 0) this.emit('data', data);
    if (fin) this.endRemote();
  }

  /** @internal */
  endRemote(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.emit('end');
  }
}

/** Returns an error text to refuse the stream (RST_STREAM), or null to accept it (SYN_REPLY). */
export type NewStreamHandler = (stream: SpdyStream) => string | null;

let connections = 0;

export class SpdyServerConnection extends EventEmitter {
  /** Names the connection in messages, where Go prints the connection's address. */
  readonly label = `0x${(0xc000100000 + 0x100 * ++connections).toString(16)}`;
  private readonly reader = new SpdyFrameReader();
  private readonly inflater = new SpdyHeaderInflater();
  private readonly deflater = new SpdyHeaderDeflater();
  private readonly streams = new Map<number, SpdyStream>();
  /** Frames are handled one at a time, in order: a header block must be inflated before the next frame. */
  private incoming: Promise<void> = Promise.resolve();
  /** Frames leave in the order they were queued; a SYN_REPLY waits for its compressed block. */
  private outgoing: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private closedFlag = false;
  private idleTimer: NodeJS.Timeout | undefined;

  /**
   * `idleTimeoutMs`: spdystream SetIdleTimeout (the streaming server's StreamIdleTimeout): with no
   * data frame either way for that long the connection goes away. 0 = never.
   */
  constructor(
    private readonly socket: Duplex,
    private readonly onStream: NewStreamHandler,
    head: Buffer = Buffer.alloc(0),
    private readonly idleTimeoutMs = 0,
  ) {
    super();
    this.touch();
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('end', () => this.destroy());
    socket.on('close', () => this.destroy());
    socket.on('error', () => this.destroy());
    if (head.length > 0) this.onBytes(head);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** @internal Restarts the idle timer (a data frame went either way). */
  touch(): void {
    if (this.idleTimeoutMs <= 0 || this.closedFlag) return;
    if (this.idleTimer === undefined) {
      this.idleTimer = setTimeout(() => this.close(), this.idleTimeoutMs);
      this.idleTimer.unref();
    } else {
      this.idleTimer.refresh();
    }
  }

  /** @internal Queue raw frame bytes (or a promise of them) for the socket. */
  send(frame: Buffer | Promise<Buffer>): void {
    if (this.closedFlag) return;
    const bytes = Promise.resolve(frame);
    this.outgoing = this.outgoing.then(async () => {
      const b = await bytes;
      if (!this.socket.destroyed && this.socket.writable) this.socket.write(b);
    }).catch(() => this.destroy());
  }

  /**
   * apimachinery connection.Close: reset every stream, then spdystream Close: GOAWAY naming the
   * stream before the last one received (0 below 3), and the TCP connection ends once the queued
   * frames are written.
   */
  close(): void {
    if (this.closedFlag) return;
    clearTimeout(this.idleTimer);
    for (const s of this.streams.values()) s.reset();
    this.streams.clear();
    const lastGood = this.lastStreamId > 2 ? this.lastStreamId - 2 : 0;
    this.send(encodeControlFrame(SPDY_FRAME_TYPE.GOAWAY, 0, encodeWords(lastGood, SPDY_GOAWAY_STATUS.OK)));
    const flushed = this.outgoing;
    this.closedFlag = true;
    void flushed.then(() => {
      this.socket.end();
      this.destroy();
    });
  }

  /** Drops the connection at once (server shutdown, peer gone, protocol error). */
  destroy(): void {
    const first = !this.socket.destroyed || !this.closedFlag;
    this.closedFlag = true;
    clearTimeout(this.idleTimer);
    if (!this.socket.destroyed) this.socket.destroy();
    for (const s of this.streams.values()) s.endRemote();
    this.streams.clear();
    this.inflater.close();
    this.deflater.close();
    if (first) this.emit('close');
  }

  private onBytes(chunk: Buffer): void {
    let frames: SpdyFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch {
      this.destroy();
      return;
    }
    for (const frame of frames) {
      this.incoming = this.incoming.then(() => this.handle(frame)).catch(() => this.destroy());
    }
  }

  private async handle(frame: SpdyFrame): Promise<void> {
    if (this.socket.destroyed) return;
    if (!frame.control) {
      this.touch();
      // Half-closed streams stay registered until close() resets them, like apimachinery's stream map.
      this.streams.get(frame.streamId)?.receive(frame.data, (frame.flags & SPDY_FLAG.FIN) !== 0);
      return;
    }
    const p = frame.payload;
    switch (frame.type) {
      case SPDY_FRAME_TYPE.SYN_STREAM: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const headers = new Map<string, string>();
        for (const [name, value] of await this.inflater.decode(p.subarray(10))) if (!headers.has(name)) headers.set(name, value);
        this.lastStreamId = Math.max(this.lastStreamId, id);
        if (this.closedFlag) return;
        const stream = new SpdyStream(this, id, headers);
        const refusal = this.onStream(stream);
        if (refusal !== null) {
          this.emit('refused', stream, refusal);
          stream.reset();
          return;
        }
        this.streams.set(id, stream);
        // connection.go newSpdyStream: SendReply with no headers, then the handler learns the reply is out.
        this.send(this.deflater.encode([]).then((block) => encodeControlFrame(SPDY_FRAME_TYPE.SYN_REPLY, 0, Buffer.concat([encodeWords(id), block]))));
        const replied = this.outgoing;
        void replied.then(() => stream.emit('replySent'));
        if ((frame.flags & SPDY_FLAG.FIN) !== 0) stream.endRemote();
        return;
      }
      case SPDY_FRAME_TYPE.RST_STREAM: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        this.streams.get(id)?.endRemote();
        this.streams.delete(id);
        return;
      }
      case SPDY_FRAME_TYPE.PING: {
        // spdystream handlePingFrame: a ping the peer started (odd id from a client) is echoed.
        if ((p.readUInt32BE(0) & 1) === 1) this.send(encodeControlFrame(SPDY_FRAME_TYPE.PING, 0, Buffer.from(p)));
        return;
      }
      case SPDY_FRAME_TYPE.GOAWAY:
        this.destroy();
        return;
      case SPDY_FRAME_TYPE.HEADERS:
        // Keeps the shared inflate context in step; the streaming protocols send none after SYN_STREAM.
        await this.inflater.decode(p.subarray(4));
        return;
      default:
        // SETTINGS, WINDOW_UPDATE, NOOP: read and ignored, as spdystream does.
        return;
    }
  }
}
