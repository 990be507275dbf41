import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parse } from 'smol-toml';
import type { Persona } from '../state/persona';

/** What a runtime config file can set; flags given on the command line win, as in crio and containerd. */
export interface RuntimeConfigFile {
  listen?: string;
  enableTracing?: boolean;
  tracingEndpoint?: string;
  tracingSamplingRatePerMillion?: number;
  /** containerd 1.x tracing tables (see CONTAINERD_TRACING_TABLES); absent keys stay undefined. */
  containerdTracing?: ContainerdTracingConfig;
  /** crio `[crio.metrics] enable_metrics`, `metrics_host`, `metrics_port`. */
  crioMetrics?: { enable?: boolean; host?: string; port?: number };
  /** containerd `[metrics] address`. */
  containerdMetricsAddress?: string;
}

/**
 * containerd 1.6/1.7 config.toml tracing (tracing/plugin/otlp.go OTLPConfig and TraceConfig). containerd
 * 2.x still parses them but ignores them with a deprecation warning (it reads OTEL_* env instead).
 */
export interface ContainerdTracingConfig {
  /** OTLP endpoint; unset ⇒ the exporter plugin is skipped and nothing is exported. */
  endpoint?: string;
  /** `http/protobuf` (default when empty) or `grpc`. */
  protocol?: string;
  /** Only for grpc: plaintext instead of TLS. */
  insecure?: boolean;
  /** TraceIDRatioBased ratio; default 1.0. */
  samplingRatio?: number;
  /** Resource service.name; default "containerd". */
  serviceName?: string;
}

/** Plugin table names of containerd 1.x's tracing plugins (tracing/plugin/otlp.go registrations). */
export const CONTAINERD_TRACING_TABLES = {
  OTLP: 'io.containerd.tracing.processor.v1.otlp',
  TRACING: 'io.containerd.internal.v1.tracing',
} as const;

export class RuntimeConfigError extends Error {}

/**
 * Reads the persona's own config file format:
 *  - crio: `crio.conf` TOML, `[crio.api] listen` (a socket path), `[crio.tracing] enable_tracing`,
 *    `tracing_endpoint`, `tracing_sampling_rate_per_million` and `[crio.metrics] enable_metrics`,
 *    `metrics_host`, `metrics_port` (cri-o pkg/config/template.go).
 *  - containerd: `config.toml`, `[grpc] address`, and the 1.x tracing tables
 *    `[plugins."io.containerd.tracing.processor.v1.otlp"] endpoint, protocol, insecure` and
 *    `[plugins."io.containerd.internal.v1.tracing"] sampling_ratio, service_name` (used by the 1.6 persona;
 *    containerd 2.x configures tracing through OTEL_* env vars and only warns about these tables), and
 *    `[metrics] address`.
 * A value of the wrong type is an error naming the file and the key.
 */
