import { readFileSync } from 'node:fs';
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
 *  - crio: `crio.conf` TOML, `[crio.api] listen` (a socket path) and `[crio.tracing] enable_tracing`,
 *    `tracing_endpoint`, `tracing_sampling_rate_per_million` (cri-o pkg/config/template.go).
 *  - containerd: `config.toml`, `[grpc] address`, and the 1.x tracing tables
 *    `[plugins."io.containerd.tracing.processor.v1.otlp"] endpoint, protocol, insecure` and
 *    `[plugins."io.containerd.internal.v1.tracing"] sampling_ratio, service_name` (used by the 1.6 persona;
 *    containerd 2.x configures tracing through OTEL_* env vars and only warns about these tables).
 * A value of the wrong type is an error naming the file and the key.
 */
export function loadRuntimeConfigFile(path: string, persona: Persona): RuntimeConfigFile {
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new RuntimeConfigError(`${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const get = (table: string[], key: string, type: 'string' | 'boolean' | 'number'): unknown => {
    let node: unknown = doc;
    for (const t of table) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[t] : undefined;
    const value = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    if (value === undefined) return undefined;
    const actual = typeof value === 'bigint' ? 'number' : typeof value;
    if (actual !== type) throw new RuntimeConfigError(`${path}: [${table.map((t) => (t.includes('.') ? JSON.stringify(t) : t)).join('.')}] ${key}: expected a ${type}, got ${JSON.stringify(String(value))}`);
    return typeof value === 'bigint' ? Number(value) : value;
  };
  const socket = (p: unknown): string | undefined => (typeof p === 'string' ? (p.startsWith('unix://') ? p : `unix://${p}`) : undefined);
  if (persona === 'containerd') {
    const otlp = ['plugins', CONTAINERD_TRACING_TABLES.OTLP];
    const tracing = ['plugins', CONTAINERD_TRACING_TABLES.TRACING];
    const containerdTracing: ContainerdTracingConfig = {
      endpoint: get(otlp, 'endpoint', 'string') as string | undefined,
      protocol: get(otlp, 'protocol', 'string') as string | undefined,
      insecure: get(otlp, 'insecure', 'boolean') as boolean | undefined,
      samplingRatio: get(tracing, 'sampling_ratio', 'number') as number | undefined,
      serviceName: get(tracing, 'service_name', 'string') as string | undefined,
    };
    const anySet = Object.values(containerdTracing).some((v) => v !== undefined);
    return { listen: socket(get(['grpc'], 'address', 'string')), ...(anySet ? { containerdTracing } : {}) };
  }
  const rate = get(['crio', 'tracing'], 'tracing_sampling_rate_per_million', 'number') as number | undefined;
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 0 || rate > 1_000_000)) {
    throw new RuntimeConfigError(`${path}: [crio.tracing] tracing_sampling_rate_per_million: ${rate} is not an integer from 0 to 1000000`);
  }
  return {
    listen: socket(get(['crio', 'api'], 'listen', 'string')),
    enableTracing: get(['crio', 'tracing'], 'enable_tracing', 'boolean') as boolean | undefined,
    tracingEndpoint: get(['crio', 'tracing'], 'tracing_endpoint', 'string') as string | undefined,
    tracingSamplingRatePerMillion: rate,
  };
}
