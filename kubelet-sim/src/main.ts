#!/usr/bin/env node
/**
 * kubelet-sim entry point. Order matters: flags and config are read first, then tracing is set up (which
 * registers the gRPC instrumentation), and only then are the modules that load @grpc/grpc-js required.
 */
import { hostname as osHostname } from 'node:os';
import { EXIT_CODE, onShutdownSignals, watchParent } from '../../cli-kit/src';
import { everyPeriod, formatProgress } from './cli/progress-line';
import { EXIT_BAD_FLAG, FlagError, parseKubeletSimArgs } from './cli/kubelet-sim-args';
import type { KubeletSimArgs } from './cli/kubelet-sim-args';
import { KubeletConfigError, loadKubeletConfigFile } from './config';
import type { ResolvedKubeletConfig } from './config';
import { startKubeletTracing } from './tracing/kubelet-tracing';
import { spanPipelineCounts } from '../../cri-proto/src/tracing/span-pipeline-metrics';
import { createKlogLogger } from './util/logger';
import { checkStartupSettings } from './startup-checks';
import { KubeletStartError } from './util/kubelet-start-error';
import type { CriEndpointTargets } from './cri/cri-endpoint';
import { MAX_WAIT_FOR_CONTAINER_RUNTIME_MS } from './runtime-state';
import { applyServerPortFlags } from './server/start-kubelet-servers';

const log = createKlogLogger('kubelet-sim');

