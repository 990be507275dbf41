/**
 * The CPU manager's choice of policy (pkg/kubelet/cm/cpumanager/cpu_manager.go NewManager, called by
 * NewContainerManager, whose error run() returns as it is): `none` or `static`; static needs a CPU
 * reservation (kubeReserved.cpu + systemReserved.cpu, or reservedSystemCPUs) above zero. kubelet-sim pins no
 * CPUs; it checks so that a configuration the kubelet refuses is refused here too.
 */
import { goFormatStringMap, goParseBool, goQuote } from '../config/go-compat';

export const CPU_MANAGER_POLICIES = ['none', 'static'] as const;

export class CpuManagerPolicyError extends Error {}

/**
 * The static policy's options by maturity (cpumanager/policy_options.go at 1.34): alpha ones need
 * CPUManagerPolicyAlphaOptions (off by default), beta ones CPUManagerPolicyBetaOptions (on by default).
 */
export const CPU_MANAGER_POLICY_OPTIONS = {
  'full-pcpus-only': 'stable',
  'distribute-cpus-across-numa': 'beta',
  'align-by-socket': 'alpha',
  'distribute-cpus-across-cores': 'alpha',
  'strict-cpu-reservation': 'beta',
  'prefer-align-cpus-by-uncorecache': 'beta',
} as const;

/** Pairs NewStaticPolicyOptions refuses together, in its order. */
const EXCLUSIVE_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ['full-pcpus-only', 'distribute-cpus-across-cores'],
  ['distribute-cpus-across-numa', 'distribute-cpus-across-cores'],
  ['prefer-align-cpus-by-uncorecache', 'distribute-cpus-across-cores'],
  ['prefer-align-cpus-by-uncorecache', 'distribute-cpus-across-numa'],
];

/** What the static policy checks against the machine (cpumanager topology.Discover) and the topology manager. */
export interface StaticPolicyMachine {
  /** topologyManagerPolicy in force. */
  topologyManagerPolicy: string;
  cpus: number;
  sockets: number;
  numaNodes: number;
  /** reservedSystemCPUs was set: its CPUs are the reservation and always add up. */
  reservedSystemCpusSet: boolean;
}

/**
 * `reservedCpu`: the node's CPU reservation, undefined when neither reservation names cpu; `options`:
 * cpuManagerPolicyOptions; `enabled`: the feature gates; `machine`: absent to check the settings alone. Where
 * the kubelet walks the options map in Go's random order and names whichever bad option it meets first,
 * kubelet-sim names the first in key order.
 */
export function checkCpuManagerPolicy(policy: string, reservedCpu: number | undefined,
  options: Readonly<Record<string, string>> = {}, enabled: (gate: string) => boolean = () => true, machine?: StaticPolicyMachine): void {
  const names = Object.keys(options).sort();
  if (policy === 'none') {
    // policy_none.go NewNonePolicy, wrapped by NewManager.
    if (names.length > 0) throw new CpuManagerPolicyError(`new none policy error: None policy: received unsupported options=${goFormatStringMap(options)}`);
    return;
  }
  if (policy !== 'static') throw new CpuManagerPolicyError(`unknown policy: "${policy}"`);
  if (reservedCpu === undefined) throw new CpuManagerPolicyError('[cpumanager] unable to determine reserved CPU resources for static policy');
  if (reservedCpu === 0) throw new CpuManagerPolicyError('[cpumanager] the static policy requires systemreserved.cpu + kubereserved.cpu to be greater than zero');
  // NewStaticPolicy → NewStaticPolicyOptions (CheckPolicyOptionAvailable, then the value), wrapped by NewManager.
  const fail = (text: string): never => {
    throw new CpuManagerPolicyError(`new static policy error: ${text}`);
  };
  const on = new Set<string>();
  for (const name of names) {
    const maturity = (CPU_MANAGER_POLICY_OPTIONS as Record<string, string>)[name];
    if (maturity === undefined) fail(`unknown CPU Manager Policy option: ${goQuote(name)}`);
    if (maturity === 'alpha' && !enabled('CPUManagerPolicyAlphaOptions')) fail(`CPU Manager Policy Alpha-level Options not enabled, but option ${goQuote(name)} provided`);
    if (maturity === 'beta' && !enabled('CPUManagerPolicyBetaOptions')) fail(`CPU Manager Policy Beta-level Options not enabled, but option ${goQuote(name)} provided`);
    let value = false;
    try {
      value = goParseBool(options[name]);
    } catch (err) {
      fail(`bad value for option ${goQuote(name)}: ${(err as Error).message}`);
    }
    if (value) on.add(name);
  }
  for (const [a, b] of EXCLUSIVE_OPTIONS) {
    if (on.has(a) && on.has(b)) fail(`static policy options ${a} and ${b} can not be used at the same time`);
  }
  if (machine === undefined) return;
  // ValidateStaticPolicyOptions (policy_options.go; its typo is upstream's).
  if (on.has('align-by-socket')) {
    if (machine.topologyManagerPolicy === 'single-numa-node') fail('Topolgy manager single-numa-node policy is incompatible with CPUManager align-by-socket policy option');
    if (machine.sockets > machine.numaNodes) fail('Align by socket is not compatible with hardware where number of sockets are more than number of NUMA');
  }
  // NewStaticPolicy: without reservedSystemCPUs, takeByTopology picks ceil(reservation) CPUs, or none when the
  // machine has fewer.
  const numReserved = Math.ceil(reservedCpu);
  if (!machine.reservedSystemCpusSet && numReserved > machine.cpus) {
    fail(`[cpumanager] unable to reserve the required amount of CPUs (size of  did not equal ${numReserved})`);
  }
}
