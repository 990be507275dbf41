/**
 * Static catalogue of the CRI v1 RPCs defined in cri-proto/proto/api.proto.
 *
 * Written as `as const` data (no runtime dependency on grpc-js or proto-loader) so it can
 * be used for span naming, method filters and routing tables anywhere. The unit test
 * test/cri-proto/cri-proto.test.ts asserts it equals the loaded service definitions.
 * No CRI RPC is client-streaming or bidi; `serverStreaming` is the only streaming flag.
 */

/** Proto package of the CRI v1 API. */
export const CRI_PACKAGE = 'runtime.v1' as const;
/** Fully qualified name of the runtime service. */
export const RUNTIME_SERVICE_NAME = 'runtime.v1.RuntimeService' as const;
/** Fully qualified name of the image service. */
export const IMAGE_SERVICE_NAME = 'runtime.v1.ImageService' as const;

/** Every RuntimeService RPC: full gRPC path, request/response message names, server-streaming flag. */
export const RUNTIME_SERVICE_METHODS = {
  Version: { path: '/runtime.v1.RuntimeService/Version', requestType: 'VersionRequest', responseType: 'VersionResponse', serverStreaming: false },
  RunPodSandbox: { path: '/runtime.v1.RuntimeService/RunPodSandbox', requestType: 'RunPodSandboxRequest', responseType: 'RunPodSandboxResponse', serverStreaming: false },
  StopPodSandbox: { path: '/runtime.v1.RuntimeService/StopPodSandbox', requestType: 'StopPodSandboxRequest', responseType: 'StopPodSandboxResponse', serverStreaming: false },
  RemovePodSandbox: { path: '/runtime.v1.RuntimeService/RemovePodSandbox', requestType: 'RemovePodSandboxRequest', responseType: 'RemovePodSandboxResponse', serverStreaming: false },
  PodSandboxStatus: { path: '/runtime.v1.RuntimeService/PodSandboxStatus', requestType: 'PodSandboxStatusRequest', responseType: 'PodSandboxStatusResponse', serverStreaming: false },
  ListPodSandbox: { path: '/runtime.v1.RuntimeService/ListPodSandbox', requestType: 'ListPodSandboxRequest', responseType: 'ListPodSandboxResponse', serverStreaming: false },
  StreamPodSandboxes: { path: '/runtime.v1.RuntimeService/StreamPodSandboxes', requestType: 'StreamPodSandboxesRequest', responseType: 'StreamPodSandboxesResponse', serverStreaming: true },
  CreateContainer: { path: '/runtime.v1.RuntimeService/CreateContainer', requestType: 'CreateContainerRequest', responseType: 'CreateContainerResponse', serverStreaming: false },
  StartContainer: { path: '/runtime.v1.RuntimeService/StartContainer', requestType: 'StartContainerRequest', responseType: 'StartContainerResponse', serverStreaming: false },
  StopContainer: { path: '/runtime.v1.RuntimeService/StopContainer', requestType: 'StopContainerRequest', responseType: 'StopContainerResponse', serverStreaming: false },
  RemoveContainer: { path: '/runtime.v1.RuntimeService/RemoveContainer', requestType: 'RemoveContainerRequest', responseType: 'RemoveContainerResponse', serverStreaming: false },
  ListContainers: { path: '/runtime.v1.RuntimeService/ListContainers', requestType: 'ListContainersRequest', responseType: 'ListContainersResponse', serverStreaming: false },
  StreamContainers: { path: '/runtime.v1.RuntimeService/StreamContainers', requestType: 'StreamContainersRequest', responseType: 'StreamContainersResponse', serverStreaming: true },
  ContainerStatus: { path: '/runtime.v1.RuntimeService/ContainerStatus', requestType: 'ContainerStatusRequest', responseType: 'ContainerStatusResponse', serverStreaming: false },
  UpdateContainerResources: { path: '/runtime.v1.RuntimeService/UpdateContainerResources', requestType: 'UpdateContainerResourcesRequest', responseType: 'UpdateContainerResourcesResponse', serverStreaming: false },
  ReopenContainerLog: { path: '/runtime.v1.RuntimeService/ReopenContainerLog', requestType: 'ReopenContainerLogRequest', responseType: 'ReopenContainerLogResponse', serverStreaming: false },
  ExecSync: { path: '/runtime.v1.RuntimeService/ExecSync', requestType: 'ExecSyncRequest', responseType: 'ExecSyncResponse', serverStreaming: false },
  Exec: { path: '/runtime.v1.RuntimeService/Exec', requestType: 'ExecRequest', responseType: 'ExecResponse', serverStreaming: false },
  Attach: { path: '/runtime.v1.RuntimeService/Attach', requestType: 'AttachRequest', responseType: 'AttachResponse', serverStreaming: false },
  PortForward: { path: '/runtime.v1.RuntimeService/PortForward', requestType: 'PortForwardRequest', responseType: 'PortForwardResponse', serverStreaming: false },
  ContainerStats: { path: '/runtime.v1.RuntimeService/ContainerStats', requestType: 'ContainerStatsRequest', responseType: 'ContainerStatsResponse', serverStreaming: false },
  ListContainerStats: { path: '/runtime.v1.RuntimeService/ListContainerStats', requestType: 'ListContainerStatsRequest', responseType: 'ListContainerStatsResponse', serverStreaming: false },
  StreamContainerStats: { path: '/runtime.v1.RuntimeService/StreamContainerStats', requestType: 'StreamContainerStatsRequest', responseType: 'StreamContainerStatsResponse', serverStreaming: true },
  PodSandboxStats: { path: '/runtime.v1.RuntimeService/PodSandboxStats', requestType: 'PodSandboxStatsRequest', responseType: 'PodSandboxStatsResponse', serverStreaming: false },
  ListPodSandboxStats: { path: '/runtime.v1.RuntimeService/ListPodSandboxStats', requestType: 'ListPodSandboxStatsRequest', responseType: 'ListPodSandboxStatsResponse', serverStreaming: false },
  StreamPodSandboxStats: { path: '/runtime.v1.RuntimeService/StreamPodSandboxStats', requestType: 'StreamPodSandboxStatsRequest', responseType: 'StreamPodSandboxStatsResponse', serverStreaming: true },
  UpdateRuntimeConfig: { path: '/runtime.v1.RuntimeService/UpdateRuntimeConfig', requestType: 'UpdateRuntimeConfigRequest', responseType: 'UpdateRuntimeConfigResponse', serverStreaming: false },
  Status: { path: '/runtime.v1.RuntimeService/Status', requestType: 'StatusRequest', responseType: 'StatusResponse', serverStreaming: false },
  CheckpointContainer: { path: '/runtime.v1.RuntimeService/CheckpointContainer', requestType: 'CheckpointContainerRequest', responseType: 'CheckpointContainerResponse', serverStreaming: false },
  CheckpointPod: { path: '/runtime.v1.RuntimeService/CheckpointPod', requestType: 'CheckpointPodRequest', responseType: 'CheckpointPodResponse', serverStreaming: false },
  RestorePod: { path: '/runtime.v1.RuntimeService/RestorePod', requestType: 'RestorePodRequest', responseType: 'RestorePodResponse', serverStreaming: false },
  GetContainerEvents: { path: '/runtime.v1.RuntimeService/GetContainerEvents', requestType: 'GetEventsRequest', responseType: 'ContainerEventResponse', serverStreaming: true },
  ListMetricDescriptors: { path: '/runtime.v1.RuntimeService/ListMetricDescriptors', requestType: 'ListMetricDescriptorsRequest', responseType: 'ListMetricDescriptorsResponse', serverStreaming: false },
  ListPodSandboxMetrics: { path: '/runtime.v1.RuntimeService/ListPodSandboxMetrics', requestType: 'ListPodSandboxMetricsRequest', responseType: 'ListPodSandboxMetricsResponse', serverStreaming: false },
  StreamPodSandboxMetrics: { path: '/runtime.v1.RuntimeService/StreamPodSandboxMetrics', requestType: 'StreamPodSandboxMetricsRequest', responseType: 'StreamPodSandboxMetricsResponse', serverStreaming: true },
  RuntimeConfig: { path: '/runtime.v1.RuntimeService/RuntimeConfig', requestType: 'RuntimeConfigRequest', responseType: 'RuntimeConfigResponse', serverStreaming: false },
  UpdatePodSandboxResources: { path: '/runtime.v1.RuntimeService/UpdatePodSandboxResources', requestType: 'UpdatePodSandboxResourcesRequest', responseType: 'UpdatePodSandboxResourcesResponse', serverStreaming: false },
} as const;

