/**
 * The memory manager's choice of policy (pkg/kubelet/cm/memorymanager/memory_manager.go NewManager, called by
 * NewContainerManager after the CPU manager; its error reaches run() as it is): `None` (the default) or
 * `Static`, spelled with capitals; `BestEffort` exists for Windows only. Static first checks `reservedMemory`
 * against the machine and the node's reservation (getSystemReservedMemory: validateReservedMemory, then
 * convertReserved), then NewPolicyStatic wants some memory reserved. kubelet-sim allocates no memory; it checks
 * so that what the kubelet refuses is refused here too.
 */
import { goQuote } from '../config/go-compat';
import { addQuantity, formatQuantity, parseQuantity, quantityAsInt64, quantityFormat, type GoQuantity } from '../config/quantity';
import type { MachineTopology } from './machine-topology';

export const MEMORY_MANAGER_POLICIES = ['None', 'Static', 'BestEffort'] as const;

export class MemoryManagerPolicyError extends Error {}

/** KubeletConfiguration reservedMemory entries (limits as quantity text; validation has parsed them). */
export type MemoryReservations = ReadonlyArray<{ numaNode: number; limits: Readonly<Record<string, string>> }>;

/** What the Static policy needs; absent for a policy check alone. */
export interface StaticPolicyInputs {
  machine: MachineTopology;
  /** GetNodeAllocatableReservation, by resource name (only memory and hugepages-* are looked at). */
  nodeAllocatableReservation: ReadonlyMap<string, GoQuantity>;
  reservedMemory: MemoryReservations;
}

/** `goos`: Go's name of the platform (runtime.GOOS), as the kubelet prints it. */
export function checkMemoryManagerPolicy(policy: string, goos: string = process.platform === 'win32' ? 'windows' : process.platform,
  statik?: StaticPolicyInputs): void {
  if (policy === 'None') return;
  if (policy === 'Static') {
    if (goos === 'windows') throw new MemoryManagerPolicyError('policy "Static" is not available on Windows');
    if (statik !== undefined) checkStaticReservedMemory(statik);
    return;
  }
  if (policy === 'BestEffort') {
    if (goos === 'windows') return;
    throw new MemoryManagerPolicyError(`policy "BestEffort" is not available for platform ${goQuote(goos)}`);
  }
  throw new MemoryManagerPolicyError(`unknown policy: ${goQuote(policy)}`);
}

const isMemoryType = (name: string): boolean => name === 'memory' || name.startsWith('hugepages-');

/**
 * getTotalMemoryTypeReserved (every entry names a NUMA node the machine has; totals per resource, each sum
 * taking the format of the entry added last unless that is zero), validateReservedMemory (per memory type the
 * total equals the node's reservation; the kubelet walks a Go map, kubelet-sim names the first type in key
 * order), convertReserved (whole bytes), NewPolicyStatic (some memory reserved).
 */
function checkStaticReservedMemory({ machine, nodeAllocatableReservation, reservedMemory }: StaticPolicyInputs): void {
  const nodes = new Set(machine.numaNodes.map((n) => n.id));
  const totals = new Map<string, GoQuantity>();
  for (const { numaNode, limits } of reservedMemory) {
    if (!nodes.has(numaNode)) {
      throw new MemoryManagerPolicyError(`the reserved memory configuration references a NUMA node ${numaNode} that does not exist on this machine`);
    }
    for (const [name, text] of Object.entries(limits)) {
      const q: GoQuantity = { value: parseQuantity(text), format: quantityFormat(text) };
      const before = totals.get(name);
      totals.set(name, before === undefined ? q : addQuantity(q, before));
    }
  }
  const types = new Set(totals.keys());
  for (const name of nodeAllocatableReservation.keys()) if (isMemoryType(name)) types.add(name);
  for (const name of [...types].sort()) {
    const zero: GoQuantity = { value: 0, format: 'DecimalSI' };
    const allocatable = addQuantity(zero, nodeAllocatableReservation.get(name) ?? zero);
    const reserved = addQuantity(zero, totals.get(name) ?? zero);
    if (allocatable.value !== reserved.value) {
      throw new MemoryManagerPolicyError(`the total amount ${goQuote(formatQuantity(reserved))} of type ${goQuote(name)} is not equal to the value ${goQuote(formatQuantity(allocatable))} determined by Node Allocatable feature`);
    }
  }
  let memory = 0;
  for (const { limits } of reservedMemory) {
    for (const [name, text] of Object.entries(limits)) {
      const bytes = quantityAsInt64(parseQuantity(text));
      if (bytes === undefined) throw new MemoryManagerPolicyError('could not covert a variable of type Quantity to int64');
      if (name === 'memory') memory += bytes;
    }
  }
  if (memory === 0) throw new MemoryManagerPolicyError('[memorymanager] you should specify the system reserved memory');
}
