import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../container/pod';
import { MAX_MANIFEST_BYTES, parsePodManifest, PodManifestError } from './pod-manifest';

/** Annotations the kubelet puts on pods from a config source (pkg/kubelet/types/pod_update.go). */
export const CONFIG_ANNOTATION = {
  SOURCE: 'kubernetes.io/config.source',
  HASH: 'kubernetes.io/config.hash',
  SEEN: 'kubernetes.io/config.seen',
  MIRROR: 'kubernetes.io/config.mirror',
} as const;

/** Config source names (pkg/kubelet/types/pod_update.go FileSource, ApiserverSource). */
export const CONFIG_SOURCE = {
  FILE: 'file',
  API: 'api',
} as const;

/** Annotations the kubelet manages itself; a change in them is not a pod update (pkg/kubelet/config/config.go localAnnotations). */
const LOCAL_ANNOTATIONS: readonly string[] = [CONFIG_ANNOTATION.SOURCE, CONFIG_ANNOTATION.MIRROR, CONFIG_ANNOTATION.SEEN];

export interface StaticPodSnapshot {
  /**
   * Whether the source sends an update at all. False when the path could not be read (a stat error other
   * than "does not exist", or it is neither a file nor a directory): the kubelet then keeps its pods.
   */
  hasUpdate: boolean;
  /** One pod per readable, valid manifest file. */
  pods: Pod[];
  /** Files that could not be used: their pods are left out of the update, so a running one is removed. */
  errors: PodManifestError[];
  /** Things the kubelet tolerates but a user should hear about (sub-directories, ignored documents, duplicates). */
  warnings: string[];
  /** Each file that gave a pod, with the pod's store key `namespace/name` (file.go fileKeyMapping). */
  fileKeys: Array<[file: string, key: string]>;
}

/** One manifest file read on its own (file.go extractFromFile), as a watch event reads it. */
export interface StaticPodFileResult {
  pod?: Pod;
  error?: PodManifestError;
  warnings: string[];
}

/** The config store's key of a pod (cache.MetaNamespaceKeyFunc). */
export function podStoreKey(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/**
 * The kubelet's file source, one periodic listing (pkg/kubelet/config/file.go listConfig, extractFromDir,
 * extractFromFile; common.go applyDefaults):
 * - `staticPodPath` may be a directory (every non-hidden regular file in name order, no recursion) or one file.
 * - Each file is one pod. A file that fails to parse or validate is logged and contributes no pod; because the
 *   listing replaces the whole set, a pod whose manifest broke is removed, like one whose file was deleted.
 * - A missing path sends an empty set (all static pods go); an unreadable path sends nothing.
 * - The store is keyed by namespace/name: of two files defining the same pod, the later file in name order
 *   wins (kubernetes/kubernetes#136962).
 * - Name `<name>-<nodeName>`; UID, unless the manifest sets one, an MD5 over the decoded object then
 *   `host:<node>` and `file:<path>`, so any meaningful edit yields a new UID (old pod removed, new one added).
 *   Upstream hashes the decoded Go object (defaults applied, unknown fields dropped); we hash the decoded
 *   document with sorted keys, so comments and key order never change the UID.
 */
export function readStaticPods(path: string, nodeName: string, nowMs: number): StaticPodSnapshot {
  const snapshot: StaticPodSnapshot = { hasUpdate: true, pods: [], errors: [], warnings: [], fileKeys: [] };
  let files: string[];
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) files = readdirSync(path).filter((f) => !f.startsWith('.')).sort().map((f) => join(path, f));
    else if (stat.isFile()) files = [path];
    else return { ...snapshot, hasUpdate: false, errors: [new PodManifestError(path, [{ field: '', detail: 'path is not a directory or file (set staticPodPath to a directory of manifests)' }])] };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ...snapshot, errors: [new PodManifestError(path, [{ field: '', detail: 'path does not exist, ignoring (create the directory or fix staticPodPath)' }])] };
    }
    return { ...snapshot, hasUpdate: false, errors: [new PodManifestError(path, [{ field: '', detail: `cannot read the static pod path: ${(err as Error).message}` }])] };
  }

  const byFullName = new Map<string, { pod: Pod; file: string }>();
  for (const file of files) {
    try {
      const stat = statSync(file);
      if (stat.isDirectory()) {
        snapshot.warnings.push(`Provided manifest path is a directory, not recursing into manifest path path="${file}"`);
        continue;
      }
      if (!stat.isFile()) {
        snapshot.warnings.push(`Manifest path is not a directory or file path="${file}"`);
        continue;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while listing: not an error upstream
      snapshot.errors.push(new PodManifestError(file, [{ field: '', detail: (err as Error).message }]));
      continue;
    }
    const result = readStaticPodFile(file, nodeName, nowMs);
    snapshot.warnings.push(...result.warnings);
    if (result.error) {
      // A file removed while listing is not an error upstream.
      if (result.error.fileMissing) continue;
      snapshot.errors.push(result.error);
      continue;
    }
    const pod = result.pod as Pod;
    const fullName = podStoreKey(pod);
    snapshot.fileKeys.push([file, fullName]);
    const earlier = byFullName.get(fullName);
    if (earlier !== undefined) {
      snapshot.warnings.push(`Static pod ${fullName} is defined by both "${earlier.file}" and "${file}"; the later file in name order wins (keep one manifest per pod)`);
    }
    byFullName.set(fullName, { pod, file });
  }
  snapshot.pods = [...byFullName.values()].map((e) => e.pod);
  return snapshot;
}

