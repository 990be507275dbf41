import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import type { Persona } from '../state/persona';

/** What a runtime config file can set; flags given on the command line win, as in crio and containerd. */
export interface RuntimeConfigFile {
  listen?: string;
  enableTracing?: boolean;
  tracingEndpoint?: string;
  tracingSamplingRatePerMillion?: number;
}

export class RuntimeConfigError extends Error {}

/**
 * Reads the persona's own config file format:
 *  - crio: `crio.conf` TOML, `[crio.api] listen` (a socket path) and `[crio.tracing] enable_tracing`,
 *    `tracing_endpoint`, `tracing_sampling_rate_per_million` (cri-o pkg/config/template.go).
 *  - containerd: `config.toml`, `[grpc] address`; containerd 2.x configures tracing through OTEL_* env vars,
 *    so tracing keys there are not read (they are deprecated upstream).
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
    if (actual !== type) throw new RuntimeConfigError(`${path}: [${table.join('.')}] ${key}: expected a ${type}, got ${JSON.stringify(String(value))}`);
    return typeof value === 'bigint' ? Number(value) : value;
  };
  const socket = (p: unknown): string | undefined => (typeof p === 'string' ? (p.startsWith('unix://') ? p : `unix://${p}`) : undefined);
  if (persona === 'containerd') return { listen: socket(get(['grpc'], 'address', 'string')) };
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
