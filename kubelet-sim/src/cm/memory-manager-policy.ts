/**
 * The memory manager's choice of policy (pkg/kubelet/cm/memorymanager/memory_manager.go NewManager, called by
 * NewContainerManager after the CPU manager; its error reaches run() as it is): `None` (the default) or
 * `Static`, spelled with capitals; `BestEffort` exists for Windows only. kubelet-sim allocates no memory; it
 * checks so that a policy the kubelet refuses is refused here too. (Static's check that reservedMemory adds
 * up to the node allocatable reservation needs reservedMemory and the machine's NUMA nodes, not modelled.)
 */
import { goQuote } from '../config/go-compat';

export const MEMORY_MANAGER_POLICIES = ['None', 'Static', 'BestEffort'] as const;

export class MemoryManagerPolicyError extends Error {}

/** `goos`: Go's name of the platform (runtime.GOOS), as the kubelet prints it. */
export function checkMemoryManagerPolicy(policy: string, goos: string = process.platform === 'win32' ? 'windows' : process.platform): void {
  if (policy === 'None' || policy === 'Static') return;
  if (policy === 'BestEffort') {
    if (goos === 'windows') return;
    throw new MemoryManagerPolicyError(`policy "BestEffort" is not available for platform ${goQuote(goos)}`);
  }
  throw new MemoryManagerPolicyError(`unknown policy: ${goQuote(policy)}`);
}
