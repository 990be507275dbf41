import yargs from 'yargs';
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
    .option('listen', { type: 'string', describe: 'unix socket to serve on (default: the persona\'s usual socket)' })
    .option('enable-tracing', { type: 'boolean', default: env.CONTAINER_ENABLE_TRACING === 'true', describe: 'export traces over OTLP/gRPC' })
    .option('tracing-endpoint', { type: 'string', default: env.CONTAINER_TRACING_ENDPOINT, describe: 'collector address host:port (CRI-O default 127.0.0.1:4317; containerd: OTEL_EXPORTER_OTLP_ENDPOINT)' })
    .option('tracing-sampling-rate-per-million', { type: 'number', default: env.CONTAINER_TRACING_SAMPLING_RATE_PER_MILLION === undefined ? undefined : Number(env.CONTAINER_TRACING_SAMPLING_RATE_PER_MILLION), describe: 'root sampling rate; spans with a parent follow the parent (crio persona)' })
    .option('seed', { type: 'number', default: 1, describe: 'seed for ids and image sizes (reproducible runs)' })
    .strict()
    .help()
    .version(false)
    .fail((message, err) => {
      throw new FlagError(message ?? err?.message ?? 'invalid flags');
    })
    .parseSync();
  const rate = parsed['tracing-sampling-rate-per-million'];
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 0 || rate > 1_000_000)) {
    throw new FlagError(`invalid value ${JSON.stringify(rate)} for --tracing-sampling-rate-per-million: must be an integer from 0 to 1000000`);
  }
  const listen = parsed.listen ?? DEFAULT_LISTEN[parsed.persona];
  if (!listen.startsWith('unix://') || listen.length <= 'unix://'.length) {
    throw new FlagError(`invalid value ${JSON.stringify(listen)} for --listen: must be a unix socket such as unix:///tmp/runtime-sim.sock`);
  }
  return {
    persona: parsed.persona,
    listen,
    enableTracing: parsed['enable-tracing'] || parsed['tracing-endpoint'] !== undefined || rate !== undefined,
    tracingEndpoint: parsed['tracing-endpoint'],
    tracingSamplingRatePerMillion: rate ?? 0,
    seed: parsed.seed,
  };
}
