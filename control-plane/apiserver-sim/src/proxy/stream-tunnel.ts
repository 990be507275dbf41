/**
 * Port-forward over WebSocket (KEP-4006 PortForwardWebsockets, beta and on by default since 1.31): the
 * apiserver tunnels the client's SPDY through the WebSocket to the kubelet (k8s.io/apiserver
 * pkg/util/proxy streamtunnel.go@v0.34.1 TunnelingHandler, createSPDYRequest, headerInterceptingConn,
 * tunnelingWebsocketUpgraderConn; client-go tools/portforward tunneling_connection.go; installed by
 * pkg/registry/core/pod/rest/subresources.go PortForwardREST when wsstream.IsWebSocketRequestWithTunnelingProtocol).
 *  - The client offers WebSocket subprotocols `SPDY/3.1+<protocol>`; the request goes on to the kubelet as a
 *    SPDY upgrade: POST, the WebSocket headers removed, `Upgrade: SPDY/3.1`, one X-Stream-Protocol-Version
 *    per offered protocol, the rest of the client's headers kept (UpgradeAwareHandler adds X-Forwarded-For).
 *  - The kubelet's answer is read before anything reaches the client: on `101` with the SPDY upgrade headers
 *    the client's WebSocket is accepted with subprotocol `SPDY/3.1+<negotiated>` and from then on every
 *    binary message carries SPDY bytes one way and each read from the kubelet goes back as one binary
 *    message; any other answer is replayed to the client as is.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { dialLoopback, goDialError, isLoopbackHost } from '../../../../cri-proto/src/streaming/loopback-dial';
import { upgradeRequestHead, type UpgradeOutcome } from '../../../../cri-proto/src/streaming/upgrade-aware-proxy';

/** apimachinery util/portforward constants.go WebsocketsSPDYTunnelingPrefix / KubernetesSuffix. */
export const WEBSOCKETS_SPDY_TUNNELING_PREFIX = 'SPDY/3.1+';
const KUBERNETES_SUFFIX = '.k8s.io';

function offeredProtocols(req: IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** spdyProtocolsFromWebsocketProtocols: the offered `SPDY/3.1+…k8s.io` subprotocols, prefix removed. */
export function spdyProtocolsFromWebsocketProtocols(req: IncomingMessage): string[] {
  return offeredProtocols(req)
    .filter((p) => p.startsWith(WEBSOCKETS_SPDY_TUNNELING_PREFIX) && p.endsWith(KUBERNETES_SUFFIX))
    .map((p) => p.slice(WEBSOCKETS_SPDY_TUNNELING_PREFIX.length));
}

/** wsstream.IsWebSocketRequestWithTunnelingProtocol: a WebSocket upgrade offering a `SPDY/3.1+` subprotocol. */
export function isWebSocketRequestWithTunnelingProtocol(req: IncomingMessage): boolean {
  const connection = String(req.headers.connection ?? '').toLowerCase();
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || !/(^|,)\s*upgrade\s*(,|$)/.test(connection)) return false;
  return offeredProtocols(req).some((p) => p.startsWith(WEBSOCKETS_SPDY_TUNNELING_PREFIX));
}

/** Headers createSPDYRequest removes or replaces. */
const REPLACED = new Set(['sec-websocket-protocol', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'upgrade', 'x-stream-protocol-version']);

/** createSPDYRequest: the client's request as the kubelet receives it (POST, SPDY upgrade, the SPDY protocols). */
export function tunnelRequestHead(req: IncomingMessage, location: URL, spdyProtocols: readonly string[], extraHeaders: Readonly<Record<string, string>>): string {
  const rawHeaders: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (!REPLACED.has(req.rawHeaders[i]!.toLowerCase())) rawHeaders.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  }
  rawHeaders.push('Upgrade', 'SPDY/3.1');
  for (const p of spdyProtocols) rawHeaders.push('X-Stream-Protocol-Version', p);
  const clone = { method: 'POST', headers: req.headers, rawHeaders, socket: req.socket } as unknown as IncomingMessage;
  return upgradeRequestHead(clone, location, extraHeaders);
}

