/**
 * The kubelet's parsing of kubeReserved / systemReserved (cmd/kubelet/app/server.go parseResourceList, called
 * from run() before the container manager is built): cpu, memory, ephemeral-storage and pid only, each a
 * non-negative quantity. Errors carry the kubelet's text; kubelet-sim reserves nothing.
 */
import { parseQuantity, QuantityError } from '../config/quantity';

/** v1.ResourceCPU, ResourceMemory, ResourceEphemeralStorage, pidlimit.PIDs. */
export const RESERVABLE_RESOURCES = ['cpu', 'memory', 'ephemeral-storage', 'pid'] as const;

export class ReservedResourceError extends Error {}

/** The parsed quantities by resource name; throws with parseResourceList's text (first bad key in key order). */
export function parseResourceList(m: Readonly<Record<string, string>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!(RESERVABLE_RESOURCES as readonly string[]).includes(k)) throw new ReservedResourceError(`cannot reserve ${JSON.stringify(k)} resource`);
    let q: number;
    try {
      q = parseQuantity(v);
    } catch (err) {
      if (err instanceof QuantityError) throw new ReservedResourceError(`failed to parse quantity ${JSON.stringify(v)} for ${JSON.stringify(k)} resource: ${err.message}`);
      throw err;
    }
    if (q < 0) throw new ReservedResourceError(`resource quantity for ${JSON.stringify(k)} cannot be negative: ${v}`);
    out.set(k, q);
  }
  return out;
}