/** Every ImageService RPC: full gRPC path, request/response message names, server-streaming flag. */
export const IMAGE_SERVICE_METHODS = {
  ListImages: { path: '/runtime.v1.ImageService/ListImages', requestType: 'ListImagesRequest', responseType: 'ListImagesResponse', serverStreaming: false },
  StreamImages: { path: '/runtime.v1.ImageService/StreamImages', requestType: 'StreamImagesRequest', responseType: 'StreamImagesResponse', serverStreaming: true },
  ImageStatus: { path: '/runtime.v1.ImageService/ImageStatus', requestType: 'ImageStatusRequest', responseType: 'ImageStatusResponse', serverStreaming: false },
  PullImage: { path: '/runtime.v1.ImageService/PullImage', requestType: 'PullImageRequest', responseType: 'PullImageResponse', serverStreaming: false },
  RemoveImage: { path: '/runtime.v1.ImageService/RemoveImage', requestType: 'RemoveImageRequest', responseType: 'RemoveImageResponse', serverStreaming: false },
  ImageFsInfo: { path: '/runtime.v1.ImageService/ImageFsInfo', requestType: 'ImageFsInfoRequest', responseType: 'ImageFsInfoResponse', serverStreaming: false },
} as const;
export type RuntimeServiceMethodName = keyof typeof RUNTIME_SERVICE_METHODS;
export type ImageServiceMethodName = keyof typeof IMAGE_SERVICE_METHODS;
export type CriServiceShortName = 'RuntimeService' | 'ImageService';
export type CriMethodPath =
  | (typeof RUNTIME_SERVICE_METHODS)[RuntimeServiceMethodName]['path']
  | (typeof IMAGE_SERVICE_METHODS)[ImageServiceMethodName]['path'];

