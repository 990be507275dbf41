/**
 * runtime.v1.RuntimeService handlers over the simulated runtime state. Each handler maps the
 * decoded request to a state operation and the resulting view to the response; errors go through
 * toStatus(). Every RPC not modelled here answers UNIMPLEMENTED (see ./unimplemented.ts).
 */
import { simulatedPid } from '../state/simulated-pid';
import type * as cri from '../../../cri-proto/src/types';
import type { RuntimeServiceHandlers } from '../../../cri-proto/src/generated/runtime/v1/RuntimeService';
import { runtimeServiceDefinition } from '../../../cri-proto/src/load-cri';
import { MessageReuse } from '../../../cri-proto/src/message-reuse';
import type { RuntimeState } from '../state/runtime-state';
import { CONTAINER_STATE, type ContainerView, type PodSandboxView } from '../state/types';
import { CriError, GRPC_STATUS } from '../state/cri-error';
import {
  toContainer,
  toContainerFilterInput,
  toContainerStats,
  toContainerStatus,
  toCreateContainerInput,
  toLinuxResourcesInput,
  toPodSandboxStats,
  toStatsFilterInput,
  toPodSandbox,
  toPodSandboxConfigInput,
  toPodSandboxFilterInput,
  toPodSandboxStatus,
  wireToBigInt,
} from './cri-mapping';
import { createHandlerContext, unaryHandler, type HandlerContext, type HandlerOptions } from './handler-kit';
import { statusInfo } from './status-info';
import { unimplementedHandlers, unimplementedMessage } from './unimplemented';

export const RUNTIME_SERVICE_NAME = 'runtime.v1.RuntimeService';

/** CRI API version both runtimes report (containerd internal/cri/constants CRIVersion; CRI-O server/version.go). */
export const CRI_RUNTIME_API_VERSION = 'v1';
/** VersionResponse.version: the kubelet API version both runtimes still hard-code. */
export const KUBE_API_VERSION = '0.1.0';

/** RuntimeCondition types the kubelet requires (api.proto RuntimeReady / NetworkReady). */
export const RUNTIME_CONDITION = {
  RUNTIME_READY: 'RuntimeReady',
  NETWORK_READY: 'NetworkReady',
  /** containerd 2.x adds this condition (internal/cri/server/status.go); true with no deprecated config in use. */
  CONTAINERD_HAS_NO_DEPRECATION_WARNINGS: 'ContainerdHasNoDeprecationWarnings',
} as const;

/** RPCs this module implements; every other RuntimeService RPC is UNIMPLEMENTED. */
export const IMPLEMENTED_RUNTIME_RPCS: ReadonlySet<string> = new Set([
  'Version',
  'Status',
  'RunPodSandbox',
  'StopPodSandbox',
  'RemovePodSandbox',
  'PodSandboxStatus',
  'ListPodSandbox',
  'CreateContainer',
  'StartContainer',
  'StopContainer',
  'RemoveContainer',
  'ContainerStatus',
  'ListContainers',
  'ExecSync',
  'ContainerStats',
  'ListContainerStats',
  'PodSandboxStats',
  'ListPodSandboxStats',
  'UpdateContainerResources',
  'ReopenContainerLog',
  'UpdateRuntimeConfig',
  'RuntimeConfig',
  'CheckpointContainer',
  'ListMetricDescriptors',
  'ListPodSandboxMetrics',
  'UpdatePodSandboxResources',
]);


function sandboxInfo(view: PodSandboxView, ctx: HandlerContext): Record<string, string> {
  const info = {
    pid: view.state === 'SANDBOX_READY' ? simulatedPid(view.id) : 0,
    runtimeHandler: view.runtimeHandler,
    netNamespaceClosed: view.state !== 'SANDBOX_READY',
    image: ctx.state.profile.persona === 'containerd' ? 'registry.k8s.io/pause:3.10' : undefined,
  };
  return { info: JSON.stringify(info) };
}

