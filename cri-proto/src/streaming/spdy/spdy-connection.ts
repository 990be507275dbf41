/**
 * Either end of a SPDY/3.1 connection as the Kubernetes streaming code runs it: apimachinery
 * util/httpstream/spdy connection.go (newConnection, CreateStream, newSpdyStream, Close, sendPings)
 * over github.com/moby/spdystream connection.go (NewConnection(conn, server), CreateStream, frame
 * dispatch, PING, GOAWAY). Used by runtime-sim's stream server (server end: the client opens every
 * stream; each accepted SYN_STREAM gets an empty SYN_REPLY, a refused one RST_STREAM) and by
 * apiserver-sim's stream translator (client end: odd stream and ping ids, CreateStream waits for the
 * SYN_REPLY). Flow control is not enforced, as spdystream does not (WINDOW_UPDATE and SETTINGS are
 * read and ignored); the streams here carry a few kilobytes at most.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { encodeControlFrame, encodeWords, SPDY_FLAG, SPDY_FRAME_TYPE, SPDY_GOAWAY_STATUS, SpdyFrameReader, type SpdyFrame } from './spdy-frame';
import { SpdyHeaderDeflater, SpdyHeaderInflater, type SpdyHeaders } from './spdy-header-block';
import { SpdyStream } from './spdy-stream';

/** Returns an error text to refuse the stream (RST_STREAM), or null to accept it (SYN_REPLY). */
export type NewStreamHandler = (stream: SpdyStream) => string | null;

/** apimachinery spdy connection.go createStreamResponseTimeout: how long CreateStream waits for the SYN_REPLY. */
export const CREATE_STREAM_RESPONSE_TIMEOUT_MS = 30_000;

export interface SpdyConnectionOptions {
  /** spdystream NewConnection's `server`: the server's own stream and ping ids are even, the client's odd. */
  readonly server: boolean;
  /**
   * Streams the peer opens. Default: accept every one (httpstream.NoOpNewStreamHandler, what
   * NewClientConnection passes).
   */
  readonly onStream?: NewStreamHandler;
  /** Bytes read past the upgrade response or request head. */
  readonly head?: Buffer;
  /**
   * spdystream SetIdleTimeout (the streaming server's StreamIdleTimeout): with no data frame either
   * way for that long the connection goes away. 0 = never.
   */
  readonly idleTimeoutMs?: number;
  /** apimachinery sendPings: a PING every period (the stream translator uses 5 s). 0 = none. */
  readonly pingPeriodMs?: number;
  /** CreateStream's wait for the SYN_REPLY. */
  readonly createStreamTimeoutMs?: number;
}

/** A stream this side asked for, until the peer's SYN_REPLY (or RST_STREAM) arrives. */
interface PendingStream {
  readonly resolve: (s: SpdyStream) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

let connections = 0;

export class SpdyConnection extends EventEmitter {
  /** Names the connection in messages, where Go prints the connection's address. */
  readonly label = `0x${(0xc000100000 + 0x100 * ++connections).toString(16)}`;
  private readonly reader = new SpdyFrameReader();
  private readonly inflater = new SpdyHeaderInflater();
  private readonly deflater = new SpdyHeaderDeflater();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly pending = new Map<number, PendingStream>();
  private readonly onStream: NewStreamHandler;
  private readonly idleTimeoutMs: number;
  private readonly createStreamTimeoutMs: number;
  /** Frames are handled one at a time, in order: a header block must be inflated before the next frame. */
  private incoming: Promise<void> = Promise.resolve();
  /** Frames leave in the order they were queued; a SYN frame waits for its compressed block. */
  private outgoing: Promise<void> = Promise.resolve();
  /** The highest stream id the peer opened (for GOAWAY). */
  private lastStreamId = 0;
  private nextStreamId: number;
  private nextPingId: number;
  private closedFlag = false;
  private goneAway = false;
  /** destroy() ran: no frame is handled any more. */
  private dead = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Duplex,
    private readonly options: SpdyConnectionOptions,
  ) {
    super();
    this.onStream = options.onStream ?? (() => null);
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
    this.createStreamTimeoutMs = options.createStreamTimeoutMs ?? CREATE_STREAM_RESPONSE_TIMEOUT_MS;
    this.nextStreamId = options.server ? 2 : 1;
    this.nextPingId = options.server ? 2 : 1;
    this.touch();
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    // The peer's end is handled after the frames that came before it (a SYN_REPLY still being inflated).
    socket.on('end', () => this.destroyAfterIncoming());
    socket.on('close', () => this.destroyAfterIncoming());
    socket.on('error', () => this.destroy());
    const period = options.pingPeriodMs ?? 0;
    if (period > 0) {
      this.pingTimer = setInterval(() => this.ping(), period);
      this.pingTimer.unref();
    }
    if (options.head !== undefined && options.head.length > 0) this.onBytes(options.head);
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
    this.outgoing = this.outgoing
      .then(async () => {
        const b = await bytes;
        if (!this.socket.destroyed && this.socket.writable) this.socket.write(b);
      })
      .catch(() => this.destroy());
  }

