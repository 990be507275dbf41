import { KubeletStartError } from './util/kubelet-start-error';
import type { ResolvedKubeletConfig } from './config/kubelet-configuration';
import { evaluateFeatureGates } from './config/feature-gates';
import { parseKubeletVersion } from './config/kubelet-version';
import { parseQuantity, quantityAsInt64 } from './config/quantity';
import { CONTAINER_LOG_DEFAULTS } from './logs/container-log-manager';
import type { StatsProviderKind } from './stats/stats-provider';
import { statsProviderKindFor } from './stats/stats-provider';

/**
 * What the kubelet's background CRI traffic depends on, resolved from KubeletConfiguration, the feature gates
 * at the emulated release and the runtime endpoint.
 */
export interface BackgroundLoopSettings {
  /** The runtime endpoint: it picks the stats provider, and the start-up connection check names it. */
  containerRuntimeEndpoint: string;
  /** containerLogMaxSize in bytes; negative disables rotation (no log manager loop at all). */
  containerLogMaxSizeBytes: number;
  containerLogMaxFiles: number;
  containerLogMaxWorkers: number;
  containerLogMonitorIntervalMs: number;
  /** cadvisor.UsingLegacyCadvisorStats: `cadvisor` for an endpoint ending in run/crio/crio.sock, else `cri`. */
  statsProvider: StatsProviderKind;
  /** Gate PodAndContainerStatsFromCRI (alpha, off): ListPodSandboxStats instead of ListContainerStats. */
  podAndContainerStatsFromCRI: boolean;
  /** Gate KubeletSeparateDiskGC (beta, on since 1.31): the cAdvisor provider asks ImageFsInfo, not ListImages. */
  kubeletSeparateDiskGC: boolean;
  /** Gate KubeletCgroupDriverFromCRI (beta 1.31, GA 1.34): RuntimeConfig at start. */
  kubeletCgroupDriverFromCRI: boolean;
}

/** The 1.34 defaults with containerd's default endpoint. */
export const DEFAULT_BACKGROUND_LOOP_SETTINGS: BackgroundLoopSettings = Object.freeze({
  containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
  containerLogMaxSizeBytes: 10 * 1024 * 1024,
  containerLogMaxFiles: CONTAINER_LOG_DEFAULTS.MAX_FILES,
  containerLogMaxWorkers: CONTAINER_LOG_DEFAULTS.MAX_WORKERS,
  containerLogMonitorIntervalMs: CONTAINER_LOG_DEFAULTS.MONITOR_INTERVAL_MS,
  statsProvider: 'cri',
  podAndContainerStatsFromCRI: false,
  kubeletSeparateDiskGC: true,
  kubeletCgroupDriverFromCRI: true,
});

/**
 * Resolves the settings. An unparsable containerLogMaxSize fails as NewMainKubelet fails
 * (kubelet.go: "failed to initialize container log manager", logs.NewContainerLogManager parseMaxSize).
 */
export function backgroundLoopSettings(config: ResolvedKubeletConfig, containerRuntimeEndpoint: string): BackgroundLoopSettings {
  const gates = evaluateFeatureGates(config.featureGates, parseKubeletVersion(config.kubeletVersion));
  const podAndContainerStatsFromCRI = gates.enabled('PodAndContainerStatsFromCRI');
  return {
    containerRuntimeEndpoint,
    containerLogMaxSizeBytes: parseContainerLogMaxSize(config.containerLogMaxSize),
    containerLogMaxFiles: config.containerLogMaxFiles,
    containerLogMaxWorkers: config.containerLogMaxWorkers,
    containerLogMonitorIntervalMs: config.containerLogMonitorIntervalMs,
    statsProvider: statsProviderKindFor(containerRuntimeEndpoint, podAndContainerStatsFromCRI),
    podAndContainerStatsFromCRI,
    kubeletSeparateDiskGC: gates.enabled('KubeletSeparateDiskGC'),
    kubeletCgroupDriverFromCRI: gates.enabled('KubeletCgroupDriverFromCRI'),
  };
}

/** container_log_manager.go parseMaxSize: a resource quantity that must be a whole number of bytes. */
export function parseContainerLogMaxSize(text: string): number {
  const fail = (detail: string): never => {
    throw new KubeletStartError(
      `failed to run Kubelet: failed to create kubelet: failed to initialize container log manager: failed to parse container log max size ${JSON.stringify(text)}: ${detail}`,
      `containerLogMaxSize ${JSON.stringify(text)}`,
      'give a whole number of bytes as a quantity, e.g. 10Mi (the default), 50M or 1Gi',
    );
  };
  let value: number;
  try {
    value = parseQuantity(text);
  } catch (err) {
    return fail((err as Error).message);
  }
  return quantityAsInt64(value) ?? fail('invalid max log size');
}
