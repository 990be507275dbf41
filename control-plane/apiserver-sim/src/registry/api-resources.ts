import { LEASES } from './leases';
import { NAMESPACES } from './namespaces';
import { NODES } from './nodes';
import { PODS } from './pods';
import type { ResourceDefinition } from './resource-definition';

/** Every resource apiserver-sim serves, in discovery order per group-version. */
export const API_RESOURCES: readonly ResourceDefinition[] = [PODS, NAMESPACES, NODES, LEASES];

/** The named API groups served under /apis, each with its versions (preferred first). */
export function servedGroups(defs: readonly ResourceDefinition[]): Array<{ name: string; versions: string[] }> {
  const groups = new Map<string, Set<string>>();
  for (const d of defs) if (d.group !== '') (groups.get(d.group) ?? groups.set(d.group, new Set()).get(d.group))?.add(d.version);
  return [...groups].map(([name, versions]) => ({ name, versions: [...versions] }));
}
