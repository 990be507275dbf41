/**
 * One benchmark run, as its own process (one tracer provider per process, FACTS.md §8): the kubelet's
 * tracing set up at one sampling rate, then a bounded number of pod lifecycles driven through kubelet-sim's
 * real CRI client against a running runtime-sim. Each lifecycle is the kubelet's CRI sequence under the
 * kubelet's root spans:
 *   syncPod (create): RunPodSandbox, PodSandboxStatus, ImageStatus, CreateContainer, StartContainer
 *   syncTerminatingPod: StopContainer, StopPodSandbox
 *   Containers/GarbageCollect: RemoveContainer, RemovePodSandbox
 * With `--client raw` the same requests go through a bare grpc-js client (raw-cri-client.ts) with no kubelet
 * spans: the floor the emulator is measured against. `--concurrency N` keeps N lifecycles in flight.
 * Prints one JSON line (CallRunResult) on stdout. Not a test: run by tracing-overhead.bench.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import yargs from 'yargs';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { startKubeletTracing } from '../../kubelet-sim/src/tracing/kubelet-tracing';
import { KUBELET_SPAN, KUBELET_TRACER_SCOPE, podSpanAttributes } from '../../kubelet-sim/src/tracing/kubelet-spans';
import type { RuntimeService, ImageService } from '../../kubelet-sim/src/cri/runtime-service';
import { connectRawCriClient } from './raw-cri-client';
import type { Pod } from '../../kubelet-sim/src/container/pod';
import { generatePodSandboxConfig } from '../../kubelet-sim/src/kuberuntime/sandbox-config';
import { generateContainerConfig } from '../../kubelet-sim/src/kuberuntime/container-config';
import { SYNC_POD_TYPE } from '../../kubelet-sim/src/pod-workers/sync-pod-type';
import { median, quantile } from './bench-stats';
import type { CallRunResult } from './call-run-result';

const IMAGE = 'registry.k8s.io/pause:3.10';

function benchPod(i: number): Pod {
  const name = `bench-${i}`;
  return {
    metadata: { name, namespace: 'bench', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, labels: { app: 'bench' }, annotations: {} },
    spec: {
      initContainers: [],
      containers: [{ name: 'app', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: [], args: [], workingDir: '', env: [], terminationMessagePath: '/dev/termination-log' }],
      restartPolicy: 'Always',
      hostNetwork: false,
      terminationGracePeriodSeconds: 30,
      hostname: '',
      subdomain: '',
      qosClass: 'BestEffort',
    },
  };
}

/** The CRI calls of one lifecycle, as kubelet-sim's client offers them. */
export type LifecycleCalls = Pick<
  RuntimeService & ImageService,
  'runPodSandbox' | 'podSandboxStatus' | 'imageStatus' | 'createContainer' | 'startContainer' | 'stopContainer' | 'stopPodSandbox' | 'removeContainer' | 'removePodSandbox'
>;

async function podLifecycle(runtime: LifecycleCalls, tracers: Record<'kubelet' | 'kuberuntime', Tracer> | undefined, i: number, podLogsDir: string, latenciesUs: number[] | undefined): Promise<void> {
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await call();
    latenciesUs?.push((performance.now() - start) * 1000);
    return result;
  };
  const pod = benchPod(i);
  const sandboxConfig = generatePodSandboxConfig(pod, 0, { podLogsDir, cgroupDriver: 'systemd', cgroupRoot: '/' });
  const root = <T>(tracer: Tracer | undefined, name: string, attrs: Parameters<typeof podSpanAttributes>[1] | null, fn: () => Promise<T>): Promise<T> =>
    tracer === undefined ? fn() : tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes: attrs === null ? {} : podSpanAttributes(pod, attrs) }, ROOT_CONTEXT, async (span) => {
      try {
        return await fn();
      } finally {
        span.end();
      }
    });

  const ids = await root(tracers?.kubelet, KUBELET_SPAN.SYNC_POD, SYNC_POD_TYPE.CREATE, async () => {
    // The kubelet makes the log directories (CRI-O's conmon needs them), outside the timed calls; the raw
    // arm's server writes no logs.
    if (tracers !== undefined) mkdirSync(join(sandboxConfig.log_directory ?? podLogsDir, pod.spec.containers[0]!.name), { recursive: true, mode: 0o755 });
    const sandboxId = await timed(() => runtime.runPodSandbox(sandboxConfig, ''));
    await timed(() => runtime.podSandboxStatus(sandboxId, false));
    await timed(() => runtime.imageStatus({ image: IMAGE }, false));
    const containerId = await timed(() => runtime.createContainer(sandboxId, generateContainerConfig(pod, pod.spec.containers[0], 0, IMAGE), sandboxConfig));
    await timed(() => runtime.startContainer(containerId));
    return { sandboxId, containerId };
  });
  await root(tracers?.kubelet, KUBELET_SPAN.SYNC_TERMINATING_POD, undefined, async () => {
    // Grace 0: the runtime kills at once, so the benchmark measures the call, not a grace period.
    await timed(() => runtime.stopContainer(ids.containerId, 0));
    await timed(() => runtime.stopPodSandbox(ids.sandboxId));
  });
  await root(tracers?.kuberuntime, KUBELET_SPAN.CONTAINERS_GARBAGE_COLLECT, null, async () => {
    await timed(() => runtime.removeContainer(ids.containerId));
    await timed(() => runtime.removePodSandbox(ids.sandboxId));
  });
}

