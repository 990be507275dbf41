/**
 * The upgrade path of k8s.io/apimachinery pkg/util/proxy UpgradeAwareHandler (upgradeaware.go
 * tryUpgrade), which both the kubelet (server.go getExec/getAttach/getPortForward → the CRI stream
 * server's URL) and the apiserver (pod exec/attach/portforward → the kubelet) use: dial the backend,
 * write the client's request to it with the backend's path and query and X-Forwarded-For appended,
 * read the backend's answer, hand it to the client as is, and when it is `101 Switching Protocols`
 * copy bytes both ways until either side closes. Whatever the streaming protocol (WebSocket
 * channel.k8s.io or SPDY), the proxy never looks inside it.
 *
 * Only loopback backends are dialled (project rule): any other host is refused before connecting.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { dialLoopback, goDialError, isLoopbackHost } from './loopback-dial';

/** How a proxied upgrade ended. */
export interface UpgradeOutcome {
  /** The backend's status code (101 when the connection was upgraded), or 0 if the dial failed. */
  readonly status: number;
  /** The dial or protocol error, when there was one. */
  readonly error?: string;
}


/** Headers that describe the hop, not the request (httputil's hop-by-hop list), other than the upgrade pair. */
const NOT_FORWARDED = new Set(['host', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection', 'te', 'trailer']);

/** The request line and headers the backend receives (utilnet.CloneRequest + AppendForwardedForHeader). */
export function upgradeRequestHead(req: IncomingMessage, location: URL, extraHeaders: Readonly<Record<string, string>> = {}): string {
  const lines = [`${req.method ?? 'GET'} ${location.pathname}${location.search} HTTP/1.1`, `Host: ${req.headers.host ?? location.host}`];
  const raw = req.rawHeaders;
  const overridden = new Set(Object.keys(extraHeaders).map((k) => k.toLowerCase()));
  let forwardedFor: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (NOT_FORWARDED.has(lower) || overridden.has(lower)) continue;
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? raw[i + 1] : `${forwardedFor}, ${raw[i + 1]}`;
      continue;
    }
    lines.push(`${name}: ${raw[i + 1]}`);
  }
  const peer = req.socket.remoteAddress;
  if (peer) forwardedFor = forwardedFor === undefined ? peer : `${forwardedFor}, ${peer}`;
  if (forwardedFor !== undefined) lines.push(`X-Forwarded-For: ${forwardedFor}`);
  for (const [k, v] of Object.entries(extraHeaders)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Proxies one upgrade request: `client` is the hijacked client connection (with `head`, the bytes read
 * past the request headers). Resolves when both connections are closed, with the backend's status.
 * A dial failure is not written to the client: the caller answers it (the kubelet's responder writes a
 * 500 with the error text, the apiserver a Status).
 */
export function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, location: URL, extraHeaders: Readonly<Record<string, string>> = {}): Promise<UpgradeOutcome> {
  return new Promise<UpgradeOutcome>((resolve) => {
    if (location.protocol !== 'http:') {
      resolve({ status: 0, error: `unsupported backend scheme ${JSON.stringify(location.protocol)}: only http is served on loopback` });
      return;
    }
    if (!isLoopbackHost(location.hostname)) {
      resolve({ status: 0, error: `refusing to dial ${location.host}: only loopback backends are allowed` });
      return;
    }
    const backend: Socket = dialLoopback(location);
    let status = 0;
    let headBuffer = Buffer.alloc(0);
    let settled = false;
    const finish = (outcome: UpgradeOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    let connected = false;
    backend.once('connect', () => {
      connected = true;
      backend.write(upgradeRequestHead(req, location, extraHeaders));
      if (head.length > 0) backend.write(head);
      // From here on the two connections live and die together.
      backend.once('close', onClose);
      client.once('close', onClose);
    });
    backend.on('error', (err) => {
      if (!connected) {
        backend.destroy();
        finish({ status: 0, error: `error dialing backend: ${goDialError(err as NodeJS.ErrnoException, location)}` });
      } else {
        client.destroy();
      }
    });
    const onBackendData = (chunk: Buffer): void => {
      headBuffer = Buffer.concat([headBuffer, chunk]);
      const end = headBuffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      backend.off('data', onBackendData);
      const statusLine = headBuffer.subarray(0, headBuffer.indexOf('\r\n')).toString('latin1');
      status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1] ?? '502');
      // upgradeaware.go writes the backend's raw response to the client, then copies both ways.
      client.write(headBuffer);
      if (status !== 101) {
        // Not upgraded: the rest of the answer goes to the client, then both connections are closed.
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headBuffer.subarray(0, end).toString('latin1'))?.[1] ?? NaN);
        let remaining = Number.isNaN(length) ? Infinity : length - (headBuffer.length - end - 4);
        if (remaining <= 0) {
          onClose();
          return;
        }
        const chunked = Number.isNaN(length) && /\r\ntransfer-encoding:\s*chunked/i.test(headBuffer.subarray(0, end).toString('latin1'));
        const chunkedEnd = (data: Buffer): boolean => chunked && data.subarray(-5).toString('latin1') === '0\r\n\r\n';
        if (chunkedEnd(headBuffer)) {
          onClose();
          return;
        }
        backend.on('data', (more: Buffer) => {
          client.write(more);
          remaining -= more.length;
          if (remaining <= 0 || chunkedEnd(more)) onClose();
        });
        return;
      }
      backend.pipe(client);
      client.pipe(backend);
    };
    backend.on('data', onBackendData);
    client.on('error', () => backend.destroy());
    function onClose(): void {
      backend.destroy();
      client.destroy();
      finish(status === 0 ? { status: 0, error: 'the backend closed the connection before answering' } : { status });
    }
  });
}

