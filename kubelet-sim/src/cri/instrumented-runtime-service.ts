import type {
  ContainerConfig,
  ContainerFilter,
  ContainerStatsFilter,
  ImageSpec,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatsFilter,
} from '../../../cri-proto/src/types';
import type { KubeletMetrics } from '../metrics/kubelet-metrics';
import type { Clock } from '../util/clock';
import type { ImageService, RuntimeService, StreamFlags, StreamingRuntimeService } from './runtime-service';

/**
 * The `operation_type` label per CRI call, exactly as pkg/kubelet/kuberuntime/instrumented_services.go
 * spells its `const operation` in each wrapper (note `run_podsandbox`, `podsandbox_status`, `image_fs_info`).
 */
export const RUNTIME_OPERATION = {
  VERSION: 'version',
  STATUS: 'status',
  CREATE_CONTAINER: 'create_container',
  START_CONTAINER: 'start_container',
  STOP_CONTAINER: 'stop_container',
  REMOVE_CONTAINER: 'remove_container',
  LIST_CONTAINERS: 'list_containers',
  CONTAINER_STATUS: 'container_status',
  RUN_PODSANDBOX: 'run_podsandbox',
  STOP_PODSANDBOX: 'stop_podsandbox',
  REMOVE_PODSANDBOX: 'remove_podsandbox',
  PODSANDBOX_STATUS: 'podsandbox_status',
  LIST_PODSANDBOX: 'list_podsandbox',
  LIST_IMAGES: 'list_images',
  IMAGE_STATUS: 'image_status',
  PULL_IMAGE: 'pull_image',
  REMOVE_IMAGE: 'remove_image',
  IMAGE_FS_INFO: 'image_fs_info',
  LIST_CONTAINER_STATS: 'list_container_stats',
  LIST_PODSANDBOX_STATS: 'list_podsandbox_stats',
  REOPEN_CONTAINER_LOG: 'reopen_container_log',
  EXEC_SYNC: 'exec_sync',
  EXEC: 'exec',
  ATTACH: 'attach',
  PORT_FORWARD: 'port_forward',
} as const;

export type RuntimeOperation = (typeof RUNTIME_OPERATION)[keyof typeof RUNTIME_OPERATION];

/**
 * A decorator over the kubelet's CRI client that records every call in the kubelet's metrics, like
 * instrumentedRuntimeService / instrumentedImageManagerService (instrumented_services.go): each call counts
 * once in `kubelet_runtime_operations_total` and observes its duration, a failed call also counts in
 * `kubelet_runtime_operations_errors_total`; RunPodSandbox also feeds the per-handler sandbox metrics.
 * It changes nothing about the call itself: same arguments, result, error and trace context.
 * One deviation: upstream's ImageFsInfo wrapper records the error and then returns it as nil; here the
 * error still reaches the caller, so image GC sees the failure.
 *
 * Only kuberuntime holds the instrumented services (NewKubeGenericRuntimeManager wraps
 * kubeDeps.RemoteRuntimeService); the container log manager, the CRI stats provider and the start-up checks
 * call the remote service directly, so their calls are not counted: they use {@link remote}.
 */
export class InstrumentedRuntimeService implements RuntimeService, ImageService, StreamingRuntimeService {
  constructor(
    private readonly inner: RuntimeService & ImageService,
    private readonly metrics: KubeletMetrics,
    private readonly clock: Clock,
  ) {}

  /** The CRI client this decorates (kubeDeps.RemoteRuntimeService / RemoteImageService). */
  get remote(): RuntimeService & ImageService {
    return this.inner;
  }

  version(apiVersion?: string) {
    return this.record(RUNTIME_OPERATION.VERSION, () => this.inner.version(apiVersion));
  }

  status(verbose: boolean) {
    return this.record(RUNTIME_OPERATION.STATUS, () => this.inner.status(verbose));
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler: string): Promise<string> {
    const startMs = this.clock.nowMs();
    try {
      return await this.record(RUNTIME_OPERATION.RUN_PODSANDBOX, () => this.inner.runPodSandbox(config, runtimeHandler));
    } catch (err) {
      this.metrics.runPodSandboxErrors.inc({ runtime_handler: runtimeHandler });
      throw err;
    } finally {
      this.metrics.runPodSandboxDuration.observe({ runtime_handler: runtimeHandler }, secondsSince(startMs, this.clock));
    }
  }

  stopPodSandbox(podSandboxId: string) {
    return this.record(RUNTIME_OPERATION.STOP_PODSANDBOX, () => this.inner.stopPodSandbox(podSandboxId));
  }

  removePodSandbox(podSandboxId: string) {
    return this.record(RUNTIME_OPERATION.REMOVE_PODSANDBOX, () => this.inner.removePodSandbox(podSandboxId));
  }

  podSandboxStatus(podSandboxId: string, verbose: boolean) {
    return this.record(RUNTIME_OPERATION.PODSANDBOX_STATUS, () => this.inner.podSandboxStatus(podSandboxId, verbose));
  }

