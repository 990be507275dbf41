#!/usr/bin/env node
/**
 * runtime-sim entry point: flags, then tracing (which registers the gRPC instrumentation), then the CRI
 * server module, which loads @grpc/grpc-js only after the instrumentation can patch it.
 */
import { EXIT_CODE, onShutdownSignals, watchParent } from '../../cli-kit/src';
import { FlagError, parseRuntimeSimArgs } from './cli/runtime-sim-args';
import type { RuntimeSimArgs } from './cli/runtime-sim-args';
import { socketInUseMessage } from './cli/socket-in-use-message';
import { createFsLogWriter } from './state/container-log-writer';
import { planRuntimeTracing, startRuntimeTracing } from './tracing/runtime-tracing';
import { criServerOptions } from './cli/cri-server-options';
import { startRuntimeSimMetrics } from './metrics/runtime-sim-metrics';

const say = (line: string): void => void process.stderr.write(`runtime-sim: ${line}\n`);

async function main(): Promise<number> {
  let args: RuntimeSimArgs;
  try {
    args = parseRuntimeSimArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`Error: ${err.message}\nRun 'runtime-sim --help' for usage.\n`);
      return EXIT_CODE.BAD_USAGE;
    }
    throw err;
  }

  // Per persona version: crio flags/crio.conf, containerd 2.x OTEL_* env, containerd 1.6 config.toml.
  const plan = planRuntimeTracing({
    spec: args.spec,
    crioEnableTracing: args.enableTracing,
    crioEndpoint: args.tracingEndpoint,
    crioSamplingRatePerMillion: args.tracingSamplingRatePerMillion,
    containerdToml: args.containerdTracing,
    env: process.env,
  });
  for (const warning of plan.warnings) say(`warning: ${warning}`);
  for (const note of args.notes) say(note);
  const containerLogWriter = createFsLogWriter({ onError: (file, err) => say(`cannot write container log ${file}: ${err.message}`) });
  if (args.fleet !== undefined) {
    // One runtime per node in this process (--nodes N): ./node/runtime-fleet.ts sets up tracing before loading grpc-js.
    const { runRuntimeFleet } = await import('./node/runtime-fleet');
    return runRuntimeFleet(args, args.fleet.nodeNames, plan, { say, containerLogWriter });
  }
  const tracing = plan.enabled ? await startRuntimeTracing(plan) : undefined;
  const { startCriServer } = await import('./server/cri-server');
  let server: Awaited<ReturnType<typeof startCriServer>>;
  try {
    server = await startCriServer(criServerOptions(args, { listen: args.listen, seed: args.seed, stateDir: args.stateDir }, { say, containerLogWriter }));
  } catch (err) {
    if ((err as Error).name === 'StateFileError') {
      say(`--state-dir: ${(err as Error).message}`);
      await tracing?.shutdown();
      return 1;
    }
    if ((err as Error).name === 'SocketInUseError') {
      say(socketInUseMessage(args, (err as Error).message));
      await tracing?.shutdown();
      return 1;
    }
    say(`cannot serve CRI on ${args.listen} (--listen): ${(err as Error).message}`);
    await tracing?.shutdown();
    return 1;
  }
  let metrics: Awaited<ReturnType<typeof startRuntimeSimMetrics>> | undefined;
  if (args.metrics !== undefined) {
    try {
      metrics = await startRuntimeSimMetrics(args.metrics, tracing);
    } catch (err) {
      say(`cannot serve metrics on ${args.metrics.host}:${args.metrics.port} (${args.metrics.from}): ${(err as Error).message}`);
      await server.close();
      await tracing?.shutdown();
      return 1;
    }
    // CRI-O's line (server/metrics/metrics.go startEndpoint).
    say(`Serving metrics on ${metrics.url} using HTTP`);
  }
  if (args.model !== undefined) say(`model=${args.model.source} rules=${args.model.rules.length} seed=${args.seed}`);
  say(`stream server ${server.streamServer.baseUrl}` + (server.stateStore ? ` state=${server.stateStore.file}` : ' state=memory'));
  say(`persona=${args.persona} version=${args.spec.version} (${args.spec.runtimeVersion}) serving CRI v1 on ${args.listen} `
    + (plan.enabled ? plan.description : `tracing=off (${plan.reason})`));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: shutting down`);
      await server.close();
      await tracing?.shutdown();
      await metrics?.close();
      const stats = tracing?.exportStats;
      // Lost: the exporter failed to send them, or they were still on their way when shutdown gave up on them;
      // dropped: the batch processor's queue was full; ended: all the sampled spans, = exported + lost + dropped.
      if (stats) say(`spansExported=${stats.exportedSpans} spansLost=${stats.failedSpans + (tracing?.unsettledSpans() ?? 0)} spansDropped=${tracing?.droppedSpans() ?? 0} spansEnded=${tracing?.endedSpans() ?? 0}`);
      resolve(0);
    };
    // A second signal exits at once with status 1 (cli-kit shutdown-signals).
    onShutdownSignals({ onFirst: (signal) => void stop(signal), say });
    // Under npx the signal reaches only npm's `sh -c`: stop when the parent goes (cli-kit parent-watch).
    watchParent({ onParentGone: (pid) => void stop(`parent process ${pid} exited`) });
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    say(`fatal: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
