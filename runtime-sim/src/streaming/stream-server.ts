/**
 * The CRI stream server (k8s.io/kubelet pkg/cri/streaming server.go, embedded by CRI-O and
 * containerd): Exec/Attach/PortForward RPCs return `http://<addr>/<exec|attach|portforward>/<token>`;
 * the client then opens that URL once. Loopback only, like both runtimes' defaults (CRI-O
 * stream_address 127.0.0.1 / stream_port 0; containerd stream_server_address 127.0.0.1 /
 * stream_server_port "0"); port 0 picks a free port and the URLs carry the real one.
 *
 * Served: the websocket protocols of ./remote-command-protocol.ts. Not served: SPDY; such a request
 * is answered as the real server answers a protocol it cannot negotiate (403), and one with no
 * X-Stream-Protocol-Version at all gets the empty 200 the real handshake leaves behind.
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CriError, GRPC_STATUS } from '../state/cri-error';
import {
  encodeFrame,
  encodeStatus,
  internalErrorStatus,
  nonZeroExitStatus,
  portPrefix,
  PORT_FORWARD_WEBSOCKET_PROTOCOLS,
  REMOTE_COMMAND_CHANNEL,
  REMOTE_COMMAND_WEBSOCKET_PROTOCOLS,
  SPDY_PROTOCOL_HEADER,
  successStatus,
  type ChannelProtocol,
  type RemoteCommandStatus,
} from './remote-command-protocol';
import { RequestCache, type RequestCacheOptions } from './request-cache';
import type { StreamRuntime } from './simulated-stream-runtime';

export interface ExecStreamRequest {
  readonly kind: 'exec';
  readonly containerId: string;
  readonly cmd: readonly string[];
  readonly tty: boolean;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}
export interface AttachStreamRequest {
  readonly kind: 'attach';
  readonly containerId: string;
  readonly tty: boolean;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}
export interface PortForwardStreamRequest {
  readonly kind: 'portforward';
  readonly podSandboxId: string;
  readonly ports: readonly number[];
}
export type StreamRequest = ExecStreamRequest | AttachStreamRequest | PortForwardStreamRequest;

/** Defaults of both runtimes' stream server configuration. */
export const STREAM_SERVER_DEFAULTS = { HOST: '127.0.0.1', PORT: 0 } as const;

