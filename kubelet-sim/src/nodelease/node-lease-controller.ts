import { context as otelContext, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ApiClient } from '../client/api-client';
import { ApiError } from '../client/api-client';
import type { Clock } from '../util/clock';
import { jitterUntil } from '../util/jitter-until';
import type { Logger } from '../util/logger';

/** pkg/kubelet/nodelease and component-helpers apimachinery/lease/controller.go constants. */
export const NODE_LEASE = {
  NAMESPACE: 'kube-node-lease',
  /** kubelet.go nodeLeaseRenewIntervalFraction: renew every leaseDuration × 0.25 (40 s ⇒ 10 s). */
  RENEW_INTERVAL_FRACTION: 0.25,
  JITTER_FACTOR: 0.04,
  /** maxUpdateRetries: immediate successive update tries per renewal. */
  MAX_UPDATE_RETRIES: 5,
  /** backoffEnsureLease: 100 ms doubled before each wait, up to 7 s. */
  ENSURE_INITIAL_SLEEP_MS: 100,
  MAX_BACKOFF_MS: 7_000,
} as const;

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string; ownerReferences?: unknown[]; [k: string]: unknown };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; [k: string]: unknown };
}

export interface NodeLeaseOptions {
  client: ApiClient;
  clock: Clock;
  log: Logger;
  nodeName: string;
  leaseDurationSeconds: number;
  sleep?: (ms: number) => Promise<void>;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The node lease heartbeat (component-helpers apimachinery/lease/controller.go with the kubelet's
 * setNodeOwnerFunc, pkg/kubelet/nodelease): every leaseDuration/4 (jitter 0.04, first at once) — with a
 * lease from the last renewal, PUT it with renewTime = now (no GET), up to 5 tries, re-reading it after a
 * Conflict; without one, GET it and create it when missing (holderIdentity and name = the node,
 * leaseDurationSeconds, an ownerReference to the Node, which needs the Node to exist: until then no lease
 * is created), backing off 200 ms → 7 s on errors. Requests run in context.Background().
 */
export class NodeLeaseController {
  private latest: Lease | undefined;
  private stopLoop: (() => Promise<void>) | undefined;
  private stopped = false;
  readonly stats = { renewals: 0, creations: 0, failures: 0 };

  constructor(private readonly options: NodeLeaseOptions) {}

  get renewIntervalMs(): number {
    return this.options.leaseDurationSeconds * 1000 * NODE_LEASE.RENEW_INTERVAL_FRACTION;
  }

  start(): void {
    this.stopLoop = jitterUntil(() => otelContext.with(ROOT_CONTEXT, () => this.sync()), this.renewIntervalMs, NODE_LEASE.JITTER_FACTOR, (err) =>
      this.options.log.error(`"Failed to renew lease" err="${err.message}"`),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopLoop?.();
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE.NAMESPACE}/leases`;
  }

  async sync(): Promise<void> {
    if (this.latest) {
      try {
        await this.retryUpdateLease(this.latest);
        return;
      } catch (err) {
        this.options.log.info(`"failed to update lease using latest lease, fallback to ensure lease" err="${(err as Error).message}"`);
      }
    }
    const { lease, created } = await this.backoffEnsureLease();
    this.latest = lease;
    if (!created && lease) {
      try {
        await this.retryUpdateLease(lease);
      } catch (err) {
        this.options.log.error(`"${(err as Error).message}, will retry after ${this.renewIntervalMs / 1000}s"`);
      }
    }
  }

  private async backoffEnsureLease(): Promise<{ lease: Lease | undefined; created: boolean }> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    let wait: number = NODE_LEASE.ENSURE_INITIAL_SLEEP_MS;
    for (;;) {
      try {
        return await this.ensureLease();
      } catch (err) {
        if (this.stopped) return { lease: undefined, created: false };
        wait = Math.min(wait * 2, NODE_LEASE.MAX_BACKOFF_MS);
        this.stats.failures++;
        this.options.log.error(`"failed to ensure lease exists, will retry" interval="${wait}ms" err="${(err as Error).message}"`);
        await sleep(wait);
      }
    }
  }

  private async ensureLease(): Promise<{ lease: Lease | undefined; created: boolean }> {
    try {
      return { lease: await this.options.client.get<Lease>(`${this.path}/${encodeURIComponent(this.options.nodeName)}`), created: false };
    } catch (err) {
      if (!(err instanceof ApiError && err.isNotFound)) throw err;
    }
    const lease = await this.newLease(undefined);
    if (!lease) return { lease: undefined, created: false };
    const created = await this.options.client.create<Lease>(this.path, lease);
    this.stats.creations++;
    return { lease: created, created: true };
  }

  private async retryUpdateLease(base: Lease): Promise<void> {
    let current = base;
    for (let i = 0; i < NODE_LEASE.MAX_UPDATE_RETRIES; i++) {
      const lease = (await this.newLease(current)) ?? { ...current, spec: { ...current.spec, renewTime: microTime(this.options.clock.nowMs()) } };
      try {
        this.latest = await this.options.client.update<Lease>(`${this.path}/${encodeURIComponent(this.options.nodeName)}`, lease);
        this.stats.renewals++;
        return;
      } catch (err) {
        this.stats.failures++;
        this.options.log.error(`"failed to update lease" err="${(err as Error).message}"`);
        if (err instanceof ApiError && err.isConflict) {
          const ensured = await this.backoffEnsureLease();
          if (ensured.lease) current = ensured.lease;
        }
      }
    }
    throw new Error(`failed ${NODE_LEASE.MAX_UPDATE_RETRIES} attempts to update lease`);
  }

  /** newLease + setNodeOwnerFunc: undefined when the owner reference cannot be set yet (no Node). */
  private async newLease(base: Lease | undefined): Promise<Lease | undefined> {
    const { nodeName, leaseDurationSeconds, clock } = this.options;
    const lease: Lease = base
      ? structuredClone(base)
      : { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: nodeName, namespace: NODE_LEASE.NAMESPACE }, spec: { holderIdentity: nodeName, leaseDurationSeconds } };
    lease.spec.renewTime = microTime(clock.nowMs());
    if (!lease.metadata.ownerReferences || lease.metadata.ownerReferences.length === 0) {
      try {
        const node = await this.options.client.get<{ metadata: { name: string; uid: string } }>(`/api/v1/nodes/${encodeURIComponent(nodeName)}`);
        lease.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name, uid: node.metadata.uid }];
      } catch (err) {
        this.options.log.error(`"Failed to get node when trying to set owner ref to the node lease" node="${nodeName}" err="${(err as Error).message}"`);
        return base ? lease : undefined;
      }
    }
    return lease;
  }
}