/** Runs lifecycles `first` .. `first + count - 1`, `concurrency` of them in flight at a time. */
async function runLifecycles(count: number, first: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = first;
  const end = first + count;
  const worker = async (): Promise<void> => {
    while (next < end) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(count, 1)) }, worker));
}

async function main(): Promise<void> {
  const argv = yargs(process.argv.slice(2))
    .option('endpoint', { type: 'string', demandOption: true, describe: 'runtime socket, unix:///...' })
    .option('client', { choices: ['sim', 'raw'] as const, default: 'sim' as const, describe: "sim: kubelet-sim's CRI client under kubelet spans; raw: a bare grpc-js client, no spans" })
    .option('rate', { type: 'string', default: 'off', describe: 'samplingRatePerMillion, or "off" for no tracing block (sim only)' })
    .option('collector', { type: 'string', default: '', describe: 'OTLP/gRPC host:port (sim with a rate)' })
    .option('pods', { type: 'number', default: 200 })
    .option('warmup-pods', { type: 'number', default: 30 })
    .option('concurrency', { type: 'number', default: 1, describe: 'pod lifecycles in flight at once' })
    .option('pod-logs-dir', { type: 'string', demandOption: true, describe: 'podLogsDir for the sandboxes (runtime-sim writes container logs there)' })
    .strict()
    .parseSync();
  const rate = argv.rate === 'off' ? 'off' : Number(argv.rate);
  if (rate !== 'off' && !(Number.isInteger(rate) && rate >= 0 && rate <= 1_000_000)) throw new Error(`--rate must be "off" or an integer in [0, 1000000], got ${argv.rate}`);
  if (argv.client === 'raw' && rate !== 'off') throw new Error('--client raw has no tracing: leave --rate at "off"');
  if (rate !== 'off' && argv.collector === '') throw new Error('--collector is required with a --rate');
  if (!Number.isInteger(argv.concurrency) || argv.concurrency < 1 || argv.concurrency > 256) throw new Error('--concurrency must be an integer in [1, 256]');

  let runtime: LifecycleCalls & { close(): void };
  let tracers: Record<'kubelet' | 'kuberuntime', Tracer> | undefined;
  let shutdown = async (): Promise<void> => undefined;
  let exportStats: () => { exportedSpans: number; failedSpans: number } | undefined = () => undefined;
  if (argv.client === 'raw') {
    runtime = connectRawCriClient(argv.endpoint);
  } else {
    const tracing = await startKubeletTracing(rate === 'off' ? undefined : { endpoint: argv.collector, samplingRatePerMillion: rate }, 'bench-node');
    // Loaded only now, after the instrumentation is registered (it patches @grpc/grpc-js at load).
    const { RemoteRuntimeService } = await import('../../kubelet-sim/src/cri/remote-runtime-service');
    runtime = new RemoteRuntimeService({ endpoint: argv.endpoint, timeoutMs: 120_000, messageEvents: tracing.tracing !== undefined });
    tracers = { kubelet: tracing.getTracer(KUBELET_TRACER_SCOPE.KUBELET), kuberuntime: tracing.getTracer(KUBELET_TRACER_SCOPE.KUBERUNTIME) };
    shutdown = () => tracing.shutdown();
    exportStats = () => tracing.tracing?.exportStats;
  }

  await runLifecycles(argv['warmup-pods'], 0, argv.concurrency, (i) => podLifecycle(runtime, tracers, i, argv['pod-logs-dir'], undefined));

  const latenciesUs: number[] = [];
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  await runLifecycles(argv.pods, argv['warmup-pods'], argv.concurrency, (i) => podLifecycle(runtime, tracers, i, argv['pod-logs-dir'], latenciesUs));
  const wallMs = performance.now() - wallStart;
  await shutdown(); // the export of this run's spans is part of its cost
  const cpu = process.cpuUsage(cpuStart);
  runtime.close();

  const stats = exportStats();
  const result: CallRunResult = {
    rate,
    pods: argv.pods,
    calls: latenciesUs.length,
    p50Us: median(latenciesUs),
    p90Us: quantile(latenciesUs, 0.9),
    p99Us: quantile(latenciesUs, 0.99),
    cpuUsPerCall: (cpu.user + cpu.system) / latenciesUs.length,
    wallMs,
    spansExported: stats?.exportedSpans ?? 0,
    spansLost: stats?.failedSpans ?? 0,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`cri-load-client: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