export interface StreamServerOptions {
  readonly runtime: StreamRuntime;
  /** Must be a loopback address. Default 127.0.0.1. */
  readonly host?: string;
  /** 0 = any free port. Default 0. */
  readonly port?: number;
  readonly cache?: RequestCacheOptions;
  /** How an exec that runs for a while waits. Default: an unref'd setTimeout that close() cancels. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
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

function writeRaw(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}): void {
  const lines = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`];
  const all: Record<string, string> = { ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
  if (body !== '') all['Content-Type'] ??= 'text/plain; charset=utf-8';
  for (const [k, v] of Object.entries(all)) lines.push(`${k}: ${v}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/** Go's http.NotFound. */
const TOKEN_NOT_FOUND: Answer = { status: 404, body: '404 page not found\n', headers: { 'X-Content-Type-Options': 'nosniff' } };
/** go-restful's answers for an unknown route / a known route with another method. */
const ROUTE_NOT_FOUND: Answer = { status: 404, body: '404: Page Not Found' };
const METHOD_NOT_ALLOWED: Answer = { status: 405, body: '405: Method Not Allowed' };

/** The non-websocket (SPDY) path: httpstream.Handshake with nothing runtime-sim can negotiate. */
function spdyAnswer(req: http.IncomingMessage): Answer {
  const offered = (req.headers[SPDY_PROTOCOL_HEADER] as string | undefined)
    ?.split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (offered === undefined || offered.length === 0) return { status: 200, body: '' };
  return {
    status: 403,
    body: `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts []\n`,
    headers: { 'X-Content-Type-Options': 'nosniff' },
  };
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
  private readonly runtime: StreamRuntime;
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
  private readonly abort = new AbortController();
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private base = '';
  private closing: Promise<void> | undefined;

  private constructor(options: StreamServerOptions) {
    this.runtime = options.runtime;
    this.cache = new RequestCache<StreamRequest>(options.cache);
    this.sleep = options.sleep ?? defaultSleep;
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
    const answer = 'answer' in resolved ? resolved.answer : spdyAnswer(req);
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
      const a = spdyAnswer(req);
      writeRaw(socket, a.status, a.body, a.headers);
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

  private send(ws: WebSocket, channel: number, data: Buffer, protocol: ChannelProtocol): void {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(channel, data, protocol.binary));
  }

  /** remotecommand/websocket.go: an empty frame on the lowest writable channel says "connected". */
  private announce(ws: WebSocket, r: { stdout: boolean; stderr: boolean }, protocol: ChannelProtocol): void {
    const channel = r.stdout ? REMOTE_COMMAND_CHANNEL.STDOUT : r.stderr ? REMOTE_COMMAND_CHANNEL.STDERR : REMOTE_COMMAND_CHANNEL.ERROR;
    this.send(ws, channel, Buffer.alloc(0), protocol);
  }

  private finish(ws: WebSocket, status: RemoteCommandStatus, protocol: ChannelProtocol): void {
    const bytes = encodeStatus(status, protocol.v4Status);
    if (bytes !== null) this.send(ws, REMOTE_COMMAND_CHANNEL.ERROR, bytes, protocol);
    if (ws.readyState === ws.OPEN) ws.close(1000);
  }

  private async serveExec(ws: WebSocket, r: ExecStreamRequest, protocol: ChannelProtocol): Promise<void> {
    this.announce(ws, r, protocol);
    // Stdin and resize frames are read and dropped: the modelled commands do not read input.
    ws.on('message', () => undefined);
    const result = this.runtime.exec(r.containerId, r.cmd);
    if (result.kind === 'failed') {
      this.finish(ws, internalErrorStatus(`error executing command in container: ${result.message}`), protocol);
      return;
    }
    if (result.durationNs > 0n) await this.sleep(Number(result.durationNs / 1_000_000n), this.abort.signal);
    if (r.stdout && result.stdout.length > 0) this.send(ws, REMOTE_COMMAND_CHANNEL.STDOUT, result.stdout, protocol);
    if (result.stderr.length > 0) {
      // With a TTY both streams share the terminal, so stderr text arrives on stdout.
      if (r.tty && r.stdout) this.send(ws, REMOTE_COMMAND_CHANNEL.STDOUT, result.stderr, protocol);
      else if (r.stderr) this.send(ws, REMOTE_COMMAND_CHANNEL.STDERR, result.stderr, protocol);
    }
    this.finish(ws, result.exitCode === 0 ? successStatus() : nonZeroExitStatus(result.exitCode, result.exitErrorText), protocol);
  }

  private async serveAttach(ws: WebSocket, r: AttachStreamRequest, protocol: ChannelProtocol): Promise<void> {
    this.announce(ws, r, protocol);
    ws.on('message', () => undefined);
    const ended = new AbortController();
    const onAbort = (): void => ended.abort();
    this.abort.signal.addEventListener('abort', onAbort, { once: true });
    ws.once('close', onAbort);
    try {
      // Like containerd's attach (no historical output), the session shows what the process prints
      // from now on, which for a simulated process is nothing, until it exits.
      const error = await this.runtime.attach(r.containerId, ended.signal);
      if (ended.signal.aborted && error === null) return;
      this.finish(ws, error === null ? successStatus() : internalErrorStatus(`error attaching to container: ${error}`), protocol);
    } finally {
      this.abort.signal.removeEventListener('abort', onAbort);
    }
  }

  private async servePortForward(ws: WebSocket, r: PortForwardStreamRequest, protocol: ChannelProtocol): Promise<void> {
    ws.on('message', () => undefined);
    // portforward/websocket.go: a data (2n) and an error (2n+1) channel per port, each first
    // carrying the port number; a failed forward writes its error on the error channel.
    r.ports.forEach((port, i) => {
      this.send(ws, 2 * i, portPrefix(port), protocol);
      this.send(ws, 2 * i + 1, portPrefix(port), protocol);
    });
    r.ports.forEach((port, i) => {
      const reason = this.runtime.portForward(r.podSandboxId, port);
      const text = `error forwarding port ${port} to pod ${r.podSandboxId}, uid : ${reason}`;
      this.send(ws, 2 * i + 1, Buffer.from(text), protocol);
    });
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
