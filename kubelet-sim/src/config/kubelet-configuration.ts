/**
 * The subset of the kubelet's `KubeletConfiguration` (kubelet.config.k8s.io/v1beta1)
 * that kubelet-sim uses. JSON field names, Go types and optionality follow
 * kubernetes/kubernetes `staging/src/k8s.io/kubelet/config/v1beta1/types.go`; the
 * tracing block is component-base `tracing/api/v1` `TracingConfiguration`.
 *
 * Two shapes:
 *  - {@link KubeletConfiguration}: what a config file may contain (all optional,
 *    durations as Go duration strings such as "1m0s", "20s", "300ms").
 *  - {@link ResolvedKubeletConfig}: every field defaulted the way the kubelet's
 *    v1beta1 defaulting does, durations exposed both as text and milliseconds.
 */

export const KUBELET_CONFIG_API_VERSION = 'kubelet.config.k8s.io/v1beta1';
export const KUBELET_CONFIG_GROUP = 'kubelet.config.k8s.io';
export const KUBELET_CONFIG_VERSION = 'v1beta1';
export const KUBELET_CONFIG_KIND = 'KubeletConfiguration';

/** component-base `TracingConfiguration` (both fields optional pointers upstream). */
export interface TracingConfiguration {
  /** Collector address (gRPC target). Unset ⇒ the OTLP gRPC exporter default, `localhost:4317`. */
  endpoint?: string;
  /** Samples per million spans (int32). Unset ⇒ never start a sampled root; follow the parent only. */
  samplingRatePerMillion?: number;
}

/** Go duration text as accepted by `time.ParseDuration` (e.g. "1m0s", "20s", "2h45m"). */
export type GoDurationString = string;

/**
 * The modelled fields of a KubeletConfiguration file. Any other field of the real
 * v1beta1 schema is accepted and ignored; fields unknown to the real schema produce a
 * strict-decoding warning.
 */
export interface KubeletConfiguration {
  apiVersion: typeof KUBELET_CONFIG_API_VERSION;
  kind: typeof KUBELET_CONFIG_KIND;
  /** Absent (or null) ⇒ no tracing: the kubelet uses a no-op tracer provider. */
  tracing?: TracingConfiguration | null;
  containerRuntimeEndpoint?: string;
  imageServiceEndpoint?: string;
  staticPodPath?: string;
  syncFrequency?: GoDurationString;
  fileCheckFrequency?: GoDurationString;
  httpCheckFrequency?: GoDurationString;
  runtimeRequestTimeout?: GoDurationString;
  imageGCHighThresholdPercent?: number | null;
  imageGCLowThresholdPercent?: number | null;
  imageMinimumGCAge?: GoDurationString;
  imageMaximumGCAge?: GoDurationString;
  serializeImagePulls?: boolean | null;
  maxParallelImagePulls?: number | null;
  registryPullQPS?: number | null;
  registryBurst?: number;
  maxPods?: number;
  port?: number;
  readOnlyPort?: number;
  healthzPort?: number | null;
  healthzBindAddress?: string;
  address?: string;
  podLogsDir?: string;
  featureGates?: Record<string, boolean> | null;
  nodeStatusUpdateFrequency?: GoDurationString;
  nodeStatusReportFrequency?: GoDurationString;
  cgroupRoot?: string;
  cgroupsPerQOS?: boolean | null;
  cgroupDriver?: string;
  containerLogMaxSize?: string;
  containerLogMaxFiles?: number | null;
  containerLogMaxWorkers?: number | null;
  containerLogMonitorInterval?: GoDurationString | null;
  shutdownGracePeriod?: GoDurationString;
  shutdownGracePeriodCriticalPods?: GoDurationString;
  /** Consulted only for the cgroupsPerQOS validation rule. */
  enforceNodeAllocatable?: string[] | null;
  /** RuntimeDefault seccomp for containers that set no profile (default false: Unconfined). */
  seccompDefault?: boolean | null;
  // Validated only (the simulation does not act on them), so that a file the kubelet refuses is refused here too.
  nodeLeaseDurationSeconds?: number;
  eventRecordQPS?: number | null;
  eventBurst?: number;
  kubeAPIQPS?: number | null;
  kubeAPIBurst?: number;
  iptablesDropBit?: number | null;
  iptablesMasqueradeBit?: number | null;
  nodeStatusMaxImages?: number | null;
  maxOpenFiles?: number;
  oomScoreAdj?: number | null;
  podsPerCore?: number;
  topologyManagerPolicy?: string;
  topologyManagerScope?: string;
  hairpinMode?: string;
  memoryThrottlingFactor?: number | null;
  serverTLSBootstrap?: boolean | null;
  /** component-base LoggingConfiguration, as written (only format, verbosity and vmodule are checked). */
  logging?: unknown;
  // Checked at start-up as the kubelet parses them (server.go run, NewMainKubelet); nothing acts on them.
  evictionHard?: Record<string, string> | null;
  evictionSoft?: Record<string, string> | null;
  evictionSoftGracePeriod?: Record<string, string> | null;
  evictionMinimumReclaim?: Record<string, string> | null;
  systemReserved?: Record<string, string> | null;
  kubeReserved?: Record<string, string> | null;
  reservedSystemCPUs?: string;
  cpuManagerPolicy?: string;
  cpuManagerPolicyOptions?: Record<string, string> | null;
  topologyManagerPolicyOptions?: Record<string, string> | null;
  memoryManagerPolicy?: string;
  /** v1beta1 MemoryReservation list; limits are a v1.ResourceList (quantities as strings or numbers). */
  reservedMemory?: Array<{ numaNode?: number; limits?: Record<string, unknown> | null }> | null;
  systemReservedCgroup?: string;
  kubeReservedCgroup?: string;
  mergeDefaultEvictionSettings?: boolean | null;
}

