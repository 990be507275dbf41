import yargs from 'yargs';
import { attachNegativeValues, checkEndpointTemplate, DEFAULT_NODE_NAME_PATTERN, examplesEpilogue, fleetNodeNames, MAX_FLEET_NODES, NODE_NAME_PLACEHOLDER, parseFirstNodeNumberFlag, parseNodesFlag, repeatedFlagMessage, versionText } from '../../../cli-kit/src';
import { undialableGrpcTargetReason } from '../../../cri-proto/src/tracing/otlp-grpc-exporter';
import { loadRuntimeConfigFile, RuntimeConfigError } from '../config/runtime-config-file';
import type { ContainerdTracingConfig, RuntimeConfigFile } from '../config/runtime-config-file';
import { DEFAULT_PERSONA_VERSION, supportedPersonaVersions, loadPersonaVersion, UnknownPersonaVersionError } from '../personas/persona-catalog';
import { PersonaSpecError, type PersonaVersionSpec } from '../personas/persona-version-spec';
import { loadRuntimeModel, MODEL_PROFILES, RuntimeModelError } from '../model/load-runtime-model';
import type { RuntimeModel } from '../model/runtime-model-types';
import { ImageCatalogError, loadImageCatalog, type ImageCatalog } from '../model/image-catalog';
import type { Persona } from '../state/persona';
import { PERSONAS } from '../state/persona';
import { MetricsEndpointError, resolveMetricsEndpoint, type MetricsEndpoint } from '../metrics/metrics-endpoint';

export interface RuntimeSimArgs {
  persona: Persona;
  listen: string;
  /** Where `listen` came from: the --listen flag, the --config file, or the persona's default (a real runtime's socket). */
  listenFrom: ListenSource;
  enableTracing: boolean;
  tracingEndpoint: string | undefined;
  tracingSamplingRatePerMillion: number;
  seed: number;
  /** --state-dir: keep sandboxes, containers and images across restarts; undefined = memory only. */
  stateDir: string | undefined;
  /** --stream-address / --stream-port (CRI-O names; containerd stream_server_address/_port). */
  streamAddress: string;
  streamPort: number;
  /** --enable-pod-events (CRI-O enable_pod_events; containerd always sends events). */
  enablePodEvents: boolean | undefined;
  /** The persona version's data (--persona-version, default per persona). */
  spec: PersonaVersionSpec;
  /** containerd config.toml tracing tables (used by containerd 1.6; warned about by 2.x). */
  containerdTracing: ContainerdTracingConfig | undefined;
  /** Latency/fault model from --model, validated; undefined = none (every call answers at once). */
  model: RuntimeModel | undefined;
  /** --image-catalog, loaded; undefined = the built-in catalog. */
  imageCatalog: ImageCatalog | undefined;
  /** Hints to print at start (e.g. a tracing flag that has no effect without --enable-tracing). */
  notes: string[];
  /** --nodes N: one runtime per node, each on `listen` with {node} replaced; undefined = one runtime. */
  fleet: { nodeNames: string[]; firstNodeNumber: number } | undefined;
  /** The Prometheus metrics server (CRI-O --enable-metrics, containerd [metrics] address); undefined = none. */
  metrics: MetricsEndpoint | undefined;
}

export class FlagError extends Error {}

export type ListenSource = 'flag' | 'config' | 'default';

/** Default sockets of the real runtimes (CRI-O `[crio.api] listen`, containerd `[grpc] address`). */
export const DEFAULT_LISTEN: Record<Persona, string> = {
  crio: 'unix:///var/run/crio/crio.sock',
  containerd: 'unix:///run/containerd/containerd.sock',
};

const EXAMPLES = examplesEpilogue([
  {
    what: 'a fake CRI-O 1.33 on a temp socket, tracing to an OTLP/gRPC receiver',
    lines: ['runtime-sim --persona crio --listen unix:///tmp/crio.sock \\', '--enable-tracing --tracing-endpoint 127.0.0.1:4317'],
  },
  {
    what: 'a fake containerd 2.1, tracing configured from OTEL_* as containerd reads it',
    lines: ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:4318 \\', 'runtime-sim --persona containerd --listen unix:///tmp/containerd.sock'],
  },
  {
    what: 'a slow, faulty containerd 1.6 that keeps its state across restarts',
    lines: ['runtime-sim --persona containerd --persona-version 1.6 --model chaos \\', '--seed 7 --state-dir /tmp/rs-state --listen unix:///tmp/cd16.sock'],
  },
  {
    what: 'the runtimes of a 50-node kubelet-sim fleet, one socket per node',
    lines: ['runtime-sim --persona crio --nodes 50 \\', `--listen 'unix:///tmp/fleet/${NODE_NAME_PLACEHOLDER}.sock' --enable-tracing`],
  },
], 'Bad flags and config files exit 1 with a message naming the flag.');

