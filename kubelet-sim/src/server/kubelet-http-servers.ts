import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from '../util/logger';
import type { RestfulContainer } from './restful-container';

/** The KubeletConfiguration fields (and flags) that place the servers; 0 turns the read-only / healthz server off. */
export interface KubeletServingConfig {
  address: string;
  port: number;
  readOnlyPort: number;
  healthzBindAddress: string;
  healthzPort: number;
}

/** cmd/kubelet/app/server.go: the healthz server is retried every 5 s (wait.Until) instead of exiting. */
export const HEALTHZ_RETRY_PERIOD_MS = 5_000;

/** Which config field and flag set each server's port, for error messages. */
export const SERVER_PORT_SOURCE = {
  main: { field: 'port', flag: '--port' },
  readOnly: { field: 'readOnlyPort', flag: '--read-only-port' },
  healthz: { field: 'healthzPort', flag: '--healthz-port' },
} as const;

type ServerKind = keyof typeof SERVER_PORT_SOURCE;

/** The main or read-only server could not listen: the real kubelet logs `Failed to listen and serve` and exits 1. */
export class KubeletListenError extends Error {
  constructor(readonly server: ServerKind, readonly goError: string, readonly port: number) {
    const source = SERVER_PORT_SOURCE[server];
    super(`"Failed to listen and serve" err="${goError}" (${source.field} / ${source.flag} is ${port}; choose a free port)`);
  }
}

export interface KubeletHttpHandlers {
  main: RestfulContainer;
  /** Built only when readOnlyPort > 0. */
  readOnly: () => RestfulContainer;
  healthz: () => RestfulContainer;
}

export interface RunningKubeletServers {
  /** `http://127.0.0.1:<port>` of each listening server. */
  mainUrl: string;
  readOnlyUrl: string | undefined;
  /** Undefined when healthzPort is 0; set once the first attempt was made, even if it is still retrying. */
  healthzUrl: string | undefined;
  /** Stops listening and drops open connections; idempotent. */
  close(): Promise<void>;
}

/**
 * Only loopback is ever bound (project rule). A non-loopback address, the default `0.0.0.0` included, is
 * replaced by 127.0.0.1 with one log line naming the field.
 */
export function loopbackAddress(address: string, field: string, log: Logger): string {
  if (address === '127.0.0.1' || address === '::1' || (isIP(address) === 4 && address.startsWith('127.'))) return address;
  log.info(`Binding to loopback only, not to the configured address field="${field}" address="${address}" using="127.0.0.1"`);
  return '127.0.0.1';
}

/**
 * Starts the servers cmd/kubelet/app/server.go and kubelet.go start: the main server on address:port
 * (ListenAndServeKubeletServer), the read-only server on address:readOnlyPort when set
 * (ListenAndServeKubeletReadOnlyServer) and the healthz server on healthzBindAddress:healthzPort when set.
 * All plain HTTP on loopback. A main or read-only port that cannot be bound rejects with KubeletListenError;
 * a healthz port that cannot be bound is logged and retried every 5 s, as upstream.
 */
export async function startKubeletHttpServers(config: KubeletServingConfig, handlers: KubeletHttpHandlers, log: Logger): Promise<RunningKubeletServers> {
  const servers: Server[] = [];
  let healthzTimer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (healthzTimer) clearTimeout(healthzTimer);
      healthzTimer = undefined;
      await Promise.all(servers.map((s) => closeServer(s)));
    })());

  try {
    const address = loopbackAddress(config.address, 'address', log);
    log.info(`Starting to listen address="${address}" port=${config.port}`);
    const main = await listen(handlers.main, address, config.port, 'main');
    servers.push(main.server);
    let readOnlyUrl: string | undefined;
    if (config.readOnlyPort > 0) {
      log.info(`Starting to listen read-only address="${address}" port=${config.readOnlyPort}`);
      const ro = await listen(handlers.readOnly(), address, config.readOnlyPort, 'readOnly');
      servers.push(ro.server);
      readOnlyUrl = ro.url;
    }
    let healthzUrl: string | undefined;
    if (config.healthzPort > 0) {
      const healthzAddress = loopbackAddress(config.healthzBindAddress, 'healthzBindAddress', log);
      const mux = handlers.healthz();
      healthzUrl = urlOf(healthzAddress, config.healthzPort);
      const attempt = async (): Promise<void> => {
        if (closing) return;
        try {
          const hz = await listen(mux, healthzAddress, config.healthzPort, 'healthz');
          if (closing) await closeServer(hz.server);
          else servers.push(hz.server);
        } catch (err) {
          const source = SERVER_PORT_SOURCE.healthz;
          log.error(`"Failed to start healthz server" err="${(err as KubeletListenError).goError ?? (err as Error).message}" (${source.field} / ${source.flag} is ${config.healthzPort}; retrying every 5s)`);
          if (!closing) healthzTimer = setTimeout(() => void attempt(), HEALTHZ_RETRY_PERIOD_MS).unref();
        }
      };
      await attempt();
    }
    return { mainUrl: main.url, readOnlyUrl, healthzUrl, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function listen(handler: RestfulContainer, address: string, port: number, kind: ServerKind): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    // http.Server in server.go: MaxHeaderBytes 1 MiB, IdleTimeout 90 s (keep-alive).
    const server = createServer({ maxHeaderSize: 1 << 20 }, (req, res) => void handler.serve(req, res));
    const upgraded = new Set<import('node:stream').Duplex>();
    upgradedSockets.set(server, upgraded);
    server.on('upgrade', (req, socket, head: Buffer) => {
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
      void handler.serveUpgrade(req, socket, head);
    });
    server.keepAliveTimeout = 90_000;
    server.once('error', (err: NodeJS.ErrnoException) => reject(new KubeletListenError(kind, goListenError(err, address, port), port)));
    server.listen({ host: address, port, exclusive: true }, () => {
      const bound = server.address();
      const actualPort = typeof bound === 'object' && bound !== null ? bound.port : port;
      resolve({ server, url: urlOf(address, actualPort) });
    });
  });
}

/** net.Listen's error text: `listen tcp 127.0.0.1:10250: bind: address already in use`. */
function goListenError(err: NodeJS.ErrnoException, address: string, port: number): string {
  const hostPort = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  const reason = err.code === 'EADDRINUSE' ? 'address already in use' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EADDRNOTAVAIL' ? 'cannot assign requested address' : err.message;
  return `listen tcp ${hostPort}: bind: ${reason}`;
}

function urlOf(address: string, port: number): string {
  return address.includes(':') ? `http://[${address}]:${port}` : `http://${address}:${port}`;
}

/** Connections taken over by an upgrade (exec, attach, port-forward sessions), which closeAllConnections does not see. */
const upgradedSockets = new WeakMap<Server, Set<import('node:stream').Duplex>>();

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    for (const socket of upgradedSockets.get(server) ?? []) socket.destroy();
  });
}
