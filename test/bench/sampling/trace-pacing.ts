/**
 * What paces a trace that is not a pod worker sync, for the fleet extrapolation: the loops' clocks or the
 * pods' changes. A fleet churns its pods at its own rate (--pod-churn), not the benchmark node's, so the two
 * kinds scale differently: periodic traces with the node count, churn-driven ones with the pod churn.
 *
 * Periodic: CRI calls the kubelet's loops make on their timers whatever the pods do (kubernetes
 * pkg/kubelet/pleg/generic.go relist: ListPodSandbox, ListContainers; kubelet.go updateRuntimeUp: Status;
 * the image manager and eviction/stats loops: ListImages, ImageFsInfo, ListContainerStats,
 * ListPodSandboxStats; start-up: Version, RuntimeConfig), whether the kubelet or the runtime roots them.
 * Churn-driven: everything else, e.g. the PodSandboxStatus / ContainerStatus calls a relist makes for each pod
 * that changed, container GC's removals, and containerd's own roots for container transitions (shim events,
 * Task/Wait, the exit handler's Task/Delete): without pod changes none of them happen.
 */
const PERIODIC_CRI_METHODS: ReadonlySet<string> = new Set([
  'ListPodSandbox', 'ListContainers', 'Status', 'Version', 'RuntimeConfig',
  'ListImages', 'ImageFsInfo', 'ListContainerStats', 'ListPodSandboxStats', 'ListMetricDescriptors', 'ListPodSandboxMetrics',
]);

/** True for a trace rooted at a span of this name that the loops' timers pace (see the file comment). */
export function isPeriodicRoot(rootSpanName: string): boolean {
  // CRI spans are named `runtime.v1.<Service>/<Method>` (otelgrpc; CRI-O's own layer adds a leading '/').
  const m = /(?:^|\/)runtime\.v1\.(?:RuntimeService|ImageService)\/(\w+)$/.exec(rootSpanName);
  return m !== null && PERIODIC_CRI_METHODS.has(m[1] as string);
}
