import * as path from 'node:path';
import type { Container__Output, ContainerConfig, ContainerStatus__Output, PodSandboxConfig } from '../../../cri-proto/src/types';
import type { ContainerSpec, Pod } from '../container/pod';
import { podFullName } from '../container/pod';
import type { ContainerState, ContainerStatus, PodStatus, SandboxStatus } from '../container/pod-status';
import { findContainerStatus } from '../container/pod-status';
import type { RuntimeService } from '../cri/runtime-service';
import { CriCallError } from '../cri/runtime-service';
import { GRPC_STATUS } from '../../../cri-proto/src/grpc-status';
import type { ImageManager } from '../images/image-manager';
import type { Clock } from '../util/clock';
import { Backoff, CRASH_LOOP_BACKOFF } from './backoff';
import { computePodActions } from './compute-pod-actions';
import { generateContainerConfig, hashContainer } from './container-config';
import { KUBERNETES_ANNOTATION, KUBERNETES_LABEL } from './labels';
import type { SandboxConfigOptions } from './sandbox-config';
import { generatePodSandboxConfig, podLogsDirectory } from './sandbox-config';
import type { OSInterface } from '../container/os-interface';
import { CONTAINER_LOG_DEFAULTS, ContainerLogManager } from '../logs/container-log-manager';

/** A pod as the runtime lists it, grouped by the kubelet's labels (pkg/kubelet/container Pod). */
export interface RuntimePod {
  uid: string;
  name: string;
  namespace: string;
  sandboxes: Array<{ id: string; state: ContainerState; createdAtMs: number }>;
  containers: Array<{ id: string; name: string; sandboxId: string; state: ContainerState; createdAtMs: number; imageRef: string; image?: string }>;
}

/**
 * A runtime pod as a v1 Pod (kubecontainer.Pod.ToAPIPod, pkg/kubelet/container/runtime.go): only UID, name,
 * namespace and one container per listed container (name and image); every other field is left at its zero
 * value, which is all an orphan's termination can go by.
 */
export function runtimePodToApiPod(runningPod: RuntimePod): Pod {
  return {
    metadata: { name: runningPod.name, namespace: runningPod.namespace, uid: runningPod.uid, labels: {}, annotations: {} },
    spec: {
      initContainers: [],
      containers: runningPod.containers.map((c) => ({ name: c.name, image: c.image ?? '', imagePullPolicy: 'IfNotPresent', command: [], args: [], workingDir: '', env: [], terminationMessagePath: '' })),
      restartPolicy: 'Always',
      hostNetwork: false,
      terminationGracePeriodSeconds: 0,
      hostname: '',
      subdomain: '',
      qosClass: 'BestEffort',
    },
  };
}

/** kuberuntime_container.go minimumGracePeriodInSeconds: StopContainer never gets a shorter timeout. */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

/** One step of SyncPod that failed; back-off steps are reported but do not fail the sync (kubelet.go SyncPod). */
export interface SyncStepError {
  action: 'CreatePodSandbox' | 'StartContainer' | 'KillContainer' | 'KillPodSandbox';
  target: string;
  reason: 'CrashLoopBackOff' | 'ImagePullBackOff' | 'ErrImagePull' | 'ErrImageNeverPull' | 'ErrImageInspect' | 'CreateContainerConfigError' | 'CreateContainerError' | 'RunContainerError' | 'CreatePodSandboxError' | 'KillError';
  message: string;
}

export interface SyncResult {
  errors: SyncStepError[];
}

/** Errors that only mean "wait": kubelet.go SyncPod does not fail the sync for them. */
export function isBackoffOnly(result: SyncResult): boolean {
  return result.errors.every((e) => e.reason === 'CrashLoopBackOff' || e.reason === 'ImagePullBackOff');
}

export interface KubeRuntimeManagerOptions extends SandboxConfigOptions {
  runtimeHandler: string;
  /** Where the kubelet's own file operations go (log directories): REAL_OS, or FakeOS in tests. */
  os: OSInterface;
  /** KubeletConfiguration seccompDefault (default false: containers without a profile run Unconfined). */
  seccompDefault?: boolean;
}

/** The mode the kubelet creates log directories with (kuberuntime_sandbox.go, kuberuntime_container.go: 0755). */
export const LOG_DIRECTORY_MODE = 0o755;

/**
 * The kubelet's container runtime manager (pkg/kubelet/kuberuntime/kuberuntime_manager.go,
 * kuberuntime_sandbox.go, kuberuntime_container.go): turns desired pods into CRI calls.
 * It creates no spans of its own; its CRI calls are children of whatever span the caller has active.
 */
