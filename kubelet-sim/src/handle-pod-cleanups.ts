import type { Pod } from './container/pod';
import type { RuntimeCache } from './container/runtime-cache';
import type { RuntimePod } from './kuberuntime/kuberuntime-manager';
import type { KubeletMetrics } from './metrics/kubelet-metrics';
import { CONFIG_ANNOTATION, CONFIG_SOURCE } from './pod-sources/static-pod-source';
import type { PodWorkers, PodWorkerSync } from './pod-workers/pod-workers';
import { POD_WORKER_STATE } from './pod-workers/pod-workers';
import { SYNC_POD_TYPE } from './pod-workers/sync-pod-type';
import type { Clock } from './util/clock';
import type { Logger } from './util/logger';

/** What one housekeeping pass works with (the parts of the Kubelet that HandlePodCleanups touches). */
export interface PodCleanupsContext {
  podWorkers: PodWorkers;
  runtimeCache: RuntimeCache;
  clock: Clock;
  log: Logger;
  /** podManager.GetPods(): the pods the config sources want on this node. */
  desiredPods(): Pod[];
  /** The kubelet's crashLoopBackOff.GC(). */
  gcCrashLoopBackOff(): void;
  metrics?: Pick<KubeletMetrics, 'orphanedRuntimePods' | 'restartedPods'>;
}

/** What a pass did, for the caller and for tests. */
export interface PodCleanupsResult {
  /** UIDs of desired pods the workers did not know, handed to them as creates. */
  restarted: string[];
  /** UIDs of runtime pods no worker knew, handed to them to be stopped. */
  orphaned: string[];
}

/**
 * One housekeeping pass (pkg/kubelet/kubelet_pods.go HandlePodCleanups), run every 2 s by the sync loop
 * once all config sources are ready. In upstream order, for what kubelet-sim emulates:
 *
 * 1. SyncKnownPods: the workers drop finished pods no longer desired and drive the other undesired ones to
 *    termination; what they still know is the working set.
 * 2. The runtime cache is refreshed (ListPodSandbox for ready sandboxes, ListContainers for running
 *    containers: root CLIENT spans, as the pass runs in the sync loop's span-less context) and read.
 * 3. (Probes, pod statuses, user namespaces, orphaned pod directories and mirror pods: not emulated.)
 * 4. Desired pods the workers do not know (a UID added again after it terminated) get a create.
 * 5. Runtime pods no worker knows, left by an earlier kubelet, a deleted static pod or a UID no source
 *    mentions any more, are handed to the workers to be stopped (SyncTerminatingRuntimePod, grace 1 s);
 *    container GC removes their containers and sandboxes afterwards. Stopped pods are not in the listing
 *    (it holds only ready sandboxes and running containers), so each orphan is handed over once.
 * 6. The crash-loop back-off entries that have expired are dropped.
 *
 * A failed listing ends the pass with the error after step 1, as upstream returns it.
 */
export async function handlePodCleanups(ctx: PodCleanupsContext): Promise<PodCleanupsResult> {
  const allPods = ctx.desiredPods();
  const workingPods: Map<string, PodWorkerSync> = ctx.podWorkers.syncKnownPods(new Set(allPods.map((p) => p.metadata.uid)));

  let runningRuntimePods: RuntimePod[];
  try {
    await ctx.runtimeCache.forceUpdateIfOlder(ctx.clock.nowMs());
    runningRuntimePods = await ctx.runtimeCache.getPods();
  } catch (err) {
    ctx.log.error(`"Error listing containers" err="${(err as Error).message}"`);
    throw err;
  }

  const result: PodCleanupsResult = { restarted: [], orphaned: [] };
  for (const pod of allPods) {
    const uid = pod.metadata.uid;
    if (workingPods.has(uid)) continue;
    const isStatic = pod.metadata.annotations[CONFIG_ANNOTATION.SOURCE] === CONFIG_SOURCE.FILE;
    ctx.log.info(`"Pod will be restarted because it is in the desired set and not known to the pod workers (likely due to UID reuse)" podUID="${uid}"`);
    ctx.podWorkers.updatePod(pod, SYNC_POD_TYPE.CREATE);
    workingPods.set(uid, { state: POD_WORKER_STATE.SYNC, orphan: false, hasConfig: true, static: isStatic });
    ctx.metrics?.restartedPods.inc({ static: isStatic ? 'true' : '' });
    result.restarted.push(uid);
  }

  for (const runningPod of runningRuntimePods) {
    if (workingPods.has(runningPod.uid)) continue;
    ctx.log.info(`"Clean up containers for orphaned pod we had not seen before" podUID="${runningPod.uid}" pod="${runningPod.namespace}/${runningPod.name}"`);
    ctx.podWorkers.killRuntimePod(runningPod);
    workingPods.set(runningPod.uid, { state: POD_WORKER_STATE.TERMINATING, orphan: true, hasConfig: false, static: false });
    result.orphaned.push(runningPod.uid);
  }
  ctx.metrics?.orphanedRuntimePods.inc(result.orphaned.length);

  ctx.gcCrashLoopBackOff();
  return result;
}
