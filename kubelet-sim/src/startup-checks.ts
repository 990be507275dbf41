/**
 * What the kubelet refuses while it starts, after its config file loaded and validated: the CRI endpoints
 * (PreInitRuntimeService) and the container log size (NewMainKubelet's log manager). Run before tracing and
 * before any dial, so that a bad setting fails at once with a KubeletStartError naming its field.
 */
import { parseContainerLogMaxSize } from './background-loop-settings';
import type { ResolvedKubeletConfig } from './config';
import { resolveCriEndpoints, type CriEndpointTargets } from './cri/cri-endpoint';

export function checkStartupSettings(config: ResolvedKubeletConfig, flagEndpoint: string | undefined): CriEndpointTargets {
  const targets = resolveCriEndpoints(config, flagEndpoint);
  parseContainerLogMaxSize(config.containerLogMaxSize);
  return targets;
}
