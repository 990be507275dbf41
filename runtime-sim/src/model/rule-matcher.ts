/**
 * Whether a model rule's `match` holds for a CRI call. Every given condition must hold (AND); a
 * condition about the pod, container or image never holds for a call that has none (ListImages has
 * no pod, ListPodSandbox no image), so a rule that names pods only ever applies to pod calls.
 *
 * Image patterns: a pattern without wildcards is an image reference compared in normalised form
 * (`nginx` matches `docker.io/library/nginx:latest`); a pattern with `*` (any run of characters,
 * `/` and `:` included) or `?` (one character) is matched against every name the call's image is
 * known by, as written and normalised.
 */
import { parseImageReference } from '../state/image-reference';
import { selectorMatches } from './label-selector';
import type { CallSubject, ImagePattern, RuleMatch } from './runtime-model-types';

const GLOB_CHARS = /[*?]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** Anchored regular expression for a `*` / `?` glob; every other character is literal. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** The pattern as the matcher uses it; for an exact reference, undefined `normalized` means it does not parse. */
export function compileImagePattern(text: string): ImagePattern {
  if (isGlob(text)) return { text, glob: globToRegExp(text) };
  const parsed = parseImageReference(text);
  return parsed.ok ? { text, normalized: parsed.ref.normalized } : { text };
}

function namesOf(image: string): string[] {
  const parsed = parseImageReference(image);
  return parsed.ok && parsed.ref.normalized !== image ? [image, parsed.ref.normalized] : [image];
}

export function imageMatches(pattern: ImagePattern, images: readonly string[]): boolean {
  for (const image of images) {
    for (const name of namesOf(image)) {
      if (pattern.glob !== undefined) {
        if (pattern.glob.test(name)) return true;
      } else if (name === pattern.text || (pattern.normalized !== undefined && name === pattern.normalized)) {
        return true;
      }
    }
  }
  return false;
}

/** True when the rule's conditions about the method alone hold (cheap; no subject needed). */
export function methodMatches(match: RuleMatch, method: string): boolean {
  return match.methods === undefined || match.methods.has(method);
}

/** True when the rule has conditions that need the call's pod, container or image. */
export function needsSubject(match: RuleMatch): boolean {
  return (
    match.namespaces !== undefined ||
    match.podSelector !== undefined ||
    match.podAnnotationSelector !== undefined ||
    match.images !== undefined ||
    match.containerNames !== undefined
  );
}

export function ruleMatches(match: RuleMatch, subject: CallSubject): boolean {
  if (!methodMatches(match, subject.method)) return false;
  const pod = subject.pod;
  if (match.namespaces !== undefined && (pod === undefined || !match.namespaces.has(pod.namespace))) return false;
  if (match.podSelector !== undefined && (pod === undefined || !selectorMatches(match.podSelector, pod.labels))) {
    return false;
  }
  if (
    match.podAnnotationSelector !== undefined &&
    (pod === undefined || !selectorMatches(match.podAnnotationSelector, pod.annotations))
  ) {
    return false;
  }
  if (match.containerNames !== undefined) {
    if (subject.containerName === undefined || !match.containerNames.has(subject.containerName)) return false;
  }
  if (match.images !== undefined && !match.images.some((p) => imageMatches(p, subject.images))) return false;
  return true;
}