/** Tracing settings after defaulting (present only when the file had a `tracing` block). */
export interface ResolvedTracingConfig {
  /** Effective collector address: the configured one, else `localhost:4317`. */
  endpoint: string;
  /** True when the file set `tracing.endpoint`. */
  endpointConfigured: boolean;
  /** Effective rate: the configured one, else 0 (root spans never sampled). */
  samplingRatePerMillion: number;
  /** True when the file set `tracing.samplingRatePerMillion`. */
  samplingRateConfigured: boolean;
}

/** A KubeletConfiguration with every modelled field defaulted. */
export interface ResolvedKubeletConfig {
  apiVersion: typeof KUBELET_CONFIG_API_VERSION;
  kind: typeof KUBELET_CONFIG_KIND;
  /** Emulated kubelet release, "major.minor". */
  kubeletVersion: string;
  /** Absolute path of the file this came from (undefined for in-memory input). */
  sourcePath?: string;

  /** null ⇒ tracing not configured (no-op tracer provider). */
  tracing: ResolvedTracingConfig | null;
  /** Effective KubeletTracing gate at the emulated release (locked true from 1.34). */
  kubeletTracingEnabled: boolean;
  /** The `featureGates` map as written in the file. */
  featureGates: Record<string, boolean>;

  containerRuntimeEndpoint: string;
  /** As configured; "" means "use containerRuntimeEndpoint". */
  imageServiceEndpoint: string;
  /** imageServiceEndpoint, or containerRuntimeEndpoint when that is empty. */
  effectiveImageServiceEndpoint: string;
  /** "" (no static pods) or an absolute path (relative paths resolved against the config file's directory). */
  staticPodPath: string;
  podLogsDir: string;

  syncFrequency: GoDurationString;
  syncFrequencyMs: number;
  fileCheckFrequency: GoDurationString;
  fileCheckFrequencyMs: number;
  httpCheckFrequency: GoDurationString;
  httpCheckFrequencyMs: number;
  runtimeRequestTimeout: GoDurationString;
  runtimeRequestTimeoutMs: number;
  nodeStatusUpdateFrequency: GoDurationString;
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequency: GoDurationString;
  nodeStatusReportFrequencyMs: number;

