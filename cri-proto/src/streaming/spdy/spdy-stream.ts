/**
 * One SPDY stream as apimachinery's httpstream sees it (github.com/moby/spdystream stream.go: Write,
 * Close, Reset, and for a stream this side created Wait/WaitTimeout on the peer's SYN_REPLY). Emits
 * 'data' (Buffer) and 'end' (the peer's FIN or RST_STREAM, or the connection going away).
 */
import { EventEmitter } from 'node:events';
import { encodeControlFrame, encodeDataFrame, encodeWords, SPDY_FLAG, SPDY_FRAME_TYPE, SPDY_RST_STATUS } from './spdy-frame';

/** What a stream needs from its connection. */
export interface SpdyStreamOwner {
  /** Queue raw frame bytes for the socket, in order. */
  send(frame: Buffer | Promise<Buffer>): void;
  /** A data frame went out (spdystream's idle timer). */
  touch(): void;
}

export class SpdyStream extends EventEmitter {
  private localClosed = false;
  private remoteClosed = false;

  constructor(
    private readonly owner: SpdyStreamOwner,
    readonly id: number,
    /** The SYN_STREAM's headers (lower-case names; the first value of each). */
    readonly headers: ReadonlyMap<string, string>,
  ) {
    super();
  }

  /** http.Header.Get of the stream's headers ('' when absent). */
  header(name: string): string {
    return this.headers.get(name.toLowerCase()) ?? '';
  }

  get isRemoteClosed(): boolean {
    return this.remoteClosed;
  }

  write(data: Buffer): void {
    if (this.localClosed || data.length === 0) return;
    this.owner.touch();
    this.owner.send(encodeDataFrame(this.id, 0, data));
  }

  /** spdystream Stream.Close: an empty data frame with FIN (this side's half only). */
  close(): void {
    if (this.localClosed) return;
    this.localClosed = true;
    this.owner.send(encodeDataFrame(this.id, SPDY_FLAG.FIN, Buffer.alloc(0)));
  }

  /** spdystream Stream.Reset: RST_STREAM CANCEL, both halves closed. */
  reset(): void {
    if (this.localClosed && this.remoteClosed) return;
    this.localClosed = true;
    this.owner.send(encodeControlFrame(SPDY_FRAME_TYPE.RST_STREAM, 0, encodeWords(this.id, SPDY_RST_STATUS.CANCEL)));
    this.endRemote();
  }

  /** @internal A data frame from the peer. */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length > 0) this.emit('data', data);
    if (fin) this.endRemote();
  }

  /** @internal The peer's half is over (FIN, RST_STREAM, connection gone). */
  endRemote(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.emit('end');
  }
}
