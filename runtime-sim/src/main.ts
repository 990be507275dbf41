#!/usr/bin/env node
/**
 * runtime-sim entry point: flags, then tracing (which registers the gRPC instrumentation), then the CRI
 * server module, which loads @grpc/grpc-js only after the instrumentation can patch it.
 */
import { FlagError, parseRuntimeSimArgs } from './cli/runtime-sim-args';
import type { RuntimeSimArgs } from './cli/runtime-sim-args';
import { startRuntimeTracing } from './tracing/runtime-tracing';

const say = (line: string): void => void process.stderr.write(`runtime-sim: ${line}\n`);

async function main(): Promise<number> {
  let args: RuntimeSimArgs;
  try {
    args = parseRuntimeSimArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`Error: ${err.message}\nRun 'runtime-sim --help' for usage.\n`);
      return 2;
    }
    throw err;
  }

  const tracing = args.enableTracing
    ? await startRuntimeTracing({ persona: args.persona, endpoint: args.tracingEndpoint, samplingRatePerMillion: args.tracingSamplingRatePerMillion })
    : undefined;
  const { startCriServer } = await import('./server/cri-server');
  let server: Awaited<ReturnType<typeof startCriServer>>;
  try {
    server = await startCriServer({ listen: args.listen, persona: args.persona, seed: args.seed });
  } catch (err) {
    say(`cannot serve CRI on ${args.listen} (--listen): ${(err as Error).message}`);
    await tracing?.shutdown();
    return 1;
  }
  say(`persona=${args.persona} serving CRI v1 on ${args.listen}` + (tracing ? ` tracing to ${tracing.exportTarget} samplingRatePerMillion=${args.tracingSamplingRatePerMillion}` : ' tracing=off'));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: shutting down`);
      await server.close();
      await tracing?.shutdown();
      const stats = tracing?.exportStats;
      if (stats) say(`spansExported=${stats.exportedSpans} spansLost=${stats.failedSpans}`);
      resolve(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    say(`fatal: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
