import type { PodSandboxConfig } from '../../../cri-proto/src/types';
import type { Pod } from '../container/pod';
import { KUBERNETES_LABEL } from './labels';

export interface SandboxConfigOptions {
  /** KubeletConfiguration podLogsDir (default /var/log/pods). */
  podLogsDir: string;
  /** KubeletConfiguration cgroupDriver: `cgroupfs` or `systemd`. */
  cgroupDriver: 'cgroupfs' | 'systemd';
  /** cgroupRoot; the kubepods hierarchy lives under it. */
  cgroupRoot: string;
}

/** `/var/log/pods/<namespace>_<name>_<uid>` (pkg/kubelet/kuberuntime/helpers.go BuildPodLogsDirectory). */
export function podLogsDirectory(podLogsDir: string, pod: Pod): string {
  return `${podLogsDir}/${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`;
}

/**
 * The pod's cgroup parent as the kubelet's QoS container manager names it (pkg/kubelet/cm/pod_container_manager_linux.go,
 * qos_container_manager_linux.go): Guaranteed pods directly under kubepods, others under their QoS class;
 * the systemd driver spells the same path as nested slices with the UID's dashes as underscores.
 */
export function podCgroupParent(pod: Pod, opts: Pick<SandboxConfigOptions, 'cgroupDriver' | 'cgroupRoot'>): string {
  const qos = pod.spec.qosClass === 'Guaranteed' ? [] : [pod.spec.qosClass.toLowerCase()];
  const segments = ['kubepods', ...qos, `pod${pod.metadata.uid}`];
  if (opts.cgroupDriver === 'systemd') {
    const slices: string[] = [];
    for (let i = 0; i < segments.length; i++) slices.push(`${segments.slice(0, i + 1).join('-').replace(/-pod(.*)$/, (_m, uid: string) => `-pod${uid.replace(/-/g, '_')}`)}.slice`);
    return '/' + slices.join('/');
  }
  const root = opts.cgroupRoot === '/' || opts.cgroupRoot === '' ? '' : opts.cgroupRoot.replace(/\/$/, '');
  return `${root}/${segments.join('/')}`;
}

/** Pod labels plus the kubelet's identity labels (kuberuntime/labels.go newPodLabels). */
export function newPodLabels(pod: Pod): Record<string, string> {
  return {
    ...pod.metadata.labels,
    [KUBERNETES_LABEL.POD_NAME]: pod.metadata.name,
    [KUBERNETES_LABEL.POD_NAMESPACE]: pod.metadata.namespace,
    [KUBERNETES_LABEL.POD_UID]: pod.metadata.uid,
  };
}

/**
 * The PodSandboxConfig the kubelet sends with RunPodSandbox (kuberuntime_sandbox.go generatePodSandboxConfig,
 * generatePodSandboxLinuxConfig): metadata with the attempt, hostname only for pods on the pod network,
 * the log directory, the pod's cgroup parent and namespace modes (NODE network for hostNetwork pods).
 */
export function generatePodSandboxConfig(pod: Pod, attempt: number, opts: SandboxConfigOptions): PodSandboxConfig {
  const hostNetwork = pod.spec.hostNetwork;
  return {
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid, attempt },
    // GeneratePodHostNameAndDomain: spec.hostname or the pod name, cut to 63 characters; not set for hostNetwork pods.
    hostname: hostNetwork ? '' : (pod.spec.hostname || pod.metadata.name).slice(0, 63).replace(/[-.]+$/, ''),
    log_directory: podLogsDirectory(opts.podLogsDir, pod),
    dns_config: hostNetwork ? null : { servers: [], searches: [`${pod.metadata.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] },
    port_mappings: [],
    labels: newPodLabels(pod),
    annotations: { ...pod.metadata.annotations },
    linux: {
      cgroup_parent: podCgroupParent(pod, opts),
      security_context: {
        namespace_options: { network: hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' },
        privileged: false,
        seccomp: { profile_type: 'RuntimeDefault' },
      },
      sysctls: {},
    },
  };
}
