/**
 * The values persona templates refer to (`{sandboxId}`, `{containerName}`, ...), gathered for one CRI call
 * from its request, its response and the runtime state before and after it. Every fact is optional:
 * a failed call may never learn its container id, and a template with a missing fact renders it as "".
 */
import { formatGoDuration } from '../model/go-duration';
import { parseImageReference } from '../state/image-reference';
import type { RuntimeState } from '../state/runtime-state';
import { SIGKILL_EXIT_CODE } from '../model/container-behaviour';
import { simulatedPid } from '../server/runtime-service-handlers';

export type CallFacts = Record<string, string | number | boolean | undefined>;

/** Request fields the facts read (the decoded CRI request, snake_case as proto-loader yields it). */
interface RequestShape {
  pod_sandbox_id?: string;
  container_id?: string;
  timeout?: string | number;
  image?: { image?: string } | null;
  config?: {
    metadata?: { name?: string; uid?: string; namespace?: string; attempt?: number } | null;
    linux?: { security_context?: { namespace_options?: { network?: string } | null } | null } | null;
  } | null;
  sandbox_config?: { metadata?: { name?: string; uid?: string; namespace?: string; attempt?: number } | null } | null;
}

interface ResponseShape {
  pod_sandbox_id?: string;
  container_id?: string;
  image_ref?: string;
}

/** Go's %+v of a gogo-protobuf *PodSandboxMetadata (generated String()), as containerd 1.6 logs it. */
export function gogoPodSandboxMetadata(meta: { name?: string; uid?: string; namespace?: string; attempt?: number } | null | undefined): string {
  if (meta === null || meta === undefined) return 'nil';
  return `&PodSandboxMetadata{Name:${meta.name ?? ''},Uid:${meta.uid ?? ''},Namespace:${meta.namespace ?? ''},Attempt:${meta.attempt ?? 0},}`;
}

/** Go's %+v of a gogo-protobuf *ContainerMetadata. */
export function gogoContainerMetadata(meta: { name?: string; attempt?: number } | null | undefined): string {
  if (meta === null || meta === undefined) return 'nil';
  return `&ContainerMetadata{Name:${meta.name ?? ''},Attempt:${meta.attempt ?? 0},}`;
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined; // a lookup that fails is a fact we do not have
  }
}

/** Facts known before the handler runs (ids from the request, states the call will change). */
export function factsBeforeCall(method: string, request: unknown, state: RuntimeState): CallFacts {
  const req = (request ?? {}) as RequestShape;
  const facts: CallFacts = {};
  const meta = req.config?.metadata;
  if (method === 'RunPodSandbox') {
    facts.sandboxMetadataGogo = gogoPodSandboxMetadata(meta);
    facts.hostNetwork = req.config?.linux?.security_context?.namespace_options?.network === 'NODE';
    if (meta) facts.sandboxName = attempt(() => state.profile.sandboxName({ name: meta.name ?? '', namespace: meta.namespace ?? '', uid: meta.uid ?? '', attempt: meta.attempt ?? 0 }));
  }
  if (req.pod_sandbox_id !== undefined) {
    // The id as asked (log lines print it); sandboxId only once it resolves (attributes need a real one).
    facts.requestSandboxId = req.pod_sandbox_id;
    const sandbox = attempt(() => state.podSandboxStatus(req.pod_sandbox_id as string));
    if (sandbox) {
      facts.sandboxId = sandbox.id;
      facts.sandboxName = sandbox.reservedName;
      facts.hostNetwork = sandbox.hostNetwork;
      facts.sandboxPid = simulatedPid(sandbox.id);
    }
  }
  if (method === 'CreateContainer') facts.containerMetadataGogo = gogoContainerMetadata(meta);
  if (req.container_id !== undefined) {
    facts.requestContainerId = req.container_id;
    const container = attempt(() => state.containerStatus(req.container_id as string));
    if (container) {
      facts.containerId = container.id;
      facts.containerName = container.reservedName;
      facts.sandboxId = container.podSandboxId;
      facts.wasRunning = container.state === 'CONTAINER_RUNNING';
    }
  }
  if (req.timeout !== undefined) facts.timeout = String(req.timeout);
  const image = req.image?.image;
  if (typeof image === 'string') {
    facts.image = image;
    const parsed = parseImageReference(image);
    facts.imageRef = parsed.ok ? parsed.ref.normalized : image;
  }
  return facts;
}

/** Facts learnt from the response and the state after the call, merged over `before`. */
export function factsAfterCall(before: CallFacts, response: unknown, state: RuntimeState, elapsedNs: bigint): CallFacts {
  const res = (response ?? {}) as ResponseShape;
  const facts: CallFacts = { ...before, elapsed: formatGoDuration(elapsedNs < 0n ? 0n : elapsedNs) };
  if (res.pod_sandbox_id) {
    facts.sandboxId = res.pod_sandbox_id;
    const sandbox = attempt(() => state.podSandboxStatus(res.pod_sandbox_id as string));
    if (sandbox) {
      facts.sandboxName = sandbox.reservedName;
      facts.sandboxPid = simulatedPid(sandbox.id);
    }
  }
  if (res.container_id) {
    facts.containerId = res.container_id;
    const container = attempt(() => state.containerStatus(res.container_id as string));
    if (container) facts.containerName = container.reservedName;
  }
  if (res.image_ref !== undefined) facts.imageRefResult = res.image_ref;
  if (before.wasRunning === true && typeof before.containerId === 'string') {
    const container = attempt(() => state.containerStatus(before.containerId as string));
    facts.killed = container !== undefined && container.state === 'CONTAINER_EXITED' && container.exitCode === SIGKILL_EXIT_CODE;
  }
  return facts;
}

/** Replaces `{fact}` placeholders; unknown or missing facts become "". */
export function renderTemplate(template: string, facts: CallFacts): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (_, key: string) => {
    const value = facts[key];
    return value === undefined ? '' : String(value);
  });
}

/**
 * An attribute value: a template that is exactly one numeric fact stays a number (Go's attribute.Any of
 * a uint32 pid is an int attribute); everything else is a string.
 */
export function renderAttributeValue(template: string, facts: CallFacts): string | number {
  const single = /^\{([A-Za-z]+)\}$/.exec(template);
  if (single) {
    const value = facts[single[1]];
    if (typeof value === 'number') return value;
  }
  return renderTemplate(template, facts);
}
