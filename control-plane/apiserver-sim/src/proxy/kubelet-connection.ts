/**
 * Where the apiserver reaches a node's kubelet (k8s.io/kubernetes pkg/kubelet/client/kubelet_client.go
 * NodeConnectionInfoGetter.GetConnectionInfo; pkg/util/node GetPreferredNodeAddress): the first address of
 * the node's status in the preferred type order, and status.daemonEndpoints.kubeletEndpoint.Port (the
 * configured default when unset). apiserver-sim speaks plain HTTP to kubelet-sim (the real one uses
 * HTTPS with client certificates) and refuses any address that is not loopback (project rule).
 */
import { isLoopbackHost } from '../../../../cri-proto/src/streaming/loopback-dial';
import { StatusError } from '../handlers/responses';

/**
 * --kubelet-preferred-address-types as kubeadm sets it in the kube-apiserver manifest (cmd/kubeadm
 * app/phases/controlplane/manifests.go getAPIServerCommand: InternalIP,ExternalIP,Hostname); the
 * kube-apiserver's own default puts Hostname first, which a simulated node name does not resolve to.
 */
export const KUBELET_PREFERRED_ADDRESS_TYPES = ['InternalIP', 'ExternalIP', 'Hostname'] as const;

/** --kubelet-port default (ports.KubeletPort). */
export const DEFAULT_KUBELET_PORT = 10250;

interface NodeLike {
  metadata: { name?: unknown };
  status?: unknown;
}

/** The kubelet's base URL (`http://127.0.0.1:<port>`), or the error the apiserver answers. */
export function kubeletBaseUrl(node: NodeLike): URL {
  const status = (node.status ?? {}) as { addresses?: Array<{ type?: string; address?: string }>; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
  const addresses = status.addresses ?? [];
  let host: string | undefined;
  for (const type of KUBELET_PREFERRED_ADDRESS_TYPES) {
    host = addresses.find((a) => a.type === type && a.address)?.address;
    if (host !== undefined) break;
  }
  if (host === undefined) {
    // nodeutil's NoMatchError, wrapped as an internal error by the subresource REST.
    const known = addresses.map((a) => `{${a.type} ${a.address}}`).join(' ');
    throw new StatusError(500, 'InternalError', `Internal error occurred: no preferred addresses found; known addresses: [${known}]`);
  }
  if (!isLoopbackHost(host)) {
    throw new StatusError(503, 'ServiceUnavailable', `node ${String(node.metadata.name)} reports kubelet address ${host}: apiserver-sim only connects to loopback kubelets (register the node with InternalIP 127.0.0.1)`);
  }
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port;
  const url = new URL('http://127.0.0.1');
  url.hostname = host.includes(':') ? `[${host}]` : host;
  url.port = String(port !== undefined && port > 0 ? port : DEFAULT_KUBELET_PORT);
  return url;
}
