/**
 * The CRI stream server (k8s.io/kubelet pkg/cri/streaming server.go, embedded by CRI-O and
 * containerd): Exec/Attach/PortForward RPCs return `http://<addr>/<exec|attach|portforward>/<token>`;
 * the client then opens that URL once. Loopback only, like both runtimes' defaults (CRI-O
 * stream_address 127.0.0.1 / stream_port 0; containerd stream_server_address 127.0.0.1 /
 * stream_server_port "0"); port 0 picks a free port and the URLs carry the real one.
 *
 * Served: the websocket protocols of cri-proto/src/streaming/remote-command-protocol.ts (framed here) and SPDY/3.1 with the
 * X-Stream-Protocol-Version handshake (handshake here, then ./spdy-session.ts over cri-proto/src/streaming/spdy/spdy-connection.ts).
 * Both framings drive one session core (./stream-session.ts): only how bytes reach the client differs.
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CriError, GRPC_STATUS } from '../state/cri-error';
import {
  encodeFrame,
  encodeStatus,
  portPrefix,
  PORT_FORWARD_SPDY_PROTOCOLS,
  PORT_FORWARD_WEBSOCKET_PROTOCOLS,
  REMOTE_COMMAND_CHANNEL,
  REMOTE_COMMAND_SPDY_PROTOCOLS,
  REMOTE_COMMAND_WEBSOCKET_PROTOCOLS,
  SPDY_ACCEPTED_PROTOCOLS_HEADER,
  SPDY_PROTOCOL_HEADER,
  type ChannelProtocol,
} from '../../../cri-proto/src/streaming/remote-command-protocol';
import type { SpdyConnection } from '../../../cri-proto/src/streaming/spdy/spdy-connection';
import { serveSpdy, type SpdySessionOptions } from './spdy-session';
import type { AttachStreamRequest, ExecStreamRequest, PortForwardStreamRequest, StreamRequest } from './stream-request';
import { StreamSessionCore, type RemoteCommandSession } from './stream-session';
import { RequestCache, type RequestCacheOptions } from './request-cache';
import type { StreamRuntime } from './simulated-stream-runtime';

export type { AttachStreamRequest, ExecStreamRequest, PortForwardStreamRequest, StreamRequest } from './stream-request';

/**
 * Defaults of both runtimes' stream server configuration; the stream creation timeout is
 * cri/streaming server.go DefaultConfig (remotecommand DefaultStreamCreationTimeout, 30 s; StreamIdleTimeout
 * 4 h, containerd's stream_idle_timeout default).
 */
export const STREAM_SERVER_DEFAULTS = { HOST: '127.0.0.1', PORT: 0, STREAM_CREATION_TIMEOUT_MS: 30_000, STREAM_IDLE_TIMEOUT_MS: 4 * 3600_000 } as const;

export interface StreamServerOptions {
  readonly runtime: StreamRuntime;
  /** Must be a loopback address. Default 127.0.0.1. */
  readonly host?: string;
  /** 0 = any free port. Default 0. */
  readonly port?: number;
  readonly cache?: RequestCacheOptions;
  /** How an exec that runs for a while waits. Default: an unref'd setTimeout that close() cancels. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How long a SPDY client has to open the streams it asked for. Default 30000. */
  readonly streamCreationTimeoutMs?: number;
  /** A SPDY connection with no data frame either way for this long is closed. Default 4 h. */
  readonly streamIdleTimeoutMs?: number;
}

