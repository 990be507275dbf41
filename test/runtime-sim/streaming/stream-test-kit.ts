/**
 * Websocket and HTTP helpers for stream server tests: connect to a URL with subprotocols and collect
 * every frame until the server closes, or the HTTP status of a refused upgrade.
 */
import * as http from 'node:http';
import WebSocket from 'ws';

export interface Session {
  readonly protocol: string;
  readonly frames: (Buffer | string)[];
  readonly closeCode: number;
}

/** Opens `url`, optionally sends `send` frames, and resolves when the server closes. */
export function runSession(
  url: string,
  protocols: string[],
  send: (Buffer | string)[] = [],
  timeoutMs = 5000,
  onFrame?: (frame: Buffer | string, index: number) => void,
): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    const frames: (Buffer | string)[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no close within ${timeoutMs} ms; frames so far: ${frames.length}`));
    }, timeoutMs);
    ws.on('open', () => {
      for (const f of send) ws.send(f);
    });
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? Buffer.from(data as Buffer) : data.toString();
      frames.push(frame);
      onFrame?.(frame, frames.length - 1);
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ protocol: ws.protocol, frames, closeCode: code });
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode }));
      ws.terminate();
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The HTTP status a websocket upgrade to `url` is refused with. */
export async function refusedUpgradeStatus(url: string, protocols: string[]): Promise<number> {
  try {
    await runSession(url, protocols);
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined) return status;
    throw err;
  }
  throw new Error('the upgrade was accepted');
}

/** A plain HTTP request: status, headers and body. */
export function httpRequest(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Splits binary channel frames into [channel, text]. */
export function channels(frames: readonly (Buffer | string)[]): [number, string][] {
  return frames.map((f) => {
    const b = typeof f === 'string' ? Buffer.from(f) : f;
    return [b[0]!, b.subarray(1).toString()];
  });
}
