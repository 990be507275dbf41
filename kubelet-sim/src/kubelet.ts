import type { Tracer } from '@opentelemetry/api';
import { processLoopTurns, type TurnGate } from '../../cri-proto/src/transport/loop-turns';
import { context, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import type { Pod } from './container/pod';
import { podFullName } from './container/pod';
import type { PodStatus } from './container/pod-status';
import { PodCache } from './container/pod-status';
import { RuntimeCache } from './container/runtime-cache';
import type { ImageService, RuntimeService } from './cri/runtime-service';
import { ImageGCManager } from './images/image-gc-manager';
import type { ImageGCPolicy } from './images/image-gc-manager';
import { ImageManager } from './images/image-manager';
import { isPodTerminal } from './kuberuntime/compute-pod-actions';
import { ContainerGC } from './kuberuntime/container-gc';
import type { RuntimePod, SyncResult } from './kuberuntime/kuberuntime-manager';
import { isBackoffOnly, KubeRuntimeManager } from './kuberuntime/kuberuntime-manager';
import { handlePodCleanups } from './handle-pod-cleanups';
import { GenericPleg } from './pleg/generic-pleg';
import type { PodLifecycleEvent } from './pleg/pleg';
import { POD_LIFECYCLE_EVENT } from './pleg/pleg';
import { CONFIG_ANNOTATION, CONFIG_SOURCE, diffPods, POD_OPERATION } from './pod-sources/static-pod-source';
import { StaticPodFileSource } from './pod-sources/file-source';
import type { WatchManifests } from './pod-sources/file-source';
import { SourcesReady } from './pod-sources/sources-ready';
import { ORPHANED_RUNTIME_POD_GRACE_PERIOD_SECONDS, PodWorkers } from './pod-workers/pod-workers';
import type { SyncPodType } from './pod-workers/sync-pod-type';
import { SYNC_POD_TYPE } from './pod-workers/sync-pod-type';
import { KUBELET_SPAN, KUBELET_TRACER_SCOPE, podSpanAttributes, recordGoError } from './tracing/kubelet-spans';
import type { Clock } from './util/clock';
import type { Logger } from './util/logger';
import type { KubeletMetrics } from './metrics/kubelet-metrics';
import { PodStartDurationRecorder } from './metrics/pod-start-duration';
import { aggregateErrorText, RuntimeState } from './runtime-state';
import type { OSInterface } from './container/os-interface';
import type { BackgroundLoopSettings } from './background-loop-settings';
import { DEFAULT_BACKGROUND_LOOP_SETTINGS } from './background-loop-settings';
import { remoteServiceOf } from './cri/instrumented-runtime-service';
import { getCgroupDriverFromCri, validateServiceConnections } from './cri/pre-init-runtime-service';
import { EVICTION_MONITORING_PERIOD_MS, EvictionManager } from './eviction/eviction-manager';
import { IMAGE_MANAGER_LOOP } from './images/image-gc-manager';
import { ContainerLogManager } from './logs/container-log-manager';
import { CadvisorStatsProvider } from './stats/cadvisor-stats-provider';
import { CriStatsProvider } from './stats/cri-stats-provider';
import { StatsProvider } from './stats/stats-provider';
import type { LoopPeriod, PeriodicLoops } from './util/periodic-loops';
import { TimerLoops } from './util/periodic-loops';
import type { ApiSourcePod } from './pod-sources/apiserver-source';
import { generateApiPodStatus } from './status/generate-api-pod-status';
import type { StatusManager } from './status/status-manager';
import type { MirrorClient, MirrorPod } from './pod/mirror-client';

/** The settings kubelet-sim runs with, resolved from KubeletConfiguration and flags (all durations in ms). */
export interface KubeletSettings {
  nodeName: string;
  /** Event-loop turn-taking of the pod workers (cri-proto/src/transport/loop-turns.ts). Default: the process's. */
  loopTurns?: TurnGate;
  staticPodPath: string | undefined;
  fileCheckFrequencyMs: number;
  syncFrequencyMs: number;
  /** kuberuntime API version sent with Version at start (kuberuntime_manager.go kubeRuntimeAPIVersion). */
  runtimeApiVersion: string;
  runtimeHandler: string;
  podLogsDir: string;
  /** The kubelet's own file operations (pod and container log directories). */
  os: OSInterface;
  cgroupDriver: 'cgroupfs' | 'systemd';
  cgroupRoot: string;
  /** KubeletConfiguration seccompDefault. */
  seccompDefault?: boolean;
  serializeImagePulls: boolean;
  maxParallelImagePulls: number;
  containerGCPeriodMs: number;
  imageGCPeriodMs: number;
  imageGCPolicy: ImageGCPolicy;
  imageFsCapacityBytes: number;
  plegRelistPeriodMs: number;
  /** Log rotation, stats provider and gates of the background loops; the 1.34 defaults when absent. */
  background?: BackgroundLoopSettings;
  /** Pods also come from an API server (--kubeconfig): the `api` source is then one the kubelet waits for. */
  apiSource?: boolean;
  /** The node's IP (InternalIP; the pods' hostIP). */
  nodeIP?: string;
}

/** What a Kubelet is wired to besides the runtime; tests inject fakes so that nothing sleeps. */
export interface KubeletDeps {
  /** Runs the periodic loops (default: real timers). */
  loops?: PeriodicLoops;
  /** Waits between RuntimeConfig attempts at start (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Watches staticPodPath (default: fs.watch, the host's inotify). */
  watchManifests?: WatchManifests;
}

/** The Kubelet's loops, by name (the PeriodicLoops key). */
export const LOOP_NAME = {
  RUNTIME_STATUS: 'updateRuntimeUp',
  PLEG: 'pleg/relist',
  CONTAINER_GC: 'containerGC',
  IMAGE_GC: 'imageGC',
  IMAGE_DETECT: 'imageManager/detectImages',
  IMAGE_CACHE: 'imageManager/imageCache',
  FILE_SOURCE: 'fileSource/listConfig',
  SYNC: 'syncLoop/sync',
  HOUSEKEEPING: 'syncLoop/housekeeping',
  EVICTION: 'evictionManager/synchronize',
  CONTAINER_LOG: 'containerLogManager/rotateLogs',
} as const;

/** Loop periods the kubelet hard-codes (kubelet.go syncLoop, Run). */
export const KUBELET_LOOP = {
  SYNC_TICK_MS: 1_000,
  HOUSEKEEPING_PERIOD_MS: 2_000,
  /** housekeepingWarningDuration: a pass longer than this is logged as an error. */
  HOUSEKEEPING_WARNING_DURATION_MS: 1_000,
  RUNTIME_STATUS_PERIOD_MS: 5_000,
} as const;

/** syncLoop's wait between iterations it skips while runtimeErrors() is not empty: base, doubled to max, reset by a healthy one. */
export const SYNC_LOOP_BACKOFF = {
  BASE_MS: 100,
  MAX_MS: 5_000,
  FACTOR: 2,
} as const;

/**
 * kubelet-sim's kubelet (pkg/kubelet/kubelet.go): the pod config source, pod workers running syncPod /
 * syncTerminatingPod / syncTerminatedPod under their spans (and SyncTerminatingRuntimePod, with none),
 * housekeeping, PLEG, the runtime status loop, and container and image GC, all driving one CRI runtime.
 */
export class Kubelet {
  readonly podCache = new PodCache();
  readonly podWorkers: PodWorkers;
  readonly pleg: GenericPleg;
  readonly runtimeManager: KubeRuntimeManager;
  private readonly containerGC: ContainerGC;
  private readonly imageGC: ImageGCManager;
  /** The runtime's running pods as housekeeping last listed them (kubelet.go runtimeCache). */
  private readonly runtimeCache: RuntimeCache;
  /** Whether every config source has delivered its first listing (kubelet.go sourcesReady). */
  readonly sourcesReady: SourcesReady;
  private readonly tracer: Tracer;
  private readonly desiredPods = new Map<string, Pod>();
  private readonly loops: PeriodicLoops;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly background: BackgroundLoopSettings;
  /** The CRI client beneath kuberuntime's instrumented one (kubeDeps.RemoteRuntimeService / RemoteImageService). */
  private readonly remote: RuntimeService & ImageService;
  /** The kubelet's stats provider (CRI or cAdvisor, chosen by the runtime endpoint). */
  readonly statsProvider: StatsProvider;
  readonly evictionManager: EvictionManager;
  readonly containerLogManager: ContainerLogManager;
  private readonly fileSource: StaticPodFileSource | undefined;
  /** initializeRuntimeDependentModules has run (kubelet.go oneTimeInitializer). */
  private runtimeDependentModulesStarted = false;
  private stopped = false;
  runtimeReady = false;
  runtimeError = '';
  /** runtime.go runtimeState: what gates the sync loop (runtime status, PLEG health). */
  readonly runtimeState: RuntimeState;
  /** Runtime name from CRI Version (`cri-o`, `containerd`), the scheme of container IDs. */
  runtimeName = '';
  /** Runtime version from CRI Version (the node's containerRuntimeVersion is `<name>://<version>`). */
  runtimeVersion = '';
  /** Sends the status of API pods back (set when pods come from an API server). */
  private statusManager: StatusManager | undefined;
  /** API pods being deleted (deletionTimestamp seen): killed once, never started again. */
  private readonly apiTerminating = new Set<string>();
  /** API pods whose termination has finished on this node (SyncTerminatedPod ran). */
  private readonly apiTerminated = new Set<string>();
  /** Creates and deletes mirror pods of static pods (set with an API server). */
  private mirrorClient: MirrorClient | undefined;
  /** Mirror pods in the API by `namespace/name` (podManager's mirror pods). */
  private readonly mirrorPods = new Map<string, MirrorPod>();
  /** The status each API pod had in the API when first seen, where the status manager starts. */
  private readonly apiStatuses = new Map<string, ApiSourcePod['apiStatus']>();
  /** syncLoopMonitor: when the sync loop last entered an iteration; read by the `syncloop` healthz check. */
  private syncLoopEntryMs: number | undefined;
  private readonly podStartRecorder: PodStartDurationRecorder | undefined;
  /** Counters the CLI prints at exit. */
  readonly stats = { syncPod: 0, syncPodErrors: 0, syncTerminatingPod: 0, syncTerminatingRuntimePod: 0, syncTerminatedPod: 0, containerGC: 0, imageGC: 0, plegEvents: 0, housekeeping: 0, evictionSynchronize: 0, logRotationPasses: 0 };

  constructor(
    private readonly settings: KubeletSettings,
    private readonly runtime: RuntimeService & ImageService,
    getTracer: (scope: string) => Tracer,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly metrics?: KubeletMetrics,
    deps: KubeletDeps = {},
  ) {
    this.tracer = getTracer(KUBELET_TRACER_SCOPE.KUBELET);
    this.loops = deps.loops ?? new TimerLoops((name, err) => this.log.error(`loop failed loop="${name}" err="${err.message}"`));
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.background = settings.background ?? DEFAULT_BACKGROUND_LOOP_SETTINGS;
    this.remote = remoteServiceOf(runtime);
    // NewMainKubelet: the log manager over the remote runtime service (a stub when containerLogMaxSize < 0).
    this.containerLogManager = new ContainerLogManager(this.remote, settings.os, {
      maxSizeBytes: this.background.containerLogMaxSizeBytes,
      maxFiles: this.background.containerLogMaxFiles,
      maxWorkers: this.background.containerLogMaxWorkers,
      monitorIntervalMs: this.background.containerLogMonitorIntervalMs,
    }, clock, log);
    this.runtimeState = new RuntimeState(clock);
    this.podStartRecorder = metrics ? new PodStartDurationRecorder(metrics, clock) : undefined;
    const imageManager = new ImageManager(runtime, { serializeImagePulls: settings.serializeImagePulls, maxParallelImagePulls: settings.maxParallelImagePulls }, clock);
    this.runtimeManager = new KubeRuntimeManager(runtime, imageManager, settings, clock, this.containerLogManager);
    // The CRI stats provider talks to the remote services; the cAdvisor one asks kuberuntime's (instrumented) image service.
    this.statsProvider = new StatsProvider(this.background.statsProvider === 'cadvisor'
      ? new CadvisorStatsProvider(runtime, this.background.kubeletSeparateDiskGC)
      : new CriStatsProvider(this.remote, this.remote, this.background.podAndContainerStatsFromCRI));
    this.evictionManager = new EvictionManager(this.statsProvider, log);
    this.podWorkers = new PodWorkers(this, this.podCache, clock, {
      resyncIntervalMs: settings.syncFrequencyMs,
      onError: (pod, phase, err) => this.log.error(`Error syncing pod, skipping err="${(err as Error).message}" pod="${podFullName(pod)}" podUID="${pod.metadata.uid}" phase="${phase}"`),
      onSyncCompleted: metrics ? (type, startMs) => metrics.podWorkerDuration.observe({ operation_type: type }, Math.max(0, clock.nowMs() - startMs) / 1000) : undefined,
      turns: settings.loopTurns ?? processLoopTurns,
    });
    this.pleg = new GenericPleg(this.runtimeManager, this.podCache, clock, (e) => this.handlePlegEvent(e), settings.plegRelistPeriodMs, metrics);
    this.runtimeState.addHealthCheck({ name: 'PLEG', check: () => this.pleg.healthy() });
    this.containerGC = new ContainerGC(this.runtimeManager, this.podWorkers, getTracer(KUBELET_TRACER_SCOPE.KUBERUNTIME), clock);
    this.imageGC = new ImageGCManager(runtime, this.runtimeManager, getTracer(KUBELET_TRACER_SCOPE.IMAGES), clock, settings.imageGCPolicy, settings.imageFsCapacityBytes, this.statsProvider);
    this.runtimeCache = new RuntimeCache(this.runtimeManager, clock);
    // makePodSourceConfig registers the file source only when staticPodPath is set and the API source only with
    // a kubeconfig; kubelet-sim has no HTTP source, and its churn workload is no registered source (it plays a
    // fresh API server, which would list no pods at first).
    this.sourcesReady = new SourcesReady([...(settings.staticPodPath !== undefined ? [CONFIG_SOURCE.FILE] : []), ...(settings.apiSource ? [CONFIG_SOURCE.API] : [])]);
    this.fileSource = settings.staticPodPath === undefined
      ? undefined
      : new StaticPodFileSource(settings.staticPodPath, settings.nodeName, clock, log, (pods) => this.handleFileSourceSet(pods), deps.watchManifests);
  }

  /**
   * Starts the kubelet as cmd/kubelet and kubelet.go do, each CRI call a root CLIENT span:
   * 1. PreInitRuntimeService: cri-client's connection checks, Version (empty request) then ImageFsInfo;
   * 2. getCgroupDriverFromCRI: RuntimeConfig (three times, see pre-init-runtime-service.ts);
   * 3. NewKubeGenericRuntimeManager: Version "0.1.0";
   * 4. StartGarbageCollection: container GC and image GC loops, first passes at once;
   * 5. Run: initializeModules starts the image manager (detectImages every 5 min, image cache every 30 s), then
   *    the runtime status loop (Status every 5 s; the first good one starts the eviction manager and the
   *    container log manager), PLEG, and the sync loop with housekeeping; the file source lists and watches
   *    staticPodPath.
   */
  async start(): Promise<void> {
    await context.with(ROOT_CONTEXT, () => this.preInitRuntime());
    const version = await context.with(ROOT_CONTEXT, () => this.runtime.version(this.settings.runtimeApiVersion));
    this.runtimeName = version.runtime_name;
    this.runtimeVersion = version.runtime_version;
    this.log.info(`Container runtime initialized containerRuntime="${version.runtime_name}" version="${version.runtime_version}" apiVersion="${version.runtime_api_version}"`);
    this.every(LOOP_NAME.CONTAINER_GC, this.settings.containerGCPeriodMs, () => this.garbageCollectContainers(), true);
    this.every(LOOP_NAME.IMAGE_GC, this.settings.imageGCPeriodMs, () => this.garbageCollectImages(), true);
    this.every(LOOP_NAME.IMAGE_DETECT, IMAGE_MANAGER_LOOP.DETECT_PERIOD_MS, () => this.imageGC.monitorImages(), true);
    this.every(LOOP_NAME.IMAGE_CACHE, IMAGE_MANAGER_LOOP.CACHE_REFRESH_PERIOD_MS, () => this.imageGC.refreshImageCache(), true);
    this.every(LOOP_NAME.RUNTIME_STATUS, KUBELET_LOOP.RUNTIME_STATUS_PERIOD_MS, () => this.updateRuntimeUp(), true);
    // GenericPLEG.Start: wait.Until(Relist, relistPeriod). A relist whose GetPods fails is logged and skipped
    // (pkg/kubelet/pleg/generic.go Relist: "GenericPLEG: Unable to retrieve pods"); PLEG health notices the gap.
    this.every(LOOP_NAME.PLEG, this.settings.plegRelistPeriodMs, () =>
      this.pleg.relist().catch((err: unknown) => this.log.error(`"GenericPLEG: Unable to retrieve pods" err="${(err as Error).message}"`)), true);
    if (this.fileSource !== undefined) {
      this.every(LOOP_NAME.FILE_SOURCE, this.settings.fileCheckFrequencyMs, () => this.readPodSource(), true);
      this.fileSource.startWatch();
    }
    // syncLoop (kubelet.go): while the runtime or PLEG is unhealthy the iteration is skipped, the monitor not
    // refreshed, and the loop sleeps 100 ms, 200 ms, … up to 5 s before it looks again; a healthy iteration
    // resets that back-off and waits for the next sync tick.
    let backoffMs: number = SYNC_LOOP_BACKOFF.BASE_MS;
    let nextWaitMs: number = KUBELET_LOOP.SYNC_TICK_MS;
    this.every(LOOP_NAME.SYNC, () => nextWaitMs, async () => {
      const runtimeErrors = this.runtimeState.runtimeErrors();
      if (runtimeErrors.length > 0) {
        this.log.error(`"Skipping pod synchronization" err="${aggregateErrorText(runtimeErrors)}"`);
        nextWaitMs = backoffMs;
        backoffMs = Math.min(SYNC_LOOP_BACKOFF.MAX_MS, SYNC_LOOP_BACKOFF.FACTOR * backoffMs);
        return;
      }
      backoffMs = SYNC_LOOP_BACKOFF.BASE_MS;
      nextWaitMs = KUBELET_LOOP.SYNC_TICK_MS;
      this.syncLoopEntryMs = this.clock.nowMs();
      // getPodsToSync walks the pod manager's pods: a pod no longer desired is driven by housekeeping instead.
      for (const pod of this.podWorkers.podsToSync()) if (this.desiredPods.has(pod.metadata.uid)) this.podWorkers.updatePod(pod, SYNC_POD_TYPE.SYNC);
    }, false);
    this.every(LOOP_NAME.HOUSEKEEPING, KUBELET_LOOP.HOUSEKEEPING_PERIOD_MS, async () => {
      // Housekeeping is a case of the same sync loop iteration: skipped too while the runtime or PLEG is unhealthy.
      if (this.runtimeState.runtimeErrors().length === 0) await this.housekeeping();
    }, false);
  }

  /** Steps 1 and 2 of start: the connection checks and the cgroup driver from the runtime. */
  private async preInitRuntime(): Promise<void> {
    await validateServiceConnections(this.remote, this.remote, this.background.containerRuntimeEndpoint);
    if (!this.background.kubeletCgroupDriverFromCRI) return;
    const driver = await getCgroupDriverFromCri(this.remote, this.sleep, this.log);
    if (driver === undefined) return;
    // The sandbox configs' cgroup parents follow the runtime's driver from now on.
    this.settings.cgroupDriver = driver;
    this.log.info(`"Using cgroup driver setting received from the CRI runtime" cgroupDriver="${driver}"`);
  }

  /**
   * initializeRuntimeDependentModules (kubelet.go), once, after the first status with RuntimeReady: the eviction
   * manager (synchronize at once, then every 10 s after each pass) and the container log manager (a pass at
   * once, then every containerLogMonitorInterval; nothing when rotation is off). cAdvisor, the container
   * manager and the plugin manager make no CRI call with the default policies.
   */
  private initializeRuntimeDependentModules(): void {
    if (this.runtimeDependentModulesStarted) return;
    this.runtimeDependentModulesStarted = true;
    this.every(LOOP_NAME.EVICTION, EVICTION_MONITORING_PERIOD_MS, () => this.synchronizeEviction(), true);
    if (this.containerLogManager.rotationEnabled) {
      this.every(LOOP_NAME.CONTAINER_LOG, this.containerLogManager.policy.monitorIntervalMs, () => this.rotateContainerLogs(), true);
    }
  }

  /** One eviction manager pass with no span (tests call it by hand). */
  async synchronizeEviction(): Promise<void> {
    this.stats.evictionSynchronize++;
    await context.with(ROOT_CONTEXT, () => this.evictionManager.synchronize());
  }

  /** One container log manager pass with no span (tests call it by hand). */
  async rotateContainerLogs(): Promise<void> {
    this.stats.logRotationPasses++;
    try {
      await context.with(ROOT_CONTEXT, () => this.containerLogManager.rotateLogs());
    } catch (err) {
      this.log.error(`"Failed to rotate container logs" err="${(err as Error).message}"`);
    }
  }

  /** Stops the loops and waits for work in flight; pods keep running in the runtime, as when a kubelet stops. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.fileSource?.stop();
    const loops = this.loops.stop();
    await this.pleg.stop();
    await this.podWorkers.stop();
    await loops;
  }

  /** The pods the kubelet manages (podManager.GetPods), for the `/pods` endpoint. */
  managedPods(): Pod[] {
    return [...this.desiredPods.values()];
  }

  /** podManager.GetPodByName: the managed pod with that namespace and name. */
  getPodByName(namespace: string, name: string): Pod | undefined {
    for (const pod of this.desiredPods.values()) {
      if (pod.metadata.namespace === namespace && pod.metadata.name === name) return pod;
    }
    return undefined;
  }

  /** The CRI client kuberuntime uses (instrumented), for the HTTP server's streaming and log calls. */
  get runtimeService(): RuntimeService & ImageService {
    return this.runtime;
  }

  /** GetImageList for the node status: the image manager's cached list, largest first (images.imageCache sorts by size). */
  imageList(): Array<{ repoTags: string[]; repoDigests: string[]; sizeBytes: number }> {
    return this.imageGC
      .imageList()
      .map((i) => ({ repoTags: [...i.repo_tags], repoDigests: [...i.repo_digests], sizeBytes: Number(i.size) }))
      .sort((a, b) => b.sizeBytes - a.sizeBytes);
  }

  /** What keeps the node's Ready condition False (the ReadyCondition setter's runtimeErrors: runtime status, PLEG). */
  readinessErrors(): string[] {
    return this.runtimeState.runtimeErrors();
  }

  /** LatestLoopEntryTime, for the `syncloop` healthz check; undefined before the first iteration. */
  latestLoopEntryMs(): number | undefined {
    return this.syncLoopEntryMs;
  }

  get resyncIntervalMs(): number {
    return this.settings.syncFrequencyMs;
  }

  /** Add pods from another source (the synthetic workload); the same path as a new manifest. */
  addPod(pod: Pod): void {
    this.desiredPods.set(pod.metadata.uid, pod);
    this.podWorkers.updatePod(pod, SYNC_POD_TYPE.CREATE);
  }

  deletePod(uid: string): void {
    const pod = this.desiredPods.get(uid);
    if (!pod) return;
    this.desiredPods.delete(uid);
    this.podWorkers.updatePod(pod, SYNC_POD_TYPE.KILL);
  }

  /** HandlePodUpdates: the config merger saw new spec, labels or annotations for a known UID ⇒ SyncPodUpdate. */
  updatePod(pod: Pod): void {
    if (!this.desiredPods.has(pod.metadata.uid)) return;
    this.desiredPods.set(pod.metadata.uid, pod);
    this.podWorkers.updatePod(pod, SYNC_POD_TYPE.UPDATE);
  }

  // ---- the three pod sync functions (PodSyncer), each under its own root span ----

  async syncPod(updateType: SyncPodType, pod: Pod, status: PodStatus): Promise<{ isTerminal: boolean }> {
    this.stats.syncPod++;
    return this.tracer.startActiveSpan(KUBELET_SPAN.SYNC_POD, { kind: SpanKind.INTERNAL, attributes: podSpanAttributes(pod, updateType) }, ROOT_CONTEXT, async (span) => {
      try {
        this.podStartRecorder?.observeSync(pod, status);
        // SyncPod: generateAPIPodStatus from the cached runtime status, then statusManager.SetPodStatus.
        this.reportStatus(pod, status, false);
        // Create Mirror Pod for Static Pod if it doesn't already exist (under this span, as upstream).
        await this.ensureMirrorPod(pod);
        const result = await this.runtimeManager.syncPod(pod, status);
        if (result.errors.length > 0 && !isBackoffOnly(result)) {
          const message = syncResultError(result);
          recordGoError(span, message, 'k8s.io/apimachinery/pkg/util/errors.aggregate');
          this.stats.syncPodErrors++;
          throw new Error(message);
        }
        return { isTerminal: isPodTerminal(pod, status) };
      } finally {
        span.end();
      }
    });
  }

  async syncTerminatingPod(pod: Pod, status: PodStatus, gracePeriodSeconds: number): Promise<void> {
    this.stats.syncTerminatingPod++;
    // Upstream starts this span from context.Background(): a new trace, whatever the pod worker carried.
    return this.tracer.startActiveSpan(KUBELET_SPAN.SYNC_TERMINATING_POD, { kind: SpanKind.INTERNAL, attributes: podSpanAttributes(pod) }, ROOT_CONTEXT, async (span) => {
      try {
        const result = await this.runtimeManager.killPod(pod, status, gracePeriodSeconds);
        if (result.errors.length > 0) throw new Error(syncResultError(result));
        // Guard against inconsistent KillPod implementations: read the pod back (kubelet.go SyncTerminatingPod).
        const stopped = await this.runtimeManager.getPodStatus(pod.metadata.uid, pod.metadata.name, pod.metadata.namespace);
        const running = stopped.containerStatuses.filter((c) => c.state === 'running');
        if (running.length > 0) throw new Error(`detected running containers after a successful KillPod, CRI violation: ${running.map((c) => c.id).join(', ')}`);
        this.reportStatus(pod, stopped, false);
        this.log.info(`Pod termination stopped all running containers pod="${podFullName(pod)}" podUID="${pod.metadata.uid}"`);
      } finally {
        span.end();
      }
    });
  }

  /**
   * kubelet.go SyncTerminatingRuntimePod, for a pod found in the runtime with no config: KillPod over the
   * running pod with a 1 s grace period (raised to 2 s for each StopContainer). It starts no span, and it
   * drops the pod worker's context for context.Background() (a TODO naming kubernetes#113606), so each of its
   * CRI calls, StopContainer per running container then StopPodSandbox per ready sandbox, is a root CLIENT
   * span in a trace of its own.
   */
  async syncTerminatingRuntimePod(runningPod: RuntimePod): Promise<void> {
    this.stats.syncTerminatingRuntimePod++;
    await context.with(ROOT_CONTEXT, async () => {
      const result = await this.runtimeManager.killRunningPod(runningPod, ORPHANED_RUNTIME_POD_GRACE_PERIOD_SECONDS);
      if (result.errors.length > 0) throw new Error(syncResultError(result));
    });
    this.log.info(`Pod termination stopped all running orphaned containers pod="${runningPod.namespace}/${runningPod.name}" podUID="${runningPod.uid}"`);
  }

  async syncTerminatedPod(pod: Pod, status: PodStatus): Promise<void> {
    this.stats.syncTerminatedPod++;
    this.podStartRecorder?.forget(pod.metadata.uid);
    // SyncTerminatedPod: the terminal status, then the status manager may remove a pod the API is deleting.
    this.reportStatus(pod, status, true);
    if (this.isApiPod(pod)) {
      this.apiTerminated.add(pod.metadata.uid);
      // The status manager removes the API object only once the API is deleting it (canBeDeleted).
      if (this.apiTerminating.has(pod.metadata.uid)) this.statusManager?.podTerminated(pod);
    }
    return this.tracer.startActiveSpan(KUBELET_SPAN.SYNC_TERMINATED_POD, { kind: SpanKind.INTERNAL, attributes: podSpanAttributes(pod) }, ROOT_CONTEXT, async (span) => {
      // Volumes, cgroups and status are not emulated: nothing here calls the runtime, as upstream.
      span.end();
    });
  }

  // ---- loops ----

  /** One listing of the file source (file.go listConfig), merged like config.go does for a SET; tests call it by hand. */
  readPodSource(): void {
    this.fileSource?.listConfig();
  }

  /** A watch event on staticPodPath, as the file source's inotify watch delivers it (tests call it by hand). */
  handleManifestEvent(fileName: string, eventType: 'podAdd' | 'podModify' | 'podDelete'): void {
    this.fileSource?.consumeWatchEvent({ fileName, eventType });
  }

  /** The file source sent its store (a SET): merged against the file pods the kubelet has (config.go). */
  private handleFileSourceSet(pods: Pod[]): void {
    // The sync loop has now handled an update from the file source (an empty first listing is sent as one too).
    this.sourcesReady.addSource(CONFIG_SOURCE.FILE);
    // A broken manifest contributes no pod to a listing, so its running pod is removed, as upstream does.
    const previousFromFiles = new Map([...this.desiredPods].filter(([, p]) => p.metadata.annotations[CONFIG_ANNOTATION.SOURCE] === CONFIG_SOURCE.FILE));
    for (const update of diffPods(previousFromFiles, pods)) {
      this.log.info(`SyncLoop ${update.op} source="${CONFIG_SOURCE.FILE}" pods=["${podFullName(update.pod)}"]`);
      if (update.op === POD_OPERATION.ADD) this.addPod(update.pod);
      else if (update.op === POD_OPERATION.UPDATE) this.updatePod(update.pod);
      else this.deletePod(update.pod.metadata.uid);
    }
  }

  /** With an API server: the status manager (API and static pods) and the mirror pod client (static pods). */
  attachStatusManager(statusManager: StatusManager, mirrorClient?: MirrorClient): void {
    this.statusManager = statusManager;
    this.mirrorClient = mirrorClient;
  }

  private isApiPod(pod: Pod): boolean {
    return pod.metadata.annotations[CONFIG_ANNOTATION.SOURCE] === CONFIG_SOURCE.API;
  }

  private isStaticPod(pod: Pod): boolean {
    return pod.metadata.annotations[CONFIG_ANNOTATION.SOURCE] === CONFIG_SOURCE.FILE;
  }

  /**
   * SyncPod's mirror pod step (kubelet.go@v1.34.0): a mirror pod that is being deleted or mirrors another
   * version of the static pod (IsMirrorPodOf: its config.mirror ≠ the pod's config.hash) is deleted; then, if
   * there is none, one is created. Failures are logged; the pod still syncs.
   */
  private async ensureMirrorPod(pod: Pod): Promise<void> {
    if (!this.mirrorClient || !this.isStaticPod(pod) || this.stopped) return;
    const key = podFullName(pod);
    const mirror = this.mirrorPods.get(key);
    let deleted = false;
    try {
      if (mirror && (mirror.deleting || mirror.hash !== pod.metadata.annotations[CONFIG_ANNOTATION.HASH])) {
        this.log.info(`"Trying to delete pod" pod="${key}" podUID="${mirror.uid}"`);
        deleted = await this.mirrorClient.deleteMirrorPod(mirror.namespace, mirror.name, mirror.uid);
        this.mirrorPods.delete(key);
      }
      if (!mirror || deleted) await this.mirrorClient.createMirrorPod(pod);
    } catch (err) {
      this.log.error(`"Failed creating a mirror pod" err="${(err as Error).message}" pod="${key}"`);
    }
  }

  /** HandlePodCleanups' orphaned mirror pods: a mirror pod whose static pod is gone is deleted. */
  private async deleteOrphanedMirrorPods(): Promise<void> {
    if (!this.mirrorClient) return;
    const staticPods = new Set([...this.desiredPods.values()].filter((p) => this.isStaticPod(p)).map(podFullName));
    for (const [key, mirror] of [...this.mirrorPods]) {
      if (staticPods.has(key) || mirror.deleting) continue;
      try {
        await this.mirrorClient.deleteMirrorPod(mirror.namespace, mirror.name, mirror.uid);
        this.mirrorPods.delete(key);
      } catch (err) {
        this.log.error(`"Failed deleting a mirror pod" err="${(err as Error).message}" pod="${key}"`);
      }
    }
  }

  /** generateAPIPodStatus + SetPodStatus for a pod from the API, or a static pod (sent to its mirror pod). */
  private reportStatus(pod: Pod, status: PodStatus | undefined, podIsTerminal: boolean): void {
    if (!this.statusManager || !(this.isApiPod(pod) || (this.mirrorClient && this.isStaticPod(pod)))) return;
    const apiStatus = generateApiPodStatus(pod, status, { runtimeName: this.runtimeName, hostIP: this.settings.nodeIP ?? '127.0.0.1', podIsTerminal });
    this.statusManager.setPodStatus(pod, apiStatus, this.apiStatuses.get(pod.metadata.uid));
  }

  /**
   * The API source sent its whole set (config.go merge for ApiserverSource): new UIDs are ADDs, vanished
   * ones REMOVEs, changed ones UPDATEs; a pod that now has a deletionTimestamp is a DELETE: killed with its
   * deletionGracePeriodSeconds and never started again (checkAndUpdatePod; the status manager then deletes
   * it from the API once it has terminated).
   */
  handleApiSourceSet(pods: ApiSourcePod[]): void {
    this.sourcesReady.addSource(CONFIG_SOURCE.API);
    const current: Pod[] = [];
    this.mirrorPods.clear();
    for (const { pod, apiStatus, mirrorHash } of pods) {
      const uid = pod.metadata.uid;
      if (mirrorHash !== undefined) {
        const { namespace, name } = pod.metadata;
        this.mirrorPods.set(podFullName(pod), { namespace, name, uid, hash: mirrorHash, deleting: pod.metadata.deletionTimestamp !== undefined });
        continue;
      }
      if (!this.apiStatuses.has(uid)) this.apiStatuses.set(uid, apiStatus);
      if (pod.metadata.deletionTimestamp !== undefined) {
        if (!this.apiTerminating.has(uid)) {
          this.apiTerminating.add(uid);
          // A pod that already ran to completion here has nothing left to stop: it can go from the API now.
          if (this.apiTerminated.has(uid)) this.statusManager?.podTerminated(pod);
          if (this.desiredPods.has(uid)) {
            this.log.info(`SyncLoop DELETE source="${CONFIG_SOURCE.API}" pods=["${podFullName(pod)}"]`);
            const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds;
            this.desiredPods.set(uid, { ...pod, spec: { ...pod.spec, terminationGracePeriodSeconds: grace } });
            this.deletePod(uid);
          }
        }
        continue;
      }
      if (!this.apiTerminating.has(uid)) current.push(pod);
    }
    const seen = new Set(pods.filter((p) => p.mirrorHash === undefined).map((p) => p.pod.metadata.uid));
    for (const uid of [...this.apiTerminating]) if (!seen.has(uid)) this.apiTerminating.delete(uid);
    for (const uid of [...this.apiTerminated]) if (!seen.has(uid)) this.apiTerminated.delete(uid);
    for (const uid of [...this.apiStatuses.keys()]) {
      if (!seen.has(uid)) {
        this.apiStatuses.delete(uid);
        this.statusManager?.removePod(uid);
      }
    }
    const previousFromApi = new Map([...this.desiredPods].filter(([, p]) => this.isApiPod(p)));
    for (const update of diffPods(previousFromApi, current)) {
      this.log.info(`SyncLoop ${update.op} source="${CONFIG_SOURCE.API}" pods=["${podFullName(update.pod)}"]`);
      if (update.op === POD_OPERATION.ADD) this.addPod(update.pod);
      else if (update.op === POD_OPERATION.UPDATE) this.updatePod(update.pod);
      else this.deletePod(update.pod.metadata.uid);
    }
  }

  private handlePlegEvent(event: PodLifecycleEvent): boolean {
    this.stats.plegEvents++;
    if (event.type === POD_LIFECYCLE_EVENT.CONTAINER_REMOVED) return true; // not sync-worthy (kubelet.go isSyncPodWorthy)
    // podManager.GetPodByUID: only desired pods are synced; a pod being torn down (or a runtime-only orphan) is not.
    const pod = this.desiredPods.get(event.id);
    if (pod !== undefined) this.podWorkers.updatePod(pod, SYNC_POD_TYPE.SYNC);
    return true;
  }

  private async updateRuntimeUp(): Promise<void> {
    try {
      const status = await this.runtime.status(false);
      const conditions = status.status?.conditions ?? [];
      const notReady = conditions.filter((c) => !c.status).map((c) => `${c.type}=false reason:${c.reason} message:${c.message}`);
      this.runtimeReady = notReady.length === 0;
      this.runtimeError = notReady.join(', ');
      // updateRuntimeUp: only RuntimeReady gates the sync loop; a good status refreshes lastBaseRuntimeSync.
      const runtimeReady = conditions.find((c) => c.type === 'RuntimeReady');
      if (runtimeReady === undefined || !runtimeReady.status) {
        this.runtimeState.setRuntimeState(`container runtime not ready: ${runtimeReady ? `RuntimeReady=false reason:${runtimeReady.reason} message:${runtimeReady.message}` : '<nil>'}`);
        return;
      }
      this.runtimeState.setRuntimeState(undefined);
      this.initializeRuntimeDependentModules();
      this.runtimeState.setRuntimeSync(this.clock.nowMs());
    } catch (err) {
      this.runtimeReady = false;
      this.runtimeError = `container runtime status check may not have completed yet: ${(err as Error).message}`;
      this.log.error(`Container runtime sanity check failed err="${(err as Error).message}"`);
    }
  }

  /**
   * The sync loop's housekeeping case (kubelet.go syncLoopIteration), run every 2 s: skipped until every config
   * source is ready, so that nothing a source has yet to list is removed, then one HandlePodCleanups pass.
   * Returns whether the pass ran. The loop calls it; tests call it by hand.
   */
  async housekeeping(): Promise<boolean> {
    if (!this.sourcesReady.allReady()) return false;
    this.stats.housekeeping++;
    const startMs = this.clock.nowMs();
    try {
      // The sync loop runs in Run's context.Background(): the listing's CRI calls are root CLIENT spans.
      await context.with(ROOT_CONTEXT, () => handlePodCleanups({
        podWorkers: this.podWorkers,
        runtimeCache: this.runtimeCache,
        clock: this.clock,
        log: this.log,
        desiredPods: () => [...this.desiredPods.values()],
        gcCrashLoopBackOff: () => this.runtimeManager.gcCrashLoopBackOff(),
        metrics: this.metrics,
      }));
      await context.with(ROOT_CONTEXT, () => this.deleteOrphanedMirrorPods());
    } catch (err) {
      this.log.error(`"Failed cleaning pods" err="${(err as Error).message}"`);
    }
    const tookMs = this.clock.nowMs() - startMs;
    if (tookMs > KUBELET_LOOP.HOUSEKEEPING_WARNING_DURATION_MS) this.log.error(`"Housekeeping took longer than expected" err="housekeeping took too long" expected="1s" actual="${tookMs}ms"`);
    return true;
  }

  /**
   * Registers a loop whose passes run in context.Background(), as every kubelet loop does (wait.Until in a
   * goroutine started with no span): whatever span was active when start() ran, no pass inherits it.
   */
  private every(name: string, periodMs: LoopPeriod, fn: () => Promise<void> | void, immediately: boolean): void {
    this.loops.every(name, periodMs, () => context.with(ROOT_CONTEXT, fn), immediately);
  }

  /** One container GC pass (the loop runs it every containerGCPeriod); tests call it by hand. */
  async garbageCollectContainers(): Promise<void> {
    this.stats.containerGC++;
    // kubelet.go StartGarbageCollection → GarbageCollect(ctx, policy, sourcesReady.AllReady(), false).
    const errors = await this.containerGC.garbageCollect(this.sourcesReady.allReady());
    if (errors.length > 0) this.log.error(`Container garbage collection failed err="${errors.map((e) => e.message).join(', ')}"`);
  }

  private async garbageCollectImages(): Promise<void> {
    this.stats.imageGC++;
    const err = await this.imageGC.garbageCollect();
    if (err) this.log.error(`Image garbage collection failed err="${err.message}"`);
  }
}

/** SyncResult.Error(): each failed step as `failed to "<action>" for "<target>" with <reason>: "<message>"`, aggregated. */
function syncResultError(result: SyncResult): string {
  const messages = result.errors.map((e) => `failed to ${JSON.stringify(e.action)} for ${JSON.stringify(e.target)} with ${e.reason}: ${JSON.stringify(e.message)}`);
  return messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
}
