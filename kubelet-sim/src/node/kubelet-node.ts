/**
 * One simulated node's kubelet: its CRI client, metrics, kubelet loops, HTTP servers and optional churn
 * workload, started and stopped together. kubelet-sim runs one (the default) or many in one process
 * (`--nodes N`, ./fleet.ts). This module loads @grpc/grpc-js: import it only after tracing is set up.
 */
import type { Tracer, TracerProvider } from '@opentelemetry/api';
import { scopeCalls } from '../../../cri-proto/src/tracing/node-scope';
import type { KubeletSimArgs } from '../cli/kubelet-sim-args';
import type { ResolvedKubeletConfig } from '../config';
import { REAL_OS } from '../container/os-interface';
import { CRI_DIAL_BACKOFF } from '../cri/dial-backoff';
import { InstrumentedRuntimeService } from '../cri/instrumented-runtime-service';
import { RemoteRuntimeService } from '../cri/remote-runtime-service';
import { IMAGE_GC_PERIOD_MS } from '../images/image-gc-manager';
import { Kubelet } from '../kubelet';
import type { KubeletSettings } from '../kubelet';
import { CONTAINER_GC_PERIOD_MS } from '../kuberuntime/container-gc';
import { KubeletMetrics } from '../metrics/kubelet-metrics';
import { GENERIC_PLEG } from '../pleg/pleg';
import { ChurnWorkload } from '../pod-sources/churn-workload';
import type { ChurnWorkloadOptions } from '../pod-sources/churn-workload';
import { OTEL_RESTFUL } from '../server/otel-restful-filter';
import { startKubeletServers } from '../server/start-kubelet-servers';
import type { StartedKubeletServers } from '../server/start-kubelet-servers';
import { realClock } from '../util/clock';
import type { Logger } from '../util/logger';
import { backgroundLoopSettings } from '../background-loop-settings';
import { OTELHTTP } from '../client/otelhttp-transport';
import { ApiServerLink, NODE_IP } from './api-server-link';

/** How a node's kubelet traces. */
export interface KubeletNodeTracing {
  /** Tracers of the kubelet's own spans (syncPod, GC, ...): a no-op provider's without a `tracing` block. */
  getTracer(scope: string, version?: string): Tracer;
  /** Whether a `tracing` block made a real provider: CRI CLIENT spans then get `message` events. */
  enabled: boolean;
  /** In a many-node process: the node's provider, whose scope every CRI call of this node runs in. */
  scope?: TracerProvider;
}

export interface KubeletNodeOptions {
  config: ResolvedKubeletConfig;
  args: KubeletSimArgs;
  nodeName: string;
  /** The node's CRI endpoints. */
  endpoint: string;
  imageEndpoint: string;
  tracing: KubeletNodeTracing;
  /** This node's churn workload, if any. */
  workload: ChurnWorkloadOptions | undefined;
  log: Logger;
}

export class KubeletNode {
  readonly kubelet: Kubelet;
  readonly metrics = new KubeletMetrics();
  servers: StartedKubeletServers | undefined;
  workload: ChurnWorkload | undefined;
  /** With --kubeconfig: the API pod source, node registration and heartbeats, the status manager. */
  readonly apiServer: ApiServerLink | undefined;
  private readonly runtime: RemoteRuntimeService;

