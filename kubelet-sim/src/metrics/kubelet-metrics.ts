import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerSpanPipelineMetrics, type SpanPipelineCounts } from '../../../cri-proto/src/tracing/span-pipeline-metrics';

/**
 * Full metric names as the kubelet exposes them: subsystem `kubelet` + `_` + the key constants of
 * pkg/kubelet/metrics/metrics.go (KubeletSubsystem, RuntimeOperationsKey, PodStartDurationKey, …).
 */
export const KUBELET_METRIC = {
  RUNTIME_OPERATIONS_TOTAL: 'kubelet_runtime_operations_total',
  RUNTIME_OPERATIONS_ERRORS_TOTAL: 'kubelet_runtime_operations_errors_total',
  RUNTIME_OPERATIONS_DURATION_SECONDS: 'kubelet_runtime_operations_duration_seconds',
  RUN_PODSANDBOX_DURATION_SECONDS: 'kubelet_run_podsandbox_duration_seconds',
  RUN_PODSANDBOX_ERRORS_TOTAL: 'kubelet_run_podsandbox_errors_total',
  POD_START_DURATION_SECONDS: 'kubelet_pod_start_duration_seconds',
  POD_WORKER_DURATION_SECONDS: 'kubelet_pod_worker_duration_seconds',
  PLEG_RELIST_DURATION_SECONDS: 'kubelet_pleg_relist_duration_seconds',
  PLEG_RELIST_INTERVAL_SECONDS: 'kubelet_pleg_relist_interval_seconds',
  PLEG_LAST_SEEN_SECONDS: 'kubelet_pleg_last_seen_seconds',
  RUNNING_PODS: 'kubelet_running_pods',
  RUNNING_CONTAINERS: 'kubelet_running_containers',
  ORPHANED_RUNTIME_PODS_TOTAL: 'kubelet_orphaned_runtime_pods_total',
  RESTARTED_PODS_TOTAL: 'kubelet_restarted_pods_total',
} as const;

/** Label names as metrics.go declares them. */
export const KUBELET_METRIC_LABEL = {
  OPERATION_TYPE: 'operation_type',
  RUNTIME_HANDLER: 'runtime_handler',
  CONTAINER_STATE: 'container_state',
  STATIC: 'static',
} as const;

/**
 * Every kubelet metric kubelet-sim exposes is ALPHA upstream; component-base prints the stability level in
 * front of the help text (`[ALPHA] …`), so ours does too. The wording after it is our own.
 */
const ALPHA = '[ALPHA] ';

/** Prefix of kubelet-sim's own metrics, so that no one takes them for the kubelet's. */
export const SIM_METRIC_PREFIX = 'kubelet_sim';

/** prometheus.DefBuckets (client_golang), used by metrics.go as `metrics.DefBuckets`. */
export const PROMETHEUS_DEF_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** prometheus.ExponentialBuckets: start, start·factor, … computed by repeated multiplication, as Go does. */
export function goExponentialBuckets(start: number, factor: number, count: number): number[] {
  const buckets: number[] = [];
  let next = start;
  for (let i = 0; i < count; i++) {
    buckets.push(next);
    next *= factor;
  }
  return buckets;
}

/** metrics.go RuntimeOperationsDuration: `metrics.ExponentialBuckets(.005, 2.5, 14)`. */
export const RUNTIME_OPERATIONS_DURATION_BUCKETS: readonly number[] = goExponentialBuckets(0.005, 2.5, 14);

/** metrics.go podStartupDurationBuckets (PodStartDuration, PodStartSLIDuration, PodStartTotalDuration). */
export const POD_STARTUP_DURATION_BUCKETS: readonly number[] = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

type OperationLabel = typeof KUBELET_METRIC_LABEL.OPERATION_TYPE;

/**
 * The kubelet's metrics that kubelet-sim records, in a prom-client Registry owned by kubelet-sim (never the
 * global default registry, so tests and several kubelets in one process do not share counters).
 * Names, label names and bucket boundaries follow pkg/kubelet/metrics/metrics.go (Kubernetes 1.34).
 */
