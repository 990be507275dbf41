/**
 * The kubelet's parsing of kubeReserved / systemReserved (cmd/kubelet/app/server.go parseResourceList, called
 * from run() before the container manager is built): cpu, memory, ephemeral-storage and pid only, each a
 * non-negative quantity. Errors carry the kubelet's text; kubelet-sim reserves nothing.
 */
import { addQuantity, parseQuantity, QuantityError, quantityFormat, type GoQuantity } from '../config/quantity';

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

/** The kubelet's default hard eviction threshold for memory (pkg/kubelet/eviction/defaults_linux.go). */
export const DEFAULT_EVICTION_HARD_MEMORY_AVAILABLE = '100Mi';

/**
 * The memory part of the node's reservation as the container manager hands it to the memory manager
 * (pkg/kubelet/cm/node_container_manager_linux.go GetNodeAllocatableReservation, hardEvictionReservation):
 * systemReserved, then kubeReserved, then the hard memory.available threshold (a percentage of the machine's
 * memory capacity, truncated to bytes), summed as Quantity.Add sums them; absent when the sum is zero.
 * Hugepages cannot be reserved there (parseResourceList) nor evicted on, so they never appear.
 * `evictionHardMemory`: the hard memory.available threshold in force, undefined for none; parsed before.
 */
export function nodeAllocatableMemoryReservation(systemReserved: Readonly<Record<string, string>>, kubeReserved: Readonly<Record<string, string>>,
  evictionHardMemory: string | undefined, memoryCapacityBytes: number): Map<string, GoQuantity> {
  let sum: GoQuantity = { value: 0, format: 'DecimalSI' };
  for (const list of [systemReserved, kubeReserved]) {
    const text = list.memory;
    // A missing key adds Go's zero Quantity, whose empty format a zero sum takes: only values matter until then.
    sum = text === undefined ? { value: sum.value, format: sum.value === 0 ? 'DecimalSI' : sum.format } : addQuantity(sum, { value: parseQuantity(text), format: quantityFormat(text) });
  }
  if (evictionHardMemory !== undefined && evictionHardMemory !== '0%' && evictionHardMemory !== '100%') {
    let eviction: GoQuantity;
    if (evictionHardMemory.endsWith('%')) {
      // evictionapi.GetThresholdQuantity: float32 percentage (ParseFloat(…, 32) / 100) times the capacity.
      const percentage = Math.fround(Math.fround(Number(evictionHardMemory.replace(/%+$/, ''))) / 100);
      eviction = { value: Math.trunc(memoryCapacityBytes * percentage), format: 'BinarySI' };
    } else {
      eviction = { value: parseQuantity(evictionHardMemory), format: quantityFormat(evictionHardMemory) };
    }
    sum = addQuantity(sum, eviction);
  }
  return sum.value === 0 ? new Map() : new Map([['memory', sum]]);
}
