/**
 * Normalisation of image references the way both runtimes do it before looking an image up or
 * pulling it: containerd's reference/docker ParseDockerRef and CRI-O's short-name resolution with
 * docker.io as the search registry both turn `nginx` into `docker.io/library/nginx:latest`.
 * Grammar and error texts follow distribution/reference (reference.go, normalize.go, regexp.go).
 *
 * Rules:
 *  - the first path component is a registry domain only if it contains "." or ":" or is "localhost"
 *    (and is lowercase); otherwise the domain is docker.io and one-component names get "library/";
 *  - "index.docker.io" is folded into "docker.io";
 *  - no tag and no digest: tag "latest"; tag and digest together: only the digest is kept.
 */
export interface ImageReference {
  /** Registry host, e.g. "docker.io", "registry.k8s.io", "localhost:5000". */
  readonly domain: string;
  /** Repository path within the registry, e.g. "library/nginx". */
  readonly path: string;
  /** `${domain}/${path}` */
  readonly repository: string;
  readonly tag?: string;
  /** "sha256:<64 hex>" when the reference pins a digest. */
  readonly digest?: string;
  /** The normalised reference string: `${repository}:${tag}` or `${repository}@${digest}`. */
  readonly normalized: string;
}

export type ParsedReference =
  | { readonly ok: true; readonly ref: ImageReference }
  | { readonly ok: false; readonly error: string };

/** Error texts of distribution/reference (reference.go). */
export const REFERENCE_ERROR = {
  FORMAT: 'invalid reference format',
  UPPERCASE: 'invalid reference format: repository name must be lowercase',
  NAME_TOO_LONG: 'repository name must not be more than 255 characters',
  DIGEST: 'invalid checksum digest format',
} as const;

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PORT = /^[0-9]+$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

function isDomain(text: string): boolean {
  let host = text;
  const colon = text.lastIndexOf(':');
  if (colon !== -1) {
    if (!PORT.test(text.slice(colon + 1))) return false;
    host = text.slice(0, colon);
  }
  return host.split('.').every((part) => DOMAIN_COMPONENT.test(part));
}

export function parseImageReference(input: string): ParsedReference {
  const fail = (error: string): ParsedReference => ({ ok: false, error });
  if (input === '' || input !== input.trim()) return fail(REFERENCE_ERROR.FORMAT);

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!SHA256_DIGEST.test(digest)) {
      return fail(/^[a-z0-9]+:/.test(digest) ? REFERENCE_ERROR.DIGEST : REFERENCE_ERROR.FORMAT);
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) return fail(REFERENCE_ERROR.FORMAT);
  }
  if (rest === '') return fail(REFERENCE_ERROR.FORMAT);

  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash !== -1) {
    const first = rest.slice(0, firstSlash);
    const looksLikeDomain =
      (first.includes('.') || first.includes(':') || first === 'localhost') && first.toLowerCase() === first;
    if (looksLikeDomain) {
      if (!isDomain(first)) return fail(REFERENCE_ERROR.FORMAT);
      domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
      path = rest.slice(firstSlash + 1);
    }
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;

  const components = path.split('/');
  for (const component of components) {
    if (!PATH_COMPONENT.test(component)) {
      return fail(PATH_COMPONENT.test(component.toLowerCase()) ? REFERENCE_ERROR.UPPERCASE : REFERENCE_ERROR.FORMAT);
    }
  }
  const repository = `${domain}/${path}`;
  if (repository.length > NAME_TOTAL_LENGTH_MAX) return fail(REFERENCE_ERROR.NAME_TOO_LONG);

  if (digest !== undefined) {
    return { ok: true, ref: { domain, path, repository, digest, normalized: `${repository}@${digest}` } };
  }
  const effectiveTag = tag ?? DEFAULT_TAG;
  return {
    ok: true,
    ref: { domain, path, repository, tag: effectiveTag, normalized: `${repository}:${effectiveTag}` },
  };
}
