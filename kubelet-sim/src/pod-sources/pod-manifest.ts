import { parseAllDocuments } from 'yaml';
import type { ContainerSpec, Pod, PullPolicy, RestartPolicy } from '../container/pod';

/**
 * Parses core/v1 Pod manifests (YAML or JSON, several documents per file) into Pods with the API server's
 * defaults applied (pkg/apis/core/v1/defaults.go: namespace `default`, restartPolicy Always,
 * terminationGracePeriodSeconds 30, imagePullPolicy Always for `:latest`/untagged images else IfNotPresent).
 * Errors name the document and field path in the apimachinery `field.Error` style.
 */
export interface ManifestError {
  /** `spec.containers[0].image` */
  field: string;
  detail: string;
}

export class PodManifestError extends Error {
  constructor(readonly source: string, readonly errors: ManifestError[]) {
    super(`${source}: invalid pod manifest: ${errors.map((e) => `${e.field}: ${e.detail}`).join('; ')}`);
  }
}

const RESTART_POLICIES: readonly RestartPolicy[] = ['Always', 'OnFailure', 'Never'];
const PULL_POLICIES: readonly PullPolicy[] = ['Always', 'IfNotPresent', 'Never'];
/** RFC 1123 subdomain, the rule for pod names (apimachinery validation.IsDNS1123Subdomain). */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 1123 label, the rule for container names and namespaces. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** One parsed document: a Pod, or the errors that kept it from being one. */
export type ParsedManifest = { pod: Omit<Pod, 'metadata'> & { metadata: Omit<Pod['metadata'], 'uid'> & { uid?: string } }; errors?: undefined } | { pod?: undefined; errors: ManifestError[] };

export function parsePodManifests(text: string, source: string): ParsedManifest[] {
  const results: ParsedManifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      results.push({ errors: doc.errors.map((e) => ({ field: '<document>', detail: `YAML: ${e.message.split('\n')[0]}` })) });
      continue;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue; // an empty document, e.g. after a trailing `---`
    results.push(parsePodObject(value, source));
  }
  return results;
}