export function loadRuntimeConfigFile(path: string, persona: Persona): RuntimeConfigFile {
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new RuntimeConfigError(`${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const where = (table: readonly string[]): string => `[${table.map((t) => (t.includes('.') ? JSON.stringify(t) : t)).join('.')}]`;
  const fail = (table: readonly string[], key: string, problem: string): never => {
    throw new RuntimeConfigError(`${path}: ${table.length === 0 ? '' : `${where(table)} `}${key}: ${problem}`);
  };
  /** The table at `table`, undefined when absent; a non-table on the way is an error naming it. */
  const tableAt = (table: readonly string[]): Record<string, unknown> | undefined => {
    let node: Record<string, unknown> = doc;
    for (let i = 0; i < table.length; i++) {
      const next = node[table[i]];
      if (next === undefined) return undefined;
      if (typeof next !== 'object' || next === null || Array.isArray(next) || next instanceof Date) {
        fail(table.slice(0, i), table[i], `expected a table, got ${describe(next)}`);
      }
      node = next as Record<string, unknown>;
    }
    return node;
  };
  const get = (table: readonly string[], key: string, type: 'string' | 'boolean' | 'number'): unknown => {
    const value = tableAt(table)?.[key];
    if (value === undefined) return undefined;
    const actual = typeof value === 'bigint' ? 'number' : typeof value;
    if (actual !== type) fail(table, key, `expected a ${type}, got ${describe(value)}`);
    return typeof value === 'bigint' ? Number(value) : value;
  };
  const socket = (table: readonly string[], key: string): string | undefined => {
    const value = get(table, key, 'string') as string | undefined;
    if (value === undefined) return undefined;
    const problem = socketPathProblem(value);
    if (problem !== undefined) fail(table, key, problem);
    // Go's net.Listen("unix", p) resolves a relative path against the working directory.
    return `unix://${resolvePath(value.startsWith(UNIX_SCHEME) ? value.slice(UNIX_SCHEME.length) : value)}`;
  };
  if (persona === 'containerd') {
    const version = get([], 'version', 'number') as number | undefined;
    // cmd/containerd/server/config/config.go@v2.1.0 (LoadConfig): versions above the binary's are refused.
    if (version !== undefined && (!Number.isInteger(version) || version < 1 || version > CONTAINERD_MAX_CONFIG_VERSION)) {
      fail([], 'version', `expected containerd config version equal to or less than \`${CONTAINERD_MAX_CONFIG_VERSION}\`, got \`${version}\` (write version = 2 or 3)`);
    }
    tableAt(['plugins']);
    const otlp = ['plugins', CONTAINERD_TRACING_TABLES.OTLP];
    const tracing = ['plugins', CONTAINERD_TRACING_TABLES.TRACING];
    const protocol = get(otlp, 'protocol', 'string') as string | undefined;
    // tracing/plugin/otlp.go@v1.6.27 newExporter: "" and http/protobuf, or grpc; anything else fails the plugin.
    if (protocol !== undefined && !(CONTAINERD_OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
      fail(otlp, 'protocol', `OpenTelemetry protocol ${JSON.stringify(protocol)} is not supported (use "grpc" or "http/protobuf")`);
    }
    const containerdTracing: ContainerdTracingConfig = {
      endpoint: get(otlp, 'endpoint', 'string') as string | undefined,
      protocol,
      insecure: get(otlp, 'insecure', 'boolean') as boolean | undefined,
      // Any ratio is taken as it is (TraceIDRatioBased: >= 1 samples all, <= 0 none), as containerd does.
      samplingRatio: get(tracing, 'sampling_ratio', 'number') as number | undefined,
      serviceName: get(tracing, 'service_name', 'string') as string | undefined,
    };
    const anySet = Object.values(containerdTracing).some((v) => v !== undefined);
    return { listen: socket(['grpc'], 'address'), ...(anySet ? { containerdTracing } : {}), containerdMetricsAddress: get(['metrics'], 'address', 'string') as string | undefined };
  }
  const rate = get(['crio', 'tracing'], 'tracing_sampling_rate_per_million', 'number') as number | undefined;
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 0 || rate > 1_000_000)) {
    fail(['crio', 'tracing'], 'tracing_sampling_rate_per_million', `${rate} is not an integer from 0 to 1000000`);
  }
  return {
    listen: socket(['crio', 'api'], 'listen'),
    enableTracing: get(['crio', 'tracing'], 'enable_tracing', 'boolean') as boolean | undefined,
    tracingEndpoint: get(['crio', 'tracing'], 'tracing_endpoint', 'string') as string | undefined,
    tracingSamplingRatePerMillion: rate,
    crioMetrics: {
      enable: get(['crio', 'metrics'], 'enable_metrics', 'boolean') as boolean | undefined,
      host: get(['crio', 'metrics'], 'metrics_host', 'string') as string | undefined,
      port: get(['crio', 'metrics'], 'metrics_port', 'number') as number | undefined,
    },
  };
}

const UNIX_SCHEME = 'unix://';
/** version.ConfigVersion of containerd 2.x (config version 3). */
const CONTAINERD_MAX_CONFIG_VERSION = 3;
const CONTAINERD_OTLP_PROTOCOLS = ['', 'http/protobuf', 'grpc'] as const;
/** sizeof(sockaddr_un.sun_path) - 1 on Linux. */
const MAX_UNIX_SOCKET_PATH_BYTES = 107;

/** Why a runtime could not listen on `value`, or undefined when it can. */
function socketPathProblem(value: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  if (scheme !== undefined && scheme !== 'unix') return `${JSON.stringify(value)} is not a unix socket path: CRI-O and containerd serve CRI on unix sockets only (give a path such as /run/runtime-sim.sock)`;
  const socketPath = value.startsWith(UNIX_SCHEME) ? value.slice(UNIX_SCHEME.length) : value;
  if (socketPath === '') return 'must not be empty (give a socket path such as /run/runtime-sim.sock)';
  const bytes = Buffer.byteLength(resolvePath(socketPath));
  if (bytes > MAX_UNIX_SOCKET_PATH_BYTES) return `${JSON.stringify(socketPath)} is ${bytes} bytes; a unix socket path holds at most ${MAX_UNIX_SOCKET_PATH_BYTES} (choose a shorter path, e.g. under /tmp)`;
  return undefined;
}

/** A TOML value as a person reads it in an error. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array ${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}`;
  if (typeof value === 'object' && value !== null) return value instanceof Date ? `a date ${value.toISOString()}` : 'a table';
  return `${typeof value === 'bigint' ? 'number' : typeof value} ${JSON.stringify(typeof value === 'bigint' ? Number(value) : value)}`;
}