/**
 * runtime-sim's command line. Tracing flags are CRI-O's (`--enable-tracing`, `--tracing-endpoint`,
 * `--tracing-sampling-rate-per-million`, also from CONTAINER_* env vars and crio.conf as in crio's CLI,
 * internal/criocli): as in CRI-O, tracing is on only with enable_tracing; an endpoint or a rate alone
 * does nothing. containerd has no such flags: 2.x reads tracing from OTEL_* environment variables,
 * 1.6 from its config.toml, so the flags are refused for containerd personas with the way to do it.
 */
export function parseRuntimeSimArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): RuntimeSimArgs {
  const parsed = yargs(attachNegativeValues(argv))
    .scriptName('runtime-sim')
    .usage('$0 --persona crio|containerd --listen unix:///PATH.sock [options]\n\nServes CRI v1 (RuntimeService, ImageService) as a simulated CRI-O or containerd, with OpenTelemetry traces.')
    .option('persona', { choices: PERSONAS, default: 'crio' as Persona, describe: 'which runtime to be' })
    .option('persona-version', { type: 'string', describe: `runtime release to play, major.minor (default: crio ${DEFAULT_PERSONA_VERSION.crio}, containerd ${DEFAULT_PERSONA_VERSION.containerd}; files in runtime-sim/personas/)` })
    .option('listen', { type: 'string', describe: 'unix socket to serve on (default: the config file\'s, else the persona\'s usual socket)' })
    .option('config', { type: 'string', describe: 'the persona\'s config file: crio.conf ([crio.api] listen, [crio.tracing] ...) or containerd config.toml ([grpc] address)' })
    .option('enable-tracing', { type: 'boolean', describe: 'export traces over OTLP/gRPC (env CONTAINER_ENABLE_TRACING)' })
    .option('tracing-endpoint', { type: 'string', describe: 'collector address host:port (env CONTAINER_TRACING_ENDPOINT; CRI-O default 127.0.0.1:4317; containerd: OTEL_EXPORTER_OTLP_ENDPOINT)' })
    .option('tracing-sampling-rate-per-million', { type: 'number', describe: 'root sampling rate; spans with a parent follow the parent (env CONTAINER_TRACING_SAMPLING_RATE_PER_MILLION)' })
    .option('seed', { type: 'string', default: '1', describe: 'seed for ids, image sizes and model draws: a whole number (reproducible runs)' })
    .option('state-dir', { type: 'string', describe: 'keep sandboxes, containers, images and names in DIR/runtime-state.json across restarts (default: memory only)' })
    .option('stream-address', { type: 'string', default: '127.0.0.1', describe: 'Exec/Attach/PortForward stream server address; loopback only (CRI-O stream_address, containerd stream_server_address)' })
    .option('stream-port', { type: 'number', default: 0, describe: 'stream server port, 0 = a free port (CRI-O stream_port, containerd stream_server_port)' })
    .option('enable-metrics', { type: 'boolean', describe: 'CRI-O: serve Prometheus metrics (runtime-sim\'s span counters) on /metrics (env CONTAINER_ENABLE_METRICS; containerd: [metrics] address in config.toml, /v1/metrics)' })
    .option('metrics-host', { type: 'string', describe: 'CRI-O metrics server address, loopback only (default 127.0.0.1; env CONTAINER_METRICS_HOST)' })
    .option('metrics-port', { type: 'number', describe: 'CRI-O metrics server port, 0 = a free port (default 9090; env CONTAINER_METRICS_PORT)' })
    .option('enable-pod-events', { type: 'boolean', describe: 'CRI-O: send GetContainerEvents (default false, as crio; env CONTAINER_ENABLE_POD_EVENTS); containerd always sends' })
    .option('model', { type: 'string', describe: `latency and fault model: a profile (${MODEL_PROFILES.join(', ')}; configs/models/<name>.yaml) or a model file path; delays and errors draw from --seed` })
    .option('image-catalog', { type: 'string', describe: 'image catalog YAML: per image its tags, size and config (User, Entrypoint, Cmd, Env, WorkingDir); default runtime-sim/images/default-catalog.yaml' })
    .option('nodes', { type: 'string', describe: `serve this many simulated nodes' runtimes (1–${MAX_FLEET_NODES}), each with its own socket (--listen with ${NODE_NAME_PLACEHOLDER} replaced by the node name), state, stream server and OpenTelemetry resource` })
    .option('node-name-pattern', { type: 'string', defaultDescription: DEFAULT_NODE_NAME_PATTERN, describe: 'with --nodes: node names as kubelet-sim --node-name-pattern, {n} being 0001, 0002, ...' })
    .option('first-node-number', { type: 'string', defaultDescription: '1', describe: 'with --nodes: number of the first node, as kubelet-sim --first-node-number (shards of one fleet)' })
    .epilogue(EXAMPLES)
    .strict()
    .help()
    .alias('h', 'help')
    .version('version', 'print the version and quit', versionText('runtime-sim', `plays ${playedVersions()}`))
    .fail((message, err) => {
      throw new FlagError(message ?? err?.message ?? 'invalid flags');
    })
    .parseSync();
  const repeated = repeatedFlagMessage(parsed);
  if (repeated !== undefined) throw new FlagError(repeated);
  const seed = seedFlag(parsed.seed);
  const spec = loadPersonaFlag(parsed.persona, parsed['persona-version']);
  if (parsed.persona === 'containerd') refuseCrioTracingFlags(spec, parsed);
  let file: RuntimeConfigFile = {};
  if (parsed.config !== undefined) {
    try {
      file = loadRuntimeConfigFile(parsed.config, parsed.persona);
    } catch (err) {
      if (err instanceof RuntimeConfigError) throw new FlagError(`--config: ${err.message}`);
      throw err;
    }
  }
  // Precedence as in crio's CLI: flag, then CONTAINER_* env var, then the config file.
  const envRate = env.CONTAINER_TRACING_SAMPLING_RATE_PER_MILLION;
  const flagRate = parsed['tracing-sampling-rate-per-million'] ?? (envRate === undefined ? undefined : Number(envRate));
  const flagEndpoint = parsed['tracing-endpoint'] ?? env.CONTAINER_TRACING_ENDPOINT;
  const flagEnable = parsed['enable-tracing'] ?? (env.CONTAINER_ENABLE_TRACING === undefined ? undefined : env.CONTAINER_ENABLE_TRACING === 'true');
  const rate = flagRate ?? file.tracingSamplingRatePerMillion;
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 0 || rate > 1_000_000)) {
    throw new FlagError(`invalid value ${JSON.stringify(rate)} for --tracing-sampling-rate-per-million: must be an integer from 0 to 1000000`);
  }
  const listen = parsed.listen ?? file.listen ?? spec.defaultListen;
  const listenFrom: ListenSource = parsed.listen !== undefined ? 'flag' : file.listen !== undefined ? 'config' : 'default';
  const streamAddress = parsed['stream-address'];
  if (!/^127(\.\d{1,3}){3}$/.test(streamAddress) && streamAddress !== '::1') {
    throw new FlagError(`invalid value ${JSON.stringify(streamAddress)} for --stream-address: runtime-sim serves streams on loopback only; use 127.0.0.1`);
  }
  const streamPort = parsed['stream-port'];
  if (!Number.isInteger(streamPort) || streamPort < 0 || streamPort > 65535) {
    throw new FlagError(`invalid value ${JSON.stringify(streamPort)} for --stream-port: must be an integer from 0 (any free port) to 65535`);
  }
  if (parsed['state-dir'] !== undefined && parsed['state-dir'].trim() === '') {
    throw new FlagError('invalid value "" for --state-dir: give a directory path, or leave the flag out to keep state in memory');
  }
  const envPodEvents = env.CONTAINER_ENABLE_POD_EVENTS;
  if (!listen.startsWith('unix://') || listen.length <= 'unix://'.length) {
    throw new FlagError(`invalid value ${JSON.stringify(listen)} for --listen: must be a unix socket such as unix:///tmp/runtime-sim.sock`);
  }
  const enableTracing = flagEnable ?? file.enableTracing ?? false;
  const tracingEndpoint = flagEndpoint ?? file.tracingEndpoint;
  const endpointProblem = enableTracing && tracingEndpoint !== undefined ? undialableGrpcTargetReason(tracingEndpoint) : undefined;
  if (endpointProblem !== undefined) {
    const from = parsed['tracing-endpoint'] !== undefined ? '--tracing-endpoint' : env.CONTAINER_TRACING_ENDPOINT !== undefined ? 'CONTAINER_TRACING_ENDPOINT' : '[crio.tracing] tracing_endpoint in --config';
    throw new FlagError(`invalid value ${JSON.stringify(tracingEndpoint)} for ${from}: ${endpointProblem}`);
  }
  const notes: string[] = [];
  if (parsed.persona === 'crio' && !enableTracing && (flagEndpoint !== undefined || flagRate !== undefined)) {
    notes.push('tracing is off: --tracing-endpoint and --tracing-sampling-rate-per-million take effect only with --enable-tracing (as in CRI-O)');
  }
  return {
    persona: parsed.persona,
    listen,
    listenFrom,
    enableTracing,
    tracingEndpoint,
    tracingSamplingRatePerMillion: rate ?? 0,
    seed,
    stateDir: parsed['state-dir'],
    streamAddress,
    streamPort,
    enablePodEvents: parsed['enable-pod-events'] ?? (envPodEvents === undefined ? undefined : envPodEvents === 'true'),
    spec,
    containerdTracing: file.containerdTracing,
    model: loadModelFlag(parsed.model),
    imageCatalog: loadImageCatalogFlag(parsed['image-catalog']),
    notes,
    fleet: fleetFlags(parsed.nodes, parsed['node-name-pattern'], parsed['first-node-number'], listen, listenFrom, streamPort),
    metrics: metricsFlags(parsed, env, file),
  };
}

