import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** component-base tracing/api/v1 TracingConfiguration, as embedded in apiserver.config.k8s.io's kind. */
export interface TracingConfiguration {
  endpoint?: string;
  samplingRatePerMillion?: number;
}

export const TRACING_CONFIG_GROUP = 'apiserver.config.k8s.io';

/**
 * The apiserver.config.k8s.io versions that register kind TracingConfiguration, by the Kubernetes minor that
 * added them (k8s.io/apiserver pkg/apis/apiserver/{v1alpha1,v1beta1,v1}/register.go: v1alpha1 in v0.22,
 * v1beta1 in v0.27, v1 in v0.34).
 */
export const TRACING_CONFIG_VERSIONS = [
  { version: 'v1alpha1', sinceMinor: 22 },
  { version: 'v1beta1', sinceMinor: 27 },
  { version: 'v1', sinceMinor: 34 },
] as const;

/** One field error in apimachinery's field.Error form: `<field>: Invalid value: <value>: <detail>`. */
export interface FieldError {
  field: string;
  value: unknown;
  detail: string;
}

export function formatFieldErrors(errs: readonly FieldError[]): string {
  const parts = errs.map((e) => `${e.field}: Invalid value: ${typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value)}: ${e.detail}`);
  return parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
}

export class TracingConfigError extends Error {}

/**
 * k8s.io/apiserver pkg/server/options/tracing.go ReadTracingConfiguration@v0.34.10: reads the file, decodes
 * JSON or YAML of any registered version into the internal type (strict: unknown fields are errors), with
 * the function's error texts. `minor` is the emulated Kubernetes minor: a version it does not have yet is
 * "no kind is registered".
 */
export function readTracingConfiguration(path: string, minor: number): TracingConfiguration {
  if (path === '') throw new TracingConfigError('tracing config file was empty');
  let data: string;
  try {
    data = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TracingConfigError(`unable to read tracing configuration from ${JSON.stringify(path)}: ${(err as Error).message}`);
  }
  try {
    return decodeTracingConfiguration(data, minor);
  } catch (err) {
    throw new TracingConfigError(`unable to decode tracing configuration data: ${(err as Error).message}`);
  }
}

export function decodeTracingConfiguration(data: string, minor: number): TracingConfiguration {
  let doc: unknown;
  try {
    doc = parseYaml(data);
  } catch (err) {
    throw new Error(`error converting YAML to JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`Object 'Kind' is missing in '${data.trim()}'`);
  const obj = doc as Record<string, unknown>;
  if (typeof obj.kind !== 'string' || obj.kind === '') throw new Error(`Object 'Kind' is missing in '${data.trim()}'`);
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const known = TRACING_CONFIG_VERSIONS.find((v) => v.version === version && minor >= v.sinceMinor);
  if (group !== TRACING_CONFIG_GROUP || obj.kind !== 'TracingConfiguration' || known === undefined) {
    const offered = TRACING_CONFIG_VERSIONS.filter((v) => minor >= v.sinceMinor).map((v) => `${TRACING_CONFIG_GROUP}/${v.version}`).join(', ');
    throw new Error(`no kind "${obj.kind}" is registered for version "${apiVersion}" in scheme (kind TracingConfiguration of ${offered} in Kubernetes 1.${minor})`);
  }
  const out: TracingConfiguration = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'kind' || key === 'apiVersion') continue;
    if (key === 'endpoint') {
      if (typeof value !== 'string') throw new Error(`json: cannot unmarshal ${typeof value} into Go struct field TracingConfiguration.endpoint of type string`);
      out.endpoint = value;
    } else if (key === 'samplingRatePerMillion') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value > 2 ** 31 - 1 || value < -(2 ** 31)) {
        throw new Error(`json: cannot unmarshal ${JSON.stringify(value)} into Go struct field TracingConfiguration.samplingRatePerMillion of type int32`);
      }
      out.samplingRatePerMillion = value;
    } else {
      throw new Error(`strict decoding error: unknown field "${key}"`);
    }
  }
  return out;
}

const MAX_SAMPLING_RATE_PER_MILLION = 1_000_000;
const GRPC_SCHEMES = new Set(['dns', 'unix', 'unix-abstract']);

/**
 * component-base tracing/api/v1/config.go ValidateTracingConfiguration: the rate bounds and the endpoint's
 * gRPC scheme, with upstream's messages. The apiserver calls it with a nil field path, so fields are
 * reported by their JSON names alone.
 */
export function validateTracingConfiguration(cfg: TracingConfiguration): FieldError[] {
  const errs: FieldError[] = [];
  const rate = cfg.samplingRatePerMillion;
  if (rate !== undefined && rate < 0) errs.push({ field: 'samplingRatePerMillion', value: rate, detail: 'sampling rate must be positive' });
  if (rate !== undefined && rate > MAX_SAMPLING_RATE_PER_MILLION) {
    errs.push({ field: 'samplingRatePerMillion', value: rate, detail: 'sampling rate per million must be less than or equal to one million' });
  }
  if (cfg.endpoint !== undefined) {
    const target = cfg.endpoint.includes('//') ? cfg.endpoint : `dns://${cfg.endpoint}`;
    const parsed = goUrlScheme(target);
    if ('error' in parsed) errs.push({ field: 'endpoint', value: target, detail: parsed.error });
    else if (!GRPC_SCHEMES.has(parsed.scheme)) {
      errs.push({
        field: 'endpoint',
        value: target,
        detail: `unsupported scheme: ${parsed.scheme}.  Options are none, dns, unix, or unix-abstract.  See https://github.com/grpc/grpc/blob/master/doc/naming.md`,
      });
    }
  }
  return errs;
}

/**
 * The scheme Go's url.Parse finds (net/url getScheme) and the two parse errors an endpoint can meet
 * there: a leading colon, and a colon in the first path segment of a scheme-less URL.
 */
function goUrlScheme(raw: string): { scheme: string } | { error: string } {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c) && i > 0) continue;
    if (c === ':') {
      if (i === 0) return { error: `parse ${JSON.stringify(raw)}: missing protocol scheme` };
      return { scheme: raw.slice(0, i).toLowerCase() };
    }
    break;
  }
  const firstSegment = raw.split('/')[0] as string;
  if (firstSegment.includes(':')) return { error: `parse ${JSON.stringify(raw)}: first path segment in URL cannot contain colon` };
  return { scheme: '' };
}

/**
 * APIServerTracing (k8s.io/apiserver pkg/features/kube_features.go@v0.34.10): alpha 1.22 (off), beta 1.27
 * (on), GA 1.34 (on, locked). Returns whether it is on for the emulated minor and the --feature-gates value,
 * or an error text for a value the gate cannot take.
 */
export function apiServerTracingEnabled(minor: number, explicit: boolean | undefined): { enabled: boolean } | { error: string } {
  if (minor < 22) {
    return explicit === undefined ? { enabled: false } : { error: `unrecognized feature gate: APIServerTracing (it arrived in Kubernetes 1.22)` };
  }
  const byDefault = minor >= 27;
  if (minor >= 34 && explicit === false) return { error: 'cannot set feature gate APIServerTracing to false, feature is locked to true' };
  return { enabled: explicit ?? byDefault };
}

/** pkg/server/options/tracing.go ApplyTo: a config file with the gate off is an error. */
export const TRACING_GATE_OFF_ERROR = 'APIServerTracing feature is not enabled, but tracing config file was provided';
