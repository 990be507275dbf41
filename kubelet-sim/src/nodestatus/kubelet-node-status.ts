import { context as otelContext, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ApiClient } from '../client/api-client';
import { ApiError } from '../client/api-client';
import type { Json } from '../status/two-way-merge-patch';
import { createTwoWayMergePatch } from '../status/two-way-merge-patch';
import type { Clock } from '../util/clock';
import { jitterUntil } from '../util/jitter-until';
import type { Logger } from '../util/logger';
import type { ApiNode, NodeFacts } from './node-status-setters';
import { initialNode, nodeStatusHasChanged, setNodeStatus } from './node-status-setters';

/** kubelet_node_status.go / kubelet.go constants. */
export const NODE_STATUS = {
  /** registerWithAPIServer: the wait before each try starts at 100 ms and doubles up to 7 s. */
  REGISTER_INITIAL_STEP_MS: 100,
  REGISTER_MAX_STEP_MS: 7_000,
  /** nodeStatusUpdateRetry: tries per updateNodeStatus. */
  UPDATE_RETRY: 5,
  /** The jitter of the syncNodeStatus loop (wait.JitterUntil(..., 0.04, true, ...)). */
  JITTER_FACTOR: 0.04,
  /** fastStatusUpdateOnce polls this often until the node is ready or nodeReadyGracePeriod passes. */
  FAST_UPDATE_PERIOD_MS: 100,
  NODE_READY_GRACE_PERIOD_MS: 120_000,
} as const;

export interface NodeStatusOptions {
  /** kubeClient: registration. */
  client: ApiClient;
  /** heartbeatClient: the status updates (no rate limit, a timeout; defaults to `client`). */
  heartbeatClient?: ApiClient;
  clock: Clock;
  log: Logger;
  /** nodeStatusUpdateFrequency / nodeStatusReportFrequency (ms). */
  updateFrequencyMs: number;
  reportFrequencyMs: number;
  /** The setters' inputs, read at each update. */
  facts(): NodeFacts;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The kubelet's Node object upkeep (pkg/kubelet/kubelet_node_status.go@v1.34.0, kubelet.go Run):
 * - syncNodeStatus every nodeStatusUpdateFrequency (jitter 0.04, first run at once): until registered,
 *   registerWithAPIServer (sleep, then try; the sleep starts at 100 ms and doubles to 7 s): create the
 *   initial Node; on AlreadyExists get it and patch its status if the labels the kubelet owns differ;
 * - then updateNodeStatus, up to 5 tries: get the node, run the setters, and PATCH nodes/<name>/status with
 *   the two-way strategic merge patch only when the status changed (heartbeat times aside) or
 *   nodeStatusReportFrequency has passed since the last report;
 * - fastStatusUpdateOnce: every 100 ms until the runtime is ready (or 2 min pass), then one update, so that
 *   Ready=True shows at once rather than at the next period.
 * Each request runs in context.Background(): with tracing on, root CLIENT spans.
 */
export class KubeletNodeStatus {
  private registered = false;
  private lastReportMs = -Infinity;
  private stopLoop: (() => Promise<void>) | undefined;
  private stopFast: (() => Promise<void>) | undefined;
  private mutex: Promise<void> = Promise.resolve();
  private stopped = false;
  readonly stats = { registrations: 0, statusPatches: 0, updateErrors: 0 };

  constructor(private readonly options: NodeStatusOptions) {}

  get isRegistered(): boolean {
    return this.registered;
  }

