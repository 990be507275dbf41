/**
 * StatusResponse.info for `Status(verbose=true)` (what `crictl info` prints), per persona. Keys and
 * JSON shapes follow each runtime; the values describe the simulated node's default configuration.
 *
 * CRI-O server/runtime_status.go createRuntimeInfo: one key, `config`, a JSON object with the
 * sandbox (pause) image.
 * containerd internal/cri/server/status.go: `config` (the CRI plugin configuration as JSON), `golang`
 * (json.Marshal of runtime.Version(), so a quoted string), `cniconfig` (go-cni's ConfigResult as JSON)
 * and the CNI load status of each network plugin (`lastCNILoadStatus` for the default one, "OK" when
 * the config loaded).
 */
import type { RuntimeConfigView } from '../state/types';
import type { Persona } from '../state/persona';

/** Pause image both personas' default configurations use. */
export const SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10';
/** Go release containerd v2.1.0's binaries were built with. */
export const CONTAINERD_GO_VERSION = 'go1.24.3';
/** containerd's default pod network when no pod CIDR came from UpdateRuntimeConfig (10-containerd-net.conflist example). */
export const CONTAINERD_DEFAULT_POD_SUBNET = '10.88.0.0/16';

/** Keys of the verbose info (as each runtime names them). */
export const STATUS_INFO_KEY = {
  CONFIG: 'config',
  GOLANG: 'golang',
  CNI_CONFIG: 'cniconfig',
  LAST_CNI_LOAD_STATUS: 'lastCNILoadStatus',
} as const;

function containerdCriConfig(): unknown {
  // A subset of internal/cri/config Config with its JSON field names and default values.
  return {
    containerd: {
      defaultRuntimeName: 'runc',
      runtimes: {
        runc: {
          runtimeType: 'io.containerd.runc.v2',
          runtimePath: '',
          PodAnnotations: null,
          ContainerAnnotations: null,
          options: { BinaryName: '', CriuImagePath: '', CriuWorkPath: '', IoGid: 0, IoUid: 0, NoNewKeyring: false, Root: '', ShimCgroup: '', SystemdCgroup: false },
          privileged_without_host_devices: false,
          privileged_without_host_devices_all_devices_allowed: false,
          baseRuntimeSpec: '',
          cniConfDir: '',
          cniMaxConfNum: 0,
          snapshotter: '',
          sandboxer: 'podsandbox',
          io_type: '',
        },
      },
      ignoreBlockIONotEnabledErrors: false,
      ignoreRdtNotEnabledErrors: false,
    },
    cni: { binDirs: ['/opt/cni/bin'], confDir: '/etc/cni/net.d', maxConfNum: 1, setupSerially: false, confTemplate: '', ipPref: '', useInternalLoopback: false },
    enableSelinux: false,
    selinuxCategoryRange: 1024,
    maxContainerLogSize: 16384,
    disableApparmor: false,
    restrictOOMScoreAdj: false,
    disableProcMount: false,
    unsetSeccompProfile: '',
    tolerateMissingHugetlbController: true,
    disableHugetlbController: true,
    device_ownership_from_security_context: false,
    ignoreImageDefinedVolumes: false,
    netnsMountsUnderStateDir: false,
    enableUnprivilegedPorts: true,
    enableUnprivilegedICMP: true,
    enableCDI: true,
    cdiSpecDirs: ['/etc/cdi', '/var/run/cdi'],
    drainExecSyncIOTimeout: '0s',
    ignoreDeprecationWarnings: null,
    containerdRootDir: '/var/lib/containerd',
    containerdEndpoint: '/run/containerd/containerd.sock',
    rootDir: '/var/lib/containerd/io.containerd.grpc.v1.cri',
    stateDir: '/run/containerd/io.containerd.grpc.v1.cri',
  };
}

/** go-cni ConfigResult for the loopback network plus the bridge network over the node's pod CIDRs. */
function containerdCniConfig(podCidrs: readonly string[]): unknown {
  const subnets = podCidrs.length > 0 ? podCidrs : [CONTAINERD_DEFAULT_POD_SUBNET];
  const loopbackSource = '{\n"cniVersion": "0.3.1",\n"name": "cni-loopback",\n"plugins": [{\n  "type": "loopback"\n}]\n}';
  const bridge = {
    type: 'bridge',
    bridge: 'cni0',
    isGateway: true,
    ipMasq: true,
    promiscMode: true,
    ipam: {
      type: 'host-local',
      ranges: subnets.map((subnet) => [{ subnet }]),
      routes: subnets.map((s) => ({ dst: s.includes(':') ? '::/0' : '0.0.0.0/0' })),
    },
  };
  const portmap = { type: 'portmap', capabilities: { portMappings: true } };
  const bridgeList = { cniVersion: '1.0.0', name: 'containerd-net', plugins: [bridge, portmap] };
  return {
    PluginDirs: ['/opt/cni/bin'],
    PluginConfDir: '/etc/cni/net.d',
    PluginMaxConfNum: 1,
    Prefix: 'eth',
    Networks: [
      {
        Config: {
          Name: 'cni-loopback',
          CNIVersion: '0.3.1',
          Plugins: [{ Network: { type: 'loopback', ipam: {}, dns: {} }, Source: '{"type":"loopback"}' }],
          Source: loopbackSource,
        },
        IFName: 'lo',
      },
      {
        Config: {
          Name: 'containerd-net',
          CNIVersion: '1.0.0',
          Plugins: [
            { Network: { type: 'bridge', ipam: { type: 'host-local' }, dns: {} }, Source: JSON.stringify(bridge) },
            { Network: { type: 'portmap', capabilities: { portMappings: true }, ipam: {}, dns: {} }, Source: JSON.stringify(portmap) },
          ],
          Source: JSON.stringify(bridgeList, null, 2),
        },
        IFName: 'eth0',
      },
    ],
  };
}

export function statusInfo(persona: Persona, runtimeConfig: RuntimeConfigView): Record<string, string> {
  if (persona === 'crio') {
    return { [STATUS_INFO_KEY.CONFIG]: JSON.stringify({ sandboxImage: SANDBOX_IMAGE }) };
  }
  return {
    [STATUS_INFO_KEY.CONFIG]: JSON.stringify(containerdCriConfig()),
    [STATUS_INFO_KEY.GOLANG]: JSON.stringify(CONTAINERD_GO_VERSION),
    [STATUS_INFO_KEY.CNI_CONFIG]: JSON.stringify(containerdCniConfig(runtimeConfig.podCidrs)),
    [STATUS_INFO_KEY.LAST_CNI_LOAD_STATUS]: 'OK',
  };
}