/**
 * extractFromFile: read one manifest (at most MAX_MANIFEST_BYTES), decode the first document, validate and
 * default it as a static pod of `nodeName`.
 */
export function readStaticPodFile(file: string, nodeName: string, nowMs: number): StaticPodFileResult {
  let text: string;
  try {
    // utilio.ReadAtMost(file, maxConfigLength)
    const size = statSync(file).size;
    if (size > MAX_MANIFEST_BYTES) {
      return { warnings: [], error: new PodManifestError(file, [{ field: '', detail: `the read limit is reached (a manifest may hold at most ${MAX_MANIFEST_BYTES} bytes)` }]) };
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const error = new PodManifestError(file, [{ field: '', detail: (err as Error).message }]);
    error.fileMissing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { warnings: [], error };
  }
  const warnings: string[] = [];
  const { parsed, ignoredDocuments } = parseManifestCached(text);
  if (ignoredDocuments > 0) {
    warnings.push(`Manifest file holds more than one YAML document; the kubelet reads only the first, ${ignoredDocuments} ignored (use one file per pod) path="${file}"`);
  }
  if (parsed.errors) return { warnings, error: new PodManifestError(file, parsed.errors) };
  // A fresh copy per listing, as a fresh decode gave: the cached parse is never handed out.
  const raw = structuredClone(parsed.pod);
  const uid = raw.metadata.uid ?? staticPodUidCached(text, parsed.raw, nodeName, file);
  const pod: Pod = {
    metadata: {
      ...raw.metadata,
      name: `${raw.metadata.name}-${nodeName.toLowerCase()}`,
      uid,
      annotations: {
        ...raw.metadata.annotations,
        [CONFIG_ANNOTATION.SOURCE]: CONFIG_SOURCE.FILE,
        [CONFIG_ANNOTATION.HASH]: uid,
        [CONFIG_ANNOTATION.SEEN]: new Date(nowMs).toISOString(),
      },
    },
    spec: raw.spec,
  };
  return { pod, warnings };
}

/**
 * Manifests are listed again every fileCheckFrequency (and on every watch event), and decoding YAML plus the
 * Pod schema validation cost milliseconds per file: tens of milliseconds on the kubelet's one event loop for a
 * few dozen static pods, each time. The outcome depends on the text alone (and the UID on the text, node and
 * path), so it is kept per text; a file that changes is decoded again.
 */
const MAX_CACHED_MANIFESTS = 1024;
/** UIDs are per node: a fleet process holds nodes × manifests of them (200 × 30 at the fleet target). */
const MAX_CACHED_UIDS = 32_768;
const parseCache = new Map<string, ReturnType<typeof parsePodManifest>>();
const uidCache = new Map<string, string>();

function parseManifestCached(text: string): ReturnType<typeof parsePodManifest> {
  let result = parseCache.get(text);
  if (result === undefined) {
    result = parsePodManifest(text);
    if (parseCache.size >= MAX_CACHED_MANIFESTS) parseCache.clear();
    parseCache.set(text, result);
  }
  return result;
}

/** The UID depends on the decoded document, which depends on the text: keyed by node, path and text. */
function staticPodUidCached(text: string, document: unknown, nodeName: string, file: string): string {
  const key = `${nodeName}\0${file}\0${text}`;
  let uid = uidCache.get(key);
  if (uid === undefined) {
    uid = staticPodUid(document, nodeName, file);
    if (uidCache.size >= MAX_CACHED_UIDS) uidCache.clear();
    uidCache.set(key, uid);
  }
  return uid;
}

function staticPodUid(document: unknown, nodeName: string, file: string): string {
  const hasher = createHash('md5');
  hasher.update(canonicalJson(document));
  hasher.update(`host:${nodeName}`);
  hasher.update(`file:${file}`);
  return hasher.digest('hex');
}

/** JSON with object keys sorted, so the hash depends on content only. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** kubetypes.PodOperation values the config merger emits for a SET from a source (pkg/kubelet/types/pod_update.go). */
export const POD_OPERATION = {
  ADD: 'ADD',
  UPDATE: 'UPDATE',
  REMOVE: 'REMOVE',
} as const;

export type PodUpdateOp = (typeof POD_OPERATION)[keyof typeof POD_OPERATION];
export interface PodUpdate {
  op: PodUpdateOp;
  pod: Pod;
}

/**
 * The config merger for a full set from one source (pkg/kubelet/config/config.go podStorage.merge, SET):
 * a new UID is an ADD, a vanished UID a REMOVE, and a known UID whose spec, labels or non-local annotations
 * changed (podsDifferSemantically) an UPDATE carrying the new content with the kubelet's own annotations kept
 * (updateAnnotations). Updates come out in the order Merge delivers them: removes, adds, updates.
 */
export function diffPods(previous: ReadonlyMap<string, Pod>, current: Pod[]): PodUpdate[] {
  const removes: PodUpdate[] = [];
  const adds: PodUpdate[] = [];
  const updates: PodUpdate[] = [];
  const seen = new Set<string>();
  for (const pod of current) {
    seen.add(pod.metadata.uid);
    const existing = previous.get(pod.metadata.uid);
    if (existing === undefined) adds.push({ op: POD_OPERATION.ADD, pod });
    else if (podsDifferSemantically(existing, pod)) updates.push({ op: POD_OPERATION.UPDATE, pod: withLocalAnnotations(pod, existing) });
  }
  for (const [uid, pod] of previous) if (!seen.has(uid)) removes.push({ op: POD_OPERATION.REMOVE, pod });
  return [...removes, ...adds, ...updates];
}

/** config.go podsDifferSemantically: spec, labels and annotations other than the kubelet's own. */
export function podsDifferSemantically(existing: Pod, ref: Pod): boolean {
  return !(deepEqual(existing.spec, ref.spec) && deepEqual(existing.metadata.labels, ref.metadata.labels) && deepEqual(withoutLocal(existing.metadata.annotations), withoutLocal(ref.metadata.annotations)));
}

function withoutLocal(annotations: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).filter(([k]) => !LOCAL_ANNOTATIONS.includes(k)));
}

function withLocalAnnotations(ref: Pod, existing: Pod): Pod {
  const annotations = { ...ref.metadata.annotations };
  for (const key of LOCAL_ANNOTATIONS) {
    if (existing.metadata.annotations[key] !== undefined) annotations[key] = existing.metadata.annotations[key];
  }
  return { ...ref, metadata: { ...ref.metadata, annotations } };
}

function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
