import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadKubeletConfigData } from '../../kubelet-sim/src/config';
import { uniformMachine } from '../../kubelet-sim/src/cm/machine-topology';
import { checkStartupSettings } from '../../kubelet-sim/src/startup-checks';

const GI = 2 ** 30;
const accepts = (lines: string, onlineCpus = 4, numaNodes = 1, sockets = 1, memoryBytes = 16 * GI): void => {
  const { config } = loadKubeletConfigData(`apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n${lines}\n`, { path: '/etc/kubernetes/kubelet.yaml' });
  assert.doesNotThrow(() => checkStartupSettings(config, undefined, { onlineCpus, topology: uniformMachine({ cpus: onlineCpus, numaNodes, sockets, memoryBytes }) }));
};

// The refusals are in test/fixtures/hostile-input/kubelet-configuration.yaml; these are what the kubelet takes.
describe('start-up checks accept what the kubelet accepts', () => {
  it('eviction settings: the kubelet\'s defaults, 0% and 100% (ignored), soft thresholds with their grace periods, minimum reclaims', () => {
    accepts('evictionHard:\n  memory.available: 100Mi\n  nodefs.available: 10%\n  nodefs.inodesFree: 5%\n  imagefs.available: 15%\n  imagefs.inodesFree: 5%');
    accepts('evictionHard:\n  memory.available: 0%\n  pid.available: 100%');
    accepts('evictionSoft:\n  memory.available: 300Mi\nevictionSoftGracePeriod:\n  memory.available: 1m30s\nevictionMinimumReclaim:\n  memory.available: 0Mi\n  nodefs.available: 5%');
    accepts('evictionSoftGracePeriod:\n  memory.available: 1m');
  });

  it('reservations and the static CPU manager policy with a CPU reservation', () => {
    accepts('systemReserved:\n  cpu: 500m\n  memory: 1Gi\n  ephemeral-storage: 1Gi\n  pid: "1000"\nkubeReserved:\n  memory: "0"');
    accepts('cpuManagerPolicy: static\nkubeReserved:\n  cpu: "1"');
    accepts('cpuManagerPolicy: static\nreservedSystemCPUs: 0-1\nsystemReservedCgroup: ""');
    accepts('cpuManagerPolicy: none');
  });

  it('reservedSystemCPUs: any cpuset within the online CPUs (single CPUs, ranges, a one-CPU range, signs Atoi takes)', () => {
    for (const list of ['0', '0-1', '0,1', '1-1', '0-1,3', '3,0', '+2', '0-3']) accepts(`reservedSystemCPUs: "${list}"`);
    accepts('cpuManagerPolicy: static\nreservedSystemCPUs: "0,2"');
    accepts('reservedSystemCPUs: "0-63"', 64);
  });

  it('cpuManagerPolicyOptions with the static policy: stable and beta options, alpha ones with their gate, any ParseBool spelling', () => {
    const statik = 'cpuManagerPolicy: static\nkubeReserved:\n  cpu: "1"\n';
    accepts(`${statik}cpuManagerPolicyOptions:\n  full-pcpus-only: "true"`);
    accepts(`${statik}cpuManagerPolicyOptions:\n  full-pcpus-only: "True"\n  strict-cpu-reservation: "1"\n  distribute-cpus-across-numa: "t"`);
    accepts(`${statik}cpuManagerPolicyOptions:\n  prefer-align-cpus-by-uncorecache: "true"\n  distribute-cpus-across-numa: "false"`);
    accepts(`featureGates:\n  CPUManagerPolicyAlphaOptions: true\n${statik}cpuManagerPolicyOptions:\n  align-by-socket: "true"\n  distribute-cpus-across-cores: "FALSE"\n  full-pcpus-only: "true"`);
    accepts('cpuManagerPolicy: none\ncpuManagerPolicyOptions: {}');
  });

  it('topologyManagerPolicyOptions: prefer-closest-numa-nodes as a bool, max-allowable-numa-nodes of 8 or more', () => {
    accepts('topologyManagerPolicy: restricted\ntopologyManagerPolicyOptions:\n  prefer-closest-numa-nodes: "true"');
    accepts('topologyManagerPolicy: best-effort\ntopologyManagerPolicyOptions:\n  prefer-closest-numa-nodes: "0"\n  max-allowable-numa-nodes: "8"');
    accepts('topologyManagerPolicyOptions:\n  max-allowable-numa-nodes: "16"');
  });

  it('topology manager: up to 8 NUMA nodes, more with max-allowable-numa-nodes, any count with the none policy', () => {
    accepts('topologyManagerPolicy: single-numa-node', 16, 8);
    accepts('topologyManagerPolicy: best-effort\ntopologyManagerPolicyOptions:\n  max-allowable-numa-nodes: "9"', 18, 9);
    accepts('topologyManagerPolicy: none', 18, 9);
  });

  it('static CPU policy: align-by-socket with as many NUMA nodes as sockets; a reservation the machine can hold', () => {
    const alignBySocket = 'featureGates:\n  CPUManagerPolicyAlphaOptions: true\ncpuManagerPolicy: static\nkubeReserved:\n  cpu: "1"\ncpuManagerPolicyOptions:\n  align-by-socket: "true"';
    accepts(alignBySocket, 8, 2, 2);
    accepts(`${alignBySocket}\ntopologyManagerPolicy: restricted`, 8, 4, 2);
    accepts('cpuManagerPolicy: static\nkubeReserved:\n  cpu: 3500m', 4);
    accepts('cpuManagerPolicy: static\nreservedSystemCPUs: "0-3"', 4);
  });

  it('memoryManagerPolicy None, and Static with reservedMemory adding up to the node\'s reservation', () => {
    accepts('memoryManagerPolicy: None');
    accepts('memoryManagerPolicy: ""');
    // The default hard eviction threshold alone: 100Mi.
    accepts('memoryManagerPolicy: Static\nreservedMemory:\n- numaNode: 0\n  limits:\n    memory: 100Mi');
    // 1Gi + 500Mi + 100Mi, split over two NUMA nodes in other units.
    accepts('memoryManagerPolicy: Static\nkubeReserved:\n  memory: 1Gi\nsystemReserved:\n  memory: 500Mi\nreservedMemory:\n- numaNode: 0\n  limits:\n    memory: 1Gi\n- numaNode: 1\n  limits:\n    memory: "629145600"', 4, 2);
    // evictionHard written without memory.available: no default threshold, unless merged with the defaults.
    accepts('memoryManagerPolicy: Static\nevictionHard:\n  nodefs.available: 10%\nkubeReserved:\n  memory: 1Gi\nreservedMemory:\n- numaNode: 0\n  limits:\n    memory: 1Gi');
    accepts('memoryManagerPolicy: Static\nmergeDefaultEvictionSettings: true\nevictionHard:\n  nodefs.available: 10%\nkubeReserved:\n  memory: 1Gi\nreservedMemory:\n- numaNode: 0\n  limits:\n    memory: 1124Mi');
    // A percentage of the machine's memory: 5% of 16Gi, truncated to bytes as the kubelet's float32 arithmetic gives.
    accepts('memoryManagerPolicy: Static\nevictionHard:\n  memory.available: 5%\nreservedMemory:\n- numaNode: 0\n  limits:\n    memory: "858993472"');
    // reservedMemory is only checked with the Static policy.
    accepts('memoryManagerPolicy: None\nreservedMemory:\n- numaNode: 7\n  limits:\n    memory: 1Gi');
    assert.throws(() => accepts('reservedSystemCPUs: "0-63"', 63), /reserved-cpus: 0-63 is not a subset of online-cpus: 0-62/);
  });

  it('logging in json, and serverTLSBootstrap with its gate on (the default)', () => {
    accepts('logging:\n  format: json\n  verbosity: 4');
    accepts('featureGates:\n  LoggingBetaOptions: true\nlogging:\n  format: json');
    accepts('featureGates:\n  LoggingBetaOptions: false\nlogging:\n  format: text');
    accepts('logging:\n  vmodule:\n  - filePattern: kubelet*\n    verbosity: 5');
    accepts('serverTLSBootstrap: true');
  });
});
