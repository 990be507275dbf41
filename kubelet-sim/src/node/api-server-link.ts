import type { Tracer } from '@opentelemetry/api';
import { ApiClient, kubeletUserAgent } from '../client/api-client';
import { loadKubeconfig } from '../client/kubeconfig';
import type { ResolvedKubeletConfig } from '../config';
import type { Kubelet } from '../kubelet';
import { NodeLeaseController } from '../nodelease/node-lease-controller';
import { KubeletNodeStatus } from '../nodestatus/kubelet-node-status';
import type { NodeFacts } from '../nodestatus/node-status-setters';
import { ApiserverSource } from '../pod-sources/apiserver-source';
import { StatusManager } from '../status/status-manager';
import { MirrorClient } from '../pod/mirror-client';
import { realClock } from '../util/clock';
import type { Logger } from '../util/logger';
import { TimerLoops } from '../util/periodic-loops';

/** The node IP kubelet-sim reports (InternalIP): its servers listen on loopback. */
export const NODE_IP = '127.0.0.1';

/** Bound on each non-watch API request (the kubelet's client sets none; heartbeats have their own). */
const API_REQUEST_TIMEOUT_MS = 30_000;

export interface ApiServerLinkOptions {
  kubeconfig: string;
  config: ResolvedKubeletConfig;
  nodeName: string;
  kubelet: Kubelet;
  /** otelhttp's tracer when KubeletTracing wraps the client transport (undefined: the gate is off). */
  tracer: Tracer | undefined;
  /** The kubelet's main server port, known once it listens. */
  port(): number;
  imageFsCapacityBytes: number;
  log: Logger;
}

/**
 * Everything a kubelet with `--kubeconfig` does with the API server, started as Kubelet.Run starts it
 * (pkg/kubelet/kubelet.go@v1.34.0): the API pod source (NewMainKubelet), the node lease controller, the
 * node status loop with its fast first update, and the status manager. They run whether or not the runtime
 * is up: a node registers NotReady and turns Ready when its runtime answers.
 */
export class ApiServerLink {
  readonly client: ApiClient;
  /** kubeDeps.HeartbeatClient: node status and lease; no rate limit, timeout min(nodeStatusUpdateFrequency, lease duration). */
  readonly heartbeatClient: ApiClient;
  readonly statusManager: StatusManager;
  readonly nodeStatus: KubeletNodeStatus;
  readonly lease: NodeLeaseController;
  readonly source: ApiserverSource;
  private readonly loops: TimerLoops;

  constructor(options: ApiServerLinkOptions) {
    const { config, log, kubelet, nodeName } = options;
    const connection = loadKubeconfig(options.kubeconfig);
    this.client = new ApiClient({
      connection,
      userAgent: kubeletUserAgent(config.kubeletVersion),
      qps: config.kubeAPIQPS,
      burst: config.kubeAPIBurst,
      tracer: options.tracer,
      clock: realClock,
      requestTimeoutMs: API_REQUEST_TIMEOUT_MS,
    });
    // cmd/kubelet/app/server.go run: a copy of the client config for heartbeats, throttling off (QPS -1) and a
    // timeout of nodeStatusUpdateFrequency, lowered to the lease duration; the tracing wrapper is copied with it.
    this.heartbeatClient = new ApiClient({
      connection,
      userAgent: kubeletUserAgent(config.kubeletVersion),
      qps: 0,
      burst: 0,
      tracer: options.tracer,
      clock: realClock,
      requestTimeoutMs: Math.min(config.nodeStatusUpdateFrequencyMs, config.nodeLeaseDurationSeconds * 1000),
    });
    this.loops = new TimerLoops((name, err) => log.error(`loop failed loop="${name}" err="${err.message}"`));
    this.statusManager = new StatusManager(this.client, realClock, log, this.loops);
    kubelet.attachStatusManager(this.statusManager, new MirrorClient(this.client, nodeName));
    const facts = (): NodeFacts => ({
      nodeName,
      kubeletVersion: config.kubeletVersion,
      port: options.port(),
      maxPods: config.maxPods,
      nodeIP: NODE_IP,
      containerRuntimeVersion: kubelet.runtimeName ? `${kubelet.runtimeName}://${kubelet.runtimeVersion}` : '',
      readinessErrors: kubelet.readinessErrors(),
      imageFsCapacityBytes: options.imageFsCapacityBytes,
      images: kubelet.imageList(),
      maxImages: config.nodeStatusMaxImages,
    });
    this.nodeStatus = new KubeletNodeStatus({
      client: this.client,
      heartbeatClient: this.heartbeatClient,
      clock: realClock,
      log,
      updateFrequencyMs: config.nodeStatusUpdateFrequencyMs,
      reportFrequencyMs: config.nodeStatusReportFrequencyMs,
      facts,
    });
    this.lease = new NodeLeaseController({ client: this.heartbeatClient, clock: realClock, log, nodeName, leaseDurationSeconds: config.nodeLeaseDurationSeconds });
    this.source = new ApiserverSource({ client: this.client, nodeName, log, onSet: (pods) => kubelet.handleApiSourceSet(pods) });
    log.info(`"Connecting to the API server" server="${connection.server}" context="${connection.context}"`);
  }

  /** The lease, node status and status manager loops: from the start, before the runtime has answered. */
  startHeartbeats(): void {
    this.lease.start();
    this.nodeStatus.start();
    this.statusManager.start();
  }

  /**
   * The API pod source. The kubelet creates it in NewMainKubelet, but its sync loop handles no config update
   * while the runtime is not ready; starting it once the runtime answered has the same effect.
   */
  startPodSource(): void {
    this.source.start();
  }

  async stop(): Promise<void> {
    this.statusManager.stop();
    await Promise.all([this.source.stop(), this.lease.stop(), this.nodeStatus.stop(), this.loops.stop()]);
    this.client.close();
    this.heartbeatClient.close();
  }
}
