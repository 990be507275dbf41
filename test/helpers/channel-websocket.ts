// A client for the channel.k8s.io WebSocket protocols (apimachinery wsstream; client-go
// tools/remotecommand websocket.go): connects with the offered subprotocols and collects what arrives on
// each channel until the server closes. Binary protocols only (the first byte of a frame is its channel).
import WebSocket from 'ws';

export interface ChannelSession {
  /** The subprotocol the server chose ('' when none). */
  readonly protocol: string;
  /** Bytes per channel, in arrival order; empty frames are kept out. */
  readonly channels: Map<number, Buffer>;
  /** Frames as they came: channel and payload length. */
  readonly frames: Array<{ channel: number; length: number }>;
  readonly closeCode: number;
}

export interface ChannelRequestOptions {
  readonly protocols: readonly string[];
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
}

/** Opens `url` as a WebSocket and resolves with everything received once it closes (rejects on a refused upgrade). */
export function runChannelSession(url: string, options: ChannelRequestOptions): Promise<ChannelSession> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [...options.protocols], { headers: options.headers ?? {} });
    const channels = new Map<number, Buffer>();
    const frames: Array<{ channel: number; length: number }> = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no close from ${url} within ${options.timeoutMs ?? 10_000} ms`));
    }, options.timeoutMs ?? 10_000);
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${Buffer.concat(chunks).toString()}`), { statusCode: res.statusCode, body: Buffer.concat(chunks).toString() }));
      });
    });
    ws.on('message', (data: Buffer) => {
      if (data.length === 0) return;
      const channel = data[0]!;
      frames.push({ channel, length: data.length - 1 });
      if (data.length > 1) channels.set(channel, Buffer.concat([channels.get(channel) ?? Buffer.alloc(0), data.subarray(1)]));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ protocol: ws.protocol, channels, frames, closeCode: code });
    });
  });
}
