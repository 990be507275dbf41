/**
 * Defaulting of the modelled KubeletConfiguration fields.
 *
 * Values and the "when is a field defaulted" rules come from kubernetes/kubernetes
 * `pkg/kubelet/apis/config/v1beta1/defaults.go` (`SetDefaults_KubeletConfiguration`):
 *  - durations are defaulted when they are zero (absent, "0", "0s", …), so an explicit
 *    zero syncFrequency becomes 1m0s just like in the kubelet;
 *  - pointer fields (registryPullQPS, healthzPort, imageGC*ThresholdPercent,
 *    cgroupsPerQOS, containerLogMaxFiles, serializeImagePulls) are defaulted only when
 *    absent/null, so an explicit 0 / false is kept;
 *  - plain int32/string fields (port, maxPods, registryBurst, address, …) are defaulted
 *    when zero/empty.
 * The tracing endpoint default is the OTLP gRPC exporter default named in the field
 * comment of component-base `tracing/api/v1/types.go`.
 */

import { evaluateFeatureGates } from './feature-gates';
import { formatGoDuration, MINUTE, nanosToMs, parseGoDuration, SECOND } from './go-duration';
import {
  KUBELET_CONFIG_API_VERSION,
  KUBELET_CONFIG_KIND,
  type DurationField,
  type KubeletConfiguration,
  type ResolvedKubeletConfig,
  type ResolvedTracingConfig,
} from './kubelet-configuration';
import { DEFAULT_KUBELET_VERSION, formatKubeletVersion, parseKubeletVersion } from './kubelet-version';

// --- pkg/kubelet/apis/config/v1beta1/defaults.go (SetDefaults_KubeletConfiguration) ---
export const DEFAULT_SYNC_FREQUENCY_NS = 1n * MINUTE;
export const DEFAULT_FILE_CHECK_FREQUENCY_NS = 20n * SECOND;
export const DEFAULT_HTTP_CHECK_FREQUENCY_NS = 20n * SECOND;
export const DEFAULT_ADDRESS = '0.0.0.0';
/** pkg/cluster/ports `KubeletPort`. */
export const DEFAULT_PORT = 10250;
export const DEFAULT_REGISTRY_PULL_QPS = 5;
export const DEFAULT_REGISTRY_BURST = 10;
export const DEFAULT_HEALTHZ_PORT = 10248;
export const DEFAULT_HEALTHZ_BIND_ADDRESS = '127.0.0.1';
export const DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_NS = 10n * SECOND;
export const DEFAULT_NODE_STATUS_REPORT_FREQUENCY_NS = 5n * MINUTE;
export const DEFAULT_IMAGE_MINIMUM_GC_AGE_NS = 2n * MINUTE;
export const DEFAULT_IMAGE_GC_HIGH_THRESHOLD_PERCENT = 85;
export const DEFAULT_IMAGE_GC_LOW_THRESHOLD_PERCENT = 80;
export const DEFAULT_CGROUPS_PER_QOS = true;
export const DEFAULT_CGROUP_DRIVER = 'cgroupfs';
export const DEFAULT_RUNTIME_REQUEST_TIMEOUT_NS = 2n * MINUTE;
export const DEFAULT_MAX_PODS = 110;
export const DEFAULT_CONTAINER_LOG_MAX_SIZE = '10Mi';
export const DEFAULT_CONTAINER_LOG_MAX_FILES = 5;
export const DEFAULT_CONTAINER_LOG_MAX_WORKERS = 1;
export const DEFAULT_CONTAINER_LOG_MONITOR_INTERVAL_NS = 10n * SECOND;
export const DEFAULT_CONTAINER_RUNTIME_ENDPOINT = 'unix:///run/containerd/containerd.sock';
/** `DefaultPodLogsDir`. */
export const DEFAULT_POD_LOGS_DIR = '/var/log/pods';
// v1beta1 defaults.go (SetDefaults_KubeletConfiguration) for fields kubelet-sim only validates.
export const DEFAULT_NODE_LEASE_DURATION_SECONDS = 40;
export const DEFAULT_EVENT_RECORD_QPS = 50;
export const DEFAULT_EVENT_BURST = 100;
/** 50 and 100 since 1.27 (5 and 10 before); only their sign is ever checked. */
export const DEFAULT_KUBE_API_QPS = 50;
export const DEFAULT_KUBE_API_BURST = 100;
export const DEFAULT_IPTABLES_DROP_BIT = 15;
export const DEFAULT_IPTABLES_MASQUERADE_BIT = 14;
export const DEFAULT_NODE_STATUS_MAX_IMAGES = 50;
export const DEFAULT_MAX_OPEN_FILES = 1_000_000;
export const DEFAULT_OOM_SCORE_ADJ = -999;
export const DEFAULT_TOPOLOGY_MANAGER_POLICY = 'none';
export const DEFAULT_TOPOLOGY_MANAGER_SCOPE = 'container';
export const DEFAULT_HAIRPIN_MODE = 'promiscuous-bridge';
export const DEFAULT_MEMORY_THROTTLING_FACTOR = 0.9;
/** `DefaultNodeAllocatableEnforcement`. */
export const DEFAULT_ENFORCE_NODE_ALLOCATABLE: readonly string[] = ['pods'];
// Fields without a default in defaults.go: readOnlyPort (0 = disabled), staticPodPath (""),
// imageServiceEndpoint (""), imageMaximumGCAge (0s = disabled), maxParallelImagePulls (nil),
// cgroupRoot (""), shutdownGracePeriod / shutdownGracePeriodCriticalPods (0s), tracing (nil).