export class KubeRuntimeManager {
  private readonly crashLoopBackoff: Backoff;
  /** The kubelet's file operations and podLogsDir, which container GC cleans too (kuberuntime_gc.go). */
  readonly os: OSInterface;
  readonly podLogsDirectory: string;

  /** The kubelet's container log manager, whose Clean removes a container's log files (m.logManager). */
  private readonly logManager: Pick<ContainerLogManager, 'clean'>;

  constructor(
    private readonly runtime: RuntimeService,
    private readonly images: ImageManager,
    private readonly options: KubeRuntimeManagerOptions,
    private readonly clock: Clock,
    logManager?: Pick<ContainerLogManager, 'clean'>,
  ) {
    this.crashLoopBackoff = new Backoff(CRASH_LOOP_BACKOFF.INITIAL_MS, CRASH_LOOP_BACKOFF.MAX_MS, clock);
    this.os = options.os;
    this.podLogsDirectory = options.podLogsDir;
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
    this.logManager = logManager ?? new ContainerLogManager(runtime, options.os, {
      maxSizeBytes: 10 * 1024 * 1024,
      maxFiles: CONTAINER_LOG_DEFAULTS.MAX_FILES,
      maxWorkers: CONTAINER_LOG_DEFAULTS.MAX_WORKERS,
      monitorIntervalMs: CONTAINER_LOG_DEFAULTS.MONITOR_INTERVAL_MS,
    }, clock, silent);
  }

  /** GetPodStatus: ListPodSandbox by pod UID, PodSandboxStatus for each, ListContainers by pod UID, ContainerStatus for each. */
  async getPodStatus(uid: string, name: string, namespace: string): Promise<PodStatus> {
    const byUid = { label_selector: { [KUBERNETES_LABEL.POD_UID]: uid } };
    const sandboxes = sortNewestFirst(await this.runtime.listPodSandbox(byUid));
    const sandboxStatuses: SandboxStatus[] = [];
    for (const sandbox of sandboxes) {
      const { status } = await this.runtime.podSandboxStatus(sandbox.id, false);
      if (status === null) continue;
      sandboxStatuses.push({
        id: status.id,
        ready: status.state === 'SANDBOX_READY',
        attempt: status.metadata?.attempt ?? 0,
        createdAtMs: nsToMs(status.created_at),
        ip: status.network?.ip ?? '',
        hostNetwork: status.linux?.namespaces?.options?.network === 'NODE',
      });
    }
    const containers = sortNewestFirst(await this.runtime.listContainers(byUid));
    const containerStatuses: ContainerStatus[] = [];
    for (const container of containers) {
      const { status } = await this.runtime.containerStatus(container.id, false);
      if (status !== null) containerStatuses.push(toContainerStatus(status));
    }
    return { uid, name, namespace, sandboxStatuses, containerStatuses };
  }

  /**
   * GetPods(all), grouped by pod UID. `all` (PLEG, GC) lists everything; otherwise only ready sandboxes and
   * running containers are asked for, with a state filter on each list (kuberuntime_sandbox.go
   * getKubeletSandboxes, kuberuntime_container.go getKubeletContainers), as the runtime cache does.
   */
  async getPods(all = true): Promise<RuntimePod[]> {
    const sandboxes = await this.getKubeletSandboxes(all);
    return this.groupByPod(sandboxes, await this.getKubeletContainers(all));
  }

  /** getKubeletContainers(all): what container GC looks at, from ListContainers alone. */
  async getPodsContainersOnly(): Promise<RuntimePod[]> {
    return this.groupByPod([], await this.getKubeletContainers(true));
  }

  /**
   * Container GC's evictSandboxes view (kuberuntime_gc.go): getKubeletContainers(all) first, then
   * getKubeletSandboxes(all), the reverse of GetPods' order.
   */
  async getPodsForSandboxGC(): Promise<RuntimePod[]> {
    const containers = await this.getKubeletContainers(true);
    return this.groupByPod(await this.getKubeletSandboxes(true), containers);
  }

  /** getKubeletSandboxes: a nil filter for all, else state SANDBOX_READY (kuberuntime_sandbox.go). */
  private getKubeletSandboxes(all: boolean): ReturnType<RuntimeService['listPodSandbox']> {
    return this.runtime.listPodSandbox(all ? undefined : { state: { state: 'SANDBOX_READY' } });
  }