/** True for 127.0.0.0/8 and ::1 (the only addresses runtime-sim listens on). */
export function isLoopbackAddress(host: string): boolean {
  return /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

// ---- request validation (server.go validateExecRequest / validateAttachRequest / GetPortForward) ----

function invalid(message: string): CriError {
  return new CriError(GRPC_STATUS.INVALID_ARGUMENT, message);
}

function validateStreams(r: { containerId: string; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }, joiner: 'or' | 'and'): void {
  if (r.containerId === '') throw invalid('missing required container_id');
  if (r.tty && r.stderr) throw invalid('tty and stderr cannot both be true');
  if (!r.stdin && !r.stdout && !r.stderr) throw invalid(`one of stdin, stdout, ${joiner} stderr must be set`);
}

// ---- raw HTTP answers on an upgrade socket -------------------------------------------------------

type HeaderValues = Record<string, string | readonly string[]>;

function writeRaw(socket: Duplex, status: number, body: string, headers: HeaderValues = {}): void {
  const lines = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`];
  const all: HeaderValues = { ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
  if (body !== '') all['Content-Type'] ??= 'text/plain; charset=utf-8';
  for (const [k, v] of Object.entries(all)) for (const one of typeof v === 'string' ? [v] : v) lines.push(`${k}: ${one}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: HeaderValues;
}

/** Go's http.NotFound. */
const TOKEN_NOT_FOUND: Answer = { status: 404, body: '404 page not found\n', headers: { 'X-Content-Type-Options': 'nosniff' } };
/** go-restful's answers for an unknown route / a known route with another method. */
const ROUTE_NOT_FOUND: Answer = { status: 404, body: '404: Page Not Found' };
const METHOD_NOT_ALLOWED: Answer = { status: 405, body: '405: Method Not Allowed' };

const PLAIN_ERROR_HEADERS = { 'X-Content-Type-Options': 'nosniff' } as const;

/** Go's %#v of the request's http.Header (canonical keys, sorted), as the upgrader's 400 prints it. */
function goHeaderSyntax(req: http.IncomingMessage): string {
  const byKey = new Map<string, string[]>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const key = req.rawHeaders[i]!.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
    if (key === 'Host') continue;
    byKey.set(key, [...(byKey.get(key) ?? []), req.rawHeaders[i + 1]!]);
  }
  const entries = [...byKey.keys()].sort().map((k) => `${JSON.stringify(k)}:[]string{${byKey.get(k)!.map((v) => JSON.stringify(v)).join(', ')}}`);
  return `http.Header{${entries.join(', ')}}`;
}

/** Upgrade + Connection headers as spdy/upgrade.go UpgradeResponse requires them. */
function isSpdyUpgrade(req: http.IncomingMessage): boolean {
  return String(req.headers.connection ?? '').toLowerCase().includes('upgrade') && String(req.headers.upgrade ?? '').toLowerCase().includes('spdy/3.1');
}

/**
 * The SPDY path of the handlers: httpstream.Handshake (httpstream.go) then UpgradeResponse's header
 * check. remotecommand (createHTTPStreamStreams) answers a failed handshake with its own 400 on top
 * of what Handshake wrote; portforward (handleHTTPStreams) writes nothing more, so a request with no
 * protocol header gets Go's empty 200.
 */
