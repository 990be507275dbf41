import { createHash } from 'node:crypto';
import { criEnvVar } from '../../../cri-proto/src/values';
import type { ContainerConfig } from '../../../cri-proto/src/types';
import type { ContainerSpec, Pod, SeccompProfile } from '../container/pod';
import { KUBERNETES_ANNOTATION, KUBERNETES_LABEL } from './labels';

/** `<container>/<restartCount>.log`, relative to the sandbox log directory (kuberuntime/helpers.go buildContainerLogsPath). */
export function containerLogPath(containerName: string, restartCount: number): string {
  return `${containerName}/${restartCount}.log`;
}

/**
 * A stable hash of the container spec; the kubelet stores it in `io.kubernetes.container.hash` to notice spec
 * changes (pkg/kubelet/container/helpers.go HashContainer, FNV-32a over the spec). We hash our parsed spec.
 */
export function hashContainer(container: ContainerSpec): string {
  return parseInt(createHash('sha256').update(JSON.stringify(container)).digest('hex').slice(0, 8), 16).toString(16);
}

/** The kubelet's seccomp profile root: `<root-dir>/seccomp` with the default root dir (kubelet.go seccompProfileRoot). */
export const SECCOMP_PROFILE_ROOT = '/var/lib/kubelet/seccomp';

export interface ContainerConfigOptions {
  /** KubeletConfiguration seccompDefault (default false): RuntimeDefault instead of Unconfined when no profile is set. */
  seccompDefault?: boolean;
}

/**
 * The container's seccomp profile as the kubelet picks it (kuberuntime/helpers.go getSeccompProfile,
 * fieldSeccompProfile): the container's securityContext.seccompProfile, else the pod's, else RuntimeDefault
 * with seccompDefault and Unconfined without it. Localhost profiles resolve under the seccomp profile root.
 */
export function containerSeccompProfile(pod: Pod, container: ContainerSpec, seccompDefault: boolean): { profile_type: 'RuntimeDefault' | 'Unconfined' | 'Localhost'; localhost_ref?: string } {
  const field: SeccompProfile | undefined = container.seccompProfile ?? pod.spec.seccompProfile;
  if (field === undefined) return { profile_type: seccompDefault ? 'RuntimeDefault' : 'Unconfined' };
  if (field.type === 'Localhost') {
    if (!field.localhostProfile) throw new Error('localhostProfile must be set if seccompProfile type is Localhost.');
    return { profile_type: 'Localhost', localhost_ref: `${SECCOMP_PROFILE_ROOT}/${field.localhostProfile}` };
  }
  return { profile_type: field.type };
}

/**
 * The ContainerConfig the kubelet sends with CreateContainer (kuberuntime_container.go generateContainerConfig,
 * labels.go newContainerLabels/newContainerAnnotations): the attempt is the restart count, the image is the
 * resolved image reference with the user's spelling alongside, and the log path is relative to the sandbox's
 * log directory.
 */
export function generateContainerConfig(pod: Pod, container: ContainerSpec, restartCount: number, imageRef: string, opts: ContainerConfigOptions = {}): ContainerConfig {
  const seccomp = containerSeccompProfile(pod, container, opts.seccompDefault ?? false);
  return {
    metadata: { name: container.name, attempt: restartCount },
    image: { image: imageRef, user_specified_image: container.image, annotations: {} },
    command: container.command,
    args: container.args,
    working_dir: container.workingDir,
    envs: container.env.map((e) => criEnvVar(e.name, e.value)),
    mounts: [
      { container_path: '/etc/hosts', host_path: `/var/lib/kubelet/pods/${pod.metadata.uid}/etc-hosts`, readonly: false },
      { container_path: container.terminationMessagePath, host_path: `/var/lib/kubelet/pods/${pod.metadata.uid}/containers/${container.name}/${restartCount}`, readonly: false },
    ],
    labels: {
      [KUBERNETES_LABEL.CONTAINER_NAME]: container.name,
      [KUBERNETES_LABEL.POD_NAME]: pod.metadata.name,
      [KUBERNETES_LABEL.POD_NAMESPACE]: pod.metadata.namespace,
      [KUBERNETES_LABEL.POD_UID]: pod.metadata.uid,
    },
    annotations: {
      [KUBERNETES_ANNOTATION.CONTAINER_HASH]: hashContainer(container),
      [KUBERNETES_ANNOTATION.CONTAINER_RESTART_COUNT]: String(restartCount),
      [KUBERNETES_ANNOTATION.CONTAINER_TERMINATION_MESSAGE_PATH]: container.terminationMessagePath,
      [KUBERNETES_ANNOTATION.CONTAINER_TERMINATION_MESSAGE_POLICY]: 'File',
      [KUBERNETES_ANNOTATION.POD_TERMINATION_GRACE_PERIOD]: String(pod.spec.terminationGracePeriodSeconds),
    },
    log_path: containerLogPath(container.name, restartCount),
    stdin: false,
    stdin_once: false,
    tty: false,
    linux: {
      resources: { cpu_period: '100000', cpu_quota: '0', cpu_shares: '2', memory_limit_in_bytes: '0', oom_score_adj: '1000' },
      security_context: {
        namespace_options: { network: pod.spec.hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' },
        seccomp,
        masked_paths: ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap'],
        readonly_paths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
      },
    },
  };
}
