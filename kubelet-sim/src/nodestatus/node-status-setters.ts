import { cpus, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

/** Node condition types and the reasons/messages the kubelet's setters write (pkg/kubelet/nodestatus/setters.go@v1.34.0). */
export const NODE_CONDITION = {
  MEMORY_PRESSURE: { type: 'MemoryPressure', reasonOk: 'KubeletHasSufficientMemory', messageOk: 'kubelet has sufficient memory available' },
  DISK_PRESSURE: { type: 'DiskPressure', reasonOk: 'KubeletHasNoDiskPressure', messageOk: 'kubelet has no disk pressure' },
  PID_PRESSURE: { type: 'PIDPressure', reasonOk: 'KubeletHasSufficientPID', messageOk: 'kubelet has sufficient PID available' },
  READY: { type: 'Ready', reasonOk: 'KubeletReady', messageOk: 'kubelet is posting ready status', reasonBad: 'KubeletNotReady' },
} as const;

/** The well-known labels initialNode sets (k8s.io/api core/v1 well_known_labels.go; kubelet/apis well_known_labels.go). */
export const NODE_LABEL = {
  HOSTNAME: 'kubernetes.io/hostname',
  OS: 'kubernetes.io/os',
  ARCH: 'kubernetes.io/arch',
  BETA_OS: 'beta.kubernetes.io/os',
  BETA_ARCH: 'beta.kubernetes.io/arch',
} as const;

/** kubelet.go: the annotation saying volumes are attached by the attach/detach controller (enableControllerAttachDetach, default true). */
export const CONTROLLER_MANAGED_ATTACH_DETACH_ANNOTATION = 'volumes.kubernetes.io/controller-managed-attach-detach';

/** Default evictionHard memory.available / nodefs.available (pkg/kubelet/eviction/defaults_linux.go), which allocatable reserves. */
const EVICTION_HARD_MEMORY_BYTES = 100 * 1024 * 1024;
const EVICTION_HARD_NODEFS_FRACTION = 0.1;

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

export interface ApiNode {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec: Record<string, unknown>;
  status: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: NodeCondition[];
    addresses?: Array<{ type: string; address: string }>;
    daemonEndpoints?: { kubeletEndpoint: { Port: number } };
    nodeInfo?: Record<string, string>;
    images?: Array<{ names: string[]; sizeBytes: number }>;
    [k: string]: unknown;
  };
}

/** What the setters read about the node and the kubelet. */
export interface NodeFacts {
  nodeName: string;
  /** `1.34` ⇒ kubeletVersion `v1.34.0`. */
  kubeletVersion: string;
  /** The kubelet's main server port (daemonEndpoints.kubeletEndpoint.Port). */
  port: number;
  maxPods: number;
  /** The node IP the apiserver reaches the kubelet on (InternalIP). */
  nodeIP: string;
  /** `<runtime_name>://<runtime_version>` from CRI Version, '' before the runtime answered. */
  containerRuntimeVersion: string;
  /** runtimeState errors (runtime not ready, PLEG unhealthy): Ready=False with them as the message. */
  readinessErrors: string[];
  imageFsCapacityBytes: number;
  /** The image manager's cached list (GetImageList), largest first. */
  images: ReadonlyArray<{ repoTags: readonly string[]; repoDigests: readonly string[]; sizeBytes: number }>;
  /** nodeStatusMaxImages: at most this many images are reported (-1: all). */
  maxImages: number;
}

/** nodestatus/setters.go MaxNamesPerImageInNodeStatus. */
export const MAX_NAMES_PER_IMAGE_IN_NODE_STATUS = 5;

const goArch = (): string => (process.arch === 'x64' ? 'amd64' : process.arch);

/** initialNode (kubelet_node_status.go): name, the well-known labels, the attach/detach annotation, then the status. */
export function initialNode(facts: NodeFacts, nowMs: number): ApiNode {
  const node: ApiNode = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: facts.nodeName,
      labels: {
        [NODE_LABEL.HOSTNAME]: facts.nodeName,
        [NODE_LABEL.OS]: process.platform,
        [NODE_LABEL.ARCH]: goArch(),
        [NODE_LABEL.BETA_OS]: process.platform,
        [NODE_LABEL.BETA_ARCH]: goArch(),
      },
      annotations: { [CONTROLLER_MANAGED_ATTACH_DETACH_ANNOTATION]: 'true' },
    },
    spec: {},
    status: {},
  };
  return setNodeStatus(node, facts, nowMs);
}