function containerInfo(view: ContainerView): Record<string, string> {
  const pid = view.state === CONTAINER_STATE.RUNNING ? simulatedPid(view.id) : 0;
  return { info: JSON.stringify({ sandboxID: view.podSandboxId, pid }) };
}

function statusResponse(ctx: HandlerContext, verbose: boolean): cri.StatusResponse {
  const profile = ctx.state.profile;
  const conditions: cri.RuntimeCondition[] = [
    { type: RUNTIME_CONDITION.RUNTIME_READY, status: true, reason: '', message: '' },
    { type: RUNTIME_CONDITION.NETWORK_READY, status: true, reason: '', message: '' },
  ];
  if (profile.persona === 'containerd') {
    conditions.push({ type: RUNTIME_CONDITION.CONTAINERD_HAS_NO_DEPRECATION_WARNINGS, status: true, reason: '', message: '' });
  }
  const info: Record<string, string> = verbose ? statusInfo(profile.persona, ctx.state.runtimeConfig()) : {};
  return {
    status: { conditions },
    info,
    runtime_handlers: profile.runtimeHandlers.map((name) => ({
      name,
      features: { recursive_read_only_mounts: true, user_namespaces: true },
    })),
    features: { supplemental_groups_policy: true },
  };
}

/** A list request's filter as a key for MessageReuse (a decoded filter is a small plain object or null). */
function filterKey(filter: unknown): string {
  return filter === null || filter === undefined ? '' : JSON.stringify(filter);
}

/**
 * Handlers for every RuntimeService RPC: the modelled ones, plus UNIMPLEMENTED for the rest.
 * The persona (CRI-O or containerd) is the state's.
 */
