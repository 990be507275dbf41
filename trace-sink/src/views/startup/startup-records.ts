import type { FlatSpan } from '../../store/flat-span';
import { nodeOfSpan, podOfSpan, podUidOfSpan } from '../k8s-identity';

/**
 * The few facts of a span the startup breakdown needs, kept instead of the span so that a file of any size
 * is read in bounded memory per pod sync.
 */

/** The kubelet's per-pod sync span (kubernetes pkg/kubelet/kubelet.go SyncPod, `syncPod`, v1.34.0). */
export const SYNC_POD_SPAN = 'syncPod';
/** CRI methods as the CLIENT spans name them (`runtime.v1.RuntimeService/RunPodSandbox`, ...). */
export const CRI_SPAN_PREFIX = /^\/?runtime\.v1\.(RuntimeService|ImageService)\//;

export interface SyncPodRecord {
  traceId: string;
  pod: string;
  podUid: string | undefined;
  node: string | undefined;
  startMs: number;
  endMs: number;
}

/** Stored under its trace id (PodStartupCollector keys records by trace), so it does not repeat it. */
export interface CriCallRecord {
  /** The CRI method, e.g. `RunPodSandbox`. */
  method: string;
  startMs: number;
  endMs: number;
  error: boolean;
}

/**
 * What a runtime span says about the container a CreateContainer or StartContainer call was for. Stored under
 * its trace id; the container id is kept as the number its first 12 hex digits make (ids are 64 random hex
 * digits: a clash among a file's containers is out of reach), which holds no string alive.
 */
export interface ContainerFact {
  call: 'CreateContainer' | 'StartContainer';
  atMs: number;
  /** The container's name within its pod ("nginx"), or undefined when the span does not say. */
  name: string | undefined;
  id: number | undefined;
}

/** The key a container id is kept under (see ContainerFact). */
export function containerIdKey(id: string): number | undefined {
  const key = Number.parseInt(id.slice(0, 12), 16);
  return Number.isNaN(key) ? undefined : key;
}

export function syncPodRecord(span: FlatSpan): SyncPodRecord | undefined {
  if (span.name !== SYNC_POD_SPAN) return undefined;
  const pod = podOfSpan(span);
  if (pod === undefined) return undefined;
  return { traceId: span.traceId, pod, podUid: podUidOfSpan(span), node: nodeOfSpan(span), startMs: span.startTimeMs, endMs: span.startTimeMs + span.durationMs };
}

/** A kubelet CRI CLIENT span under another span (background calls are roots and never part of a pod sync). */
export function criCallRecord(span: FlatSpan): CriCallRecord | undefined {
  if (span.kind !== 'CLIENT' || span.parentSpanId === '' || !CRI_SPAN_PREFIX.test(span.name)) return undefined;
  return {
    method: span.name.slice(span.name.lastIndexOf('/') + 1),
    startMs: span.startTimeMs,
    endMs: span.startTimeMs + span.durationMs,
    error: span.status.code === 'ERROR' || (typeof span.attributes['rpc.grpc.status_code'] === 'number' && span.attributes['rpc.grpc.status_code'] !== 0),
  };
}

/**
 * Container name and id from a runtime's span of CreateContainer / StartContainer, as each runtime reports them:
 * - containerd 2.x span attributes `container.id`, `container.name` (internal/cri/server/container_create.go:97
 *   and container_start.go:52 @v2.1.0); the name is `<container>_<pod>_<namespace>_<uid>_<attempt>`
 *   (internal/cri/server/helpers.go:129 makeContainerName @v2.1.0), and Kubernetes names have no `_`, so the
 *   container is its first field;
 * - CRI-O log lines as `log` events, `Creating container: <ns>/<pod>/<container>`,
 *   `Created container <id>: <ns>/<pod>/<container>` (server/container_create.go:405,606 @v1.33.0) and
 *   `Starting container: <id>` (server/container_start.go:23 @v1.33.0);
 * - containerd 1.6 log lines `CreateContainer within sandbox "<id>" for container &ContainerMetadata{Name:<name>,...`,
 *   `... returns container id "<id>"` and `StartContainer for "<id>"` (pkg/cri/server/container_create.go,
 *   container_start.go @v1.6.0).
 */
export function containerFacts(span: FlatSpan): ContainerFact[] {
  if (span.kind === 'CLIENT') return [];
  const call = span.name.includes('CreateContainer') ? 'CreateContainer' : span.name.includes('StartContainer') ? 'StartContainer' : undefined;
  if (call === undefined) return [];
  const facts: ContainerFact[] = [];
  const add = (name: string | undefined, id: string | undefined): void => {
    // A fresh copy of the name: a regex match is a slice that would keep the whole log line alive.
    if (name !== undefined || id !== undefined) facts.push({ call, atMs: span.startTimeMs, name: name === undefined ? undefined : copyOf(name), id: id === undefined ? undefined : containerIdKey(id) });
  };
  const attrName = span.attributes['container.name'];
  const attrId = span.attributes['container.id'];
  add(typeof attrName === 'string' ? containerdContainerName(attrName) : undefined, typeof attrId === 'string' && attrId !== '' ? attrId : undefined);
  for (const event of span.events) {
    const message = typeof event.attributes['log.message'] === 'string' ? (event.attributes['log.message'] as string) : event.name;
    const fact = factFromLogLine(message);
    if (fact) add(fact.name, fact.id);
  }
  return facts;
}

function factFromLogLine(message: string): { name?: string; id?: string } | undefined {
  let m = /^Created container ([0-9a-f]+): (.+)$/.exec(message);
  if (m) return { id: m[1], name: lastPathPart(m[2]!) };
  m = /^Creating container: (.+)$/.exec(message);
  if (m) return { name: lastPathPart(m[1]!) };
  m = /^Starting container: ([0-9a-f]+)/.exec(message);
  if (m) return { id: m[1] };
  m = /ContainerMetadata\{Name:([^,}]+)[,}].*returns container id "([0-9a-f]+)"/.exec(message);
  if (m) return { name: m[1], id: m[2] };
  m = /for container &ContainerMetadata\{Name:([^,}]+)[,}]/.exec(message);
  if (m) return { name: m[1] };
  m = /^StartContainer for "([0-9a-f]+)"/.exec(message);
  if (m) return { id: m[1] };
  return undefined;
}

function copyOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function lastPathPart(description: string): string {
  return description.slice(description.lastIndexOf('/') + 1);
}

function containerdContainerName(name: string): string | undefined {
  if (name === '') return undefined;
  const parts = name.split('_');
  return parts.length === 5 ? parts[0] : name;
}