/** CRI-O's metrics flags, env vars and [crio.metrics]; containerd's [metrics] address. */
function metricsFlags(parsed: { persona: Persona; nodes?: string; 'enable-metrics'?: boolean; 'metrics-host'?: string; 'metrics-port'?: number }, env: NodeJS.ProcessEnv, file: RuntimeConfigFile): MetricsEndpoint | undefined {
  const given = (['enable-metrics', 'metrics-host', 'metrics-port'] as const).find((f) => parsed[f] !== undefined);
  if (parsed.persona === 'containerd' && given !== undefined) {
    throw new FlagError(`--${given} is a CRI-O flag; containerd serves metrics when config.toml sets [metrics] address = "127.0.0.1:1338"; pass that file with --config`);
  }
  const pick = <T>(flag: T | undefined, flagName: string, envName: string, envValue: T | undefined, fileValue: T | undefined, fileKey: string): { value: T | undefined; from: string } =>
    flag !== undefined ? { value: flag, from: flagName }
      : envValue !== undefined ? { value: envValue, from: envName }
        : { value: fileValue, from: `[crio.metrics] ${fileKey} in --config` };
  const envPort = env.CONTAINER_METRICS_PORT;
  if (envPort !== undefined && !/^\d+$/.test(envPort.trim())) {
    throw new FlagError(`invalid value ${JSON.stringify(envPort)} for CONTAINER_METRICS_PORT: must be an integer from 0 (any free port) to 65535`);
  }
  const enable = pick(parsed['enable-metrics'], '--enable-metrics', 'CONTAINER_ENABLE_METRICS', env.CONTAINER_ENABLE_METRICS === undefined ? undefined : env.CONTAINER_ENABLE_METRICS === 'true', file.crioMetrics?.enable, 'enable_metrics');
  const host = pick(parsed['metrics-host'], '--metrics-host', 'CONTAINER_METRICS_HOST', env.CONTAINER_METRICS_HOST, file.crioMetrics?.host, 'metrics_host');
  const port = pick(parsed['metrics-port'], '--metrics-port', 'CONTAINER_METRICS_PORT', envPort === undefined ? undefined : Number(envPort), file.crioMetrics?.port, 'metrics_port');
  try {
    const endpoint = resolveMetricsEndpoint({
      persona: parsed.persona,
      crio: { enable: enable.value, host: host.value, port: port.value, enableFrom: enable.from, hostFrom: host.from, portFrom: port.from },
      containerdAddress: file.containerdMetricsAddress,
    });
    if (endpoint !== undefined && parsed.nodes !== undefined) {
      throw new FlagError(`${endpoint.from}: runtime-sim serves metrics for one runtime only; leave it out with --nodes`);
    }
    return endpoint;
  } catch (err) {
    if (err instanceof MetricsEndpointError) throw new FlagError(err.message);
    throw err;
  }
}

