/**
 * What the kubelet refuses while it starts, after its config file loaded and validated, in its order
 * (cmd/kubelet/app/server.go run → RunKubelet → NewMainKubelet): the CRI endpoints (PreInitRuntimeService),
 * kubeReserved and systemReserved (parseResourceList), the hard eviction thresholds and the CPU manager policy
 * (building the container manager; reservedSystemCPUs within the online CPUs first), then in NewMainKubelet all eviction settings and the container log size.
 * Building the container manager checks the machine too (cAdvisor's MachineInfo, read by cm/machine-topology):
 * the topology manager's NUMA node limit, the static CPU policy's reservation and align-by-socket, the Static
 * memory policy's reservedMemory against the NUMA nodes and the node's memory reservation.
 * Run before tracing and before any dial, so that a bad setting fails at once with a KubeletStartError naming
 * its field. Errors from run() read `failed to run Kubelet: <err>`; from NewMainKubelet
 * `failed to run Kubelet: failed to create kubelet: <err>`.
 */
import * as os from 'node:os';
import { parseContainerLogMaxSize } from './background-loop-settings';
import { checkCpuManagerPolicy, CPU_MANAGER_POLICY_OPTIONS, CpuManagerPolicyError } from './cm/cpu-manager-policy';
import { checkNumaNodeCount, checkTopologyManagerPolicyOptions, DEFAULT_MAX_ALLOWABLE_NUMA_NODES, TOPOLOGY_MANAGER_POLICY_OPTIONS, TopologyManagerOptionsError } from './cm/topology-manager-policy-options';
import { checkMemoryManagerPolicy, MemoryManagerPolicyError } from './cm/memory-manager-policy';
import { readMachineTopology, type MachineTopology } from './cm/machine-topology';
import { formatQuantity } from './config/quantity';
import { cpuSetSize, formatCpuSet, isWithinFirstCpus, parseCpuSet, type CpuRanges } from './cm/cpuset';
import { DEFAULT_EVICTION_HARD_MEMORY_AVAILABLE, nodeAllocatableMemoryReservation, parseResourceList, ReservedResourceError } from './cm/reserved-resources';
import type { ResolvedKubeletConfig } from './config';
import { evaluateFeatureGates } from './config/feature-gates';
import { parseKubeletVersion } from './config/kubelet-version';
import { resolveCriEndpoints, type CriEndpointTargets } from './cri/cri-endpoint';
import { checkEvictionSettings, EvictionConfigError, EVICTION_SIGNALS } from './eviction/eviction-thresholds';
import { KubeletStartError } from './util/kubelet-start-error';

const RUN = 'failed to run Kubelet: ';
const CREATE = `${RUN}failed to create kubelet: `;

/** What the kubelet learns from cAdvisor's MachineInfo that a start-up check needs. */
export interface MachineInfo {
  /** Online CPUs, numbered 0..onlineCpus-1. */
  onlineCpus: number;
  /** NUMA nodes, sockets and memory capacity. */
  topology: MachineTopology;
}

/** This host, read at call time. */
export function readMachineInfo(): MachineInfo {
  return { onlineCpus: os.cpus().length, topology: readMachineTopology() };
}

