/**
 * `kubelet-sim --nodes N`: N simulated nodes in one process, each a whole kubelet (./kubelet-node.ts) with
 * its own node name, settings from the one KubeletConfiguration, static pods (the same manifests, each node's
 * pods named and UID'd for that node, as a real kubelet does), churn share, pod workers, PLEG, GC, HTTP
 * server on its own free loopback port, pod log directory (<podLogsDir>/<node>), runtime socket (the endpoint template with `{node}` replaced) and
 * OpenTelemetry resource (`service.name=kubelet`, `host.name=<node>`). What a fleet shares: the process, its
 * event loop, the loaded code and proto definitions, and one OTLP channel to the collector.
 * Tracing is set up before ./kubelet-node.ts (which loads @grpc/grpc-js) is imported.
 */
import { join } from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import { ProxyTracerProvider } from '@opentelemetry/api';
import { checkEndpointTemplate, endpointForNode, FleetFlagError, onShutdownSignals, watchParent } from '../../../cli-kit/src';
import type { FleetArgs, KubeletSimArgs } from '../cli/kubelet-sim-args';
import { EXIT_BAD_FLAG } from '../cli/kubelet-sim-args';
import type { ResolvedKubeletConfig } from '../config';
import { MAX_WAIT_FOR_CONTAINER_RUNTIME_MS } from '../runtime-state';
import { startKubeletFleetTracing } from '../tracing/kubelet-tracing';
import type { Logger } from '../util/logger';
import { createKlogLogger } from '../util/logger';
import { FleetStats } from './fleet-stats';
import type { KubeletNode } from './kubelet-node';

/** How often the fleet reports progress on stderr. */
const FLEET_PROGRESS_PERIOD_MS = 10_000;
/** Nodes starting at the same time. */
const FLEET_START_CONCURRENCY = 16;
/** Longest wait for the nodes to stop, then for the spans to be flushed, before the summary is printed. */
const FLEET_STOP_TIMEOUT_MS = 10_000;

/** True if `work` settled within `ms`. */
async function withinMs(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = work.then(() => true, () => true);
  const result = await Promise.race([done, timeout]);
  clearTimeout(timer);
  return result;
}