export class KubeletMetrics {
  readonly registry: Registry;
  readonly runtimeOperations: Counter<OperationLabel>;
  readonly runtimeOperationsErrors: Counter<OperationLabel>;
  readonly runtimeOperationsDuration: Histogram<OperationLabel>;
  readonly runPodSandboxDuration: Histogram<typeof KUBELET_METRIC_LABEL.RUNTIME_HANDLER>;
  readonly runPodSandboxErrors: Counter<typeof KUBELET_METRIC_LABEL.RUNTIME_HANDLER>;
  readonly podStartDuration: Histogram;
  readonly podWorkerDuration: Histogram<OperationLabel>;
  readonly plegRelistDuration: Histogram;
  readonly plegRelistInterval: Histogram;
  readonly plegLastSeen: Gauge;
  readonly runningPods: Gauge;
  readonly runningContainers: Gauge<typeof KUBELET_METRIC_LABEL.CONTAINER_STATE>;
  readonly orphanedRuntimePods: Counter;
  readonly restartedPods: Counter<typeof KUBELET_METRIC_LABEL.STATIC>;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    const op = [KUBELET_METRIC_LABEL.OPERATION_TYPE] as const;
    this.runtimeOperations = new Counter({ name: KUBELET_METRIC.RUNTIME_OPERATIONS_TOTAL, help: `${ALPHA}How many CRI calls the kubelet made, per operation.`, labelNames: op, registers });
    this.runtimeOperationsErrors = new Counter({ name: KUBELET_METRIC.RUNTIME_OPERATIONS_ERRORS_TOTAL, help: `${ALPHA}How many CRI calls failed, per operation.`, labelNames: op, registers });
    this.runtimeOperationsDuration = new Histogram({
      name: KUBELET_METRIC.RUNTIME_OPERATIONS_DURATION_SECONDS,
      help: `${ALPHA}Time a CRI call took, in seconds, per operation.`,
      labelNames: op,
      buckets: [...RUNTIME_OPERATIONS_DURATION_BUCKETS],
      registers,
    });
    const handler = [KUBELET_METRIC_LABEL.RUNTIME_HANDLER] as const;
    this.runPodSandboxDuration = new Histogram({
      name: KUBELET_METRIC.RUN_PODSANDBOX_DURATION_SECONDS,
      help: `${ALPHA}Time RunPodSandbox took, in seconds, per RuntimeClass handler.`,
      labelNames: handler,
      buckets: [...PROMETHEUS_DEF_BUCKETS],
      registers,
    });
    this.runPodSandboxErrors = new Counter({ name: KUBELET_METRIC.RUN_PODSANDBOX_ERRORS_TOTAL, help: `${ALPHA}How many RunPodSandbox calls failed, per RuntimeClass handler.`, labelNames: handler, registers });
    this.podStartDuration = new Histogram({
      name: KUBELET_METRIC.POD_START_DURATION_SECONDS,
      help: `${ALPHA}Seconds from the kubelet first seeing a pod until it runs.`,
      buckets: [...POD_STARTUP_DURATION_BUCKETS],
      registers,
    });
    this.podWorkerDuration = new Histogram({
      name: KUBELET_METRIC.POD_WORKER_DURATION_SECONDS,
      help: `${ALPHA}Seconds a pod worker took to handle one update of a pod, per update type.`,
      labelNames: op,
      buckets: [...PROMETHEUS_DEF_BUCKETS],
      registers,
    });
    this.plegRelistDuration = new Histogram({ name: KUBELET_METRIC.PLEG_RELIST_DURATION_SECONDS, help: `${ALPHA}Seconds one PLEG relist took.`, buckets: [...PROMETHEUS_DEF_BUCKETS], registers });
    this.plegRelistInterval = new Histogram({ name: KUBELET_METRIC.PLEG_RELIST_INTERVAL_SECONDS, help: `${ALPHA}Seconds between the starts of two PLEG relists.`, buckets: [...PROMETHEUS_DEF_BUCKETS], registers });
    this.plegLastSeen = new Gauge({ name: KUBELET_METRIC.PLEG_LAST_SEEN_SECONDS, help: `${ALPHA}Unix time, in seconds, of the last successful PLEG relist.`, registers });
    this.runningPods = new Gauge({ name: KUBELET_METRIC.RUNNING_PODS, help: `${ALPHA}Pods whose sandbox is running.`, registers });
    this.runningContainers = new Gauge({
      name: KUBELET_METRIC.RUNNING_CONTAINERS,
      help: `${ALPHA}Containers the runtime reports, per container state.`,
      labelNames: [KUBELET_METRIC_LABEL.CONTAINER_STATE],
      registers,
    });
    this.orphanedRuntimePods = new Counter({ name: KUBELET_METRIC.ORPHANED_RUNTIME_PODS_TOTAL, help: `${ALPHA}Pods found running in the runtime with no config, which housekeeping then stopped.`, registers });
    this.restartedPods = new Counter({
      name: KUBELET_METRIC.RESTARTED_PODS_TOTAL,
      help: `${ALPHA}Pods housekeeping started again because their UID was added again after they had terminated; static="true" for static pods.`,
      labelNames: [KUBELET_METRIC_LABEL.STATIC],
      registers,
    });
  }

  /**
   * The emulator's own span pipeline counters (no kubelet metric says this), read at each scrape:
   * `kubelet_sim_spans_ended_total`, `…_exported_total{result="ok|failed"}`, `…_dropped_total` and the batch
   * queue's size and capacity (cri-proto span-pipeline-metrics.ts).
   */
  observeSpanPipeline(read: () => SpanPipelineCounts | undefined): void {
    registerSpanPipelineMetrics(this.registry, SIM_METRIC_PREFIX, 'kubelet-sim', read);
  }

  /** The Prometheus text exposition of every metric in the registry. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
