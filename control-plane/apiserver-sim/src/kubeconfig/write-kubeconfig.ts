import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

/**
 * A kubeconfig for apiserver-sim, shaped as kubeadm's admin.conf (cluster "kubernetes", user
 * "kubernetes-admin", context "kubernetes-admin@kubernetes"), with a bearer token instead of a client
 * certificate and a plain-HTTP loopback server.
 */
export function kubeconfigText(serverUrl: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubernetes', cluster: { server: serverUrl } }],
    users: [{ name: 'kubernetes-admin', user: { token } }],
    contexts: [{ name: 'kubernetes-admin@kubernetes', context: { cluster: 'kubernetes', user: 'kubernetes-admin', namespace: 'default' } }],
    'current-context': 'kubernetes-admin@kubernetes',
    preferences: {},
  });
}

export function writeKubeconfig(path: string, serverUrl: string, token: string): void {
  writeFileSync(path, kubeconfigText(serverUrl, token), { mode: 0o600 });
}
