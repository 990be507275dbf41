#!/usr/bin/env node
/**
 * etcd-sim entry point: flags, then tracing (which registers the gRPC instrumentation), then the gRPC server
 * module, which loads @grpc/grpc-js only after the instrumentation can patch it.
 */
import { EXIT_CODE, watchParent } from '../../../cli-kit/src';
import { FlagError, parseEtcdSimArgs } from './cli/etcd-sim-args';
import type { EtcdSimArgs } from './cli/etcd-sim-args';
import { startEtcdTracing } from './tracing/etcd-tracing';

const say = (line: string): void => void process.stderr.write(`etcd-sim: ${line}\n`);

async function main(): Promise<number> {
  let args: EtcdSimArgs;
  try {
    args = parseEtcdSimArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`Error: ${err.message}\nRun 'etcd-sim --help' for usage.\n`);
      return EXIT_CODE.BAD_USAGE;
    }
    throw err;
  }
  const tracing = await startEtcdTracing(args);
  const { startEtcdGrpcServer } = await import('./server/etcd-grpc-server');
  let server: Awaited<ReturnType<typeof startEtcdGrpcServer>>;
  try {
    server = await startEtcdGrpcServer({ listen: args.listen });
  } catch (err) {
    say(`cannot serve on ${args.listen} (--listen-client-urls): ${(err as Error).message}`);
    await tracing?.shutdown();
    return EXIT_CODE.FAILURE;
  }
  const tracingText = args.enableDistributedTracing
    ? `tracing to ${args.distributedTracingAddress} service=${args.distributedTracingServiceName} samplingRatePerMillion=${args.distributedTracingSamplingRate}`
    : 'tracing=off (--enable-distributed-tracing not set)';
  say(`serving client traffic insecurely; address=${server.address} ${tracingText}`);

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
      resolve(EXIT_CODE.OK);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
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
