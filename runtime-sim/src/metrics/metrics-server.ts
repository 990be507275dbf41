import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { MetricsEndpoint } from './metrics-endpoint';

export interface RunningMetricsServer {
  /** `http://host:port/path`, with the port actually bound. */
  readonly url: string;
  /** Stops listening and drops open connections; idempotent. */
  close(): Promise<void>;
}

/**
 * A plain HTTP server with one route, the registry's Prometheus text exposition at the persona's path (GET or
 * HEAD); anything else is 404, another method 405. Rejects with the listen error (e.g. EADDRINUSE) so the
 * caller can name the setting.
 */
export function startMetricsServer(endpoint: MetricsEndpoint, registry: Registry): Promise<RunningMetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://metrics').pathname;
    if (path !== endpoint.path) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${(err as Error).message}\n`),
    );
  });
  let closing: Promise<void> | undefined;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: endpoint.host, port: endpoint.port, exclusive: true }, () => {
      server.off('error', reject);
      const bound = server.address();
      const port = typeof bound === 'object' && bound !== null ? bound.port : endpoint.port;
      const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
      resolve({
        url: `http://${host}:${port}${endpoint.path}`,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          })),
      });
    });
  });
}