/** --nodes and --node-name-pattern; with --nodes the listen address must hold {node}. */
function fleetFlags(nodes: string | undefined, pattern: string | undefined, firstNumber: string | undefined, listen: string, listenFrom: ListenSource, streamPort: number): { nodeNames: string[]; firstNodeNumber: number } | undefined {
  if (nodes === undefined) {
    if (pattern !== undefined) throw new FlagError('--node-name-pattern needs --nodes: give --nodes N to serve N nodes named by the pattern');
    if (firstNumber !== undefined) throw new FlagError('--first-node-number needs --nodes: give --nodes N to serve N nodes numbered from it');
    return undefined;
  }
  try {
    const count = parseNodesFlag(nodes);
    const firstNodeNumber = parseFirstNodeNumberFlag(firstNumber, count);
    const nodeNames = fleetNodeNames(pattern ?? DEFAULT_NODE_NAME_PATTERN, count, firstNodeNumber);
    checkEndpointTemplate(listen, listenFrom === 'flag' ? '--listen' : listenFrom === 'config' ? 'the listen address in --config' : `the default listen address (give --listen)`);
    if (streamPort !== 0) throw new Error(`--stream-port ${streamPort} cannot be shared by --nodes: each node's stream server takes a free port; leave --stream-port out (0)`);
    return { nodeNames, firstNodeNumber };
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

/** --seed: a whole number; anything else would reach the seeded random generator as NaN. */
function seedFlag(text: string): number {
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new FlagError(`invalid value ${JSON.stringify(text)} for --seed: must be a whole number, e.g. --seed 42`);
  }
  return n;
}

/** `crio 1.33, containerd 2.1 and 1.6` for --version. */
function playedVersions(): string {
  return PERSONAS.map((p) => `${p} ${supportedPersonaVersions(p).join('/')}`).join(', ');
}

/** containerd takes no tracing flags: name the persona version's own way instead of ignoring them. */
function refuseCrioTracingFlags(spec: PersonaVersionSpec, parsed: Record<string, unknown>): void {
  const given = ['enable-tracing', 'tracing-endpoint', 'tracing-sampling-rate-per-million'].find((f) => parsed[f] !== undefined);
  if (given === undefined) return;
  const how =
    spec.tracingConfig === 'containerd-toml-v1'
      ? `containerd ${spec.version} reads tracing from config.toml: [plugins."io.containerd.tracing.processor.v1.otlp"] endpoint = "127.0.0.1:4317", protocol = "grpc", insecure = true, and [plugins."io.containerd.internal.v1.tracing"] sampling_ratio = 1.0; pass that file with --config`
      : `containerd ${spec.version} reads tracing from the environment: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:4317 OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc, and OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG for sampling`;
  throw new FlagError(`--${given} is a CRI-O flag; ${how}`);
}

/** --image-catalog: a catalog that cannot be read or is invalid is a flag error naming the file and field. */
function loadImageCatalogFlag(file: string | undefined): ImageCatalog | undefined {
  if (file === undefined) return undefined;
  try {
    return loadImageCatalog(file);
  } catch (err) {
    if (err instanceof ImageCatalogError) throw new FlagError(`--image-catalog: ${err.message}`);
    throw err;
  }
}

/** --model: a profile name or a path; every problem of an invalid model is a flag error. */
function loadModelFlag(nameOrPath: string | undefined): RuntimeModel | undefined {
  if (nameOrPath === undefined) return undefined;
  try {
    return loadRuntimeModel(nameOrPath);
  } catch (err) {
    if (err instanceof RuntimeModelError) throw new FlagError(`--model: ${err.message}`);
    throw err;
  }
}

/** --persona-version: an unknown version is a flag error listing the supported ones. */
function loadPersonaFlag(persona: Persona, version: string | undefined): PersonaVersionSpec {
  try {
    return loadPersonaVersion(persona, version);
  } catch (err) {
    if (err instanceof UnknownPersonaVersionError) {
      throw new FlagError(`invalid value ${JSON.stringify(err.version)} for --persona-version: ${persona} versions supported: ${err.supported.join(', ')}`);
    }
    if (err instanceof PersonaSpecError) throw new FlagError(`--persona-version: ${err.message}`);
    throw err;
  }
}
