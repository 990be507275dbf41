import { Agent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import type { Clock } from '../util/clock';
import type { ApiServerConnection } from './kubeconfig';
import { startRoundTrip } from './otelhttp-transport';
import { TokenBucket } from './token-bucket';

/** A failed API call: the metav1.Status the server sent (code, reason, message), or a transport error (code 0). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }

  get isNotFound(): boolean {
    return this.code === 404;
  }

  get isConflict(): boolean {
    return this.code === 409;
  }

  get isAlreadyExists(): boolean {
    return this.code === 409 && this.reason === 'AlreadyExists';
  }
}

export interface ApiClientOptions {
  connection: ApiServerConnection;
  /** client-go's DefaultKubernetesUserAgent for the kubelet: `kubelet/v1.34.0 (linux/amd64) kubernetes/<commit>`. */
  userAgent: string;
  /** kubeAPIQPS / kubeAPIBurst. */
  qps: number;
  burst: number;
  /** otelhttp's tracer when the KubeletTracing gate wraps the transport (WrapperFor); undefined: not wrapped. */
  tracer: Tracer | undefined;
  clock: Clock;
  /** Deadline of a non-watch request (rest.Config Timeout; the kubelet leaves it 0, we bound it). */
  requestTimeoutMs: number;
}

/** One event of a watch stream (metav1.WatchEvent). */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** The kubelet's User-Agent (client-go rest DefaultKubernetesUserAgent: command/version (os/arch) kubernetes/commit). */
export function kubeletUserAgent(kubeletVersion: string): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `kubelet/v${kubeletVersion}.0 (${process.platform}/${arch}) kubernetes/0000000`;
}

/**
 * The kubelet's clientset, reduced to the REST calls it makes: JSON bodies (the kubelet asks for protobuf,
 * `contentType: application/vnd.kubernetes.protobuf`; apiserver-sim serves JSON only), a keep-alive agent,
 * the token-bucket rate limiter of kubeAPIQPS/kubeAPIBurst, a bearer token when the kubeconfig has one,
 * and the otelhttp transport's CLIENT span around every request when tracing wraps it.
 */
export class ApiClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });
  private readonly limiter: TokenBucket;
  private readonly base: URL;

  constructor(private readonly options: ApiClientOptions) {
    this.limiter = new TokenBucket(options.qps, options.burst, options.clock);
    this.base = new URL(options.connection.server);
  }

  get server(): string {
    return this.options.connection.server;
  }

  async get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  async create<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, JSON.stringify(body), 'application/json');
  }

  async update<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, JSON.stringify(body), 'application/json');
  }

  async patch<T>(path: string, patch: string, patchType: 'application/strategic-merge-patch+json' | 'application/merge-patch+json'): Promise<T> {
    return this.call<T>('PATCH', path, patch, patchType);
  }

  async delete<T>(path: string, options: unknown): Promise<T> {
    return this.call<T>('DELETE', path, JSON.stringify(options), 'application/json');
  }

  /**
   * A watch (GET ?watch=true): calls `onEvent` per decoded event until the server ends the stream (resolves)
   * or the connection fails (rejects); `signal` aborts it (resolves).
   */
  async watch<T>(path: string, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    await this.limiter.wait();
    const { res, done } = await this.send('GET', path, undefined, undefined, signal, false);
    if (res.statusCode !== 200) {
      const text = await readAll(res);
      done();
      throw errorOf(res.statusCode ?? 0, text);
    }
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line === '') continue;
          try {
            onEvent(JSON.parse(line) as WatchEvent<T>);
          } catch (err) {
            res.destroy(err as Error);
            return;
          }
        }
      });
      res.on('end', () => {
        done();
        resolve();
      });
      res.on('close', () => {
        done();
        resolve();
      });
      res.on('error', (err) => {
        done();
        if (signal.aborted) resolve();
        else reject(err);
      });
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private async call<T>(method: string, path: string, body?: string, contentType?: string): Promise<T> {
    await this.limiter.wait();
    const { res, done } = await this.send(method, path, body, contentType, AbortSignal.timeout(this.options.requestTimeoutMs), true);
    const text = await readAll(res).finally(done);
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw errorOf(code, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private send(method: string, path: string, body: string | undefined, contentType: string | undefined, signal: AbortSignal, bounded: boolean): Promise<{ res: IncomingMessage; done: () => void }> {
    const url = new URL(path, this.base);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.options.userAgent };
    if (contentType) headers['Content-Type'] = contentType;
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    if (this.options.connection.token) headers.Authorization = `Bearer ${this.options.connection.token}`;
    const trip = startRoundTrip(this.options.tracer, { method, url, headers, bodyLength: body === undefined ? 0 : Buffer.byteLength(body) });
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method, headers: trip.headers, agent: this.agent, signal }, (res) => {
        const length = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
        trip.response(res.statusCode ?? 0, length);
        resolve({ res, done: trip.bodyDone });
      });
      req.on('error', (err) => {
        const wrapped = new ApiError(0, 'ConnectionError', `${method} ${url.toString()}: ${bounded && signal.aborted ? 'request timed out' : err.message}`);
        trip.failed(wrapped);
        reject(wrapped);
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function errorOf(code: number, text: string): ApiError {
  try {
    const status = JSON.parse(text) as { kind?: string; reason?: string; message?: string };
    if (status.kind === 'Status') return new ApiError(code, status.reason ?? '', status.message ?? text);
  } catch {
    // not a Status: fall through
  }
  return new ApiError(code, '', `the server responded with status ${code}: ${text.slice(0, 200)}`);
}