/** An http.Error answer on the raw client connection. */
function writeHttpError(socket: Duplex, status: number, reason: string, text: string): void {
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * Runs the tunnel for one client connection (`socket`, with `head` read past its request). Resolves when
 * both sides are closed, with the kubelet's status (0 when it could not be dialled; the caller answers then).
 */
export function tunnelPortForward(req: IncomingMessage, socket: Duplex, head: Buffer, location: URL, extraHeaders: Readonly<Record<string, string>> = {}): Promise<UpgradeOutcome> {
  return new Promise((resolve) => {
    const spdyProtocols = spdyProtocolsFromWebsocketProtocols(req);
    if (spdyProtocols.length === 0) {
      writeHttpError(socket, 400, 'Bad Request', 'unable to upgrade: no tunneling spdy protocols provided');
      resolve({ status: 400 });
      return;
    }
    if (location.protocol !== 'http:' || !isLoopbackHost(location.hostname)) {
      resolve({ status: 0, error: `refusing to dial ${location.host}: only loopback http backends are allowed` });
      return;
    }
    const backend: Socket = dialLoopback(location);
    let status = 0;
    let settled = false;
    const finish = (outcome: UpgradeOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    let connected = false;
    backend.once('connect', () => {
      connected = true;
      backend.write(tunnelRequestHead(req, location, spdyProtocols, extraHeaders));
    });
    backend.on('error', (err) => {
      if (!connected) {
        finish({ status: 0, error: `error dialing backend: ${goDialError(err as NodeJS.ErrnoException, location)}` });
      }
      backend.destroy();
      socket.destroy();
    });
    socket.on('error', () => backend.destroy());
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      backend.off('data', onData);
      const lines = received.subarray(0, end).toString('latin1').split('\r\n');
      status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '')?.[1] ?? '502');
      const header = (name: string): string => {
        const line = lines.slice(1).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
        return line === undefined ? '' : line.slice(name.length + 1).trim();
      };
      const rest = received.subarray(end + 4);
      if (status !== 101) {
        // tunnelingWebsocketUpgraderConn.InitializeWrite: anything else is passed through as the kubelet sent it.
        socket.write(received);
        const length = Number(header('Content-Length') || NaN);
        let remaining = Number.isNaN(length) ? Infinity : length - rest.length;
        const done = (): void => {
          backend.destroy();
          socket.end();
          finish({ status });
        };
        if (remaining <= 0) return done();
        backend.on('data', (more: Buffer) => {
          socket.write(more);
          remaining -= more.length;
          if (remaining <= 0) done();
        });
        backend.once('close', done);
        return;
      }
      if (!header('Connection').toLowerCase().includes('upgrade') || !header('Upgrade').toLowerCase().includes('spdy/3.1')) {
        backend.destroy();
        writeHttpError(socket, 500, 'Internal Server Error', 'unable to upgrade: missing upgrade headers in response');
        finish({ status });
        return;
      }
      // gorilla Upgrader{Subprotocols: [prefix + negotiated]}: named in the answer only when the client offered it.
      const negotiated = header('X-Stream-Protocol-Version');
      const wsProtocol = negotiated === '' ? undefined : WEBSOCKETS_SPDY_TUNNELING_PREFIX + negotiated;
      const answered = wsProtocol !== undefined && offeredProtocols(req).includes(wsProtocol) ? wsProtocol : undefined;
      // `ws` refuses subprotocols with a `/` (not an RFC 7230 token; gorilla takes them), so the offer is kept
      // from it and the chosen one added to the handshake answer.
      delete req.headers['sec-websocket-protocol'];
      const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false });
      if (answered !== undefined) wss.on('headers', (lines: string[]) => lines.push(`Sec-WebSocket-Protocol: ${answered}`));
      wss.handleUpgrade(req, socket, head, (client) => {
        // client-go TunnelingConnection: one binary message per write, message payloads read in order.
        if (rest.length > 0) client.send(rest, { binary: true });
        backend.on('data', (c: Buffer) => {
          if (client.readyState === WebSocket.OPEN) client.send(c, { binary: true });
        });
        client.on('message', (data: Buffer) => {
          if (!backend.destroyed) backend.write(data);
        });
        const close = (): void => {
          backend.destroy();
          if (client.readyState === WebSocket.OPEN || client.readyState === WebSocket.CONNECTING) client.close(1000);
          finish({ status: 101 });
        };
        backend.once('close', close);
        client.once('close', close);
        client.on('error', () => client.terminate());
      });
    };
    backend.on('data', onData);
    backend.once('close', () => {
      if (status === 0 && connected) {
        socket.destroy();
        finish({ status: 0, error: 'the backend closed the connection before answering' });
      }
    });
  });
}
