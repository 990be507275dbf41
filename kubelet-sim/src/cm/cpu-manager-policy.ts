/**
 * The CPU manager's choice of policy (pkg/kubelet/cm/cpumanager/cpu_manager.go NewManager, called by
 * NewContainerManager, whose error run() returns as it is): `none` or `static`; static needs a CPU
 * reservation (kubeReserved.cpu + systemReserved.cpu, or reservedSystemCPUs) above zero. kubelet-sim pins no
 * CPUs; it checks so that a configuration the kubelet refuses is refused here too.
 */
export const CPU_MANAGER_POLICIES = ['none', 'static'] as const;

export class CpuManagerPolicyError extends Error {}

/** `reservedCpu`: the node's CPU reservation, undefined when neither reservation names cpu. */
export function checkCpuManagerPolicy(policy: string, reservedCpu: number | undefined): void {
  if (policy === 'none') return;
  if (policy !== 'static') throw new CpuManagerPolicyError(`unknown policy: "${policy}"`);
  if (reservedCpu === undefined) throw new CpuManagerPolicyError('[cpumanager] unable to determine reserved CPU resources for static policy');
  if (reservedCpu === 0) throw new CpuManagerPolicyError('[cpumanager] the static policy requires systemreserved.cpu + kubereserved.cpu to be greater than zero');
}
