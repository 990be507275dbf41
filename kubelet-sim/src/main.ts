#!/usr/bin/env node
/**
 * kubelet-sim entry point. Order matters: flags and config are read first, then tracing is set up (which
 * registers the gRPC instrumentation), and only then are the modules that load @grpc/grpc-js required.
 */
import { hostname as osHostname } from 'node:os';
import { EXIT_CODE, watchParent } from '../../cli-kit/src';
import { everyPeriod, formatProgress } from './cli/progress-line';
import { EXIT_BAD_FLAG, FlagError, parseKubeletSimArgs } from './cli/kubelet-sim-args';
import type { KubeletSimArgs } from './cli/kubelet-sim-args';
import { KubeletConfigError, loadKubeletConfigFile } from './config';
import type { ResolvedKubeletConfig } from './config';
import { startKubeletTracing } from './tracing/kubelet-tracing';
import { createKlogLogger } from './util/logger';
import type { KubeletSettings } from './kubelet';
import { realClock } from './util/clock';
import { CONTAINER_GC_PERIOD_MS } from './kuberuntime/container-gc';
import { IMAGE_GC_PERIOD_MS } from './images/image-gc-manager';
import { GENERIC_PLEG } from './pleg/pleg';
import { CRI_DIAL_BACKOFF } from './cri/dial-backoff';
import { checkStartupSettings } from './startup-checks';
import { KubeletStartError } from './util/kubelet-start-error';
import type { CriEndpointTargets } from './cri/cri-endpoint';
import { REAL_OS } from './container/os-interface';
import { MAX_WAIT_FOR_CONTAINER_RUNTIME_MS } from './runtime-state';
import { KubeletMetrics } from './metrics/kubelet-metrics';
import { applyServerPortFlags } from './server/start-kubelet-servers';
import type { StartedKubeletServers } from './server/start-kubelet-servers';
import { OTEL_RESTFUL } from './server/otel-restful-filter';
import { backgroundLoopSettings } from './background-loop-settings';

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
  // size), checked before tracing starts so that a bad setting fails at once.
  let criTargets: CriEndpointTargets;
  try {
    criTargets = checkStartupSettings(config, args.containerRuntimeEndpoint);
  } catch (err) {
    if (!(err instanceof KubeletStartError)) throw err;
    log.error(`"command failed" err="${err.message}"`);
    return 1;
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
  const { RemoteRuntimeService } = await import('./cri/remote-runtime-service');
  const { Kubelet } = await import('./kubelet');
  const { ChurnWorkload } = await import('./pod-sources/churn-workload');

  const endpoint = args.containerRuntimeEndpoint ?? config.containerRuntimeEndpoint;
  const runtime = new RemoteRuntimeService({
    endpoint: criTargets.runtime,
    imageEndpoint: criTargets.image,
    timeoutMs: config.runtimeRequestTimeoutMs,
    messageEvents: tracing.tracing !== undefined,
  });
  // Every CRI call is counted and timed in the kubelet's metrics (kuberuntime instrumented_services.go);
  // durations use a monotonic sub-millisecond clock.
  const { InstrumentedRuntimeService } = await import('./cri/instrumented-runtime-service');
  const { startKubeletServers } = await import('./server/start-kubelet-servers');
  const { KubeletListenError } = await import('./server/kubelet-http-servers');
  const metrics = new KubeletMetrics();
  const instrumented = new InstrumentedRuntimeService(runtime, metrics, { nowMs: () => performance.now() });
  const kubelet = new Kubelet(toSettings(config, args, nodeName), instrumented, tracing.getTracer, realClock, log, metrics);
  let servers: StartedKubeletServers | undefined;

  let workload: InstanceType<typeof ChurnWorkload> | undefined;
  let stopping: Promise<number> | undefined;
  const startedAt = Date.now();
  // A progress line every 10 s on stderr, for long standalone and churn runs.
  const stopProgress = everyPeriod(() =>
    log.info(formatProgress({
      elapsedMs: Date.now() - startedAt,
      pods: kubelet.managedPods().length,
      ...kubelet.stats,
      workload: workload?.stats,
      spans: tracing.tracing?.exportStats ? { exported: tracing.tracing.exportStats.exportedSpans, lost: tracing.tracing.exportStats.failedSpans } : undefined,
    })),
  );
  const stop = (reason: string): Promise<number> =>
    (stopping ??= (async () => {
      log.info(`Shutting down reason="${reason}"`);
      stopProgress();
      workload?.stop();
      await servers?.stop();
      await kubelet.stop();
      runtime.close();
      await tracing.shutdown();
      const s = kubelet.stats;
      const exported = tracing.tracing?.exportStats;
      process.stderr.write(
        `kubelet-sim: syncPod=${s.syncPod} (errors ${s.syncPodErrors}) syncTerminatingPod=${s.syncTerminatingPod} syncTerminatedPod=${s.syncTerminatedPod} ` +
          `containerGC=${s.containerGC} imageGC=${s.imageGC} plegEvents=${s.plegEvents}` +
          (exported ? ` spansExported=${exported.exportedSpans} spansLost=${exported.failedSpans}` : ' tracing=off') + '\n',
      );
      return 0;
    })());

  process.once('SIGINT', () => void stop('SIGINT').then((code) => process.exit(code)));
  process.once('SIGTERM', () => void stop('SIGTERM').then((code) => process.exit(code)));
  // Under npx / npm start the signal reaches only npm's `sh -c`: stop when the parent goes (cli-kit parent-watch).
  watchParent({ onParentGone: (pid) => void stop(`parent process ${pid} exited`).then((code) => process.exit(code)) });

  try {
    // Like startKubelet, the HTTP servers come up next to the kubelet, before the runtime has answered.
    servers = await startKubeletServers(config, {
      kubelet,
      nodeName,
      metrics,
      // InstallTracingFilter runs only with the KubeletTracing gate on; without a `tracing` block the provider is a no-op.
      tracer: !config.kubeletTracingEnabled ? undefined : tracing.tracing ? tracing.tracing.tracer(OTEL_RESTFUL.SCOPE_NAME, OTEL_RESTFUL.SCOPE_VERSION) : tracing.getTracer(OTEL_RESTFUL.SCOPE_NAME),
      clock: realClock,
      log,
    });
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
    await startWithRetry(kubelet, endpoint, startedAt + waitMs);
  } catch (err) {
    log.error(`"command failed" err="failed to get container runtime version from ${endpoint}: ${(err as Error).message}"`);
    await stop('startup failed');
    return 1;
  }
  log.info(`Started kubelet node="${nodeName}" containerRuntimeEndpoint="${endpoint}" staticPodPath="${config.staticPodPath}"`);
  if (args.workload !== undefined) {
    // API-server-like pods next to the static pods, through the same addPod/updatePod/deletePod handlers.
    workload = new ChurnWorkload(args.workload, kubelet, realClock);
    workload.start();
    const w = args.workload;
    log.info(`Started synthetic workload workload="churn" pods=${w.pods} podLifetimeMs=${w.podLifetimeMs} creationRate=${w.creationRatePerSecond} seed=${w.seed}`);
  }
  if (args.durationMs !== undefined) {
    // --duration counts from the start, the wait for the runtime included.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, args.durationMs! - (Date.now() - startedAt))));
    return stop(`--duration elapsed`);
  }
  return new Promise<number>(() => undefined); // until a signal arrives
}