  constructor(private readonly options: KubeletNodeOptions) {
    const { config, tracing } = options;
    this.runtime = new RemoteRuntimeService({
      endpoint: options.endpoint,
      imageEndpoint: options.imageEndpoint,
      timeoutMs: config.runtimeRequestTimeoutMs,
      messageEvents: tracing.enabled,
    });
    const remote = tracing.scope === undefined ? this.runtime : scopeCalls(this.runtime, tracing.scope);
    // Every CRI call is counted and timed in the kubelet's metrics (kuberuntime instrumented_services.go);
    // durations use a monotonic sub-millisecond clock.
    const instrumented = new InstrumentedRuntimeService(remote, this.metrics, { nowMs: () => performance.now() });
    this.kubelet = new Kubelet(kubeletSettings(config, options.args, options.nodeName, options.endpoint), instrumented, (scope) => tracing.getTracer(scope), realClock, options.log, this.metrics);
    if (options.args.kubeconfig !== undefined) {
      this.apiServer = new ApiServerLink({
        kubeconfig: options.args.kubeconfig,
        config,
        nodeName: options.nodeName,
        kubelet: this.kubelet,
        // buildKubeletClientConfig wraps the transport with WrapperFor(tp) only when KubeletTracing is on.
        tracer: config.kubeletTracingEnabled ? tracing.getTracer(OTELHTTP.SCOPE_NAME, tracing.enabled ? OTELHTTP.SCOPE_VERSION : undefined) : undefined,
        port: () => (this.servers ? Number(new URL(this.servers.mainUrl).port) : config.port),
        imageFsCapacityBytes: options.args.imageFsCapacityBytes,
        log: options.log,
      });
    }
  }

  /** With --kubeconfig: the lease, node status and status manager loops (before the runtime answers). */
  startHeartbeats(): void {
    this.apiServer?.startHeartbeats();
  }

  /** Like startKubelet, the HTTP servers come up next to the kubelet, before the runtime has answered. Rejects with KubeletListenError. */
  async startServers(): Promise<StartedKubeletServers> {
    const { config, tracing } = this.options;
    this.servers = await startKubeletServers(config, {
      kubelet: this.kubelet,
      nodeName: this.options.nodeName,
      metrics: this.metrics,
      // InstallTracingFilter runs only with the KubeletTracing gate on; without a `tracing` block the provider is a no-op.
      tracer: !config.kubeletTracingEnabled ? undefined : tracing.getTracer(OTEL_RESTFUL.SCOPE_NAME, tracing.enabled ? OTEL_RESTFUL.SCOPE_VERSION : undefined),
      clock: realClock,
      log: this.options.log,
    });
    return this.servers;
  }

  /**
   * The runtime may still be starting: retry Version until `deadlineMs`, pacing the tries with the CRI
   * dial back-off (100 ms growing 1.6x with 20 % jitter up to 3 s), as the kubelet's connection does.
   */
  async startKubelet(deadlineMs: number): Promise<void> {
    for (let base: number = CRI_DIAL_BACKOFF.BASE_DELAY_MS; ; base = Math.min(base * CRI_DIAL_BACKOFF.MULTIPLIER, CRI_DIAL_BACKOFF.MAX_DELAY_MS)) {
      try {
        await this.kubelet.start();
        this.apiServer?.startPodSource();
        return;
      } catch (err) {
        const delay = Math.round(base * (1 + CRI_DIAL_BACKOFF.JITTER * (Math.random() * 2 - 1)));
        if (Date.now() + delay > deadlineMs) throw err;
        this.options.log.warn(`Waiting for the container runtime endpoint="${this.options.endpoint}" err="${(err as Error).message}"`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** API-server-like pods next to the static pods, through the same addPod/updatePod/deletePod handlers. */
  startWorkload(): ChurnWorkload | undefined {
    if (this.options.workload === undefined) return undefined;
    this.workload = new ChurnWorkload(this.options.workload, this.kubelet, realClock);
    this.workload.start();
    return this.workload;
  }

  async stop(): Promise<void> {
    this.workload?.stop();
    await this.apiServer?.stop();
    await this.servers?.stop();
    await this.kubelet.stop();
    this.runtime.close();
  }
}

/** The kubelet's settings from its configuration and flags; `endpoint` is the node's CRI endpoint. */
export function kubeletSettings(config: ResolvedKubeletConfig, args: KubeletSimArgs, nodeName: string, endpoint: string): KubeletSettings {
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
    background: backgroundLoopSettings(config, endpoint),
    apiSource: args.kubeconfig !== undefined,
    nodeIP: NODE_IP,
  };
}
