/**
 * One benchmark run, as its own process (one tracer provider per process, FACTS.md §8): the kubelet's
 * tracing set up at one sampling rate, then a bounded number of pod lifecycles driven through kubelet-sim's
 * real CRI client against a running runtime-sim. Each lifecycle is the kubelet's CRI sequence under the
 * kubelet's root spans:
 *   syncPod (create): RunPodSandbox, PodSandboxStatus, ImageStatus, CreateContainer, StartContainer
 *   syncTerminatingPod: StopContainer, StopPodSandbox
 *   Containers/GarbageCollect: RemoveContainer, RemovePodSandbox
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

async function podLifecycle(runtime: RuntimeService & ImageService, tracers: Record<'kubelet' | 'kuberuntime', Tracer>, i: number, podLogsDir: string, latenciesUs: number[] | undefined): Promise<void> {
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await call();
    latenciesUs?.push((performance.now() - start) * 1000);
    return result;
  };
  const pod = benchPod(i);
  const sandboxConfig = generatePodSandboxConfig(pod, 0, { podLogsDir, cgroupDriver: 'systemd', cgroupRoot: '/' });
  const root = <T>(tracer: Tracer, name: string, attrs: Parameters<typeof podSpanAttributes>[1] | null, fn: () => Promise<T>): Promise<T> =>
    tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes: attrs === null ? {} : podSpanAttributes(pod, attrs) }, ROOT_CONTEXT, async (span) => {
      try {
        return await fn();
      } finally {
        span.end();
      }
    });

  const ids = await root(tracers.kubelet, KUBELET_SPAN.SYNC_POD, SYNC_POD_TYPE.CREATE, async () => {
    // The kubelet makes the log directories (CRI-O's conmon needs them), outside the timed calls.
    mkdirSync(join(sandboxConfig.log_directory ?? podLogsDir, pod.spec.containers[0]!.name), { recursive: true, mode: 0o755 });
    const sandboxId = await timed(() => runtime.runPodSandbox(sandboxConfig, ''));
    await timed(() => runtime.podSandboxStatus(sandboxId, false));
    await timed(() => runtime.imageStatus({ image: IMAGE }, false));
    const containerId = await timed(() => runtime.createContainer(sandboxId, generateContainerConfig(pod, pod.spec.containers[0], 0, IMAGE), sandboxConfig));
    await timed(() => runtime.startContainer(containerId));
    return { sandboxId, containerId };
  });
  await root(tracers.kubelet, KUBELET_SPAN.SYNC_TERMINATING_POD, undefined, async () => {
    // Grace 0: the runtime kills at once, so the benchmark measures the call, not a grace period.
    await timed(() => runtime.stopContainer(ids.containerId, 0));
    await timed(() => runtime.stopPodSandbox(ids.sandboxId));
  });
  await root(tracers.kuberuntime, KUBELET_SPAN.CONTAINERS_GARBAGE_COLLECT, null, async () => {
    await timed(() => runtime.removeContainer(ids.containerId));
    await timed(() => runtime.removePodSandbox(ids.sandboxId));
  });
}

async function main(): Promise<void> {
  const argv = yargs(process.argv.slice(2))
    .option('endpoint', { type: 'string', demandOption: true, describe: 'runtime-sim socket, unix:///...' })
    .option('rate', { type: 'string', demandOption: true, describe: 'samplingRatePerMillion, or "off" for no tracing block' })
    .option('collector', { type: 'string', demandOption: true, describe: 'OTLP/gRPC host:port' })
    .option('pods', { type: 'number', default: 200 })
    .option('warmup-pods', { type: 'number', default: 30 })
    .option('pod-logs-dir', { type: 'string', demandOption: true, describe: 'podLogsDir for the sandboxes (runtime-sim writes container logs there)' })
    .strict()
    .parseSync();
  const rate = argv.rate === 'off' ? 'off' : Number(argv.rate);
  if (rate !== 'off' && !(Number.isInteger(rate) && rate >= 0 && rate <= 1_000_000)) throw new Error(`--rate must be "off" or an integer in [0, 1000000], got ${argv.rate}`);

  const tracing = await startKubeletTracing(rate === 'off' ? undefined : { endpoint: argv.collector, samplingRatePerMillion: rate }, 'bench-node');
  // Loaded only now, after the instrumentation is registered (it patches @grpc/grpc-js at load).
  const { RemoteRuntimeService } = await import('../../kubelet-sim/src/cri/remote-runtime-service');
  const runtime = new RemoteRuntimeService({ endpoint: argv.endpoint, timeoutMs: 120_000, messageEvents: tracing.tracing !== undefined });
  const tracers = { kubelet: tracing.getTracer(KUBELET_TRACER_SCOPE.KUBELET), kuberuntime: tracing.getTracer(KUBELET_TRACER_SCOPE.KUBERUNTIME) };

  for (let i = 0; i < argv['warmup-pods']; i++) await podLifecycle(runtime, tracers, i, argv['pod-logs-dir'], undefined);

  const latenciesUs: number[] = [];
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  for (let i = 0; i < argv.pods; i++) await podLifecycle(runtime, tracers, argv['warmup-pods'] + i, argv['pod-logs-dir'], latenciesUs);
  const wallMs = performance.now() - wallStart;
  await tracing.shutdown(); // the export of this run's spans is part of its cost
  const cpu = process.cpuUsage(cpuStart);
  runtime.close();

  const stats = tracing.tracing?.exportStats;
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