async function main(): Promise<number> {
  let args: KubeletSimArgs;
  try {
    args = parseKubeletSimArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`Error: ${err.message}\nRun 'kubelet-sim --help' for usage.\n`);
      return EXIT_BAD_FLAG;
    }
    throw err;
  }

  let config: ResolvedKubeletConfig;
  try {
    const loaded = loadKubeletConfigFile(args.config, { kubeletVersion: args.kubeletVersion });
    config = applyServerPortFlags(loaded.config, args.serverPorts);
    for (const w of loaded.warnings) log.warn(w);
  } catch (err) {
    if (err instanceof KubeletConfigError) {
      // A locked or unknown feature gate makes the real kubelet panic while defaulting (exit 2).
      if (err.goPanic) {
        process.stderr.write(`panic: ${err.kubeletMessage}\n`);
        return 2;
      }
      log.error(`"command failed" err="${err.message}"`);
      return EXIT_CODE.BAD_USAGE;
    }
    throw err;
  }

  // What the kubelet refuses while starting (PreInitRuntimeService's endpoint parsing, NewMainKubelet's log
  // size), checked before tracing starts so that a bad setting fails at once (for a fleet: its endpoint template).
  let criTargets: CriEndpointTargets;
  try {
    criTargets = checkStartupSettings(config, args.containerRuntimeEndpoint);
  } catch (err) {
    if (!(err instanceof KubeletStartError)) throw err;
    log.error(`"command failed" err="${err.message}"`);
    return 1;
  }

  if (args.fleet !== undefined) {
    // Many nodes in this process (--nodes N): ./node/kubelet-fleet.ts sets up tracing before loading grpc-js.
    const { runKubeletFleet } = await import('./node/kubelet-fleet');
    return runKubeletFleet(args, args.fleet, config, log);
  }

  // nodeutil.GetHostname: the override or the OS name, trimmed and lower-cased.
  const nodeName = (args.hostnameOverride ?? osHostname()).trim().toLowerCase();
  if (nodeName === '') {
    log.error('"command failed" err="could not determine hostname for tracer provider: empty hostname is invalid"');
    return 1;
  }
  const tracing = await startKubeletTracing(
    config.tracing === null ? undefined : { endpoint: config.tracing.endpointConfigured ? config.tracing.endpoint : undefined, samplingRatePerMillion: config.tracing.samplingRatePerMillion },
    nodeName,
  );
  if (tracing.tracing) log.info(`Tracing enabled endpoint="${tracing.tracing.exportTarget}" samplingRatePerMillion=${config.tracing?.samplingRatePerMillion ?? 0}`);

  // Loaded only now: these modules pull in @grpc/grpc-js, which the instrumentation must patch first.
  const { KubeletNode } = await import('./node/kubelet-node');
  const { KubeletListenError } = await import('./server/kubelet-http-servers');

  const endpoint = args.containerRuntimeEndpoint ?? config.containerRuntimeEndpoint;
  const node = new KubeletNode({
    config,
    args,
    nodeName,
    endpoint: criTargets.runtime,
    imageEndpoint: criTargets.image,
    tracing: { getTracer: tracing.getTracer, enabled: tracing.tracing !== undefined },
    workload: args.workload,
    log,
  });
  const kubelet = node.kubelet;
  const pipeline = tracing.tracing;
  if (pipeline?.exportStats) {
    node.metrics.observeSpanPipeline(() => spanPipelineCounts(pipeline));
  }

  let stopping: Promise<number> | undefined;
  const startedAt = Date.now();
  // A progress line every 10 s on stderr, for long standalone and churn runs.
  const stopProgress = everyPeriod(() =>
    log.info(formatProgress({
      elapsedMs: Date.now() - startedAt,
      pods: kubelet.managedPods().length,
      ...kubelet.stats,
      workload: node.workload?.stats,
      spans: tracing.tracing?.exportStats ? { exported: tracing.tracing.exportStats.exportedSpans, lost: tracing.tracing.exportStats.failedSpans } : undefined,
    })),
  );
  const stop = (reason: string): Promise<number> =>
    (stopping ??= (async () => {
      log.info(`Shutting down reason="${reason}"`);
      stopProgress();
      await node.stop();
      await tracing.shutdown();
      const s = kubelet.stats;
      const exported = tracing.tracing?.exportStats;
      // Lost: the exporter gave up on them, or they were still on their way when shutdown ended; dropped: the
      // batch queue was full; ended: every sampled span, = exported + lost + dropped.
      process.stderr.write(
        `kubelet-sim: syncPod=${s.syncPod} (errors ${s.syncPodErrors}) syncTerminatingPod=${s.syncTerminatingPod} syncTerminatedPod=${s.syncTerminatedPod} ` +
          `containerGC=${s.containerGC} imageGC=${s.imageGC} plegEvents=${s.plegEvents}` +
          (exported ? ` spansExported=${exported.exportedSpans} spansLost=${exported.failedSpans + (tracing.tracing?.unsettledSpans() ?? 0)} spansDropped=${tracing.tracing?.droppedSpans() ?? 0} spansEnded=${tracing.tracing?.endedSpans() ?? 0}` : ' tracing=off') + '\n',
      );
      return 0;
    })());

  // A second signal exits at once with status 1 (cli-kit shutdown-signals, as the kubelet's signal context).
  onShutdownSignals({ onFirst: (signal) => void stop(signal).then((code) => process.exit(code)), say: (line) => log.warn(line) });
  // Under npx / npm start the signal reaches only npm's `sh -c`: stop when the parent goes (cli-kit parent-watch).
  watchParent({ onParentGone: (pid) => void stop(`parent process ${pid} exited`).then((code) => process.exit(code)) });

  try {
    const servers = await node.startServers();
    log.info(`Kubelet HTTP servers (plain HTTP, loopback only) main="${servers.mainUrl}" readOnly="${servers.readOnlyUrl ?? 'off'}" healthz="${servers.healthzUrl ?? 'off'}"`);
  } catch (err) {
    if (!(err instanceof KubeletListenError)) throw err;
    log.error(err.message);
    await stop('kubelet server failed to listen');
    return 1;
  }

  // Wait for the runtime as long as a kubelet would, but never past --duration.
  const waitMs = Math.min(MAX_WAIT_FOR_CONTAINER_RUNTIME_MS, args.durationMs ?? Number.POSITIVE_INFINITY);
  try {
    await node.startKubelet(startedAt + waitMs);
  } catch (err) {
    log.error(`"command failed" err="failed to get container runtime version from ${endpoint}: ${(err as Error).message}"`);
    await stop('startup failed');
    return 1;
  }
  log.info(`Started kubelet node="${nodeName}" containerRuntimeEndpoint="${endpoint}" staticPodPath="${config.staticPodPath}"`);
  const workload = node.startWorkload();
  if (workload !== undefined) {
    const w = args.workload!;
    log.info(`Started synthetic workload workload="churn" pods=${w.pods} podLifetimeMs=${w.podLifetimeMs} creationRate=${w.creationRatePerSecond} seed=${w.seed}`);
  }
  if (args.durationMs !== undefined) {
    // --duration counts from the start, the wait for the runtime included.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, args.durationMs! - (Date.now() - startedAt))));
    return stop(`--duration elapsed`);
  }
  return new Promise<number>(() => undefined); // until a signal arrives
}

main().then(
  (code) => process.exit(code),
  (err) => {
    // A setting refused while starting is the user's to fix: its text, not our stack.
    log.error(`"command failed" err="${err instanceof KubeletStartError ? err.message : ((err as Error).stack ?? err)}"`);
    process.exit(1);
  },
);
