import assert from 'node:assert/strict';
import * as http from 'node:http';
import { afterEach, describe, it } from 'node:test';
import WebSocket, { createWebSocketStream } from 'ws';
import { isWebSocketRequestWithTunnelingProtocol, tunnelPortForward } from '../../../../control-plane/apiserver-sim/src/proxy/stream-tunnel';
import { SpdyConnection } from '../../../../cri-proto/src/streaming/spdy/spdy-connection';
import type { UpgradeOutcome } from '../../../../cri-proto/src/streaming/upgrade-aware-proxy';
import { startFakeSpdyServer, until } from '../../../helpers/fake-spdy-stream-server';

/*
 * Port-forward SPDY tunnelled through a WebSocket (k8s.io/apiserver pkg/util/proxy streamtunnel.go@v0.34.1):
 * a client as kubectl 1.31+ is (SPDY inside binary messages) against a recording SPDY kubelet.
 */

/**
 * A WebSocket offering `protocol` as kubectl (gorilla) does: `ws` will not offer a subprotocol holding `/`,
 * so it goes in as a plain header, and the answer's protocol is taken (and hidden from ws's own check).
 */
function tunnelClient(url: string, protocol: string, headers: Record<string, string> = {}): { ws: WebSocket; answered: Promise<string | undefined> } {
  const ws = new WebSocket(url, { headers: { ...headers, 'Sec-WebSocket-Protocol': protocol } });
  const answered = new Promise<string | undefined>((resolve) => {
    ws.once('upgrade', (res: http.IncomingMessage) => {
      const chosen = res.headers['sec-websocket-protocol'];
      delete res.headers['sec-websocket-protocol'];
      resolve(chosen as string | undefined);
    });
    ws.once('unexpected-response', () => resolve(undefined));
  });
  return { ws, answered };
}

async function startTunnelServer(kubelet: () => string): Promise<{ url: string; outcomes: UpgradeOutcome[]; close: () => Promise<void> }> {
  const outcomes: UpgradeOutcome[] = [];
  const server = http.createServer((_req, res) => res.writeHead(400).end());
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    if (!isWebSocketRequestWithTunnelingProtocol(req)) return socket.destroy();
    const url = new URL(req.url!, 'http://x');
    void tunnelPortForward(req, socket, head, new URL(url.pathname + url.search, kubelet())).then((o) => outcomes.push(o));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    outcomes,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('stream tunnel (port-forward SPDY over WebSocket)', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('sends the kubelet a SPDY upgrade (POST, the WebSocket headers gone) and carries SPDY both ways in binary messages', async () => {
    const kubelet = await startFakeSpdyServer({
      answer: { protocol: 'portforward.k8s.io' },
      expectStreams: 1,
      script: (byType) => {
        const error = byType.get('error')!.stream;
        error.write(Buffer.from(`port ${error.header('port')} unreachable`));
        error.close();
      },
    });
    const api = await startTunnelServer(() => kubelet.url);
    closers.push(api.close, kubelet.close);
    const { ws, answered } = tunnelClient(`${api.url}/api/v1/namespaces/default/pods/p/portforward?ports=8080`, 'SPDY/3.1+portforward.k8s.io', { 'User-Agent': 'kubectl/v1.33.5' });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    assert.equal(await answered, 'SPDY/3.1+portforward.k8s.io');
    const conn = new SpdyConnection(createWebSocketStream(ws), { server: false });
    closers.push(() => conn.destroy());
    const error = await conn.createStream([['streamtype', 'error'], ['port', '8080'], ['requestid', '0']]);
    const text: Buffer[] = [];
    error.on('data', (c: Buffer) => text.push(c));
    await new Promise<void>((r) => (error.isRemoteClosed ? r() : error.once('end', () => r())));
    assert.equal(Buffer.concat(text).toString(), 'port 8080 unreachable');
    const head = kubelet.requestHeads[0]!;
    assert.match(head, /^POST \/api\/v1\/namespaces\/default\/pods\/p\/portforward\?ports=8080 HTTP\/1\.1\r\n/);
    assert.match(head, /\r\nUpgrade: SPDY\/3\.1\r\n/);
    assert.match(head, /\r\nX-Stream-Protocol-Version: portforward\.k8s\.io\r\n/);
    assert.match(head, /\r\nUser-Agent: kubectl\/v1\.33\.5\r\n/);
    assert.doesNotMatch(head, /Sec-WebSocket|websocket/i);
    conn.close();
    await until(() => api.outcomes.length === 1, 'the tunnel to end');
    assert.deepEqual(api.outcomes, [{ status: 101 }]);
  });

  it('replays a kubelet refusal to the client as is, so its WebSocket upgrade fails with the kubelet\'s answer', async () => {
    const kubelet = await startFakeSpdyServer({ answer: { refusal: 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\npod not found\n' } });
    const api = await startTunnelServer(() => kubelet.url);
    closers.push(api.close, kubelet.close);
    const { ws } = tunnelClient(`${api.url}/portforward`, 'SPDY/3.1+portforward.k8s.io');
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      ws.once('open', () => reject(new Error('upgraded')));
      ws.once('error', () => undefined);
    });
    assert.deepEqual(refused, { status: 404, body: 'pod not found\n' });
  });

  it('answers 400 when no SPDY/3.1+ protocol ends in .k8s.io', async () => {
    const api = await startTunnelServer(() => 'http://127.0.0.1:1');
    closers.push(api.close);
    const { ws } = tunnelClient(`${api.url}/portforward`, 'SPDY/3.1+bogus');
    const refused = await new Promise<{ status: number; body: string }>((resolve) => {
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      ws.once('error', () => undefined);
    });
    assert.deepEqual(refused, { status: 400, body: 'unable to upgrade: no tunneling spdy protocols provided\n' });
  });
});
