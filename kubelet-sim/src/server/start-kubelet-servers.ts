import type { Tracer } from '@opentelemetry/api';
import type { ServerPortFlags } from '../cli/server-port-flags';
import type { ResolvedKubeletConfig } from '../config';
import type { Kubelet } from '../kubelet';
import type { KubeletMetrics } from '../metrics/kubelet-metrics';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import { LogHealthz, PING_HEALTHZ } from './healthz';
import type { RunningKubeletServers } from './kubelet-http-servers';
import { startKubeletHttpServers } from './kubelet-http-servers';
import { newHealthzHandler, newKubeletHandler } from './kubelet-server';
import type { PodListSource } from './pod-list';
import { syncLoopHealthCheck } from './sync-loop-health-check';
import { toContainerStatus } from './api-pod-status';
import type { ContainerLogsHost } from './container-logs';
import type { StreamingHost } from './streaming-handlers';
import { streamingOf } from '../cri/instrumented-runtime-service';
import { KUBERNETES_LABEL } from '../kuberuntime/labels';

/** Flags win over the config file, as the kubelet merges command-line values over KubeletConfiguration. */
export function applyServerPortFlags(config: ResolvedKubeletConfig, flags: ServerPortFlags): ResolvedKubeletConfig {
  return {
    ...config,
    port: flags.port ?? config.port,
    readOnlyPort: flags.readOnlyPort ?? config.readOnlyPort,
    healthzPort: flags.healthzPort ?? config.healthzPort,
  };
}

export interface KubeletServersDeps {
  kubelet: Kubelet;
  nodeName: string;
  metrics: KubeletMetrics;
  /** The otelrestful-scoped tracer; undefined when the KubeletTracing gate is off (no filter, as upstream). */
  tracer: Tracer | undefined;
  clock: Clock;
  log: Logger;
}

export interface StartedKubeletServers extends RunningKubeletServers {
  stop(): Promise<void>;
}

/**
 * Wires kubelet-sim's kubelet into the three servers the real one runs: the main server and the read-only
 * server share one handler shape (ping, log and syncloop checks, `/pods`, `/metrics`, the tracing filter;
 * the read-only one as a public endpoint), the healthz server has only `ping`.
 */
export async function startKubeletServers(config: ResolvedKubeletConfig, deps: KubeletServersDeps): Promise<StartedKubeletServers> {
  const { kubelet, clock, log } = deps;
  const logHealthz = new LogHealthz(clock);
  const healthChecks = [PING_HEALTHZ, logHealthz, syncLoopHealthCheck(kubelet, clock)];
  const pods: PodListSource = {
    nodeName: deps.nodeName,
    get runtimeName() {
      return kubelet.runtimeName;
    },
    pods: () => kubelet.managedPods(),
    cachedStatus: (uid) => kubelet.podCache.get(uid),
  };
  const authRequired = authRequiredHosts(kubelet, clock);
  const handler = (publicEndpoint: boolean) =>
    newKubeletHandler({ healthChecks, pods, metrics: deps.metrics, tracer: deps.tracer, publicEndpoint, logHealthzFailure: (line) => log.info(line), ...(publicEndpoint ? {} : { authRequired }) });
  const running = await startKubeletHttpServers(
    config,
    { main: handler(false), readOnly: () => handler(true), healthz: newHealthzHandler },
    log,
  );
  return {
    ...running,
    stop: async () => {
      logHealthz.stop();
      await running.close();
    },
  };
}

/**
 * The kubelet as the streaming and log handlers see it: its pods, the runtime's running pods, and the CRI
 * client kuberuntime uses, so that these calls are counted in the runtime operation metrics as upstream.
 */
function authRequiredHosts(kubelet: Kubelet, clock: Clock): { logs: ContainerLogsHost; streaming: StreamingHost } {
  return {
    logs: {
      getPodByName: (ns, name) => kubelet.getPodByName(ns, name),
      containerStatuses: (pod) => {
        const cached = kubelet.podCache.get(pod.metadata.uid);
        return [...pod.spec.initContainers, ...pod.spec.containers].map((c) => toContainerStatus(c, cached, kubelet.runtimeName));
      },
      containerStatus: (id) => kubelet.runtimeService.containerStatus(id, false),
      nowNs: () => BigInt(Math.round(clock.nowMs() * 1_000_000)),
    },
    streaming: {
      getPodByName: (ns, name) => kubelet.getPodByName(ns, name),
      getRunningPods: () => kubelet.runtimeManager.getPods(false),
      sandboxIdsOf: async (uid) => {
        const sandboxes = await kubelet.runtimeService.listPodSandbox({ label_selector: { [KUBERNETES_LABEL.POD_UID]: uid } });
        return [...sandboxes].sort((a, b) => (BigInt(b.created_at) > BigInt(a.created_at) ? 1 : -1)).map((s) => s.id);
      },
      get streaming() {
        return streamingOf(kubelet.runtimeService);
      },
    },
  };
}