/**
 * defaultNodeStatusFuncs in the order the kubelet runs them, for what kubelet-sim models: NodeAddress
 * (InternalIP, Hostname), MachineInfo (capacity cpu/memory/pods/ephemeral-storage/hugepages; allocatable =
 * capacity − the default hard eviction reservation), VersionInfo, DaemonEndpoints, Images (the cached image
 * list, largest first, at most nodeStatusMaxImages, each with up to 5 names: digests then tags), GoRuntime,
 * then the MemoryPressure, DiskPressure, PIDPressure and Ready conditions (heartbeat now; transition time kept
 * unless the status changed). Volumes and runtime handlers are not reported. Returns a new object.
 */
export function setNodeStatus(node: ApiNode, facts: NodeFacts, nowMs: number): ApiNode {
  const now = new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const memoryBytes = totalmem();
  const ephemeralBytes = facts.imageFsCapacityBytes;
  const capacity = {
    cpu: String(cpus().length),
    'ephemeral-storage': `${Math.floor(ephemeralBytes / 1024)}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(memoryBytes / 1024)}Ki`,
    pods: String(facts.maxPods),
  };
  const allocatable = {
    ...capacity,
    'ephemeral-storage': String(Math.floor(ephemeralBytes * (1 - EVICTION_HARD_NODEFS_FRACTION))),
    memory: `${Math.floor(Math.max(0, memoryBytes - EVICTION_HARD_MEMORY_BYTES) / 1024)}Ki`,
  };
  const old = node.status.conditions ?? [];
  const condition = (type: string, ok: boolean, reason: string, message: string): NodeCondition => {
    const status = ok ? 'True' : 'False';
    const before = old.find((c) => c.type === type);
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now };
  };
  const { MEMORY_PRESSURE: mp, DISK_PRESSURE: dp, PID_PRESSURE: pp, READY: ready } = NODE_CONDITION;
  const isReady = facts.readinessErrors.length === 0;
  const conditions = [
    condition(mp.type, false, mp.reasonOk, mp.messageOk),
    condition(dp.type, false, dp.reasonOk, dp.messageOk),
    condition(pp.type, false, pp.reasonOk, pp.messageOk),
    condition(ready.type, isReady, isReady ? ready.reasonOk : ready.reasonBad, isReady ? ready.messageOk : facts.readinessErrors.join(', ')),
  ];
  return {
    ...node,
    status: {
      ...node.status,
      capacity,
      allocatable,
      conditions,
      addresses: [
        { type: 'InternalIP', address: facts.nodeIP },
        { type: 'Hostname', address: facts.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: facts.port } },
      nodeInfo: {
        machineID: readTrimmed('/etc/machine-id'),
        systemUUID: '',
        bootID: readTrimmed('/proc/sys/kernel/random/boot_id'),
        kernelVersion: release(),
        osImage: osImage(),
        containerRuntimeVersion: facts.containerRuntimeVersion,
        kubeletVersion: `v${facts.kubeletVersion}.0`,
        kubeProxyVersion: '',
        operatingSystem: process.platform,
        architecture: goArch(),
      },
      images: (facts.maxImages > -1 ? facts.images.slice(0, facts.maxImages) : facts.images).map((img) => ({
        names: [...img.repoDigests, ...img.repoTags].slice(0, MAX_NAMES_PER_IMAGE_IN_NODE_STATUS),
        sizeBytes: img.sizeBytes,
      })),
    },
  };
}

/** nodeStatusHasChanged (kubelet_node_status.go): the status differs other than in the conditions' heartbeat times. */
export function nodeStatusHasChanged(a: ApiNode['status'], b: ApiNode['status']): boolean {
  const strip = (s: ApiNode['status']) => ({ ...s, conditions: (s.conditions ?? []).map(({ lastHeartbeatTime: _h, ...c }) => c) });
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** PRETTY_NAME of /etc/os-release, as cAdvisor reports the OS image. */
function osImage(): string {
  const text = readTrimmed('/etc/os-release');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return m ? (m[1] as string) : 'Linux';
}