export async function runKubeletFleet(args: KubeletSimArgs, fleetArgs: FleetArgs, config: ResolvedKubeletConfig, log: Logger): Promise<number> {
  const endpointTemplate = args.containerRuntimeEndpoint ?? config.containerRuntimeEndpoint;
  const imageTemplate = args.containerRuntimeEndpoint !== undefined && config.imageServiceEndpoint === '' ? endpointTemplate : config.effectiveImageServiceEndpoint;
  try {
    checkEndpointTemplate(endpointTemplate, args.containerRuntimeEndpoint !== undefined ? '--container-runtime-endpoint' : 'containerRuntimeEndpoint');
  } catch (err) {
    if (!(err instanceof FleetFlagError)) throw err;
    process.stderr.write(`Error: ${err.message}\nRun 'kubelet-sim --help' for usage.\n`);
    return EXIT_BAD_FLAG;
  }

  const tracing = await startKubeletFleetTracing(
    config.tracing === null ? undefined : { endpoint: config.tracing.endpointConfigured ? config.tracing.endpoint : undefined, samplingRatePerMillion: config.tracing.samplingRatePerMillion },
  );
  if (tracing) log.info(`Tracing enabled endpoint="${tracing.fleet.exportTarget}" samplingRatePerMillion=${config.tracing?.samplingRatePerMillion ?? 0} nodes=${fleetArgs.nodeNames.length}`);
  // Loaded only now: it pulls in @grpc/grpc-js, which the instrumentation must patch first.
  const { KubeletNode } = await import('./kubelet-node');
  const { KubeletListenError } = await import('../server/kubelet-http-servers');

  // Each node serves HTTP on its own free loopback port; the read-only and healthz servers are off (the
  // main server answers /healthz too), so N nodes take N ports, printed at start. Each node keeps its pod
  // logs in <podLogsDir>/<node name>, as each real node has its own disk: container GC removes the log
  // directories of pods its node does not know, which would otherwise be every other node's.
  const nodeConfig = (nodeName: string): ResolvedKubeletConfig => ({ ...config, port: 0, readOnlyPort: 0, healthzPort: 0, podLogsDir: join(config.podLogsDir, nodeName) });
  const noop = new ProxyTracerProvider();
  const stats = new FleetStats();
  const nodes: { name: string; node: KubeletNode; exportStats: () => { exported: number; lost: number } | undefined }[] = [];
  for (const [i, nodeName] of fleetArgs.nodeNames.entries()) {
    const nodeTracing = await tracing?.addNode(nodeName);
    const getTracer = (scope: string, version?: string): Tracer => (nodeTracing ? nodeTracing.tracer(scope, version) : noop.getTracer(scope, version));
    const node = new KubeletNode({
      config: nodeConfig(nodeName),
      args,
      nodeName,
      endpoint: endpointForNode(endpointTemplate, nodeName),
      imageEndpoint: endpointForNode(imageTemplate, nodeName),
      tracing: { getTracer, enabled: nodeTracing !== undefined, scope: nodeTracing?.provider },
      // Each node runs the churn flags on its own, with its own seed (names and UIDs differ per node, and
      // across the shards of one fleet: the seed follows the node's number, not its place in this process).
      workload: args.workload === undefined ? undefined : { ...args.workload, seed: args.workload.seed + fleetArgs.firstNodeNumber - 1 + i },
      log: nodeLogger(nodeName),
    });
    stats.watch(node.metrics);
    const s = nodeTracing?.exportStats;
    nodes.push({ name: nodeName, node, exportStats: () => (s ? { exported: s.exportedSpans, lost: s.failedSpans } : undefined) });
  }

  const startedAt = Date.now();
  const fleetSpans = (): string => {
    const s = tracing?.fleet.exportStats;
    return s ? `spansExported=${s.exportedSpans} spansLost=${s.failedSpans}` : 'tracing=off';
  };
  const progress = setInterval(() => {
    const pods = nodes.reduce((n, { node }) => n + node.kubelet.managedPods().length, 0);
    const syncPod = nodes.reduce((n, { node }) => n + node.kubelet.stats.syncPod, 0);
    log.info(`"Fleet progress" elapsed="${Math.round((Date.now() - startedAt) / 1000)}s" nodes=${nodes.length} pods=${pods} syncPod=${syncPod} ${stats.relistSummary()} ${fleetSpans()}`);
  }, FLEET_PROGRESS_PERIOD_MS);
  progress.unref();

  let stopping: Promise<number> | undefined;
  const stop = (reason: string, code = 0): Promise<number> =>
    (stopping ??= (async () => {
      log.info(`Shutting down reason="${reason}" nodes=${nodes.length}`);
      clearInterval(progress);
      const podsAtStop = new Map(nodes.map(({ name, node }) => [name, node.kubelet.managedPods().length]));
      // Bounded, so a fleet that cannot keep up still reports: a node that has not stopped by then is left.
      const stopped = await withinMs(Promise.all(nodes.map(({ node }) => node.stop())), FLEET_STOP_TIMEOUT_MS);
      if (!stopped) log.warn(`Not every node stopped within ${FLEET_STOP_TIMEOUT_MS / 1000}s; reporting anyway`);
      await withinMs(tracing?.fleet.shutdown() ?? Promise.resolve(), FLEET_STOP_TIMEOUT_MS);
      // Per node, then the fleet: what each kubelet did and exported.
      const total = { pods: 0, syncPod: 0, syncPodErrors: 0, syncTerminatingPod: 0, plegEvents: 0 };
      for (const { name, node, exportStats } of nodes) {
        const s = node.kubelet.stats;
        const e = exportStats();
        total.pods += podsAtStop.get(name) ?? 0;
        total.syncPod += s.syncPod;
        total.syncPodErrors += s.syncPodErrors;
        total.syncTerminatingPod += s.syncTerminatingPod;
        total.plegEvents += s.plegEvents;
        process.stderr.write(`kubelet-sim: node=${name} pods=${podsAtStop.get(name) ?? 0} syncPod=${s.syncPod} (errors ${s.syncPodErrors}) syncTerminatingPod=${s.syncTerminatingPod} plegEvents=${s.plegEvents}` +
          (e ? ` spansExported=${e.exported} spansLost=${e.lost}` : ' tracing=off') + '\n');
      }
      process.stderr.write(`kubelet-sim: fleet nodes=${nodes.length} pods=${total.pods} syncPod=${total.syncPod} (errors ${total.syncPodErrors}) syncTerminatingPod=${total.syncTerminatingPod} plegEvents=${total.plegEvents} ` +
        `${stats.relistSummary()} ${stats.relistHistograms()} ${fleetSpans()}` + (tracing ? ` spansDropped=${tracing.fleet.droppedSpans() ?? 0} unscopedSpans=${tracing.fleet.unscopedSpans()}` : '') + '\n');
      return code;
    })());
  // A second signal exits at once with status 1 (cli-kit shutdown-signals, as the kubelet's signal context).
  onShutdownSignals({ onFirst: (signal) => void stop(signal).then((code) => process.exit(code)), say: (line) => log.warn(line) });
  watchParent({ onParentGone: (pid) => void stop(`parent process ${pid} exited`).then((code) => process.exit(code)) });

  for (const { name, node } of nodes) {
    try {
      const servers = await node.startServers();
      log.info(`Kubelet HTTP server node="${name}" main="${servers.mainUrl}"`);
    } catch (err) {
      if (!(err instanceof KubeletListenError)) throw err;
      log.error(`node="${name}" ${err.message}`);
      return stop('kubelet server failed to listen', 1);
    }
  }
  // --duration counts from the start, the fleet's start-up included; the steady window of the relist
  // statistics is the second half of the run, after the start-up burst.
  const durationElapsed = args.durationMs === undefined ? undefined : new Promise<'elapsed'>((resolve) => {
    setTimeout(() => resolve('elapsed'), Math.max(0, args.durationMs! - (Date.now() - startedAt)));
    setTimeout(() => stats.startSteadyWindow(), Math.max(0, args.durationMs! / 2 - (Date.now() - startedAt))).unref();
  });
  // A few nodes at a time: the fleet comes up as a rolling start rather than one burst of start-up calls,
  // without a slow node holding the others back.
  const waitMs = Math.min(MAX_WAIT_FOR_CONTAINER_RUNTIME_MS, args.durationMs ?? Number.POSITIVE_INFINITY);
  let failed: string | undefined;
  let next = 0;
  const starter = async (): Promise<void> => {
    while (failed === undefined && stopping === undefined && next < nodes.length) {
      const { name, node } = nodes[next++];
      try {
        await node.startKubelet(startedAt + waitMs);
      } catch (err) {
        failed ??= `"command failed" node="${name}" err="failed to get container runtime version from ${endpointForNode(endpointTemplate, name)}: ${(err as Error).message}"`;
        return;
      }
      if (stopping === undefined) node.startWorkload();
    }
  };
  const started = Promise.all(Array.from({ length: Math.min(FLEET_START_CONCURRENCY, nodes.length) }, starter)).then(() => 'started' as const);
  if ((await Promise.race([started, ...(durationElapsed ? [durationElapsed] : [])])) === 'started') {
    if (failed !== undefined) {
      log.error(failed);
      return stop('startup failed', 1);
    }
    log.info(`Started kubelet fleet nodes=${nodes.length} first="${nodes[0].name}" last="${nodes[nodes.length - 1].name}" after="${Math.round((Date.now() - startedAt) / 1000)}s" containerRuntimeEndpoint="${endpointTemplate}" staticPodPath="${config.staticPodPath}"`);
  } else {
    log.warn(`--duration elapsed before every node had started started=${Math.min(next, nodes.length)} nodes=${nodes.length}`);
  }
  if (durationElapsed !== undefined) {
    await durationElapsed;
    return stop('--duration elapsed');
  }
  return new Promise<number>(() => undefined); // until a signal arrives
}

/** A node's klog lines carry `node="<name>"` after the header, so a fleet's log can be split by node. */
function nodeLogger(nodeName: string): Logger {
  return createKlogLogger('kubelet-sim', (line) => void process.stderr.write(line.replace('] ', `] node="${nodeName}" `) + '\n'));
}