// --- component-base tracing/api/v1/types.go (Endpoint field comment) ---
/** Used when a `tracing` block is present without `endpoint`. */
export const DEFAULT_TRACING_ENDPOINT = 'localhost:4317';
/** Unset samplingRatePerMillion behaves as 0: a root span is never sampled. */
export const DEFAULT_TRACING_SAMPLING_RATE_PER_MILLION = 0;

/** Milliseconds views of the duration defaults, for callers that do not use bigint. */
export const DEFAULT_DURATIONS_MS = {
  syncFrequency: nanosToMs(DEFAULT_SYNC_FREQUENCY_NS),
  fileCheckFrequency: nanosToMs(DEFAULT_FILE_CHECK_FREQUENCY_NS),
  httpCheckFrequency: nanosToMs(DEFAULT_HTTP_CHECK_FREQUENCY_NS),
  runtimeRequestTimeout: nanosToMs(DEFAULT_RUNTIME_REQUEST_TIMEOUT_NS),
  nodeStatusUpdateFrequency: nanosToMs(DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_NS),
  nodeStatusReportFrequency: nanosToMs(DEFAULT_NODE_STATUS_REPORT_FREQUENCY_NS),
  imageMinimumGCAge: nanosToMs(DEFAULT_IMAGE_MINIMUM_GC_AGE_NS),
  imageMaximumGCAge: 0,
  shutdownGracePeriod: 0,
  shutdownGracePeriodCriticalPods: 0,
} as const satisfies Record<DurationField, number>;

export interface DefaultingOptions {
  /** Emulated kubelet release (default "1.34"). */
  kubeletVersion?: string;
  /** Absolute path of the config file, recorded in the result. */
  sourcePath?: string;
}

/** A duration after defaulting: the text to show and its value. */
interface DurationValue {
  text: string;
  nanos: bigint;
}

function durationOf(text: string | undefined): DurationValue | undefined {
  if (text === undefined) return undefined;
  return { text, nanos: parseGoDuration(text) };
}

/** Keeps a non-zero configured duration, otherwise uses the default (kubelet: `== zeroDuration`). */
function defaultedDuration(configured: DurationValue | undefined, defaultNanos: bigint): DurationValue {
  if (configured && configured.nanos !== 0n) return configured;
  return { text: formatGoDuration(defaultNanos), nanos: defaultNanos };
}

/** A duration field that has no default: absent ⇒ 0s. */
function plainDuration(configured: DurationValue | undefined): DurationValue {
  return configured ?? { text: formatGoDuration(0n), nanos: 0n };
}

/** `nil`-style default for optional numbers/bools: only absent or null is defaulted. */
function orDefault<T>(v: T | null | undefined, d: T): T {
  return v === undefined || v === null ? d : v;
}

/** Zero-value default for plain int32/string fields. */
function orZeroDefault<T extends number | string>(v: T | undefined, d: T): T {
  return v === undefined || v === 0 || v === '' ? d : v;
}

