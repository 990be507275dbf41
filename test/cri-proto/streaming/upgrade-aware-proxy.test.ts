import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { isLoopbackHost } from '../../../cri-proto/src/streaming/loopback-dial';
import { proxyUpgrade, upgradeRequestHead } from '../../../cri-proto/src/streaming/upgrade-aware-proxy';
import { PassThrough } from 'node:stream';

function fakeRequest(rawHeaders: string[], remoteAddress = '127.0.0.9'): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i]!.toLowerCase()] = rawHeaders[i + 1]!;
  return { method: 'GET', rawHeaders, headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe('upgrade-aware proxy (apimachinery proxy/upgradeaware.go)', () => {
  it('writes the backend path and query, keeps the client headers, appends X-Forwarded-For and overrides given headers', () => {
    const head = upgradeRequestHead(
      fakeRequest(['Host', 'kubelet:10250', 'Upgrade', 'websocket', 'Connection', 'Upgrade', 'X-Forwarded-For', '10.0.0.1', 'traceparent', 'stale', 'Content-Length', '0']),
      new URL('http://127.0.0.1:4000/exec/AbCd1234'),
      { traceparent: '00-fresh' },
    );
    assert.equal(head, ['GET /exec/AbCd1234 HTTP/1.1', 'Host: kubelet:10250', 'Upgrade: websocket', 'Connection: Upgrade', 'X-Forwarded-For: 10.0.0.1, 127.0.0.9', 'traceparent: 00-fresh', '', ''].join('\r\n'));
  });

  it('dials loopback only', async () => {
    assert.equal(isLoopbackHost('127.3.0.1'), true);
    assert.equal(isLoopbackHost('[::1]'), true);
    assert.equal(isLoopbackHost('10.1.1.1'), false);
    const outcome = await proxyUpgrade(fakeRequest([]), new PassThrough(), Buffer.alloc(0), new URL('http://192.0.2.1:80/x'));
    assert.deepEqual(outcome, { status: 0, error: 'refusing to dial 192.0.2.1: only loopback backends are allowed' });
  });

  it('hands a refused upgrade back as the backend wrote it, and reports a dial failure without touching the client', async () => {
    const backend = createServer((_req, res) => {
      res.writeHead(403, { 'Content-Type': 'text/plain', 'Content-Length': 4 });
      res.end('nope');
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    const port = (backend.address() as AddressInfo).port;
    const client = new PassThrough();
    const received: Buffer[] = [];
    client.on('data', (c: Buffer) => received.push(c));
    const outcome = await proxyUpgrade(fakeRequest(['Upgrade', 'websocket', 'Connection', 'Upgrade']), client, Buffer.alloc(0), new URL(`http://127.0.0.1:${port}/exec/t`));
    assert.equal(outcome.status, 403);
    assert.match(Buffer.concat(received).toString(), /^HTTP\/1\.1 403 Forbidden\r\n[\s\S]*nope$/);
    await new Promise<void>((r) => backend.close(() => r()));
    const refused = await proxyUpgrade(fakeRequest([]), new PassThrough(), Buffer.alloc(0), new URL(`http://127.0.0.1:${port}/exec/t`));
    assert.deepEqual(refused, { status: 0, error: `error dialing backend: dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });
});
