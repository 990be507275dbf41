/**
 * Where a per-container `sim.cri.io/*` setting is read from, highest precedence first (the same order
 * ./container-behaviour.ts documents):
 *   1. the container's own annotations (ContainerConfig.annotations): `<key>`;
 *   2. the pod sandbox's annotations scoped to one container: `<key>.<container-name>`;
 *   3. the pod sandbox's annotations for every container: `<key>`.
 * The kubelet copies Pod annotations into PodSandboxConfig.annotations only, so 2 and 3 are what a Pod
 * manifest can set; 1 serves crictl and other direct CRI clients.
 */
import { CriError, GRPC_STATUS } from '../state/cri-error';
import { parseGoDurationNs } from './go-duration';

export type Annotations = Readonly<Record<string, string>> | undefined;

export interface ScopedAnnotation {
  readonly value: string;
  /** The annotation key that matched (e.g. `sim.cri.io/exec-stdout.app`). */
  readonly key: string;
  /** 'container' or 'pod sandbox', for error messages. */
  readonly source: string;
}

export function readScopedAnnotation(
  key: string,
  sandboxAnnotations: Annotations,
  containerAnnotations: Annotations,
  containerName: string,
): ScopedAnnotation | undefined {
  const own = containerAnnotations?.[key];
  if (own !== undefined) return { value: own, key, source: 'container' };
  const scopedKey = `${key}.${containerName}`;
  const scoped = sandboxAnnotations?.[scopedKey];
  if (scoped !== undefined) return { value: scoped, key: scopedKey, source: 'pod sandbox' };
  const shared = sandboxAnnotations?.[key];
  if (shared !== undefined) return { value: shared, key, source: 'pod sandbox' };
  return undefined;
}

/** INVALID_ARGUMENT naming the annotation, its value and what was expected. */
export function invalidAnnotation(found: ScopedAnnotation, expected: string): CriError {
  return new CriError(
    GRPC_STATUS.INVALID_ARGUMENT,
    `invalid ${found.source} annotation ${JSON.stringify(found.key)}: ${JSON.stringify(found.value)} is not ${expected}`,
  );
}

export function parseExitCodeAnnotation(found: ScopedAnnotation): number {
  const text = found.value.trim();
  if (!/^\d{1,3}$/.test(text) || Number(text) > 255) {
    throw invalidAnnotation(found, 'an exit code, an integer from 0 to 255');
  }
  return Number(text);
}

export function parseDurationAnnotation(found: ScopedAnnotation): bigint {
  const ns = parseGoDurationNs(found.value);
  if (ns === undefined) throw invalidAnnotation(found, 'a Go duration such as "500ms", "5s" or "1m30s"');
  return ns;
}