/**
 * The runtime may still be starting: retry Version until `deadlineMs`, pacing the tries with the CRI
 * dial back-off (100 ms growing 1.6x with 20 % jitter up to 3 s), as the kubelet's connection does.
 */
async function startWithRetry(kubelet: { start(): Promise<void> }, endpoint: string, deadlineMs: number): Promise<void> {
  for (let base: number = CRI_DIAL_BACKOFF.BASE_DELAY_MS; ; base = Math.min(base * CRI_DIAL_BACKOFF.MULTIPLIER, CRI_DIAL_BACKOFF.MAX_DELAY_MS)) {
    try {
      return await kubelet.start();
    } catch (err) {
      const delay = Math.round(base * (1 + CRI_DIAL_BACKOFF.JITTER * (Math.random() * 2 - 1)));
      if (Date.now() + delay > deadlineMs) throw err;
      log.warn(`Waiting for the container runtime endpoint="${endpoint}" err="${(err as Error).message}"`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function toSettings(config: ResolvedKubeletConfig, args: KubeletSimArgs, nodeName: string): KubeletSettings {
  return {
    nodeName,
    staticPodPath: config.staticPodPath === '' ? undefined : config.staticPodPath,
    fileCheckFrequencyMs: config.fileCheckFrequencyMs,
    syncFrequencyMs: config.syncFrequencyMs,
    runtimeApiVersion: '0.1.0',
    runtimeHandler: '',
    podLogsDir: config.podLogsDir,
    os: REAL_OS,
    cgroupDriver: config.cgroupDriver === 'systemd' ? 'systemd' : 'cgroupfs',
    cgroupRoot: config.cgroupRoot,
    seccompDefault: config.seccompDefault,
    serializeImagePulls: config.serializeImagePulls,
    maxParallelImagePulls: config.maxParallelImagePulls ?? 0,
    containerGCPeriodMs: args.containerGcPeriodMs ?? CONTAINER_GC_PERIOD_MS,
    imageGCPeriodMs: args.imageGcPeriodMs ?? IMAGE_GC_PERIOD_MS,
    imageGCPolicy: {
      highThresholdPercent: config.imageGCHighThresholdPercent,
      lowThresholdPercent: config.imageGCLowThresholdPercent,
      minAgeMs: config.imageMinimumGCAgeMs,
      maxAgeMs: config.imageMaximumGCAgeMs,
    },
    imageFsCapacityBytes: args.imageFsCapacityBytes,
    plegRelistPeriodMs: GENERIC_PLEG.RELIST_PERIOD_MS,
    background: backgroundLoopSettings(config, args.containerRuntimeEndpoint ?? config.containerRuntimeEndpoint),
  };
}

main().then(
  (code) => process.exit(code),
  (err) => {
    // A setting refused while starting is the user's to fix: its text, not our stack.
    log.error(`"command failed" err="${err instanceof KubeletStartError ? err.message : ((err as Error).stack ?? err)}"`);
    process.exit(1);
  },
);