function spdyHandshake(req: http.IncomingMessage, kind: StreamRequest['kind']): { protocol: string } | { answer: Answer } {
  const served = kind === 'portforward' ? PORT_FORWARD_SPDY_PROTOCOLS : REMOTE_COMMAND_SPDY_PROTOCOLS.map(([name]) => name);
  const header = req.headers[SPDY_PROTOCOL_HEADER];
  const offered = (Array.isArray(header) ? header : header === undefined ? [] : [header])
    .flatMap((h) => h.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (offered.length === 0) {
    if (kind === 'portforward') return { answer: { status: 200, body: '' } };
    return { answer: { status: 400, body: 'unable to upgrade: X-Stream-Protocol-Version is required\n', headers: PLAIN_ERROR_HEADERS } };
  }
  const protocol = offered.find((p) => served.includes(p));
  if (protocol === undefined) {
    const text = `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${served.join(' ')}]\n`;
    return {
      answer: {
        status: 403,
        // remotecommand's http.Error after Handshake's: the second status is dropped, its text is not.
        body: kind === 'portforward' ? text : text + text,
        headers: { ...PLAIN_ERROR_HEADERS, [SPDY_ACCEPTED_PROTOCOLS_HEADER]: served },
      },
    };
  }
  if (!isSpdyUpgrade(req)) {
    return { answer: { status: 400, body: `unable to upgrade: missing upgrade headers in request: ${goHeaderSyntax(req)}\n`, headers: PLAIN_ERROR_HEADERS } };
  }
  return { protocol };
}

function isWebSocketRequest(req: http.IncomingMessage): boolean {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  const connection = String(req.headers.connection ?? '').toLowerCase();
  return upgrade === 'websocket' && /(^|,\s*)upgrade\s*($|,)/.test(connection);
}

/** wsstream handshake: the first protocol the client offers that the server serves ("" when none offered). */
function negotiate(req: http.IncomingMessage, served: Readonly<Record<string, ChannelProtocol>>): string | undefined {
  const header = req.headers['sec-websocket-protocol'];
  const offered = (typeof header === 'string' ? header.split(',') : []).map((p) => p.trim()).filter((p) => p !== '');
  if (offered.length === 0) offered.push('');
  return offered.find((p) => Object.prototype.hasOwnProperty.call(served, p));
}

const ROUTE = /^\/(exec|attach|portforward)\/([^/]+)$/;

export class StreamServer {
  private readonly cache: RequestCache<StreamRequest>;
  private readonly http: http.Server;
  /** The subprotocol chosen for each upgrade, for the Sec-WebSocket-Protocol answer. */
  private readonly negotiated = new WeakMap<http.IncomingMessage, string>();
  private readonly wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    handleProtocols: (_offered, req) => this.negotiated.get(req) || false,
  });
  private readonly sessions = new Set<WebSocket>();
  private readonly spdySessions = new Set<SpdyConnection>();
  private readonly core: StreamSessionCore;
  private readonly spdyOptions: SpdySessionOptions;
  private readonly abort = new AbortController();
  private base = '';
  private closing: Promise<void> | undefined;

  private constructor(options: StreamServerOptions) {
    this.cache = new RequestCache<StreamRequest>(options.cache);
    this.core = new StreamSessionCore(options.runtime, options.sleep ?? defaultSleep, this.abort.signal);
    this.spdyOptions = {
      core: this.core,
      streamCreationTimeoutMs: options.streamCreationTimeoutMs ?? STREAM_SERVER_DEFAULTS.STREAM_CREATION_TIMEOUT_MS,
      streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? STREAM_SERVER_DEFAULTS.STREAM_IDLE_TIMEOUT_MS,
    };
    this.http = http.createServer((req, res) => this.onRequest(req, res));
    this.http.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  static async start(options: StreamServerOptions): Promise<StreamServer> {
    const host = options.host ?? STREAM_SERVER_DEFAULTS.HOST;
    if (!isLoopbackAddress(host)) {
      throw new Error(`stream server address ${host} is not a loopback address; use 127.0.0.1 (or another 127.x.y.z, or ::1)`);
    }
    const server = new StreamServer(options);
    await new Promise<void>((resolve, reject) => {
      server.http.once('error', reject);
      server.http.listen(options.port ?? STREAM_SERVER_DEFAULTS.PORT, host, () => {
        server.http.off('error', reject);
        resolve();
      });
    });
    const addr = server.http.address();
    if (addr === null || typeof addr === 'string') throw new Error('stream server: no TCP address');
    // server.go Start: the listener's actual address becomes the base URL host (handles port 0).
    server.base = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    return server;
  }

  /** e.g. http://127.0.0.1:40123 */
  get baseUrl(): string {
    return this.base;
  }

  /** Tokens issued and not yet used (bounded by the cache). */
  get pendingTokens(): number {
    return this.cache.size;
  }

  getExec(r: Omit<ExecStreamRequest, 'kind'>): string {
    validateStreams(r, 'or');
    return this.url('exec', this.cache.insert({ kind: 'exec', ...r, cmd: [...r.cmd] }));
  }

  getAttach(r: Omit<AttachStreamRequest, 'kind'>): string {
    validateStreams(r, 'and');
    return this.url('attach', this.cache.insert({ kind: 'attach', ...r }));
  }

  getPortForward(r: Omit<PortForwardStreamRequest, 'kind'>): string {
    if (r.podSandboxId === '') throw invalid('missing required pod_sandbox_id');
    return this.url('portforward', this.cache.insert({ kind: 'portforward', ...r, ports: [...r.ports] }));
  }

  /** Stops listening, ends every session and forgets every token. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.abort.abort();
      this.cache.clear();
      for (const ws of this.sessions) ws.terminate();
      this.sessions.clear();
      for (const conn of this.spdySessions) conn.destroy();
      this.spdySessions.clear();
      this.wss.close();
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    return this.closing;
  }

  private url(method: string, token: string): string {
    return `${this.base}/${method}/${token}`;
  }

  /** Routing and the token, shared by plain requests and upgrades. */
  private resolve(req: http.IncomingMessage): { request: StreamRequest } | { answer: Answer } {
    const path = (req.url ?? '/').split('?')[0]!;
    const match = ROUTE.exec(path);
    if (match === null) return { answer: ROUTE_NOT_FOUND };
    if (req.method !== 'GET' && req.method !== 'POST') return { answer: METHOD_NOT_ALLOWED };
    const request = this.cache.consume(match[2]!);
    if (request === undefined || request.kind !== match[1]) return { answer: TOKEN_NOT_FOUND };
    return { request };
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const resolved = this.resolve(req);
    const handshake = 'answer' in resolved ? resolved : spdyHandshake(req, resolved.request.kind);
    // Only an upgrade gets past the handshake; a plain request always ends with an answer.
    const answer = 'answer' in handshake ? handshake.answer : { status: 400, body: '' };
    res.writeHead(answer.status, { ...(answer.headers ?? {}), ...(answer.body === '' ? {} : { 'Content-Type': 'text/plain; charset=utf-8' }) });
    res.end(answer.body);
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.abort.signal.aborted) {
      socket.destroy();
      return;
    }
    const resolved = this.resolve(req);
    if ('answer' in resolved) {
      writeRaw(socket, resolved.answer.status, resolved.answer.body, resolved.answer.headers);
      return;
    }
    if (!isWebSocketRequest(req)) {
      const handshake = spdyHandshake(req, resolved.request.kind);
      if ('answer' in handshake) writeRaw(socket, handshake.answer.status, handshake.answer.body, handshake.answer.headers);
      else this.track(serveSpdy(socket, head, resolved.request, handshake.protocol, this.spdyOptions));
      return;
    }
    const request = resolved.request;
    const served = request.kind === 'portforward' ? PORT_FORWARD_WEBSOCKET_PROTOCOLS : REMOTE_COMMAND_WEBSOCKET_PROTOCOLS;
    const protocolName = negotiate(req, served);
    if (protocolName === undefined) {
      // golang.org/x/net/websocket: a refused handshake is a bare 403.
      writeRaw(socket, 403, '');
      return;
    }
    const protocol = served[protocolName]!;
    this.negotiated.set(req, protocolName);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.abort.signal.aborted) {
        ws.terminate();
        return;
      }
      this.sessions.add(ws);
      ws.on('close', () => this.sessions.delete(ws));
      ws.on('error', () => ws.terminate());
      const run = request.kind === 'exec' ? this.serveExec(ws, request, protocol) : request.kind === 'attach' ? this.serveAttach(ws, request, protocol) : this.servePortForward(ws, request, protocol);
      run.catch(() => ws.terminate()).finally(() => this.sessions.delete(ws));
    });
  }

  private track(conn: SpdyConnection): void {
    this.spdySessions.add(conn);
    conn.once('close', () => this.spdySessions.delete(conn));
  }

  // ---- websocket framing (remotecommand/websocket.go, portforward/websocket.go) ----------------------

  private send(ws: WebSocket, channel: number, data: Buffer, protocol: ChannelProtocol): void {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(channel, data, protocol.binary));
  }

  /** remotecommand/websocket.go: an empty frame on the lowest writable channel says "connected". */
  private wsSession(ws: WebSocket, r: { stdout: boolean; stderr: boolean }, protocol: ChannelProtocol): RemoteCommandSession {
    const channel = r.stdout ? REMOTE_COMMAND_CHANNEL.STDOUT : r.stderr ? REMOTE_COMMAND_CHANNEL.STDERR : REMOTE_COMMAND_CHANNEL.ERROR;
    this.send(ws, channel, Buffer.alloc(0), protocol);
    // Stdin and resize frames are read and dropped: the modelled commands do not read input.
    ws.on('message', () => undefined);
    const gone = new AbortController();
    ws.once('close', () => gone.abort());
    return {
      stdout: (data) => this.send(ws, REMOTE_COMMAND_CHANNEL.STDOUT, data, protocol),
      stderr: (data) => this.send(ws, REMOTE_COMMAND_CHANNEL.STDERR, data, protocol),
      finish: (status) => {
        const bytes = encodeStatus(status, protocol.v4Status);
        if (bytes !== null) this.send(ws, REMOTE_COMMAND_CHANNEL.ERROR, bytes, protocol);
        if (ws.readyState === ws.OPEN) ws.close(1000);
      },
      gone: gone.signal,
    };
  }

  private serveExec(ws: WebSocket, r: ExecStreamRequest, protocol: ChannelProtocol): Promise<void> {
    return this.core.runExec(this.wsSession(ws, r, protocol), r);
  }

  private serveAttach(ws: WebSocket, r: AttachStreamRequest, protocol: ChannelProtocol): Promise<void> {
    return this.core.runAttach(this.wsSession(ws, r, protocol), r);
  }

  private async servePortForward(ws: WebSocket, r: PortForwardStreamRequest, protocol: ChannelProtocol): Promise<void> {
    ws.on('message', () => undefined);
    // portforward/websocket.go: a data (2n) and an error (2n+1) channel per port, each first
    // carrying the port number; a failed forward writes its error on the error channel.
    r.ports.forEach((port, i) => {
      this.send(ws, 2 * i, portPrefix(port), protocol);
      this.send(ws, 2 * i + 1, portPrefix(port), protocol);
    });
    r.ports.forEach((port, i) => this.send(ws, 2 * i + 1, Buffer.from(this.core.portForwardError(r, port)), protocol));
    if (ws.readyState === ws.OPEN) ws.close(1000);
  }

}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    timer.unref();
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