/** Resolves the tracing block: null when absent; OTLP default endpoint; rate 0 when unset. */
export function resolveTracing(tracing: KubeletConfiguration['tracing']): ResolvedTracingConfig | null {
  if (tracing === undefined || tracing === null) return null;
  const endpointConfigured = tracing.endpoint !== undefined;
  const samplingRateConfigured = tracing.samplingRatePerMillion !== undefined;
  return {
    endpoint: endpointConfigured ? (tracing.endpoint as string) : DEFAULT_TRACING_ENDPOINT,
    endpointConfigured,
    samplingRatePerMillion: samplingRateConfigured
      ? (tracing.samplingRatePerMillion as number)
      : DEFAULT_TRACING_SAMPLING_RATE_PER_MILLION,
    samplingRateConfigured,
  };
}

/**
 * Applies the kubelet's v1beta1 defaults to the modelled fields.
 * Duration strings must already be valid Go durations (the loader checks this).
 * Feature gates are not validated here (see `validateKubeletConfiguration`); an
 * unknown or locked gate only affects `kubeletTracingEnabled` as "default".
 */
export function applyKubeletDefaults(cfg: KubeletConfiguration, opts: DefaultingOptions = {}): ResolvedKubeletConfig {
  const version = parseKubeletVersion(opts.kubeletVersion ?? DEFAULT_KUBELET_VERSION);
  const featureGates = { ...(cfg.featureGates ?? {}) };
  const gates = evaluateFeatureGates(featureGates, version);

  const nodeStatusUpdate = durationOf(cfg.nodeStatusUpdateFrequency);
  // defaults.go: report frequency falls back to an explicitly set update frequency, else 5m.
  const reportConfigured = durationOf(cfg.nodeStatusReportFrequency);
  const nodeStatusReport =
    reportConfigured && reportConfigured.nanos !== 0n
      ? reportConfigured
      : nodeStatusUpdate && nodeStatusUpdate.nanos !== 0n
        ? nodeStatusUpdate
        : defaultedDuration(undefined, DEFAULT_NODE_STATUS_REPORT_FREQUENCY_NS);

  const durations: Record<DurationField, DurationValue> = {
    syncFrequency: defaultedDuration(durationOf(cfg.syncFrequency), DEFAULT_SYNC_FREQUENCY_NS),
    fileCheckFrequency: defaultedDuration(durationOf(cfg.fileCheckFrequency), DEFAULT_FILE_CHECK_FREQUENCY_NS),
    httpCheckFrequency: defaultedDuration(durationOf(cfg.httpCheckFrequency), DEFAULT_HTTP_CHECK_FREQUENCY_NS),
    runtimeRequestTimeout: defaultedDuration(durationOf(cfg.runtimeRequestTimeout), DEFAULT_RUNTIME_REQUEST_TIMEOUT_NS),
    nodeStatusUpdateFrequency: defaultedDuration(nodeStatusUpdate, DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_NS),
    nodeStatusReportFrequency: nodeStatusReport,
    imageMinimumGCAge: defaultedDuration(durationOf(cfg.imageMinimumGCAge), DEFAULT_IMAGE_MINIMUM_GC_AGE_NS),
    imageMaximumGCAge: plainDuration(durationOf(cfg.imageMaximumGCAge)),
    shutdownGracePeriod: plainDuration(durationOf(cfg.shutdownGracePeriod)),
    shutdownGracePeriodCriticalPods: plainDuration(durationOf(cfg.shutdownGracePeriodCriticalPods)),
  };

  const maxParallelImagePulls = cfg.maxParallelImagePulls ?? null;
  // defaults.go: serializeImagePulls defaults to true unless maxParallelImagePulls >= 2.
  const serializeImagePulls = orDefault(
    cfg.serializeImagePulls,
    maxParallelImagePulls === null || maxParallelImagePulls < 2,
  );
  const containerRuntimeEndpoint = orZeroDefault(cfg.containerRuntimeEndpoint, DEFAULT_CONTAINER_RUNTIME_ENDPOINT);
  // A *metav1.Duration: defaulted only when nil.
  const monitorInterval = durationOf(cfg.containerLogMonitorInterval ?? undefined) ?? { text: formatGoDuration(DEFAULT_CONTAINER_LOG_MONITOR_INTERVAL_NS), nanos: DEFAULT_CONTAINER_LOG_MONITOR_INTERVAL_NS };
  const imageServiceEndpoint = cfg.imageServiceEndpoint ?? '';

  const resolved: ResolvedKubeletConfig = {
    apiVersion: KUBELET_CONFIG_API_VERSION,
    kind: KUBELET_CONFIG_KIND,
    kubeletVersion: formatKubeletVersion(version),
    ...(opts.sourcePath !== undefined ? { sourcePath: opts.sourcePath } : {}),
    tracing: resolveTracing(cfg.tracing),
    kubeletTracingEnabled: gates.enabled('KubeletTracing'),
    featureGates,
    containerRuntimeEndpoint,
    imageServiceEndpoint,
    effectiveImageServiceEndpoint: imageServiceEndpoint !== '' ? imageServiceEndpoint : containerRuntimeEndpoint,
    staticPodPath: cfg.staticPodPath ?? '',
    podLogsDir: orZeroDefault(cfg.podLogsDir, DEFAULT_POD_LOGS_DIR),
    syncFrequency: '',
    syncFrequencyMs: 0,
    fileCheckFrequency: '',
    fileCheckFrequencyMs: 0,
    httpCheckFrequency: '',
    httpCheckFrequencyMs: 0,
    runtimeRequestTimeout: '',
    runtimeRequestTimeoutMs: 0,
    nodeStatusUpdateFrequency: '',
    nodeStatusUpdateFrequencyMs: 0,
    nodeStatusReportFrequency: '',
    nodeStatusReportFrequencyMs: 0,
    imageGCHighThresholdPercent: orDefault(cfg.imageGCHighThresholdPercent, DEFAULT_IMAGE_GC_HIGH_THRESHOLD_PERCENT),
    imageGCLowThresholdPercent: orDefault(cfg.imageGCLowThresholdPercent, DEFAULT_IMAGE_GC_LOW_THRESHOLD_PERCENT),
    imageMinimumGCAge: '',
    imageMinimumGCAgeMs: 0,
    imageMaximumGCAge: '',
    imageMaximumGCAgeMs: 0,
    serializeImagePulls,
    maxParallelImagePulls,
    registryPullQPS: orDefault(cfg.registryPullQPS, DEFAULT_REGISTRY_PULL_QPS),
    registryBurst: orZeroDefault(cfg.registryBurst, DEFAULT_REGISTRY_BURST),
    maxPods: orZeroDefault(cfg.maxPods, DEFAULT_MAX_PODS),
    port: orZeroDefault(cfg.port, DEFAULT_PORT),
    readOnlyPort: cfg.readOnlyPort ?? 0,
    healthzPort: orDefault(cfg.healthzPort, DEFAULT_HEALTHZ_PORT),
    healthzBindAddress: orZeroDefault(cfg.healthzBindAddress, DEFAULT_HEALTHZ_BIND_ADDRESS),
    address: orZeroDefault(cfg.address, DEFAULT_ADDRESS),
    cgroupRoot: cfg.cgroupRoot ?? '',
    cgroupsPerQOS: orDefault(cfg.cgroupsPerQOS, DEFAULT_CGROUPS_PER_QOS),
    cgroupDriver: orZeroDefault(cfg.cgroupDriver, DEFAULT_CGROUP_DRIVER),
    containerLogMaxSize: orZeroDefault(cfg.containerLogMaxSize, DEFAULT_CONTAINER_LOG_MAX_SIZE),
    containerLogMaxFiles: orDefault(cfg.containerLogMaxFiles, DEFAULT_CONTAINER_LOG_MAX_FILES),
    containerLogMaxWorkers: orDefault(cfg.containerLogMaxWorkers, DEFAULT_CONTAINER_LOG_MAX_WORKERS),
    containerLogMonitorInterval: monitorInterval.text,
    containerLogMonitorIntervalMs: nanosToMs(monitorInterval.nanos),
    shutdownGracePeriod: '',
    shutdownGracePeriodMs: 0,
    shutdownGracePeriodCriticalPods: '',
    shutdownGracePeriodCriticalPodsMs: 0,
    // defaults.go defaults a nil list only; an explicit empty list stays empty.
    enforceNodeAllocatable: cfg.enforceNodeAllocatable ? [...cfg.enforceNodeAllocatable] : [...DEFAULT_ENFORCE_NODE_ALLOCATABLE],
    // defaults.go: SeccompDefault defaults to false.
    seccompDefault: orDefault(cfg.seccompDefault, false),
    // Plain int32/string fields are defaulted when zero, pointer fields only when absent (defaults.go).
    nodeLeaseDurationSeconds: orZeroDefault(cfg.nodeLeaseDurationSeconds, DEFAULT_NODE_LEASE_DURATION_SECONDS),
    eventRecordQPS: orDefault(cfg.eventRecordQPS, DEFAULT_EVENT_RECORD_QPS),
    eventBurst: orZeroDefault(cfg.eventBurst, DEFAULT_EVENT_BURST),
    kubeAPIQPS: orDefault(cfg.kubeAPIQPS, DEFAULT_KUBE_API_QPS),
    kubeAPIBurst: orZeroDefault(cfg.kubeAPIBurst, DEFAULT_KUBE_API_BURST),
    iptablesDropBit: orDefault(cfg.iptablesDropBit, DEFAULT_IPTABLES_DROP_BIT),
    iptablesMasqueradeBit: orDefault(cfg.iptablesMasqueradeBit, DEFAULT_IPTABLES_MASQUERADE_BIT),
    nodeStatusMaxImages: orDefault(cfg.nodeStatusMaxImages, DEFAULT_NODE_STATUS_MAX_IMAGES),
    maxOpenFiles: orZeroDefault(cfg.maxOpenFiles, DEFAULT_MAX_OPEN_FILES),
    oomScoreAdj: orDefault(cfg.oomScoreAdj, DEFAULT_OOM_SCORE_ADJ),
    podsPerCore: cfg.podsPerCore ?? 0,
    topologyManagerPolicy: orZeroDefault(cfg.topologyManagerPolicy, DEFAULT_TOPOLOGY_MANAGER_POLICY),
    topologyManagerScope: orZeroDefault(cfg.topologyManagerScope, DEFAULT_TOPOLOGY_MANAGER_SCOPE),
    hairpinMode: orZeroDefault(cfg.hairpinMode, DEFAULT_HAIRPIN_MODE),
    memoryThrottlingFactor: orDefault(cfg.memoryThrottlingFactor, DEFAULT_MEMORY_THROTTLING_FACTOR),
    serverTLSBootstrap: orDefault(cfg.serverTLSBootstrap, false),
    logging: cfg.logging,
    evictionHard: { ...(cfg.evictionHard ?? {}) },
    evictionSoft: { ...(cfg.evictionSoft ?? {}) },
    evictionSoftGracePeriod: { ...(cfg.evictionSoftGracePeriod ?? {}) },
    evictionMinimumReclaim: { ...(cfg.evictionMinimumReclaim ?? {}) },
    systemReserved: { ...(cfg.systemReserved ?? {}) },
    kubeReserved: { ...(cfg.kubeReserved ?? {}) },
    reservedSystemCPUs: cfg.reservedSystemCPUs ?? '',
    // defaults.go: CPUManagerPolicy "none" when empty.
    cpuManagerPolicy: orZeroDefault(cfg.cpuManagerPolicy, 'none'),
    cpuManagerPolicyOptions: { ...(cfg.cpuManagerPolicyOptions ?? {}) },
    topologyManagerPolicyOptions: { ...(cfg.topologyManagerPolicyOptions ?? {}) },
    // defaults.go: MemoryManagerPolicy "None" when empty.
    memoryManagerPolicy: orZeroDefault(cfg.memoryManagerPolicy, 'None'),
    reservedMemory: (cfg.reservedMemory ?? []).map((r) => ({
      numaNode: r.numaNode ?? 0,
      // A Quantity decodes from a JSON string or number; anything else stays unparsable.
      limits: Object.fromEntries(Object.entries(r.limits ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v)])),
    })),
    systemReservedCgroup: cfg.systemReservedCgroup ?? '',
    kubeReservedCgroup: cfg.kubeReservedCgroup ?? '',
    evictionHardWritten: cfg.evictionHard !== undefined && cfg.evictionHard !== null,
    mergeDefaultEvictionSettings: orDefault(cfg.mergeDefaultEvictionSettings, false),
  };
  for (const [field, value] of Object.entries(durations) as [DurationField, DurationValue][]) {
    resolved[field] = value.text;
    resolved[`${field}Ms`] = nanosToMs(value.nanos);
  }
  return resolved;
}
