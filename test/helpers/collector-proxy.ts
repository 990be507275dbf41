/**
 * A TCP proxy in front of an OTLP receiver, for tests of a collector that goes away, comes back or is slow:
 * `down()` closes the listening port (new connections are refused) and cuts every open connection, as when
 * the collector process dies; `up()` listens on the same port again; `setDelayMs()` holds every chunk the
 * exporters send for that long before passing it on (a collector that answers, slowly), Infinity never passes
 * it on (a collector that takes connections and never answers). Loopback only.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class CollectorProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private delayMs = 0;
  private portNumber = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** `127.0.0.1:<port>`, for the exporters' endpoint. */
  get address(): string {
    return `127.0.0.1:${this.portNumber}`;
  }

  /** Listens on `port` (0 = a free one the first time, then the same one again). */
  async up(port = this.portNumber): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
    });
    this.portNumber = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Refuses new connections and cuts the open ones. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  setDelayMs(ms: number): void {
    this.delayMs = ms;
  }

  close(): Promise<void> {
    return this.down();
  }

  private pipe(client: Socket): void {
    const upstream = createConnection({ host: this.target.host, port: this.target.port });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    // Chunks keep their order: each is due `delayMs` after it came, and never before the one ahead of it.
    let lastDueMs = 0;
    client.on('data', (chunk: Buffer) => {
      if (this.delayMs === Infinity) return;
      const dueMs = Math.max(Date.now() + this.delayMs, lastDueMs);
      lastDueMs = dueMs;
      if (dueMs <= Date.now()) upstream.write(chunk);
      else setTimeout(() => upstream.destroyed || upstream.write(chunk), dueMs - Date.now());
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  }
}
