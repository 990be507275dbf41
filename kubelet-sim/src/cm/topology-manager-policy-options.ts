/**
 * topologyManagerPolicyOptions as the topology manager parses them when the container manager is built
 * (pkg/kubelet/cm/topologymanager policy_options.go NewPolicyOptions, called first by NewManager; its error
 * is returned as it is up to run()). Options by maturity at 1.34: prefer-closest-numa-nodes stable (GA in
 * 1.32), max-allowable-numa-nodes beta (TopologyManagerPolicyBetaOptions, on by default). NewManager then
 * refuses, for any policy but none, a machine with more NUMA nodes than max-allowable-numa-nodes
 * (topology_manager.go, {@link checkNumaNodeCount}).
 */
import { goAtoi, goParseBool, goQuote } from '../config/go-compat';

export const TOPOLOGY_MANAGER_POLICY_OPTIONS = {
  'prefer-closest-numa-nodes': 'stable',
  'max-allowable-numa-nodes': 'beta',
} as const;

/** policy_options.go defaultMaxAllowableNUMANodes. */
export const DEFAULT_MAX_ALLOWABLE_NUMA_NODES = 8;

export class TopologyManagerOptionsError extends Error {}

/**
 * Throws with the kubelet's text for the first bad option in key order (the kubelet walks Go's map in random
 * order and names whichever it meets first).
 */
export function checkTopologyManagerPolicyOptions(options: Readonly<Record<string, string>>, enabled: (gate: string) => boolean): { maxAllowableNumaNodes: number } {
  let maxAllowableNumaNodes = DEFAULT_MAX_ALLOWABLE_NUMA_NODES;
  const fail = (text: string): never => {
    throw new TopologyManagerOptionsError(text);
  };
  for (const name of Object.keys(options).sort()) {
    const maturity = (TOPOLOGY_MANAGER_POLICY_OPTIONS as Record<string, string>)[name];
    if (maturity === undefined) fail(`unknown Topology Manager Policy option: ${goQuote(name)}`);
    if (maturity === 'alpha' && !enabled('TopologyManagerPolicyAlphaOptions')) fail(`Topology Manager Policy Alpha-level Options not enabled, but option ${goQuote(name)} provided`);
    if (maturity === 'beta' && !enabled('TopologyManagerPolicyBetaOptions')) fail(`Topology Manager Policy Beta-level Options not enabled, but option ${goQuote(name)} provided`);
    const value = options[name];
    if (name === 'prefer-closest-numa-nodes') {
      try {
        goParseBool(value);
      } catch (err) {
        fail(`bad value for option ${goQuote(name)}: ${(err as Error).message}`);
      }
    } else {
      let n = 0;
      try {
        n = goAtoi(value);
      } catch (err) {
        fail(`unable to convert policy option to integer ${goQuote(name)}: ${(err as Error).message}`);
      }
      if (n < DEFAULT_MAX_ALLOWABLE_NUMA_NODES) fail(`the minimum value of ${goQuote(name)} should not be less than ${DEFAULT_MAX_ALLOWABLE_NUMA_NODES}`);
      maxAllowableNumaNodes = n;
    }
  }
  return { maxAllowableNumaNodes };
}

/** topology_manager.go NewManager after the options: the state explosion limit on NUMA nodes, unless the policy is none. */
export function checkNumaNodeCount(policy: string, numaNodes: number, maxAllowableNumaNodes: number): void {
  if (policy !== 'none' && numaNodes > maxAllowableNumaNodes) {
    throw new TopologyManagerOptionsError(`unsupported on machines with more than ${maxAllowableNumaNodes} NUMA Nodes`);
  }
}