  start(): void {
    const onError = (err: Error): void => this.options.log.error(`"Unable to update node status" err="${err.message}"`);
    this.stopLoop = jitterUntil(() => this.syncNodeStatus(), this.options.updateFrequencyMs, NODE_STATUS.JITTER_FACTOR, onError);
    const started = this.options.clock.nowMs();
    this.stopFast = jitterUntil(async () => {
      if (!this.registered) return;
      const timedOut = this.options.clock.nowMs() - started >= NODE_STATUS.NODE_READY_GRACE_PERIOD_MS;
      if (this.options.facts().readinessErrors.length > 0 && !timedOut) return;
      this.options.log.info('"Fast updating node status as it just became ready"');
      await this.updateNodeStatus();
      void this.stopFast?.();
    }, NODE_STATUS.FAST_UPDATE_PERIOD_MS, 0, onError);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.stopLoop?.(), this.stopFast?.()]);
  }

  /** syncNodeStatus: register once, then update (serialised, as syncNodeStatusMux does). */
  syncNodeStatus(): Promise<void> {
    const run = this.mutex.then(() =>
      otelContext.with(ROOT_CONTEXT, async () => {
        if (!this.registered) await this.registerWithApiServer();
        if (this.stopped) return;
        await this.updateNodeStatus();
      }),
    );
    this.mutex = run.catch(() => undefined);
    return run;
  }

  private async registerWithApiServer(): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let step: number = NODE_STATUS.REGISTER_INITIAL_STEP_MS; !this.stopped; step = Math.min(step * 2, NODE_STATUS.REGISTER_MAX_STEP_MS)) {
      await sleep(step);
      if (this.stopped) return;
      const node = initialNode(this.options.facts(), this.options.clock.nowMs());
      this.options.log.info(`"Attempting to register node" node="${node.metadata.name}"`);
      if (await this.tryRegister(node)) {
        this.registered = true;
        this.stats.registrations++;
        this.options.log.info(`"Successfully registered node" node="${node.metadata.name}"`);
        return;
      }
    }
  }

  private async tryRegister(node: ApiNode): Promise<boolean> {
    const { client, log } = this.options;
    try {
      await client.create('/api/v1/nodes', node);
      return true;
    } catch (err) {
      if (!(err instanceof ApiError && err.isAlreadyExists)) {
        log.error(`"Unable to register node with API server" err="${(err as Error).message}" node="${node.metadata.name}"`);
        return false;
      }
    }
    try {
      const existing = await client.get<ApiNode>(`/api/v1/nodes/${encodeURIComponent(node.metadata.name)}`);
      // updateDefaultLabels: the kubelet's well-known labels are put back if they differ.
      const labels = { ...(existing.metadata.labels ?? {}) };
      let changed = false;
      for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
        if (labels[k] !== v) {
          labels[k] = v;
          changed = true;
        }
      }
      if (changed) await this.patchNode(existing, { ...existing, metadata: { ...existing.metadata, labels } });
      return true;
    } catch (err) {
      log.error(`"Unable to reconcile node with API server" err="${(err as Error).message}" node="${node.metadata.name}"`);
      return false;
    }
  }

  /** updateNodeStatus: up to nodeStatusUpdateRetry tries of tryUpdateNodeStatus. */
  private async updateNodeStatus(): Promise<void> {
    for (let i = 0; i < NODE_STATUS.UPDATE_RETRY; i++) {
      try {
        await this.tryUpdateNodeStatus();
        return;
      } catch (err) {
        this.stats.updateErrors++;
        this.options.log.error(`"Error updating node status, will retry" err="${(err as Error).message}"`);
      }
    }
    throw new Error('update node status exceeds retry count');
  }

  private async tryUpdateNodeStatus(): Promise<void> {
    const { clock } = this.options;
    const client = this.options.heartbeatClient ?? this.options.client;
    const name = this.options.facts().nodeName;
    const original = await client.get<ApiNode>(`/api/v1/nodes/${encodeURIComponent(name)}`);
    const updated = setNodeStatus(original, this.options.facts(), clock.nowMs());
    const now = clock.nowMs();
    if (now < this.lastReportMs + this.options.reportFrequencyMs && !nodeStatusHasChanged(original.status, updated.status)) return;
    await this.patchNode(original, updated, client);
    this.lastReportMs = now;
  }

  /** nodeutil.PatchNodeStatus: the two-way strategic merge patch of the whole node, to nodes/<name>/status. */
  private async patchNode(original: ApiNode, updated: ApiNode, client: ApiClient = this.options.client): Promise<void> {
    const patch = createTwoWayMergePatch(original as unknown as Json, updated as unknown as Json);
    await client.patch(`/api/v1/nodes/${encodeURIComponent(original.metadata.name)}/status`, JSON.stringify(patch), 'application/strategic-merge-patch+json');
    this.stats.statusPatches++;
  }
}