  listPodSandbox(filter?: PodSandboxFilter) {
    return this.record(RUNTIME_OPERATION.LIST_PODSANDBOX, () => this.inner.listPodSandbox(filter));
  }

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig) {
    return this.record(RUNTIME_OPERATION.CREATE_CONTAINER, () => this.inner.createContainer(podSandboxId, config, sandboxConfig));
  }

  startContainer(containerId: string) {
    return this.record(RUNTIME_OPERATION.START_CONTAINER, () => this.inner.startContainer(containerId));
  }

  stopContainer(containerId: string, timeoutSeconds: number) {
    return this.record(RUNTIME_OPERATION.STOP_CONTAINER, () => this.inner.stopContainer(containerId, timeoutSeconds));
  }

  removeContainer(containerId: string) {
    return this.record(RUNTIME_OPERATION.REMOVE_CONTAINER, () => this.inner.removeContainer(containerId));
  }

  listContainers(filter?: ContainerFilter) {
    return this.record(RUNTIME_OPERATION.LIST_CONTAINERS, () => this.inner.listContainers(filter));
  }

  containerStatus(containerId: string, verbose: boolean) {
    return this.record(RUNTIME_OPERATION.CONTAINER_STATUS, () => this.inner.containerStatus(containerId, verbose));
  }

  reopenContainerLog(containerId: string) {
    return this.record(RUNTIME_OPERATION.REOPEN_CONTAINER_LOG, () => this.inner.reopenContainerLog(containerId));
  }

  listContainerStats(filter?: ContainerStatsFilter) {
    return this.record(RUNTIME_OPERATION.LIST_CONTAINER_STATS, () => this.inner.listContainerStats(filter));
  }

  listPodSandboxStats(filter?: PodSandboxStatsFilter) {
    return this.record(RUNTIME_OPERATION.LIST_PODSANDBOX_STATS, () => this.inner.listPodSandboxStats(filter));
  }

  /** Not wrapped upstream (instrumented_services.go has no RuntimeConfig operation): passed through uncounted. */
  runtimeConfig() {
    return this.inner.runtimeConfig();
  }

  listImages() {
    return this.record(RUNTIME_OPERATION.LIST_IMAGES, () => this.inner.listImages());
  }

  imageStatus(image: ImageSpec, verbose: boolean) {
    return this.record(RUNTIME_OPERATION.IMAGE_STATUS, () => this.inner.imageStatus(image, verbose));
  }

  pullImage(image: ImageSpec, sandboxConfig: PodSandboxConfig) {
    return this.record(RUNTIME_OPERATION.PULL_IMAGE, () => this.inner.pullImage(image, sandboxConfig));
  }

  removeImage(image: ImageSpec) {
    return this.record(RUNTIME_OPERATION.REMOVE_IMAGE, () => this.inner.removeImage(image));
  }

  imageFsInfo() {
    return this.record(RUNTIME_OPERATION.IMAGE_FS_INFO, () => this.inner.imageFsInfo());
  }

  /** The streaming RPCs, recorded like the others; only a remote client that has them can serve them. */
  execSync(containerId: string, cmd: readonly string[], timeoutSeconds: number) {
    return this.record(RUNTIME_OPERATION.EXEC_SYNC, () => streamingOf(this.inner).execSync(containerId, cmd, timeoutSeconds));
  }

  exec(containerId: string, cmd: readonly string[], flags: StreamFlags) {
    return this.record(RUNTIME_OPERATION.EXEC, () => streamingOf(this.inner).exec(containerId, cmd, flags));
  }

  attach(containerId: string, flags: StreamFlags) {
    return this.record(RUNTIME_OPERATION.ATTACH, () => streamingOf(this.inner).attach(containerId, flags));
  }

  portForward(podSandboxId: string, ports: readonly number[]) {
    return this.record(RUNTIME_OPERATION.PORT_FORWARD, () => streamingOf(this.inner).portForward(podSandboxId, ports));
  }

  /** recordOperation + recordError: the count and the duration whatever the outcome, the error count on failure. */
  private async record<T>(operation: RuntimeOperation, call: () => Promise<T>): Promise<T> {
    const startMs = this.clock.nowMs();
    try {
      return await call();
    } catch (err) {
      this.metrics.runtimeOperationsErrors.inc({ operation_type: operation });
      throw err;
    } finally {
      this.metrics.runtimeOperations.inc({ operation_type: operation });
      this.metrics.runtimeOperationsDuration.observe({ operation_type: operation }, secondsSince(startMs, this.clock));
    }
  }
}

/** The CRI client beneath `runtime`: the remote service an InstrumentedRuntimeService wraps, else `runtime` itself. */
export function remoteServiceOf(runtime: RuntimeService & ImageService): RuntimeService & ImageService {
  return runtime instanceof InstrumentedRuntimeService ? runtime.remote : runtime;
}

/** The streaming half of a CRI client, or an error naming what is missing (a test fake without it). */
export function streamingOf(runtime: object): StreamingRuntimeService {
  const s = runtime as Partial<StreamingRuntimeService>;
  if (typeof s.exec !== 'function' || typeof s.attach !== 'function' || typeof s.portForward !== 'function' || typeof s.execSync !== 'function') {
    throw new Error('this CRI client has no streaming calls (Exec, Attach, PortForward, ExecSync)');
  }
  return s as StreamingRuntimeService;
}

function secondsSince(startMs: number, clock: Clock): number {
  return Math.max(0, clock.nowMs() - startMs) / 1000;
}