export function createRuntimeServiceHandlers(state: RuntimeState, options: HandlerOptions = {}): RuntimeServiceHandlers {
  const ctx = createHandlerContext(state, options);
  const profile = state.profile;
  // A steady kubelet asks the same lists every relist: an unchanged answer is the same frozen message, whose
  // encoded bytes load-cri.ts keeps (../../../cri-proto/src/message-reuse.ts). Keyed by the request's filter.
  const sandboxLists = new MessageReuse<cri.ListPodSandboxResponse>();
  const containerLists = new MessageReuse<cri.ListContainersResponse>();

  const implemented: Partial<RuntimeServiceHandlers> = {
    Version: unaryHandler<cri.VersionRequest__Output, cri.VersionResponse>(ctx, 'Version', () => ({
      response: {
        version: KUBE_API_VERSION,
        runtime_name: profile.runtimeName,
        runtime_version: ctx.personaVersion,
        runtime_api_version: CRI_RUNTIME_API_VERSION,
      },
    })),

    Status: unaryHandler<cri.StatusRequest__Output, cri.StatusResponse>(ctx, 'Status', (req) => ({
      response: statusResponse(ctx, req.verbose),
    })),

    RunPodSandbox: unaryHandler<cri.RunPodSandboxRequest__Output, cri.RunPodSandboxResponse>(ctx, 'RunPodSandbox', (req) => {
      const { podSandboxId } = state.runPodSandbox({
        config: toPodSandboxConfigInput(req.config),
        runtimeHandler: req.runtime_handler,
      });
      return { response: { pod_sandbox_id: podSandboxId } };
    }),

    StopPodSandbox: unaryHandler<cri.StopPodSandboxRequest__Output, cri.StopPodSandboxResponse>(ctx, 'StopPodSandbox', (req) => {
      const { completesAtNs } = state.stopPodSandbox(req.pod_sandbox_id);
      return { response: {}, completesAtNs };
    }),

    RemovePodSandbox: unaryHandler<cri.RemovePodSandboxRequest__Output, cri.RemovePodSandboxResponse>(
      ctx,
      'RemovePodSandbox',
      (req) => {
        const { completesAtNs } = state.removePodSandbox(req.pod_sandbox_id);
        return { response: {}, completesAtNs };
      },
    ),

    PodSandboxStatus: unaryHandler<cri.PodSandboxStatusRequest__Output, cri.PodSandboxStatusResponse>(
      ctx,
      'PodSandboxStatus',
      (req) => {
        const view = state.podSandboxStatus(req.pod_sandbox_id);
        return {
          response: {
            status: toPodSandboxStatus(view),
            info: req.verbose ? sandboxInfo(view, ctx) : {},
            containers_statuses: [],
            timestamp: '0',
          },
        };
      },
    ),

    ListPodSandbox: unaryHandler<cri.ListPodSandboxRequest__Output, cri.ListPodSandboxResponse>(ctx, 'ListPodSandbox', (req) => ({
      response: sandboxLists.reuse(filterKey(req.filter), {
        items: state.listPodSandboxes(toPodSandboxFilterInput(req.filter)).map(toPodSandbox),
      }),
    })),

    CreateContainer: unaryHandler<cri.CreateContainerRequest__Output, cri.CreateContainerResponse>(
      ctx,
      'CreateContainer',
      (req) => ({ response: { container_id: state.createContainer(toCreateContainerInput(req)).containerId } }),
    ),

    StartContainer: unaryHandler<cri.StartContainerRequest__Output, cri.StartContainerResponse>(ctx, 'StartContainer', (req) => {
      state.startContainer(req.container_id);
      return { response: {} };
    }),

    StopContainer: unaryHandler<cri.StopContainerRequest__Output, cri.StopContainerResponse>(ctx, 'StopContainer', (req) => {
      const { completesAtNs } = state.stopContainer(req.container_id, wireToBigInt(req.timeout));
      return { response: {}, completesAtNs };
    }),

    RemoveContainer: unaryHandler<cri.RemoveContainerRequest__Output, cri.RemoveContainerResponse>(
      ctx,
      'RemoveContainer',
      (req) => {
        const { completesAtNs } = state.removeContainer(req.container_id);
        return { response: {}, completesAtNs };
      },
    ),

    ContainerStatus: unaryHandler<cri.ContainerStatusRequest__Output, cri.ContainerStatusResponse>(
      ctx,
      'ContainerStatus',
      (req) => {
        const view = state.containerStatus(req.container_id);
        return { response: { status: toContainerStatus(view), info: req.verbose ? containerInfo(view) : {} } };
      },
    ),

    ListContainers: unaryHandler<cri.ListContainersRequest__Output, cri.ListContainersResponse>(ctx, 'ListContainers', (req) => ({
      response: containerLists.reuse(filterKey(req.filter), {
        containers: state.listContainers(toContainerFilterInput(req.filter)).map(toContainer),
      }),
    })),

    // CRI-O server/container_execsync.go; containerd container_execsync.go (see RuntimeState.execSync).
    ExecSync: unaryHandler<cri.ExecSyncRequest__Output, cri.ExecSyncResponse>(ctx, 'ExecSync', (req) => {
      const out = state.execSync({
        containerId: req.container_id,
        cmd: req.cmd ?? [],
        timeoutSeconds: wireToBigInt(req.timeout),
      });
      const result = out.result ?? { exitCode: 0, stdout: '', stderr: '' };
      return {
        response: { stdout: Buffer.from(result.stdout), stderr: Buffer.from(result.stderr), exit_code: result.exitCode },
        completesAtNs: out.completesAtNs,
        failure: out.error,
      };
    }),

    ContainerStats: unaryHandler<cri.ContainerStatsRequest__Output, cri.ContainerStatsResponse>(ctx, 'ContainerStats', (req) => ({
      response: { stats: toContainerStats(state.containerStats(req.container_id)) },
    })),

    ListContainerStats: unaryHandler<cri.ListContainerStatsRequest__Output, cri.ListContainerStatsResponse>(
      ctx,
      'ListContainerStats',
      (req) => ({ response: { stats: state.listContainerStats(toStatsFilterInput(req.filter)).map(toContainerStats) } }),
    ),

    PodSandboxStats: unaryHandler<cri.PodSandboxStatsRequest__Output, cri.PodSandboxStatsResponse>(ctx, 'PodSandboxStats', (req) => ({
      response: { stats: toPodSandboxStats(state.podSandboxStats(req.pod_sandbox_id)) },
    })),

    ListPodSandboxStats: unaryHandler<cri.ListPodSandboxStatsRequest__Output, cri.ListPodSandboxStatsResponse>(
      ctx,
      'ListPodSandboxStats',
      (req) => ({ response: { stats: state.listPodSandboxStats(toStatsFilterInput(req.filter)).map(toPodSandboxStats) } }),
    ),

    UpdateContainerResources: unaryHandler<cri.UpdateContainerResourcesRequest__Output, cri.UpdateContainerResourcesResponse>(
      ctx,
      'UpdateContainerResources',
      (req) => {
        state.updateContainerResources(req.container_id, toLinuxResourcesInput(req.linux));
        return { response: {} };
      },
    ),

    ReopenContainerLog: unaryHandler<cri.ReopenContainerLogRequest__Output, cri.ReopenContainerLogResponse>(
      ctx,
      'ReopenContainerLog',
      (req) => {
        state.reopenContainerLog(req.container_id);
        return { response: {} };
      },
    ),

    UpdateRuntimeConfig: unaryHandler<cri.UpdateRuntimeConfigRequest__Output, cri.UpdateRuntimeConfigResponse>(
      ctx,
      'UpdateRuntimeConfig',
      (req) => {
        state.updateRuntimeConfig(req.runtime_config?.network_config?.pod_cidr ?? '');
        return { response: {} };
      },
    ),

    // CRI-O server/runtime_config.go; containerd runtime_config_linux.go.
    RuntimeConfig: unaryHandler<cri.RuntimeConfigRequest__Output, cri.RuntimeConfigResponse>(ctx, 'RuntimeConfig', () => ({
      response: { linux: { cgroup_driver: state.runtimeConfig().cgroupDriver } },
    })),

    CheckpointContainer: unaryHandler<cri.CheckpointContainerRequest__Output, cri.CheckpointContainerResponse>(
      ctx,
      'CheckpointContainer',
      (req) => state.checkpointContainer(req.container_id),
    ),

    // CRI-O server/metric_descriptors_list.go / sandbox_metrics_list.go answer from included_pod_metrics
    // (empty by default); containerd 2.1 leaves both to the generated Unimplemented server.
    ListMetricDescriptors: unaryHandler<cri.ListMetricDescriptorsRequest__Output, cri.ListMetricDescriptorsResponse>(
      ctx,
      'ListMetricDescriptors',
      () => {
        if (!profile.servesPodMetrics) {
          throw new CriError(GRPC_STATUS.UNIMPLEMENTED, unimplementedMessage(RUNTIME_SERVICE_NAME, 'ListMetricDescriptors'));
        }
        return { response: { descriptors: [] } };
      },
    ),

    ListPodSandboxMetrics: unaryHandler<cri.ListPodSandboxMetricsRequest__Output, cri.ListPodSandboxMetricsResponse>(
      ctx,
      'ListPodSandboxMetrics',
      () => {
        if (!profile.servesPodMetrics) {
          throw new CriError(GRPC_STATUS.UNIMPLEMENTED, unimplementedMessage(RUNTIME_SERVICE_NAME, 'ListPodSandboxMetrics'));
        }
        return { response: { pod_metrics: [] } };
      },
    ),

    UpdatePodSandboxResources: unaryHandler<cri.UpdatePodSandboxResourcesRequest__Output, cri.UpdatePodSandboxResourcesResponse>(
      ctx,
      'UpdatePodSandboxResources',
      (req) => {
        state.updatePodSandboxResources(req.pod_sandbox_id, toLinuxResourcesInput(req.overhead), toLinuxResourcesInput(req.resources));
        return { response: {} };
      },
    ),
  };

  const rest = unimplementedHandlers(
    RUNTIME_SERVICE_NAME,
    runtimeServiceDefinition() as unknown as Record<string, { requestStream: boolean; responseStream: boolean }>,
    IMPLEMENTED_RUNTIME_RPCS,
  );
  return { ...rest, ...implemented } as unknown as RuntimeServiceHandlers;
}