  /** getKubeletContainers: always a filter, empty for all, else state CONTAINER_RUNNING (kuberuntime_container.go). */
  private getKubeletContainers(all: boolean): Promise<Container__Output[]> {
    return this.runtime.listContainers(all ? {} : { state: { state: 'CONTAINER_RUNNING' } });
  }

  private groupByPod(sandboxes: Awaited<ReturnType<RuntimeService['listPodSandbox']>>, containers: Container__Output[]): RuntimePod[] {
    const pods = new Map<string, RuntimePod>();
    const podOf = (labels: Record<string, string>): RuntimePod | undefined => {
      const uid = labels[KUBERNETES_LABEL.POD_UID];
      if (uid === undefined) return undefined; // not created by a kubelet
      let pod = pods.get(uid);
      if (!pod) {
        pod = { uid, name: labels[KUBERNETES_LABEL.POD_NAME] ?? '', namespace: labels[KUBERNETES_LABEL.POD_NAMESPACE] ?? '', sandboxes: [], containers: [] };
        pods.set(uid, pod);
      }
      return pod;
    };
    for (const s of sandboxes) podOf(s.labels)?.sandboxes.push({ id: s.id, state: s.state === 'SANDBOX_READY' ? 'running' : 'exited', createdAtMs: nsToMs(s.created_at) });
    for (const c of containers) podOf(c.labels)?.containers.push({ id: c.id, name: c.metadata?.name ?? '', sandboxId: c.pod_sandbox_id, state: toContainerState(c.state), createdAtMs: nsToMs(c.created_at), imageRef: imageIdOf(c), image: c.image?.image ?? '' });
    return [...pods.values()];
  }

