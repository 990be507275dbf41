/**
 * The apiserver's stream translation for clients that speak WebSocket `v5.channel.k8s.io` (k8s.io/apiserver
 * pkg/util/proxy streamtranslator.go@v0.34.1 StreamTranslatorHandler and translatinghandler.go, installed by
 * pkg/registry/core/pod/rest/subresources.go when TranslateStreamCloseWebsocketRequests is on, the default
 * since 1.30): the apiserver itself accepts the client's WebSocket (v5 only, as
 * wsstream.IsWebSocketRequestWithStreamCloseProtocol requires) and runs the stream to the kubelet as a client.
 * kubectl 1.30+ offers only v5 over WebSocket and falls back to SPDY when that upgrade fails.
 *
 * Deviation: upstream speaks SPDY (POST) to the kubelet; apiserver-sim has no SPDY, so it connects to the
 * kubelet with WebSocket `v4.channel.k8s.io` (GET), which the runtime's stream server behind the kubelet
 * serves. Frames are relayed channel for channel (stdin 0, stdout 1, stderr 2, error 3, resize 4 are the
 * same in v4 and v5); v5's close signal (channel 255) has no v4 equivalent and is dropped. A failure to
 * reach the kubelet is written to the client's error channel as an InternalError Status, as the
 * translator's websocketStreams.writeStatus does.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

export const STREAM_CLOSE_PROTOCOL = 'v5.channel.k8s.io';
const KUBELET_PROTOCOL = 'v4.channel.k8s.io';
const ERROR_CHANNEL = 3;
const CLOSE_SIGNAL_CHANNEL = 255;

/** wsstream.IsWebSocketRequestWithStreamCloseProtocol: a WebSocket upgrade offering v5.channel.k8s.io. */
export function isWebSocketRequestWithStreamCloseProtocol(req: IncomingMessage): boolean {
  const connection = String(req.headers.connection ?? '').toLowerCase();
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || !/(^|,)\s*upgrade\s*(,|$)/.test(connection)) return false;
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .some((p) => p.trim() === STREAM_CLOSE_PROTOCOL);
}

export interface TranslationOutcome {
  /** The kubelet's upgrade status (101 when connected), 0 when it could not be reached. */
  readonly kubeletStatus: number;
  readonly error?: string;
}

const server = new WebSocketServer({ noServer: true, clientTracking: false, handleProtocols: () => STREAM_CLOSE_PROTOCOL });

/**
 * Accepts the client's WebSocket, connects to `location` (the kubelet) with `headers` (the trace
 * context), relays until either side closes. Resolves when both are closed.
 */
export function translateStream(req: IncomingMessage, socket: Duplex, head: Buffer, location: URL, headers: Record<string, string>): Promise<TranslationOutcome> {
  return new Promise((resolve) => {
    server.handleUpgrade(req, socket, head, (client) => {
      let kubeletStatus = 0;
      let settled = false;
      const finish = (outcome: TranslationOutcome): void => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const wsUrl = new URL(location.toString());
      wsUrl.protocol = 'ws:';
      // A request of the apiserver's own: Go's default User-Agent, not the client's.
      const kubelet = new WebSocket(wsUrl, [KUBELET_PROTOCOL], { headers: { ...headers, 'User-Agent': 'Go-http-client/1.1' } });
      const fail = (message: string): void => {
        if (client.readyState === WebSocket.OPEN) {
          const status = { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 };
          client.send(Buffer.concat([Buffer.from([ERROR_CHANNEL]), Buffer.from(JSON.stringify(status))]));
          client.close(1000);
        }
        finish({ kubeletStatus, error: message });
      };
      kubelet.on('upgrade', (res) => {
        kubeletStatus = res.statusCode ?? 101;
      });
      kubelet.on('unexpected-response', (_r, res) => {
        kubeletStatus = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => fail(`unable to upgrade connection: ${Buffer.concat(chunks).toString().trim()}`));
      });
      kubelet.on('error', (err) => {
        if (kubeletStatus === 0) fail(`error dialing backend: ${(err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? `dial tcp ${location.host}: connect: connection refused` : err.message}`);
      });
      kubelet.on('message', (data: Buffer, isBinary: boolean) => {
        if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
      });
      kubelet.on('close', (code) => {
        if (client.readyState === WebSocket.OPEN) client.close(code === 1005 || code === 1006 ? 1000 : code);
        if (kubeletStatus !== 0) finish({ kubeletStatus });
      });
      const pending: Buffer[] = [];
      client.on('message', (data: Buffer) => {
        if (data.length > 0 && data[0] === CLOSE_SIGNAL_CHANNEL) return;
        if (kubelet.readyState === WebSocket.OPEN) kubelet.send(data);
        else if (kubelet.readyState === WebSocket.CONNECTING) pending.push(data);
      });
      kubelet.on('open', () => {
        for (const data of pending.splice(0)) kubelet.send(data);
      });
      client.on('close', () => {
        if (kubelet.readyState === WebSocket.OPEN || kubelet.readyState === WebSocket.CONNECTING) kubelet.terminate();
        if (kubeletStatus === 0) finish({ kubeletStatus, error: 'the client went away' });
      });
      client.on('error', () => client.terminate());
    });
  });
}
