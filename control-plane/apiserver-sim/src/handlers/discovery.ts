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

/** metav1.APIGroup of a named group: its versions, the first preferred. */
export function apiGroup(group: { name: string; versions: string[] }) {
  const versions = group.versions.map((v) => ({ groupVersion: `${group.name}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group.name, versions, preferredVersion: versions[0] };
}

/** GET /apis: the named groups served (metav1.APIGroupList). */
export function apiGroupList(groups: Array<{ name: string; versions: string[] }>) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => {
    const { kind: _k, apiVersion: _a, ...rest } = apiGroup(g);
    return rest;
  }) };
}

/**
 * The pod subresources served by proxying to the kubelet (../handlers/pod-subresources.ts), as kube-apiserver
 * lists them: the connect options kinds with get and create, `log` with get only.
 */
const KUBELET_PROXIED_POD_SUBRESOURCES = [
  { name: 'pods/attach', singularName: '', namespaced: true, kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
  { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
  { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
];

/**
 * GET /api/v1 or /apis/<group>/<version>: each resource of the group-version and its subresources
 * (metav1.APIResourceList; status takes get/patch/update, as the apiserver lists it).
 */
export function resourceList(groupVersion: string, defs: readonly ResourceDefinition[]) {
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
    ...d.subresources.map((sub) =>
      sub === 'binding'
        ? { name: `${d.resource}/binding`, singularName: '', namespaced: d.namespaced, kind: 'Binding', verbs: ['create'] }
        : { name: `${d.resource}/${sub}`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'patch', 'update'] },
    ),
    ...(d.group === '' && d.resource === 'pods' ? KUBELET_PROXIED_POD_SUBRESOURCES : []),
  ]).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // The legacy group's list carries no apiVersion; the named groups' lists do.
  return groupVersion.includes('/') ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources } : { kind: 'APIResourceList', groupVersion, resources };
}
