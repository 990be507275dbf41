import type { ApiClient } from '../client/api-client';
import { ApiError } from '../client/api-client';
import type { Pod } from '../container/pod';
import { CONFIG_ANNOTATION } from '../pod-sources/static-pod-source';

/** A mirror pod as the API source saw it. */
export interface MirrorPod {
  namespace: string;
  name: string;
  uid: string;
  /** Its kubernetes.io/config.mirror annotation: the static pod's config hash. */
  hash: string;
  deleting: boolean;
}

/**
 * pkg/kubelet/pod/mirror_client.go@v1.34.0: the API copy of a static pod, so that it shows in the API.
 * CreateMirrorPod posts the static pod with `kubernetes.io/config.mirror` = its config hash and the Node as
 * its controller owner (an AlreadyExists of the same hash is success); DeleteMirrorPod deletes it with
 * gracePeriodSeconds 0 and, when known, a UID precondition. The caller's context is kept: a mirror pod made
 * from SyncPod is a CLIENT span under `syncPod`.
 */
export class MirrorClient {
  private nodeUid: string | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly nodeName: string,
  ) {}

  async createMirrorPod(pod: Pod): Promise<void> {
    const hash = pod.metadata.annotations[CONFIG_ANNOTATION.HASH] ?? pod.metadata.uid;
    this.nodeUid ??= (await this.client.get<{ metadata: { uid: string } }>(`/api/v1/nodes/${encodeURIComponent(this.nodeName)}`)).metadata.uid;
    const mirror = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        labels: pod.metadata.labels,
        annotations: { ...pod.metadata.annotations, [CONFIG_ANNOTATION.MIRROR]: hash },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: this.nodeUid, controller: true }],
      },
      spec: { ...podToApiSpec(pod), nodeName: this.nodeName },
    };
    try {
      await this.client.create(`/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace)}/pods`, mirror);
    } catch (err) {
      if (!(err instanceof ApiError && err.isAlreadyExists)) throw err;
      const existing = await this.client.get<{ metadata: { annotations?: Record<string, string> } }>(`/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}`);
      if (existing.metadata.annotations?.[CONFIG_ANNOTATION.MIRROR] !== hash) throw err;
    }
  }

  /** Returns whether it was deleted (a missing pod is not an error). */
  async deleteMirrorPod(namespace: string, name: string, uid: string | undefined): Promise<boolean> {
    try {
      await this.client.delete(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`, {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        gracePeriodSeconds: 0,
        ...(uid ? { preconditions: { uid } } : {}),
      });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.isNotFound) return false;
      throw err;
    }
  }
}

/** The static pod's spec as the API takes it, from what kubelet-sim keeps of it (the fields it models). */
export function podToApiSpec(pod: Pod): Record<string, unknown> {
  const containers = (list: Pod['spec']['containers']) =>
    list.map((c) => ({
      name: c.name,
      image: c.image,
      imagePullPolicy: c.imagePullPolicy,
      ...(c.command.length ? { command: c.command } : {}),
      ...(c.args.length ? { args: c.args } : {}),
      ...(c.workingDir ? { workingDir: c.workingDir } : {}),
      ...(c.env.length ? { env: c.env } : {}),
      terminationMessagePath: c.terminationMessagePath,
      ...(c.seccompProfile ? { securityContext: { seccompProfile: c.seccompProfile } } : {}),
    }));
  return {
    ...(pod.spec.initContainers.length ? { initContainers: containers(pod.spec.initContainers) } : {}),
    containers: containers(pod.spec.containers),
    restartPolicy: pod.spec.restartPolicy,
    terminationGracePeriodSeconds: pod.spec.terminationGracePeriodSeconds,
    ...(pod.spec.hostNetwork ? { hostNetwork: true } : {}),
    ...(pod.spec.hostname ? { hostname: pod.spec.hostname } : {}),
    ...(pod.spec.subdomain ? { subdomain: pod.spec.subdomain } : {}),
    ...(pod.spec.seccompProfile ? { securityContext: { seccompProfile: pod.spec.seccompProfile } } : {}),
  };
}
