/**
 * What a CRI call is about, so model rules can match on the pod, container and image even when the
 * request carries only an id. Sources, first found wins:
 *   pod        RunPodSandbox's config; else the request's sandbox_config (CreateContainer, PullImage);
 *              else the sandbox of container_id, or pod_sandbox_id, looked up in the runtime state;
 *   container  CreateContainer's config.metadata.name; else the container_id's record;
 *   images     the ImageSpec in the request (image and user_specified_image; CreateContainer's config.image),
 *              or the container's image; each name is also resolved in the local image store, so an image
 *              id (what the kubelet passes to CreateContainer) also matches by its tags and digests.
 * Lookups of unknown ids find nothing (the call itself will answer NOT_FOUND or succeed as the CRI says).
 * Request objects are proto-loader's decoded messages (snake_case fields, cri-proto/src/load-cri.ts).
 */
import type { RuntimeState } from '../state/runtime-state';
import type { CallSubject } from './runtime-model-types';

type StringMap = Readonly<Record<string, string>>;

interface WireMetadata {
  readonly name?: string;
  readonly uid?: string;
  readonly namespace?: string;
}

interface WirePodSandboxConfig {
  readonly metadata?: WireMetadata | null;
  readonly labels?: StringMap;
  readonly annotations?: StringMap;
}

interface WireImageSpec {
  readonly image?: string;
  readonly user_specified_image?: string;
}

/** The request fields this resolver reads (all optional: each RPC has a few of them). */
interface WireRequest {
  readonly config?: (WirePodSandboxConfig & { readonly image?: WireImageSpec | null }) | null;
  readonly sandbox_config?: WirePodSandboxConfig | null;
  readonly pod_sandbox_id?: string;
  readonly container_id?: string;
  readonly image?: WireImageSpec | null;
}

type Pod = NonNullable<CallSubject['pod']>;

function podFromConfig(config: WirePodSandboxConfig | null | undefined): Pod | undefined {
  if (config === null || config === undefined) return undefined;
  const meta = config.metadata ?? {};
  return {
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    labels: config.labels ?? {},
    annotations: config.annotations ?? {},
  };
}

/** Runs a state lookup; an unknown id (CriError NOT_FOUND and friends) means "nothing found". */
function lookup<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function podOfSandbox(state: RuntimeState, podSandboxId: string): Pod | undefined {
  const view = lookup(() => state.podSandboxStatus(podSandboxId));
  if (view === undefined) return undefined;
  return {
    namespace: view.metadata.namespace,
    name: view.metadata.name,
    uid: view.metadata.uid,
    labels: view.labels,
    annotations: view.annotations,
  };
}

function addImage(names: string[], name: string | undefined): void {
  if (name !== undefined && name !== '' && !names.includes(name)) names.push(name);
}

export function resolveCallSubject(method: string, request: unknown, state: RuntimeState): CallSubject {
  const req = (request ?? {}) as WireRequest;
  let pod: Pod | undefined;
  let containerName: string | undefined;
  const images: string[] = [];

  if (method === 'RunPodSandbox') {
    pod = podFromConfig(req.config);
  } else {
    pod = podFromConfig(req.sandbox_config);
    if (method === 'CreateContainer') {
      const config = req.config as { metadata?: WireMetadata | null; image?: WireImageSpec | null } | null | undefined;
      containerName = config?.metadata?.name || undefined;
      addImage(images, config?.image?.image);
      addImage(images, config?.image?.user_specified_image);
    }
  }

  if (req.container_id !== undefined && req.container_id !== '') {
    const container = lookup(() => state.containerStatus(req.container_id as string));
    if (container !== undefined) {
      containerName ??= container.metadata.name;
      pod ??= podOfSandbox(state, container.podSandboxId);
      addImage(images, container.image.image);
      addImage(images, container.image.userSpecifiedImage);
      addImage(images, container.imageRef);
    }
  }
  if (pod === undefined && req.pod_sandbox_id !== undefined && req.pod_sandbox_id !== '') {
    pod = podOfSandbox(state, req.pod_sandbox_id);
  }

  addImage(images, req.image?.image ?? undefined);
  addImage(images, req.image?.user_specified_image ?? undefined);
  for (const name of [...images]) {
    const stored = lookup(() => state.imageStatus(name));
    if (stored === undefined || stored === null) continue;
    for (const known of [...stored.repoTags, ...stored.repoDigests]) addImage(images, known);
  }

  return { method, pod, containerName, images };
}

/**
 * A stable key for "the same logical call target": pod uid (else namespace/name), container name
 * and first image name. Random draws are keyed by it (see ./call-decider.ts), so pods interleaving
 * differently from run to run still get the same delays and errors.
 */
export function subjectKey(subject: CallSubject): string {
  const pod = subject.pod === undefined ? '' : subject.pod.uid || `${subject.pod.namespace}/${subject.pod.name}`;
  return `${pod}|${subject.containerName ?? ''}|${subject.images[0] ?? ''}`;
}
