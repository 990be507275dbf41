/**
 * The simulated registry: what an image "is" once pulled. Everything is derived from the normalised
 * reference and the seed, so the same name always yields the same digests and size:
 *  - configDigest: the image id (sha256 of the image config), 64 hex;
 *  - manifestDigest: the repo digest (`<repository>@sha256:<manifest digest>`), 64 hex;
 *  - sizeBytes: unpacked size as the runtimes report it in Image.size.
 * A few well-known images get sizes close to their real amd64 sizes; any other name gets a
 * deterministic size between a few MB and a few hundred MB.
 */
import { createHash } from 'node:crypto';

export interface ImageFacts {
  readonly configDigestHex: string;
  readonly manifestDigestHex: string;
  readonly sizeBytes: number;
  /** Inodes the unpacked layers use (for ImageFsInfo). */
  readonly inodes: number;
}

const MB = 1_000_000;

/** Approximate sizes (bytes) of common images, by repository (docker.io/library/... etc.). */
const KNOWN_SIZES: Readonly<Record<string, number>> = {
  'registry.k8s.io/pause': 320_368,
  'docker.io/library/busybox': 2_160_000,
  'docker.io/library/alpine': 3_650_000,
  'docker.io/library/nginx': 72_200_000,
  'docker.io/library/redis': 45_900_000,
  'docker.io/library/postgres': 158_000_000,
  'docker.io/library/python': 412_000_000,
  'docker.io/library/ubuntu': 29_800_000,
  'registry.k8s.io/coredns/coredns': 18_600_000,
  'registry.k8s.io/kube-proxy': 30_700_000,
};

/** Smallest and largest size for an image not in KNOWN_SIZES. */
export const UNKNOWN_IMAGE_MIN_BYTES = 3 * MB;
export const UNKNOWN_IMAGE_MAX_BYTES = 400 * MB;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * @param repository normalised repository, e.g. "docker.io/library/nginx"
 * @param tagOrDigest the tag ("latest") or pinned digest ("sha256:...") that was pulled
 */
export function describeImage(repository: string, tagOrDigest: string, seed: number): ImageFacts {
  const key = `${seed}|${repository}|${tagOrDigest}`;
  const configDigestHex = sha256Hex(`config|${key}`);
  const manifestDigestHex = tagOrDigest.startsWith('sha256:')
    ? tagOrDigest.slice('sha256:'.length)
    : sha256Hex(`manifest|${key}`);
  const known = KNOWN_SIZES[repository];
  let sizeBytes: number;
  if (known !== undefined) {
    // Different tags of a known image differ by up to +-10%.
    const wobble = (parseInt(configDigestHex.slice(0, 4), 16) / 0xffff - 0.5) * 0.2;
    sizeBytes = Math.round(known * (1 + wobble));
  } else {
    // Log-uniform between the bounds: most images are tens of MB, few are hundreds.
    const u = parseInt(configDigestHex.slice(0, 8), 16) / 0xffffffff;
    const lo = Math.log(UNKNOWN_IMAGE_MIN_BYTES);
    const hi = Math.log(UNKNOWN_IMAGE_MAX_BYTES);
    sizeBytes = Math.round(Math.exp(lo + u * (hi - lo)));
  }
  const inodes = Math.max(8, Math.round(sizeBytes / 24_000));
  return { configDigestHex, manifestDigestHex, sizeBytes, inodes };
}