function parsePodObject(value: unknown, _source: string): ParsedManifest {
  const errors: ManifestError[] = [];
  const obj = asRecord(value);
  if (obj === undefined) return { errors: [{ field: '<document>', detail: 'expected a Pod object' }] };
  if (obj.apiVersion !== 'v1') errors.push({ field: 'apiVersion', detail: `Unsupported value: ${JSON.stringify(obj.apiVersion)}: supported values: "v1"` });
  if (obj.kind !== 'Pod') errors.push({ field: 'kind', detail: `Unsupported value: ${JSON.stringify(obj.kind)}: supported values: "Pod"` });
  const metadata = asRecord(obj.metadata) ?? {};
  const spec = asRecord(obj.spec);
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') errors.push({ field: 'metadata.name', detail: 'Required value: name or generateName is required' });
  else if (!DNS1123_SUBDOMAIN.test(name)) errors.push({ field: 'metadata.name', detail: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'` });
  const namespace = metadata.namespace ?? 'default';
  if (typeof namespace !== 'string' || !DNS1123_LABEL.test(namespace)) errors.push({ field: 'metadata.namespace', detail: `Invalid value: ${JSON.stringify(namespace)}: a lowercase RFC 1123 label is required` });
  const labels = stringMap(metadata.labels, 'metadata.labels', errors);
  const annotations = stringMap(metadata.annotations, 'metadata.annotations', errors);
  if (spec === undefined) {
    errors.push({ field: 'spec', detail: 'Required value' });
    return { errors };
  }
  const containers = parseContainers(spec.containers, 'spec.containers', errors);
  const initContainers = parseContainers(spec.initContainers, 'spec.initContainers', errors);
  if (containers.length === 0 && !errors.some((e) => e.field.startsWith('spec.containers'))) errors.push({ field: 'spec.containers', detail: 'Required value' });
  // Duplicates by manifest position: app containers first, then init containers against all names seen
  // (pkg/apis/core/validation validateContainers / validateInitContainers).
  const seen = new Set<string>();
  for (const [path, list] of [['spec.containers', spec.containers], ['spec.initContainers', spec.initContainers]] as const) {
    (Array.isArray(list) ? list : []).forEach((raw, i) => {
      const name = asRecord(raw)?.name;
      if (typeof name !== 'string' || name === '') return;
      if (seen.has(name)) errors.push({ field: `${path}[${i}].name`, detail: `Duplicate value: ${JSON.stringify(name)}` });
      seen.add(name);
    });
  }
  const restartPolicy = (spec.restartPolicy ?? 'Always') as RestartPolicy;
  if (!RESTART_POLICIES.includes(restartPolicy)) errors.push({ field: 'spec.restartPolicy', detail: `Unsupported value: ${JSON.stringify(spec.restartPolicy)}: supported values: "Always", "OnFailure", "Never"` });
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0) errors.push({ field: 'spec.terminationGracePeriodSeconds', detail: `Invalid value: ${JSON.stringify(grace)}: must be greater than or equal to 0` });
  const hostNetwork = spec.hostNetwork ?? false;
  if (typeof hostNetwork !== 'boolean') errors.push({ field: 'spec.hostNetwork', detail: `Invalid value: ${JSON.stringify(hostNetwork)}: must be a boolean` });
  if (errors.length > 0) return { errors };
  const hasResources = [...initContainers, ...containers].length > 0 && hasAnyResources(spec);
  return {
    pod: {
      metadata: { name: name as string, namespace: namespace as string, uid: typeof metadata.uid === 'string' ? metadata.uid : undefined, labels, annotations },
      spec: {
        initContainers,
        containers,
        restartPolicy,
        hostNetwork: hostNetwork as boolean,
        terminationGracePeriodSeconds: grace as number,
        hostname: typeof spec.hostname === 'string' ? spec.hostname : '',
        subdomain: typeof spec.subdomain === 'string' ? spec.subdomain : '',
        qosClass: hasResources ? 'Burstable' : 'BestEffort',
      },
    },
  };
}

function parseContainers(value: unknown, path: string, errors: ManifestError[]): ContainerSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push({ field: path, detail: 'must be a list of containers' });
    return [];
  }
  return value.flatMap((raw, i): ContainerSpec[] => {
    const at = `${path}[${i}]`;
    const c = asRecord(raw);
    if (c === undefined) {
      errors.push({ field: at, detail: 'must be a container object' });
      return [];
    }
    const before = errors.length;
    if (typeof c.name !== 'string' || c.name === '') errors.push({ field: `${at}.name`, detail: 'Required value' });
    else if (!DNS1123_LABEL.test(c.name)) errors.push({ field: `${at}.name`, detail: `Invalid value: ${JSON.stringify(c.name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'` });
    if (typeof c.image !== 'string' || c.image.trim() === '') errors.push({ field: `${at}.image`, detail: 'Required value' });
    const pull = (c.imagePullPolicy ?? defaultPullPolicy(String(c.image ?? ''))) as PullPolicy;
    if (!PULL_POLICIES.includes(pull)) errors.push({ field: `${at}.imagePullPolicy`, detail: `Unsupported value: ${JSON.stringify(c.imagePullPolicy)}: supported values: "Always", "IfNotPresent", "Never"` });
    if (c.restartPolicy !== undefined) errors.push({ field: `${at}.restartPolicy`, detail: 'Forbidden: sidecar containers (restartPolicy on a container) are not emulated yet' });
    const command = stringList(c.command, `${at}.command`, errors);
    const args = stringList(c.args, `${at}.args`, errors);
    const env = Array.isArray(c.env)
      ? c.env.flatMap((e, j) => {
          const rec = asRecord(e);
          if (rec === undefined || typeof rec.name !== 'string') {
            errors.push({ field: `${at}.env[${j}].name`, detail: 'Required value' });
            return [];
          }
          return [{ name: rec.name, value: rec.value === undefined ? '' : String(rec.value) }];
        })
      : [];
    if (errors.length > before) return [];
    return [{
      name: c.name as string,
      image: c.image as string,
      imagePullPolicy: pull,
      command,
      args,
      workingDir: typeof c.workingDir === 'string' ? c.workingDir : '',
      env,
      terminationMessagePath: typeof c.terminationMessagePath === 'string' ? c.terminationMessagePath : '/dev/termination-log',
    }];
  });
}

/** pkg/apis/core/v1/defaults.go SetDefaults_Container: `:latest` or no tag ⇒ Always, else IfNotPresent. */
export function defaultPullPolicy(image: string): PullPolicy {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function hasAnyResources(spec: Record<string, unknown>): boolean {
  const all = [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])];
  return all.some((c) => {
    const res = asRecord(asRecord(c)?.resources);
    return res !== undefined && (asRecord(res.requests) !== undefined || asRecord(res.limits) !== undefined);
  });
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringMap(value: unknown, path: string, errors: ManifestError[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  const rec = asRecord(value);
  if (rec === undefined) {
    errors.push({ field: path, detail: 'must be a map of strings' });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec)) {
    if (typeof v !== 'string') errors.push({ field: `${path}[${k}]`, detail: `Invalid value: ${JSON.stringify(v)}: must be a string (quote it in YAML)` });
    else out[k] = v;
  }
  return out;
}

function stringList(value: unknown, path: string, errors: ManifestError[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push({ field: path, detail: 'must be a list of strings' });
    return [];
  }
  return value.map(String);
}
