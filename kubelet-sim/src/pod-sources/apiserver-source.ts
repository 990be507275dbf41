import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';
import type { ApiClient } from '../client/api-client';
import type { ApiObject } from '../client/reflector';
import { Reflector } from '../client/reflector';
import type { Pod } from '../container/pod';
import type { Logger } from '../util/logger';
import { toPod } from './pod-manifest';
import { CONFIG_ANNOTATION, CONFIG_SOURCE } from './static-pod-source';

/** pkg/kubelet/config/apiserver.go WaitForAPIServerSyncPeriod: how often the source checks the node informer synced. */
export const WAIT_FOR_API_SERVER_SYNC_PERIOD_MS = 1_000;

/** A pod from the API with the status the API holds (the status manager starts from it). */
export interface ApiSourcePod {
  pod: Pod;
  apiStatus: IPodStatus;
  /** A mirror pod (kubernetes.io/config.mirror set): the API copy of a static pod, never run (pod manager keeps it apart). */
  mirrorHash?: string;
}

export interface ApiserverSourceOptions {
  client: ApiClient;
  nodeName: string;
  log: Logger;
  /** The whole set of this node's pods after every change (kubetypes.SET from ApiserverSource). */
  onSet(pods: ApiSourcePod[], nowMs: number): void;
}

/**
 * The kubelet's API server pod source (pkg/kubelet/config/apiserver.go NewSourceApiserver@v1.34.0): a
 * ListWatch of pods in all namespaces with the field selector `spec.nodeName=<node>`, started only once the
 * kubelet's node informer (a ListWatch of its own Node, `metadata.name=<node>`) has synced — checked every
 * second — and pushed as a full SET through an UndeltaStore. Pods are the API's (already defaulted and
 * validated); the kubelet marks them `kubernetes.io/config.source: api` and `config.seen`.
 */
export class ApiserverSource {
  private readonly nodeInformer: Reflector<ApiObject>;
  private readonly pods: Reflector<ApiObject>;
  private waiter: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ApiserverSourceOptions) {
    const onError = (what: string) => (err: Error) => options.log.error(`"Failed to watch" type="${what}" err="${err.message}"`);
    this.nodeInformer = new Reflector<ApiObject>({
      client: options.client,
      path: '/api/v1/nodes',
      query: { fieldSelector: `metadata.name=${options.nodeName}` },
      onSet: () => undefined,
      onError: onError('*v1.Node'),
    });
    this.pods = new Reflector<ApiObject>({
      client: options.client,
      path: '/api/v1/pods',
      query: { fieldSelector: `spec.nodeName=${options.nodeName}` },
      onSet: (items) => options.onSet(items.map((o) => toApiSourcePod(o, Date.now())), Date.now()),
      onError: onError('*v1.Pod'),
    });
  }

  start(): void {
    this.nodeInformer.start();
    this.options.log.info('"Waiting for node sync before watching apiserver pods"');
    const check = (): void => {
      if (this.stopped) return;
      if (this.nodeInformer.hasSynced()) {
        this.options.log.info('"Watching apiserver"');
        this.pods.start();
        return;
      }
      this.waiter = setTimeout(check, WAIT_FOR_API_SERVER_SYNC_PERIOD_MS).unref();
    };
    check();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.waiter) clearTimeout(this.waiter);
    await Promise.all([this.nodeInformer.stop(), this.pods.stop()]);
  }
}

/** An API pod as the kubelet's Pod, its UID kept, marked as coming from the API source. */
export function toApiSourcePod(obj: ApiObject, seenMs: number): ApiSourcePod {
  const converted = toPod(obj as unknown as Record<string, unknown>);
  const meta = obj.metadata;
  const pod: Pod = {
    metadata: {
      ...converted.metadata,
      uid: String(meta.uid ?? ''),
      annotations: { ...converted.metadata.annotations, [CONFIG_ANNOTATION.SOURCE]: CONFIG_SOURCE.API, [CONFIG_ANNOTATION.SEEN]: new Date(seenMs).toISOString() },
      ...(typeof meta.deletionTimestamp === 'string' ? { deletionTimestamp: meta.deletionTimestamp } : {}),
      ...(typeof meta.deletionGracePeriodSeconds === 'number' ? { deletionGracePeriodSeconds: meta.deletionGracePeriodSeconds } : {}),
    },
    spec: converted.spec,
  };
  const mirrorHash = (meta.annotations as Record<string, string> | undefined)?.[CONFIG_ANNOTATION.MIRROR];
  return { pod, apiStatus: (obj.status as IPodStatus | undefined) ?? {}, ...(mirrorHash !== undefined ? { mirrorHash } : {}) };
}
