/**
 * The emulated kubelet version (minor granularity). Behaviour that changed between
 * releases (feature-gate lifecycle, where gate errors surface, the KubeletTracing
 * validation rule) is keyed on it.
 */

export interface KubeletVersion {
  major: number;
  minor: number;
}

/** Default emulation target (see /work/shared/FACTS.md). */
export const DEFAULT_KUBELET_VERSION = '1.34';

/** Oldest release with kubelet tracing (KubeletTracing alpha, KEP-2831). */
export const MIN_SUPPORTED_KUBELET_VERSION: KubeletVersion = { major: 1, minor: 25 };
/** Newest release whose behaviour this module reproduces. */
export const MAX_SUPPORTED_KUBELET_VERSION: KubeletVersion = { major: 1, minor: 34 };

/**
 * Parses "1.34", "v1.34" or "1.34.2" (patch ignored).
 * @throws RangeError for malformed input or a release outside 1.25–1.34.
 */
export function parseKubeletVersion(text: string): KubeletVersion {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(text.trim());
  if (!m) throw new RangeError(`invalid kubeletVersion ${JSON.stringify(text)}: expected "<major>.<minor>", e.g. "1.34"`);
  const v = { major: Number(m[1]), minor: Number(m[2]) };
  if (compareVersions(v, MIN_SUPPORTED_KUBELET_VERSION) < 0 || compareVersions(v, MAX_SUPPORTED_KUBELET_VERSION) > 0) {
    throw new RangeError(
      `unsupported kubeletVersion ${JSON.stringify(text)}: supported releases are ` +
        `${formatKubeletVersion(MIN_SUPPORTED_KUBELET_VERSION)}–${formatKubeletVersion(MAX_SUPPORTED_KUBELET_VERSION)}`,
    );
  }
  return v;
}

export function formatKubeletVersion(v: KubeletVersion): string {
  return `${v.major}.${v.minor}`;
}

export function compareVersions(a: KubeletVersion, b: KubeletVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** True when `v` is at least `major.minor`. */
export function atLeast(v: KubeletVersion, major: number, minor: number): boolean {
  return compareVersions(v, { major, minor }) >= 0;
}