/** One CRI RPC, flattened. */
export interface CriMethodInfo {
  /** Short service name, e.g. `RuntimeService`. */
  readonly service: CriServiceShortName;
  /** Fully qualified service name, e.g. `runtime.v1.RuntimeService`. */
  readonly fullServiceName: typeof RUNTIME_SERVICE_NAME | typeof IMAGE_SERVICE_NAME;
  /** RPC name as in the proto, e.g. `RunPodSandbox`. */
  readonly method: RuntimeServiceMethodName | ImageServiceMethodName;
  /** Full gRPC path, e.g. `/runtime.v1.RuntimeService/RunPodSandbox`. */
  readonly path: CriMethodPath;
  readonly requestType: string;
  readonly responseType: string;
  readonly serverStreaming: boolean;
}

function flatten(
  service: CriServiceShortName,
  fullServiceName: CriMethodInfo['fullServiceName'],
  table: Readonly<Record<string, { path: string; requestType: string; responseType: string; serverStreaming: boolean }>>,
): CriMethodInfo[] {
  return Object.entries(table).map(([method, m]) => ({
    service,
    fullServiceName,
    method: method as CriMethodInfo['method'],
    path: m.path as CriMethodPath,
    requestType: m.requestType,
    responseType: m.responseType,
    serverStreaming: m.serverStreaming,
  }));
}

/** All CRI RPCs (RuntimeService first, then ImageService), in proto declaration order. */
export const CRI_METHODS: readonly CriMethodInfo[] = Object.freeze([
  ...flatten('RuntimeService', RUNTIME_SERVICE_NAME, RUNTIME_SERVICE_METHODS),
  ...flatten('ImageService', IMAGE_SERVICE_NAME, IMAGE_SERVICE_METHODS),
]);

const BY_PATH: ReadonlyMap<string, CriMethodInfo> = new Map(CRI_METHODS.map((m) => [m.path, m]));

/** Look up an RPC by its full gRPC path (`/runtime.v1.RuntimeService/Version`). */
export function criMethodByPath(path: string): CriMethodInfo | undefined {
  return BY_PATH.get(path);
}

/** True if `path` is a CRI v1 RPC path. */
export function isCriMethodPath(path: string): path is CriMethodPath {
  return BY_PATH.has(path);
}
