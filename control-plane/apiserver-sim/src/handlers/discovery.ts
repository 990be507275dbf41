import type { ResourceDefinition } from '../registry/resource-definition';

/** The Kubernetes version apiserver-sim reports on /version for an emulated minor. */
export function versionInfo(minor: number) {
  return {
    major: '1',
    minor: String(minor),
    emulationMajor: '1',
    emulationMinor: String(minor),
    minCompatibilityMajor: '1',
    minCompatibilityMinor: String(minor - 1),
    gitVersion: `v1.${minor}.0`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

/** GET /api: the legacy core group's versions (metav1.APIVersions). */
export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** GET /apis: no named groups are served. */
export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [] };
}

/** GET /api/v1: each resource and its status subresource (metav1.APIResourceList). */
export function coreResourceList(defs: readonly ResourceDefinition[]) {
  const resources = defs.flatMap((d) => [
    {
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs,
      ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
      ...(d.categories.length ? { categories: d.categories } : {}),
    },
    { name: `${d.resource}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['update'] },
  ]);
  return { kind: 'APIResourceList', groupVersion: 'v1', resources };
}