  /**
   * SyncPod, in the kubelet's numbered steps: 1 compute actions, 2 kill the pod if the sandbox changed,
   * 3 kill unwanted containers, 4 create the sandbox (RunPodSandbox, then PodSandboxStatus for its IP),
   * 6 start the next init container, 7 start app containers (each: image, CreateContainer, StartContainer).
   */
  async syncPod(pod: Pod, status: PodStatus): Promise<SyncResult> {
    const result: SyncResult = { errors: [] };
    const actions = computePodActions(pod, status);

    if (actions.killPod) {
      await this.killPod(pod, status, pod.spec.terminationGracePeriodSeconds, result);
    } else {
      for (const c of actions.containersToKill) await this.stopContainer(c.id, c.name, pod.spec.terminationGracePeriodSeconds, result);
    }

    let sandboxId = actions.sandboxId;
    const sandboxConfig = generatePodSandboxConfig(pod, actions.attempt, this.options);
    if (actions.createSandbox) {
      // createPodSandbox (kuberuntime_sandbox.go): the kubelet, not the runtime, makes the pod log directory.
      try {
        this.os.mkdirAll(sandboxConfig.log_directory ?? podLogsDirectory(this.options.podLogsDir, pod), LOG_DIRECTORY_MODE);
      } catch (err) {
        result.errors.push({ action: 'CreatePodSandbox', target: podFullName(pod), reason: 'CreatePodSandboxError', message: `Failed to create log directory for pod ${JSON.stringify(`${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`)}: ${(err as Error).message}` });
        return result;
      }
      try {
        sandboxId = await this.runtime.runPodSandbox(sandboxConfig, this.options.runtimeHandler);
        await this.runtime.podSandboxStatus(sandboxId, false);
      } catch (err) {
        result.errors.push({ action: 'CreatePodSandbox', target: podFullName(pod), reason: 'CreatePodSandboxError', message: `Failed to create sandbox for pod ${JSON.stringify(podFullName(pod))}: ${(err as Error).message}` });
        return result;
      }
    }
    if (sandboxId === '' || (!actions.createSandbox && actions.killPod)) return result;

    if (actions.nextInitContainerToStart) {
      const ok = await this.startContainer(pod, status, sandboxId, sandboxConfig, actions.nextInitContainerToStart, result);
      if (!ok) return result;
    }
    for (const container of actions.containersToStart) {
      await this.startContainer(pod, status, sandboxId, sandboxConfig, container, result);
    }
    return result;
  }

  /**
   * KillPod for a pod the kubelet knows: kubecontainer.ConvertPodStatusToRunningPod keeps only containers in
   * the running state (created, exited and unknown ones are not stopped) and every sandbox, ready or not;
   * then the same steps as for a runtime pod (killRunningPod).
   */
  async killPod(pod: Pod, status: PodStatus, gracePeriodSeconds: number, result: SyncResult = { errors: [] }): Promise<SyncResult> {
    return this.killRunningPod({
      uid: pod.metadata.uid,
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      sandboxes: status.sandboxStatuses.map((s) => ({ id: s.id, state: s.ready ? 'running' : 'exited', createdAtMs: s.createdAtMs })),
      containers: status.containerStatuses.filter((c) => c.state === 'running').map((c) => ({ id: c.id, name: c.name, sandboxId: '', state: c.state, createdAtMs: c.createdAtMs, imageRef: c.imageRef, image: c.image })),
    }, gracePeriodSeconds, result);
  }

  /**
   * KillPod over a running pod (kuberuntime_manager.go KillPod → killPodWithSyncResult): the running
   * containers are stopped in parallel (killContainersWithSyncResult), then every sandbox of the pod gets
   * StopPodSandbox, one after the other; the sandboxes are removed later by container GC. A NotFound answer
   * counts as done for both (crierror.IsNotFound). The grace period is at least 2 s (KillPod and killContainer
   * both raise it to minimumGracePeriodInSeconds).
   */
  async killRunningPod(runningPod: RuntimePod, gracePeriodSeconds: number, result: SyncResult = { errors: [] }): Promise<SyncResult> {
    const running = runningPod.containers.filter((c) => c.state === 'running');
    await Promise.all(running.map((c) => this.stopContainer(c.id, c.name, gracePeriodSeconds, result)));
    for (const sandbox of runningPod.sandboxes) {
      try {
        await this.runtime.stopPodSandbox(sandbox.id);
      } catch (err) {
        if (isNotFound(err)) continue;
        result.errors.push({ action: 'KillPodSandbox', target: sandbox.id, reason: 'KillError', message: `failed to stop sandbox ${JSON.stringify(sandbox.id)}: ${(err as Error).message}` });
      }
    }
    return result;
  }

  /** The kubelet's crashLoopBackOff.GC(), which housekeeping runs last (kubelet_pods.go HandlePodCleanups). */
  gcCrashLoopBackOff(): void {
    this.crashLoopBackoff.gc();
  }

  /**
   * removeContainer (kuberuntime_container.go): the logs go first, so a container whose logs cannot be removed
   * stays for the next GC pass. removeContainerLog asks ContainerStatus twice: the log manager's Clean
   * (logs/container_log_manager.go: the log path, then every file `<path>*`, rotated ones included; through
   * the log manager's remote service, so it is not counted in the runtime operation metrics), then for the
   * legacy /var/log/containers symlink (not made by kubelet-sim: that directory is fixed on the host).
   */
  async removeContainer(containerId: string): Promise<void> {
    await this.logManager.clean(containerId);
    const { status } = await this.runtime.containerStatus(containerId, false);
    if (status === null) throw new Error('container status is nil');
    await this.runtime.removeContainer(containerId);
  }

  /** GC's removeSandbox: stop first in case it was never stopped, then remove (kuberuntime_gc.go). */
  async removeSandbox(sandboxId: string): Promise<void> {
    await this.runtime.stopPodSandbox(sandboxId);
    await this.runtime.removePodSandbox(sandboxId);
  }

  /** killContainer (kuberuntime_container.go): StopContainer with at least the 2 s minimal shutdown window. */
  private async stopContainer(id: string, name: string, gracePeriodSeconds: number, result: SyncResult): Promise<void> {
    try {
      await this.runtime.stopContainer(id, Math.max(gracePeriodSeconds, MINIMUM_GRACE_PERIOD_SECONDS));
    } catch (err) {
      if (isNotFound(err)) return;
      result.errors.push({ action: 'KillContainer', target: name, reason: 'KillError', message: `failed to stop container ${JSON.stringify(name)}: ${(err as Error).message}` });
    }
  }

  /** startContainer with its crash-loop back-off check (kuberuntime_manager.go doBackOff + kuberuntime_container.go startContainer). */
  private async startContainer(pod: Pod, status: PodStatus, sandboxId: string, sandboxConfig: PodSandboxConfig, container: ContainerSpec, result: SyncResult): Promise<boolean> {
    const previous = findContainerStatus(status, container.name);
    if (previous !== undefined && previous.state === 'exited') {
      const key = `${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid}_${container.name}_${hashContainer(container)}`;
      if (this.crashLoopBackoff.isInBackOffSince(key, previous.finishedAtMs)) {
        const backoffSeconds = Math.round(this.crashLoopBackoff.get(key) / 1000);
        result.errors.push({ action: 'StartContainer', target: container.name, reason: 'CrashLoopBackOff', message: `back-off ${formatGoSeconds(backoffSeconds)} restarting failed container=${container.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` });
        return false;
      }
      this.crashLoopBackoff.next(key, previous.finishedAtMs);
    }

    let imageRef: string;
    try {
      imageRef = await this.images.ensureImageExists(pod.metadata.uid, container.image, container.imagePullPolicy, sandboxConfig, pod.metadata.annotations);
    } catch (err) {
      const reason = (err as { reason?: SyncStepError['reason'] }).reason ?? 'ErrImagePull';
      result.errors.push({ action: 'StartContainer', target: container.name, reason, message: (err as Error).message });
      return false;
    }
    const restartCount = previous === undefined ? 0 : previous.restartCount + 1;
    // generateContainerConfig (kuberuntime_container.go): the container's log directory, made by the kubelet.
    const logDir = path.join(podLogsDirectory(this.options.podLogsDir, pod), container.name);
    try {
      this.os.mkdirAll(logDir, LOG_DIRECTORY_MODE);
    } catch (err) {
      result.errors.push({ action: 'StartContainer', target: container.name, reason: 'CreateContainerConfigError', message: `create container log directory for container ${container.name} failed: ${(err as Error).message}` });
      return false;
    }
    let containerConfig: ContainerConfig;
    try {
      containerConfig = generateContainerConfig(pod, container, restartCount, imageRef, { seccompDefault: this.options.seccompDefault });
    } catch (err) {
      result.errors.push({ action: 'StartContainer', target: container.name, reason: 'CreateContainerConfigError', message: (err as Error).message });
      return false;
    }
    let containerId: string;
    try {
      containerId = await this.runtime.createContainer(sandboxId, containerConfig, sandboxConfig);
    } catch (err) {
      result.errors.push({ action: 'StartContainer', target: container.name, reason: 'CreateContainerError', message: (err as Error).message });
      return false;
    }
    try {
      await this.runtime.startContainer(containerId);
    } catch (err) {
      result.errors.push({ action: 'StartContainer', target: container.name, reason: 'RunContainerError', message: `failed to start container ${JSON.stringify(containerId)}: ${(err as Error).message}` });
      return false;
    }
    return true;
  }
}

/** crierror.IsNotFound: the runtime answered gRPC NotFound. */
function isNotFound(err: unknown): boolean {
  return err instanceof CriCallError && err.code === GRPC_STATUS.NOT_FOUND;
}

function sortNewestFirst<T extends { created_at: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (BigInt(b.created_at) > BigInt(a.created_at) ? 1 : BigInt(b.created_at) < BigInt(a.created_at) ? -1 : 0));
}

