#!/usr/bin/env node
/**
 * apiserver-sim entry point: flags, the tracing configuration file (read and validated as the apiserver does
 * before it serves), tracing (registers the gRPC instrumentation), then the etcd client and the HTTP server,
 * which load @grpc/grpc-js only after the instrumentation can patch it.
 */
import { randomBytes } from 'node:crypto';
import { EXIT_CODE, onShutdownSignals, watchParent } from '../../../cli-kit/src';
import { FlagError, parseApiserverSimArgs } from './cli/apiserver-sim-args';
import type { ApiserverSimArgs } from './cli/apiserver-sim-args';
import type { TracingConfiguration } from './config/tracing-configuration';
import { apiServerTracingEnabled, formatFieldErrors, readTracingConfiguration, TRACING_GATE_OFF_ERROR, TracingConfigError, validateTracingConfiguration } from './config/tracing-configuration';
import { APISERVER_SCOPES, apiserverId, startApiserverTracing } from './tracing/apiserver-tracing';

const say = (line: string): void => void process.stderr.write(`apiserver-sim: ${line}\n`);

/** The tracing configuration, or undefined without a file; errors read as kube-apiserver's start-up errors. */
function tracingConfigOf(args: ApiserverSimArgs): TracingConfiguration | undefined {
  const gate = apiServerTracingEnabled(args.minor, args.apiServerTracingGate);
  if ('error' in gate) throw new TracingConfigError(`--feature-gates: ${gate.error}`);
  if (args.tracingConfigFile === undefined) return undefined;
  if (!gate.enabled) throw new TracingConfigError(TRACING_GATE_OFF_ERROR);
  let config: TracingConfiguration;
  try {
    config = readTracingConfiguration(args.tracingConfigFile, args.minor);
  } catch (err) {
    throw new TracingConfigError(`failed to read tracing config: ${(err as Error).message}`);
  }
  const errs = validateTracingConfiguration(config);
  if (errs.length > 0) throw new TracingConfigError(`failed to validate tracing configuration: ${formatFieldErrors(errs)}`);
  return config;
}

async function main(): Promise<number> {
  let args: ApiserverSimArgs;
  let config: TracingConfiguration | undefined;
  try {
    args = parseApiserverSimArgs(process.argv.slice(2), () => randomBytes(16).toString('hex'));
    config = tracingConfigOf(args);
  } catch (err) {
    if (err instanceof FlagError || err instanceof TracingConfigError) {
      process.stderr.write(`Error: ${err.message}\nRun 'apiserver-sim --help' for usage.\n`);
      return EXIT_CODE.BAD_USAGE;
    }
    throw err;
  }
  const tracing = await startApiserverTracing(config, apiserverId());
  const { createEtcdClient } = await import('./storage/etcd-client');
  const { startApiserverHttp } = await import('./server/apiserver-http');
  let etcd: ReturnType<typeof createEtcdClient>;
  let http: Awaited<ReturnType<typeof startApiserverHttp>>;
  try {
    etcd = createEtcdClient(args.etcdServers);
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    await tracing.shutdown();
    return EXIT_CODE.BAD_USAGE;
  }
  try {
    http = await startApiserverHttp({
      listen: args.listen,
      etcd,
      tokens: args.tokens,
      minor: args.minor,
      traceKubeletProxy: args.traceKubeletProxy,
      tracers: {
        otelhttp: tracing.getTracer(APISERVER_SCOPES.otelhttp),
        filterlatency: tracing.getTracer(APISERVER_SCOPES.filterlatency),
        componentBase: tracing.getTracer(APISERVER_SCOPES.componentBase),
      },
    });
  } catch (err) {
    say(`cannot start: ${(err as Error).message} (is etcd serving on --etcd-servers ${args.etcdServers}? is --listen ${args.listen} free?)`);
    etcd.close();
    await tracing.shutdown();
    return EXIT_CODE.FAILURE;
  }
  if (args.kubeconfigOut) {
    const { writeKubeconfig } = await import('./kubeconfig/write-kubeconfig');
    writeKubeconfig(args.kubeconfigOut, http.url, args.adminToken);
  }
  const tracingText = config
    ? `tracing to ${config.endpoint ?? 'localhost:4317'} samplingRatePerMillion=${config.samplingRatePerMillion ?? 0}`
    : 'tracing=off (no --tracing-config-file)';
  say(`serving on ${http.url} etcd=${args.etcdServers} kubernetes=1.${args.minor} ${tracingText}${args.kubeconfigOut ? ` kubeconfig=${args.kubeconfigOut}` : ''}`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: shutting down`);
      await http.close();
      etcd.close();
      await tracing.shutdown();
      const stats = tracing.tracing?.exportStats;
      if (stats) say(`spansExported=${stats.exportedSpans} spansLost=${stats.failedSpans}`);
      resolve(EXIT_CODE.OK);
    };
    // A second signal exits at once with status 1, as kube-apiserver's SetupSignalContext (cli-kit shutdown-signals).
    onShutdownSignals({ onFirst: (signal) => void stop(signal), say });
    watchParent({ onParentGone: () => void stop('parent exited') });
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    say(`fatal: ${(err as Error).stack ?? err}`);
    process.exit(EXIT_CODE.FAILURE);
  },
);
