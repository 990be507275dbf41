import yargs from 'yargs';
import { loadRuntimeConfigFile, RuntimeConfigError } from '../config/runtime-config-file';
import type { RuntimeConfigFile } from '../config/runtime-config-file';
import type { Persona } from '../state/persona';
import { PERSONAS } from '../state/persona';

export interface RuntimeSimArgs {
  persona: Persona;
  listen: string;
  enableTracing: boolean;
  tracingEndpoint: string | undefined;
  tracingSamplingRatePerMillion: number;
  seed: number;
}

export class FlagError extends Error {}

/** Default sockets of the real runtimes (CRI-O `[crio.api] listen`, containerd `[grpc] address`). */
export const DEFAULT_LISTEN: Record<Persona, string> = {
  crio: 'unix:///var/run/crio/crio.sock',
  containerd: 'unix:///run/containerd/containerd.sock',
};

/**
 * runtime-sim's command line. Tracing flags follow CRI-O's (`--enable-tracing`, `--tracing-endpoint`,
 * `--tracing-sampling-rate-per-million`, also from CONTAINER_* env vars as in crio's CLI); giving an endpoint
 * or a rate turns tracing on as well, since nobody passes them to have tracing off.
 */
export function parseRuntimeSimArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): RuntimeSimArgs {
  const parsed = yargs(argv)
    .scriptName('runtime-sim')
    .usage('$0 --persona crio|containerd --listen unix:///PATH.sock [options]\n\nServes CRI v1 (RuntimeService, ImageService) as a simulated CRI-O or containerd, with OpenTelemetry traces.')
    .option('persona', { choices: PERSONAS, default: 'crio' as Persona, describe: 'which runtime to be' })
    .option('listen', { type: 'string', describe: 'unix socket to serve on (default: the config file\'s, else the persona\'s usual socket)' })
    .option('config', { type: 'string', describe: 'the persona\'s config file: crio.conf ([crio.api] listen, [crio.tracing] ...) or containerd config.toml ([grpc] address)' })
    .option('enable-tracing', { type: 'boolean', describe: 'export traces over OTLP/gRPC (env CONTAINER_ENABLE_TRACING)' })
    .option('tracing-endpoint', { type: 'string', describe: 'collector address host:port (env CONTAINER_TRACING_ENDPOINT; CRI-O default 127.0.0.1:4317; containerd: OTEL_EXPORTER_OTLP_ENDPOINT)' })
    .option('tracing-sampling-rate-per-million', { type: 'number', describe: 'root sampling rate; spans with a parent follow the parent (env CONTAINER_TRACING_SAMPLING_RATE_PER_MILLION)' })
    .option('seed', { type: 'number', default: 1, describe: 'seed for ids and image sizes (reproducible runs)' })
    .strict()
    .help()
    .version(false)
    .fail((message, err) => {
      throw new FlagError(message ?? err?.message ?? 'invalid flags');
    })
    .parseSync();
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
  const listen = parsed.listen ?? file.listen ?? DEFAULT_LISTEN[parsed.persona];
  if (!listen.startsWith('unix://') || listen.length <= 'unix://'.length) {
    throw new FlagError(`invalid value ${JSON.stringify(listen)} for --listen: must be a unix socket such as unix:///tmp/runtime-sim.sock`);
  }
  return {
    persona: parsed.persona,
    listen,
    enableTracing: flagEnable ?? (flagEndpoint !== undefined || flagRate !== undefined || (file.enableTracing ?? false)),
    tracingEndpoint: flagEndpoint ?? file.tracingEndpoint,
    tracingSamplingRatePerMillion: rate ?? 0,
    seed: parsed.seed,
  };
}