export function checkStartupSettings(config: ResolvedKubeletConfig, flagEndpoint: string | undefined,
  machine: MachineInfo = readMachineInfo()): CriEndpointTargets {
  const targets = resolveCriEndpoints(config, flagEndpoint);
  // getReservedCPUs (server.go), before the reservations are parsed: validation already parsed the set.
  const reservedSystemCpus = parseCpuSet(config.reservedSystemCPUs);
  if (!isWithinFirstCpus(reservedSystemCpus, machine.onlineCpus)) {
    const online = formatCpuSet(machine.onlineCpus > 0 ? [[0, machine.onlineCpus - 1]] : []);
    throw new KubeletStartError(`${RUN}reserved-cpus: ${config.reservedSystemCPUs} is not a subset of online-cpus: ${online}`,
      'reservedSystemCPUs', `name only CPUs this machine has online (${online})`);
  }
  const reserved = (field: 'kubeReserved' | 'systemReserved', flag: string): Map<string, number> => {
    try {
      return parseResourceList(config[field]);
    } catch (err) {
      if (!(err instanceof ReservedResourceError)) throw err;
      throw new KubeletStartError(`${RUN}--${flag} value failed to parse: ${err.message}`, field,
        'reserve only cpu, memory, ephemeral-storage or pid, each a non-negative quantity such as 500m, 1Gi or 100');
    }
  };
  const kubeReserved = reserved('kubeReserved', 'kube-reserved');
  const systemReserved = reserved('systemReserved', 'system-reserved');
  const evictionFix = {
    evictionHard: `signals are ${EVICTION_SIGNALS.join(', ')}; a threshold is a positive quantity (100Mi) or a percentage from 0% to 100% (10%)`,
    evictionSoft: `signals and thresholds as in evictionHard, and each evictionSoft signal needs an evictionSoftGracePeriod (1m30s)`,
    evictionSoftGracePeriod: 'a non-negative duration per evictionSoft signal, e.g. memory.available: 1m30s',
    evictionMinimumReclaim: 'a non-negative quantity (500Mi) or a positive percentage (5%) per signal',
  } as const;
  const eviction = (prefix: string, settings: Parameters<typeof checkEvictionSettings>[0]): void => {
    try {
      checkEvictionSettings(settings);
    } catch (err) {
      if (!(err instanceof EvictionConfigError)) throw err;
      throw new KubeletStartError(`${prefix}${err.message}`, err.field, evictionFix[err.field]);
    }
  };
  eviction(RUN, { evictionHard: config.evictionHard, evictionSoft: {}, evictionSoftGracePeriod: {}, evictionMinimumReclaim: {} });
  // NewContainerManager: the topology manager first, then the CPU manager, then the memory manager.
  const gates = evaluateFeatureGates(config.featureGates, parseKubeletVersion(config.kubeletVersion));
  const numaNodes = machine.topology.numaNodes.length;
  const numaIds = formatCpuSet(parseCpuSet(machine.topology.numaNodes.map((n) => n.id).join(',')));
  try {
    const { maxAllowableNumaNodes } = checkTopologyManagerPolicyOptions(config.topologyManagerPolicyOptions, (gate) => gates.enabled(gate));
    try {
      checkNumaNodeCount(config.topologyManagerPolicy, numaNodes, maxAllowableNumaNodes);
    } catch (err) {
      if (!(err instanceof TopologyManagerOptionsError)) throw err;
      throw new KubeletStartError(`${RUN}${err.message}`, 'topologyManagerPolicyOptions',
        `this machine has ${numaNodes} NUMA nodes: set max-allowable-numa-nodes to at least ${numaNodes}, or topologyManagerPolicy none`);
    }
  } catch (err) {
    if (!(err instanceof TopologyManagerOptionsError)) throw err;
    throw new KubeletStartError(`${RUN}${err.message}`, 'topologyManagerPolicyOptions',
      `options are ${Object.keys(TOPOLOGY_MANAGER_POLICY_OPTIONS).join(' (true or false) and ')} (an integer of at least ${DEFAULT_MAX_ALLOWABLE_NUMA_NODES})`);
  }
  try {
    checkCpuManagerPolicy(config.cpuManagerPolicy, reservedCpus(reservedSystemCpus, kubeReserved, systemReserved),
      config.cpuManagerPolicyOptions, (gate) => gates.enabled(gate), {
        topologyManagerPolicy: config.topologyManagerPolicy, cpus: machine.onlineCpus, sockets: machine.topology.sockets,
        numaNodes, reservedSystemCpusSet: reservedSystemCpus.length > 0,
      });
  } catch (err) {
    if (!(err instanceof CpuManagerPolicyError)) throw err;
    if (err.message.includes('unable to reserve the required amount')) {
      throw new KubeletStartError(`${RUN}${err.message}`, 'kubeReserved',
        `kubeReserved.cpu + systemReserved.cpu, rounded up, may not exceed this machine's ${machine.onlineCpus} CPUs`);
    }
    if (err.message.includes('Align by socket') || err.message.includes('Topolgy manager')) {
      throw new KubeletStartError(`${RUN}${err.message}`, 'cpuManagerPolicyOptions',
        `align-by-socket needs a topologyManagerPolicy other than single-numa-node and a machine with no more sockets than NUMA nodes (this one: ${machine.topology.sockets} and ${numaNodes})`);
    }
    const aboutOptions = err.message.includes('option');
    throw new KubeletStartError(`${RUN}${err.message}`, aboutOptions ? 'cpuManagerPolicyOptions' : 'cpuManagerPolicy',
      aboutOptions ? `options go with the static policy: ${Object.keys(CPU_MANAGER_POLICY_OPTIONS).join(', ')} (alpha ones need CPUManagerPolicyAlphaOptions), each true or false`
        : 'use none (the default) or static; static needs kubeReserved.cpu or systemReserved.cpu above zero, or reservedSystemCPUs');
  }
  const reservation = nodeAllocatableMemoryReservation(config.systemReserved, config.kubeReserved,
    evictionHardMemory(config), machine.topology.memoryCapacityBytes);
  try {
    checkMemoryManagerPolicy(config.memoryManagerPolicy, undefined, {
      machine: machine.topology, nodeAllocatableReservation: reservation, reservedMemory: config.reservedMemory,
    });
  } catch (err) {
    if (!(err instanceof MemoryManagerPolicyError)) throw err;
    if (config.memoryManagerPolicy !== 'Static') {
      throw new KubeletStartError(`${RUN}${err.message}`, 'memoryManagerPolicy', 'use None (the default) or Static, capitalised');
    }
    const memory = reservation.get('memory');
    throw new KubeletStartError(`${RUN}${err.message}`, 'reservedMemory',
      `with memoryManagerPolicy Static, list memory per NUMA node of this machine (${numaIds}) adding up to systemReserved + kubeReserved + evictionHard memory.available, here ${memory === undefined ? '0' : formatQuantity(memory)}, with no hugepages`);
  }
  eviction(CREATE, config);
  parseContainerLogMaxSize(config.containerLogMaxSize);
  return targets;
}

/** The hard memory.available threshold in force: as written, else the default when evictionHard is absent or merged with the defaults. */
function evictionHardMemory(config: ResolvedKubeletConfig): string | undefined {
  const written = config.evictionHard['memory.available'];
  if (written !== undefined) return written;
  return !config.evictionHardWritten || config.mergeDefaultEvictionSettings ? DEFAULT_EVICTION_HARD_MEMORY_AVAILABLE : undefined;
}

/**
 * The CPUs the node reserves, as the CPU manager sees them: server.go replaces the cpu of both reservations
 * with the size of reservedSystemCPUs when it is set; undefined when nothing names cpu.
 */
function reservedCpus(reservedSystemCpus: CpuRanges, kube: Map<string, number>, system: Map<string, number>): number | undefined {
  if (reservedSystemCpus.length > 0) return cpuSetSize(reservedSystemCpus);
  if (!kube.has('cpu') && !system.has('cpu')) return undefined;
  return (kube.get('cpu') ?? 0) + (system.get('cpu') ?? 0);
}
