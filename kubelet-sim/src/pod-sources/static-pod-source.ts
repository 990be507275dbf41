import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../container/pod';
import { parsePodManifests, PodManifestError } from './pod-manifest';

/** Annotations the kubelet puts on pods from a config source (pkg/kubelet/types/pod_update.go). */
export const CONFIG_ANNOTATION = {
  SOURCE: 'kubernetes.io/config.source',
  HASH: 'kubernetes.io/config.hash',
  SEEN: 'kubernetes.io/config.seen',
} as const;

export interface StaticPodSnapshot {
  pods: Pod[];
  /** Files that could not be used; the other manifests still produce pods (pkg/kubelet/config/file.go). */
  errors: PodManifestError[];
}

/**
 * The kubelet's file source (pkg/kubelet/config/file.go, common.go): every regular, non-hidden file in
 * `staticPodPath` holds pod manifests. A static pod is named `<name>-<nodeName>` and its UID is an MD5 over
 * the manifest plus `host:<node>` and `file:<path>`, so editing a manifest yields a new pod (old UID removed,
 * new one added), as on a real node.
 */
export function readStaticPods(dir: string, nodeName: string, nowMs: number): StaticPodSnapshot {
  const pods: Pod[] = [];
  const errors: PodManifestError[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
  } catch (err) {
    errors.push(new PodManifestError(dir, [{ field: 'staticPodPath', detail: `cannot read directory: ${(err as Error).message}` }]));
    return { pods, errors };
  }
  for (const file of entries) {
    const path = join(dir, file);
    let text: string;
    try {
      if (!statSync(path).isFile()) continue;
      text = readFileSync(path, 'utf8');
    } catch (err) {
      errors.push(new PodManifestError(path, [{ field: '<file>', detail: (err as Error).message }]));
      continue;
    }
    parsePodManifests(text, path).forEach((parsed, index) => {
      const where = entries.length > 1 || index > 0 ? `${path} (document ${index + 1})` : path;
      if (parsed.errors) {
        errors.push(new PodManifestError(where, parsed.errors));
        return;
      }
      const raw = parsed.pod;
      const uid = raw.metadata.uid ?? staticPodUid(raw, nodeName, path, index);
      pods.push({
        metadata: {
          ...raw.metadata,
          name: `${raw.metadata.name}-${nodeName.toLowerCase()}`,
          uid,
          annotations: {
            ...raw.metadata.annotations,
            [CONFIG_ANNOTATION.SOURCE]: 'file',
            [CONFIG_ANNOTATION.HASH]: uid,
            [CONFIG_ANNOTATION.SEEN]: new Date(nowMs).toISOString(),
          },
        },
        spec: raw.spec,
      });
    });
  }
  return { pods, errors };
}

function staticPodUid(pod: unknown, nodeName: string, path: string, index: number): string {
  const hasher = createHash('md5');
  hasher.update(JSON.stringify(pod));
  hasher.update(`host:${nodeName}`);
  hasher.update(`file:${path}`);
  if (index > 0) hasher.update(`doc:${index}`); // keep two pods of one file apart
  return hasher.digest('hex');
}

export type PodUpdateOp = 'ADD' | 'DELETE';
export interface PodUpdate {
  op: PodUpdateOp;
  pod: Pod;
}

/** The config merger's view: what appeared and what went away since the last snapshot (pkg/kubelet/config/config.go). */
export function diffPods(previous: ReadonlyMap<string, Pod>, current: Pod[]): PodUpdate[] {
  const updates: PodUpdate[] = [];
  const seen = new Set<string>();
  for (const pod of current) {
    seen.add(pod.metadata.uid);
    if (!previous.has(pod.metadata.uid)) updates.push({ op: 'ADD', pod });
  }
  for (const [uid, pod] of previous) if (!seen.has(uid)) updates.push({ op: 'DELETE', pod });
  return updates;
}