  imageGCHighThresholdPercent: number;
  imageGCLowThresholdPercent: number;
  imageMinimumGCAge: GoDurationString;
  imageMinimumGCAgeMs: number;
  imageMaximumGCAge: GoDurationString;
  imageMaximumGCAgeMs: number;
  serializeImagePulls: boolean;
  /** null ⇒ no limit. */
  maxParallelImagePulls: number | null;
  registryPullQPS: number;
  registryBurst: number;

  maxPods: number;
  port: number;
  /** 0 ⇒ read-only server disabled. */
  readOnlyPort: number;
  /** 0 ⇒ healthz server disabled. */
  healthzPort: number;
  healthzBindAddress: string;
  address: string;

  cgroupRoot: string;
  cgroupsPerQOS: boolean;
  cgroupDriver: string;
  containerLogMaxSize: string;
  containerLogMaxFiles: number;
  containerLogMaxWorkers: number;
  /** A pointer field upstream: only absent/null is defaulted (10s); an explicit 0s stays and fails validation. */
  containerLogMonitorInterval: GoDurationString;
  containerLogMonitorIntervalMs: number;
  shutdownGracePeriod: GoDurationString;
  shutdownGracePeriodMs: number;
  shutdownGracePeriodCriticalPods: GoDurationString;
  shutdownGracePeriodCriticalPodsMs: number;
  enforceNodeAllocatable: string[];
  seccompDefault: boolean;
  nodeLeaseDurationSeconds: number;
  eventRecordQPS: number;
  eventBurst: number;
  kubeAPIQPS: number;
  kubeAPIBurst: number;
  iptablesDropBit: number;
  iptablesMasqueradeBit: number;
  nodeStatusMaxImages: number;
  maxOpenFiles: number;
  oomScoreAdj: number;
  podsPerCore: number;
  topologyManagerPolicy: string;
  topologyManagerScope: string;
  hairpinMode: string;
  memoryThrottlingFactor: number;
  serverTLSBootstrap: boolean;
  /** The `logging` block as written; undefined when absent. */
  logging: unknown;
  /** As written; {} when absent (the kubelet's default hard thresholds are valid, so they change no check). */
  evictionHard: Record<string, string>;
  evictionSoft: Record<string, string>;
  evictionSoftGracePeriod: Record<string, string>;
  evictionMinimumReclaim: Record<string, string>;
  systemReserved: Record<string, string>;
  kubeReserved: Record<string, string>;
  reservedSystemCPUs: string;
  /** Default "none". */
  cpuManagerPolicy: string;
  /** As written; empty when absent. */
  cpuManagerPolicyOptions: Record<string, string>;
  /** As written; empty when absent. */
  topologyManagerPolicyOptions: Record<string, string>;
  /** Default "None". */
  memoryManagerPolicy: string;
  /** As written (limit quantities as text); empty when absent. */
  reservedMemory: ReadonlyArray<{ numaNode: number; limits: Readonly<Record<string, string>> }>;
  systemReservedCgroup: string;
  kubeReservedCgroup: string;
  /** True when the file sets evictionHard (even to {}): then the kubelet's default hard thresholds do not apply. */
  evictionHardWritten: boolean;
  /** Default false: unset signals of a written evictionHard take the defaults only when true. */
  mergeDefaultEvictionSettings: boolean;
}

/** Names of the duration fields of {@link ResolvedKubeletConfig} (each has a `<name>Ms` twin). */
export const DURATION_FIELDS = [
  'syncFrequency',
  'fileCheckFrequency',
  'httpCheckFrequency',
  'runtimeRequestTimeout',
  'nodeStatusUpdateFrequency',
  'nodeStatusReportFrequency',
  'imageMinimumGCAge',
  'imageMaximumGCAge',
  'shutdownGracePeriod',
  'shutdownGracePeriodCriticalPods',
] as const;
export type DurationField = (typeof DURATION_FIELDS)[number];