  /**
   * spdystream CreateStream + apimachinery's WaitTimeout: a SYN_STREAM (next own id, no associated
   * stream, priority 0) with `headers`, resolved once the peer's SYN_REPLY arrives; rejected on its
   * RST_STREAM (`stream reset`), the timeout (`timeout`), or the connection ending.
   */
  createStream(headers: SpdyHeaders, fin = false): Promise<SpdyStream> {
    if (this.closedFlag || this.goneAway) return Promise.reject(new Error('connection closed'));
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const first = new Map<string, string>();
    for (const [name, value] of headers) if (!first.has(name.toLowerCase())) first.set(name.toLowerCase(), value);
    const stream = new SpdyStream(this, id, first);
    this.streams.set(id, stream);
    this.send(
      this.deflater
        .encode(headers)
        .then((block) => encodeControlFrame(SPDY_FRAME_TYPE.SYN_STREAM, fin ? SPDY_FLAG.FIN : 0, Buffer.concat([encodeWords(id, 0), Buffer.from([0, 0]), block]))),
    );
    if (fin) stream.close();
    return new Promise<SpdyStream>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('timeout'));
      }, this.createStreamTimeoutMs);
      timer.unref();
      this.pending.set(id, { resolve: () => resolve(stream), reject, timer });
    });
  }

  /** spdystream Ping: a PING with this side's next id (odd for a client, even for a server). */
  ping(): void {
    const id = this.nextPingId;
    this.nextPingId += 2;
    this.send(encodeControlFrame(SPDY_FRAME_TYPE.PING, 0, encodeWords(id)));
  }

  /**
   * apimachinery connection.Close: reset every stream, then spdystream Close: GOAWAY naming the
   * stream before the last one received (0 below 3), and the TCP connection ends once the queued
   * frames are written.
   */
  close(): void {
    if (this.closedFlag) return;
    this.stopTimers();
    for (const s of this.streams.values()) s.reset();
    this.streams.clear();
    this.failPending(new Error('connection closed'));
    const lastGood = this.lastStreamId > 2 ? this.lastStreamId - 2 : 0;
    this.send(encodeControlFrame(SPDY_FRAME_TYPE.GOAWAY, 0, encodeWords(lastGood, SPDY_GOAWAY_STATUS.OK)));
    const flushed = this.outgoing;
    this.closedFlag = true;
    void flushed.then(() => {
      this.socket.end();
      this.destroy();
    });
  }

  /** Drops the connection at once (shutdown, peer gone, protocol error). */
  destroy(): void {
    const first = !this.dead;
    this.dead = true;
    this.closedFlag = true;
    this.stopTimers();
    if (!this.socket.destroyed) this.socket.destroy();
    for (const s of this.streams.values()) s.endRemote();
    this.streams.clear();
    this.failPending(new Error('connection closed'));
    this.inflater.close();
    this.deflater.close();
    if (first) this.emit('close');
  }

  private destroyAfterIncoming(): void {
    this.incoming = this.incoming.then(() => this.destroy());
  }

  private stopTimers(): void {
    clearTimeout(this.idleTimer);
    clearInterval(this.pingTimer);
  }

  private failPending(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
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
    if (this.dead) return;
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
      case SPDY_FRAME_TYPE.SYN_REPLY: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        // The block is inflated even when unused: the receive context must stay in step.
        await this.inflater.decode(p.subarray(4));
        const waiting = this.pending.get(id);
        if (waiting === undefined) return;
        this.pending.delete(id);
        clearTimeout(waiting.timer);
        if ((frame.flags & SPDY_FLAG.FIN) !== 0) this.streams.get(id)?.endRemote();
        waiting.resolve(this.streams.get(id)!);
        return;
      }
      case SPDY_FRAME_TYPE.RST_STREAM: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        this.streams.get(id)?.endRemote();
        this.streams.delete(id);
        const waiting = this.pending.get(id);
        if (waiting !== undefined) {
          this.pending.delete(id);
          clearTimeout(waiting.timer);
          waiting.reject(new Error('stream reset'));
        }
        return;
      }
      case SPDY_FRAME_TYPE.PING: {
        // spdystream handlePingFrame: a ping the peer started (the other parity) is echoed; our own comes back.
        const pingId = p.readUInt32BE(0);
        if ((pingId & 1) !== (this.nextPingId & 1)) this.send(encodeControlFrame(SPDY_FRAME_TYPE.PING, 0, Buffer.from(p)));
        return;
      }
      case SPDY_FRAME_TYPE.GOAWAY:
        // A server drops the connection at once (its client has nothing more to send); spdystream's
        // shutdown would wait for open streams first.
        if (this.options.server) {
          this.destroy();
          return;
        }
        // spdystream handleGoAwayFrame: no new streams; open ones run until the peer ends the connection.
        this.goneAway = true;
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