export function nsToMs(ns: string | number | undefined): number {
  if (ns === undefined || ns === '' || ns === 0) return 0;
  return Number(BigInt(ns) / 1_000_000n);
}

function toContainerState(state: Container__Output['state']): ContainerState {
  switch (state) {
    case 'CONTAINER_CREATED': return 'created';
    case 'CONTAINER_RUNNING': return 'running';
    case 'CONTAINER_EXITED': return 'exited';
    default: return 'unknown';
  }
}

function toContainerStatus(s: ContainerStatus__Output): ContainerStatus {
  return {
    id: s.id,
    name: s.metadata?.name ?? '',
    state: toContainerState(s.state),
    createdAtMs: nsToMs(s.created_at),
    startedAtMs: nsToMs(s.started_at),
    finishedAtMs: nsToMs(s.finished_at),
    exitCode: s.exit_code,
    reason: s.reason,
    message: s.message,
    image: s.image?.image ?? '',
    imageRef: s.image_ref,
    restartCount: Number(s.annotations[KUBERNETES_ANNOTATION.CONTAINER_RESTART_COUNT] ?? 0) || 0,
  };
}

/** Go's time.Duration String() for whole seconds: 10s, 1m20s, 5m0s. */
function formatGoSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

/**
 * The image a listed container uses, as image GC compares it with ListImages ids: Container.image_id when the
 * runtime sets it, else image_ref (CRI field added by kubernetes/kubernetes PR #123508 because CRI-O reports a
 * repo digest in image_ref; CRI-O fills image_id since PR #8115).
 */
function imageIdOf(c: Container__Output): string {
  return c.image_id !== '' ? c.image_id : c.image_ref;
}
