import type { Persona } from '../state/persona';

/** Where runtime-sim serves its Prometheus metrics, the way its persona places its metrics server. */
export interface MetricsEndpoint {
  host: string;
  /** 0 = any free port (the chosen one is printed). */
  port: number;
  /** CRI-O `/metrics`; containerd `/v1/metrics`. */
  path: string;
  /** The setting that asked for it, for error messages. */
  from: string;
}

/**
 * CRI-O (v1.33 pkg/config/config.go, internal/criocli/criocli.go, server/metrics/metrics.go): metrics are off
 * unless `enable_metrics` / `--enable-metrics` / CONTAINER_ENABLE_METRICS; then `/metrics` on
 * `metrics_host:metrics_port` (defaults 127.0.0.1 and 9090; `--metrics-host`, `--metrics-port`,
 * CONTAINER_METRICS_HOST, CONTAINER_METRICS_PORT).
 */
export const CRIO_METRICS = { DEFAULT_HOST: '127.0.0.1', DEFAULT_PORT: 9090, PATH: '/metrics' } as const;

/**
 * containerd (v2.1.0 cmd/containerd/server/config/config.go MetricsConfig, command/main.go; the same in
 * 1.6): `[metrics] address = "host:port"` in config.toml, empty by default (no server); `/v1/metrics`.
 */
export const CONTAINERD_METRICS = { PATH: '/v1/metrics' } as const;

export class MetricsEndpointError extends Error {}

/** The settings a persona reads; flag, then env var, then config file, as for tracing. */
export interface MetricsSettings {
  persona: Persona;
  crio: { enable?: boolean; host?: string; port?: number; enableFrom?: string; hostFrom?: string; portFrom?: string };
  /** containerd `[metrics] address`. */
  containerdAddress?: string;
}

/** The endpoint to serve, undefined when the persona's settings turn metrics off. Loopback only (project rule). */
export function resolveMetricsEndpoint(settings: MetricsSettings): MetricsEndpoint | undefined {
  if (settings.persona === 'containerd') {
    const address = settings.containerdAddress;
    if (address === undefined || address === '') return undefined;
    const from = '[metrics] address in --config';
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address.trim());
    if (!match) throw new MetricsEndpointError(`invalid value ${JSON.stringify(address)} for ${from}: give host:port, e.g. "127.0.0.1:1338"`);
    return { host: loopbackHost(match[1] ?? match[2]!, from), port: portNumber(Number(match[3]), from), path: CONTAINERD_METRICS.PATH, from };
  }
  const { crio } = settings;
  if (!(crio.enable ?? false)) return undefined;
  return {
    host: loopbackHost(crio.host ?? CRIO_METRICS.DEFAULT_HOST, crio.hostFrom ?? '--metrics-host'),
    port: portNumber(crio.port ?? CRIO_METRICS.DEFAULT_PORT, crio.portFrom ?? '--metrics-port'),
    path: CRIO_METRICS.PATH,
    from: crio.enableFrom ?? '--enable-metrics',
  };
}

function loopbackHost(host: string, from: string): string {
  if (host === 'localhost') return '127.0.0.1';
  if (/^127(\.\d{1,3}){3}$/.test(host) || host === '::1') return host;
  throw new MetricsEndpointError(`invalid value ${JSON.stringify(host)} for ${from}: runtime-sim serves metrics on loopback only; use 127.0.0.1`);
}

function portNumber(port: number, from: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MetricsEndpointError(`invalid value ${JSON.stringify(port)} for ${from}: must be an integer from 0 (any free port) to 65535`);
  }
  return port;
}
