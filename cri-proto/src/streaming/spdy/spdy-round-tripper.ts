/**
 * The client half of the SPDY upgrade (k8s.io/apimachinery util/httpstream/spdy roundtripper.go
 * SpdyRoundTripper.RoundTrip / Dial / NewConnection, and client-go transport/spdy Negotiate): dial,
 * write the request as Go's Request.Write does (Host, User-Agent, Content-Length, then the other
 * headers sorted by name, one X-Stream-Protocol-Version line per offered protocol), read the answer,
 * and on `101` with `Connection: Upgrade` and `Upgrade: SPDY/3.1` run a client SPDY connection on the
 * socket. Only loopback hosts are dialled (project rule).
 */
import type { Socket } from 'node:net';
import { dialLoopback, goDialError, isLoopbackHost } from '../loopback-dial';
import { SpdyConnection } from './spdy-connection';

/** httpstream.HeaderProtocolVersion. */
export const STREAM_PROTOCOL_VERSION_HEADER = 'X-Stream-Protocol-Version';

/** net/http's default User-Agent, which Request.Write sends when the request has none. */
export const GO_HTTP_CLIENT_USER_AGENT = 'Go-http-client/1.1';

export interface SpdyUpgradeRequest {
  readonly method: string;
  readonly location: URL;
  /** Offered in order. */
  readonly protocols: readonly string[];
  /** Added to the request (e.g. `traceparent`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** apimachinery RoundTripperConfig.PingPeriod. */
  readonly pingPeriodMs?: number;
}

/** A metav1.Status the upgrade was refused with (spdy NewConnection decodes the body into one when it can). */
export interface RefusalStatus {
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly details?: unknown;
  readonly code?: number;
}

export type SpdyUpgradeResult =
  | { readonly ok: true; readonly httpStatus: 101; readonly protocol: string; readonly connection: SpdyConnection }
  /** `httpStatus` is 0 when no response came. `status` when the refusal body was a Status object. */
  | { readonly ok: false; readonly httpStatus: number; readonly error: string; readonly status?: RefusalStatus };

/** Canonical MIME header name as Go's http.Header keeps it (`traceparent` → `Traceparent`). */
function canonicalHeaderKey(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((w) => (w === '' ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join('-');
}

/** The request head Go's Request.Write puts on the wire for a body-less request. */
export function spdyUpgradeRequestHead(request: SpdyUpgradeRequest): string {
  const { location } = request;
  const headers = new Map<string, string[]>();
  const add = (name: string, value: string): void => {
    const key = canonicalHeaderKey(name);
    headers.set(key, [...(headers.get(key) ?? []), value]);
  };
  for (const [k, v] of Object.entries(request.headers ?? {})) add(k, v);
  for (const p of request.protocols) add(STREAM_PROTOCOL_VERSION_HEADER, p);
  add('Connection', 'Upgrade');
  add('Upgrade', 'SPDY/3.1');
  const lines = [`${request.method} ${location.pathname}${location.search} HTTP/1.1`, `Host: ${location.host}`, `User-Agent: ${GO_HTTP_CLIENT_USER_AGENT}`];
  // transfer.go shouldSendContentLength: POST, PUT and PATCH carry a zero length.
  if (['POST', 'PUT', 'PATCH'].includes(request.method)) lines.push('Content-Length: 0');
  for (const key of [...headers.keys()].sort()) for (const v of headers.get(key)!) lines.push(`${key}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Go's text for a failed request: `Post "<url>": dial tcp <host>: connect: connection refused`. */
function requestErrorText(method: string, location: URL, err: NodeJS.ErrnoException): string {
  const op = method[0]!.toUpperCase() + method.slice(1).toLowerCase();
  return `${op} "${location.toString()}": ${goDialError(err, location)}`;
}

/**
 * Negotiate: sends the upgrade and resolves with the client connection and the protocol the server
 * chose (`''` when it named none), or with the refusal as spdy.Negotiate reports it.
 */
export function negotiateSpdy(request: SpdyUpgradeRequest): Promise<SpdyUpgradeResult> {
  const { location } = request;
  return new Promise((resolve) => {
    if (location.protocol !== 'http:' || !isLoopbackHost(location.hostname)) {
      resolve({ ok: false, httpStatus: 0, error: `error sending request: refusing to dial ${location.host}: only loopback http backends are allowed` });
      return;
    }
    const socket: Socket = dialLoopback(location);
    let settled = false;
    const finish = (result: SpdyUpgradeResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    let received = Buffer.alloc(0);
    let httpStatus = 0;
    let headEnd = -1;
    let contentLength = Infinity;
    const refuse = (): void => {
      socket.off('data', onData);
      socket.destroy();
      // roundtripper.go NewConnection: the body as a Status when it decodes as one, else its trimmed text.
      const body = received.subarray(headEnd + 4, Number.isFinite(contentLength) ? headEnd + 4 + contentLength : undefined).toString('utf8');
      let status: RefusalStatus | undefined;
      try {
        const parsed = JSON.parse(body) as { kind?: unknown } & RefusalStatus;
        if (parsed.kind === 'Status') status = parsed;
      } catch {
        status = undefined;
      }
      const error = status !== undefined ? (status.message ?? '') : `unable to upgrade connection: ${body.trim()}`;
      finish(status !== undefined ? { ok: false, httpStatus, error, status } : { ok: false, httpStatus, error });
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (headEnd < 0) {
        headEnd = received.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const lines = received.subarray(0, headEnd).toString('latin1').split('\r\n');
        httpStatus = Number(/^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '')?.[1] ?? '0');
        const header = (name: string): string => {
          const line = lines.slice(1).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
          return line === undefined ? '' : line.slice(name.length + 1).trim();
        };
        const upgraded = httpStatus === 101 && header('Connection').toLowerCase().includes('upgrade') && header('Upgrade').toLowerCase().includes('spdy/3.1');
        if (upgraded) {
          socket.off('data', onData);
          socket.off('error', onError);
          socket.off('close', onClose);
          const connection = new SpdyConnection(socket, { server: false, head: received.subarray(headEnd + 4), pingPeriodMs: request.pingPeriodMs });
          finish({ ok: true, httpStatus: 101, protocol: header(STREAM_PROTOCOL_VERSION_HEADER), connection });
          return;
        }
        const length = Number(header('Content-Length') || NaN);
        if (!Number.isNaN(length)) contentLength = length;
      }
      if (received.length - headEnd - 4 >= contentLength) refuse();
    };
    const onError = (err: Error): void => {
      if (httpStatus === 0) finish({ ok: false, httpStatus: 0, error: `error sending request: ${requestErrorText(request.method, location, err as NodeJS.ErrnoException)}` });
    };
    const onClose = (): void => {
      if (headEnd >= 0) refuse();
      else finish({ ok: false, httpStatus: 0, error: `error sending request: ${request.method[0]}${request.method.slice(1).toLowerCase()} "${location.toString()}": EOF` });
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once('connect', () => socket.write(spdyUpgradeRequestHead(request)));
  });
}
