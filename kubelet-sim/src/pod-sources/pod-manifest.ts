import { Pod as PodModel } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import type { ContainerSpec, Pod, PullPolicy, RestartPolicy, SeccompProfile } from '../container/pod';
import { podSpecErrors } from './pod-spec-validation';
import { asRecord, dnsLabelErrors, dnsSubdomainErrors, goValue, NAME_MESSAGES, NAME_RULES, type ManifestError } from './field-errors';

export type { ManifestError } from './field-errors';

/**
 * Reads one static pod manifest the way the kubelet's file source does (pkg/kubelet/config/file.go
 * extractFromFile → common.go tryDecodeSinglePod):
 * - YAML 1.1 (sigs.k8s.io/yaml over go-yaml v2: `yes`/`on` are booleans) or JSON, and only the FIRST
 *   document: yaml.Unmarshal reads one document, so later `---` documents are never seen. A file is one pod.
 * - The universal decoder is not strict: unknown fields are dropped without a word, and so are they here.
 * - Structure and types are checked against the core/v1 Pod OpenAPI schema (kubernetes-models, ajv); the
 *   rules a JSON schema cannot state are checked by hand after pkg/apis/core/validation ValidatePodCreate
 *   (names as RFC 1123 labels/subdomains, required images, duplicate container names, label syntax) and
 *   the PreventStaticPodAPIReferences check (beta, on by default in 1.34).
 * - Defaults of pkg/apis/core/v1/defaults.go: restartPolicy Always, terminationGracePeriodSeconds 30,
 *   imagePullPolicy Always for `:latest`/untagged images else IfNotPresent; namespace `default` (common.go).
 * Every error names the field path in the apimachinery `field.Error` form and says how to fix it.
 */
/** `<file>: <field>: <detail>`, several errors of one file joined with `; `. */
export class PodManifestError extends Error {
  /** The file was gone when it was read (removed while listing, or just after its watch event). */
  fileMissing = false;

  constructor(readonly source: string, readonly errors: ManifestError[]) {
    super(`${source}: ${errors.map(formatManifestError).join('; ')}`);
  }
}

export function formatManifestError(e: ManifestError): string {
  return e.field === '' ? e.detail : `${e.field}: ${e.detail}`;
}

/** A decoded manifest before the file source names it and gives it a UID. */
export interface ParsedPod {
  pod: Omit<Pod, 'metadata'> & { metadata: Omit<Pod['metadata'], 'uid'> & { uid?: string } };
  /** The decoded document, what the static pod UID is hashed over (common.go applyDefaults). */
  raw: Record<string, unknown>;
}

export type ParsedManifest = ({ errors?: undefined } & ParsedPod) | { errors: ManifestError[]; pod?: undefined; raw?: undefined };

export interface ParseResult {
  parsed: ParsedManifest;
  /** Documents after the first, which the kubelet never reads (reported so a user is not surprised). */
  ignoredDocuments: number;
}

/** pkg/apis/core/v1/defaults.go and pkg/kubelet/config/common.go applyDefaults. */
export const POD_DEFAULTS = {
  NAMESPACE: 'default',
  RESTART_POLICY: 'Always',
  TERMINATION_GRACE_PERIOD_SECONDS: 30,
  TERMINATION_MESSAGE_PATH: '/dev/termination-log',
} as const;

/** Object fields whose keys are data, shown as `labels[key]` rather than `.key` in field paths. */
const MAP_FIELDS: ReadonlySet<string> = new Set(['labels', 'annotations', 'nodeSelector', 'limits', 'requests', 'overhead', 'matchLabels']);

/** ajv `type` keyword values, worded for a person editing YAML. */
const TYPE_WORDS: Record<string, string> = {
  string: 'must be a string (quote it in YAML)',
  boolean: 'must be a boolean (true or false)',
  integer: 'must be an integer',
  number: 'must be a number',
  array: 'must be a list',
  object: 'must be a mapping',
};

/** The kubelet's cap on a manifest file (common.go maxConfigLength, 10 MiB). */
export const MAX_MANIFEST_BYTES = 10 * 1024 * 1024;

export function parsePodManifest(text: string): ParseResult {
  const decoded = decodeFirstDocument(text);
  if ('errors' in decoded) return { parsed: { errors: decoded.errors }, ignoredDocuments: decoded.ignoredDocuments };
  return { parsed: validatePodObject(decoded.value), ignoredDocuments: decoded.ignoredDocuments };
}

/** utilyaml.ToJSON: JSON when the data starts with `{`, else YAML 1.1, first document only. */
function decodeFirstDocument(text: string): { value: unknown; ignoredDocuments: number } | { errors: ManifestError[]; ignoredDocuments: number } {
  if (text.trimStart().startsWith('{')) {
    try {
      return { value: JSON.parse(text), ignoredDocuments: 0 };
    } catch (err) {
      return { errors: [{ field: '', detail: `couldn't parse as pod (JSON: ${(err as Error).message}): fix the JSON syntax` }], ignoredDocuments: 0 };
    }
  }
  const docs = parseAllDocuments(text, { version: '1.1' });
  const list = Array.isArray(docs) ? docs : [];
  const ignoredDocuments = Math.max(0, list.length - 1);
  const first = list[0];
  if (first === undefined) return { value: null, ignoredDocuments };
  if (first.errors.length > 0) {
    const message = first.errors[0].message.split('\n')[0];
    return { errors: [{ field: '', detail: `couldn't parse as pod (YAML: ${message}): fix the YAML syntax` }], ignoredDocuments };
  }
  return { value: first.toJS({ maxAliasCount: 100 }), ignoredDocuments };
}

/** Decoding (kind/apiVersion), schema, then the hand-written ValidatePodCreate rules; a Pod when all pass. */
export function validatePodObject(value: unknown): ParsedManifest {
  const obj = asRecord(value);
  if (obj === undefined) {
    // runtime.Decode of `null` or a list: "Object 'Kind' is missing in 'null'".
    return { errors: [{ field: 'kind', detail: `Required value: the file holds ${value === null || value === undefined ? 'no object' : `a ${Array.isArray(value) ? 'list' : typeof value}`}, not a Pod (start it with apiVersion: v1 and kind: Pod)` }] };
  }
  const typeErrors = typeMetaErrors(obj);
  if (typeErrors.length > 0) return { errors: typeErrors };

  const errors = [...schemaErrors(obj), ...semanticErrors(obj)];
  if (errors.length > 0) return { errors };
  return { pod: toPod(obj), raw: obj };
}

/** The universal decoder needs both and knows only v1 Pods (else `no kind "Pod" is registered for version ...`). */
function typeMetaErrors(obj: Record<string, unknown>): ManifestError[] {
  const errors: ManifestError[] = [];
  if (obj.apiVersion === undefined) errors.push({ field: 'apiVersion', detail: 'Required value: Object \'apiVersion\' is missing (add apiVersion: v1)' });
  else if (obj.apiVersion !== 'v1') errors.push({ field: 'apiVersion', detail: `Unsupported value: ${goValue(obj.apiVersion)}: supported values: "v1"` });
  if (obj.kind === undefined) errors.push({ field: 'kind', detail: 'Required value: Object \'Kind\' is missing (add kind: Pod)' });
  else if (obj.kind !== 'Pod') errors.push({ field: 'kind', detail: `Unsupported value: ${goValue(obj.kind)}: supported values: "Pod" (a static pod file holds exactly one Pod)` });
  return errors;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** core/v1 Pod OpenAPI schema via kubernetes-models; ajv errors rewritten as apimachinery field errors. */
function schemaErrors(obj: Record<string, unknown>): ManifestError[] {
  try {
    new PodModel(obj as unknown as ConstructorParameters<typeof PodModel>[0]).validate();
    return [];
  } catch (err) {
    const ajvErrors = (err as { errors?: AjvError[] }).errors;
    if (!Array.isArray(ajvErrors)) throw err;
    // One error per field, the first ajv found: `must be an integer` rather than also `must fit in int64`.
    const seen = new Set<string>();
    return ajvErrors.map((e) => ajvToManifestError(e, obj)).filter((e) => !seen.has(e.field) && seen.add(e.field) !== undefined);
  }
}

function ajvToManifestError(e: AjvError, root: Record<string, unknown>): ManifestError {
  const { path, value } = toFieldPath(e.instancePath, root);
  switch (e.keyword) {
    case 'required': {
      const field = joinField(path, String(e.params.missingProperty));
      return { field, detail: `Required value${requiredHint(field)}` };
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { field: path, detail: `Unsupported value: ${goValue(value)}: supported values: ${allowed}` };
    }
    case 'type':
      return { field: path, detail: `Invalid value: ${goValue(value)}: ${TYPE_WORDS[String(e.params.type)] ?? `must be of type ${String(e.params.type)}`}` };
    case 'format':
      return { field: path, detail: `Invalid value: ${goValue(value)}: must fit in ${String(e.params.format)}` };
    default:
      return { field: path, detail: `Invalid value: ${goValue(value)}: ${e.message ?? e.keyword}` };
  }
}

/** JSON pointer (`/spec/containers/0/image`) → field path (`spec.containers[0].image`), plus the value there. */
export function toFieldPath(instancePath: string, root: unknown): { path: string; value: unknown } {
  const segments = instancePath === '' ? [] : instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  let current: unknown = root;
  let parentKey = '';
  for (const segment of segments) {
    if (Array.isArray(current) || MAP_FIELDS.has(parentKey)) path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
    current = (current as Record<string, unknown> | undefined)?.[segment];
    parentKey = segment;
  }
  return { path, value: current };
}

function joinField(parent: string, child: string): string {
  return parent === '' ? child : `${parent}.${child}`;
}

/** How to fix a missing field, for the fields people forget. */
function requiredHint(field: string): string {
  if (/^spec\.(init)?[cC]ontainers\[\d+\]\.name$/.test(field)) return ' (give the container a name, e.g. name: app)';
  if (/^spec\.(init)?[cC]ontainers\[\d+\]\.image$/.test(field)) return ' (set the image to run, e.g. image: nginx:1.27)';
  if (field === 'spec.containers') return ' (a pod needs at least one container under spec.containers)';
  if (/\.env\[\d+\]\.name$/.test(field)) return ' (each env entry needs a name)';
  return '';
}

/** What ValidatePodCreate and the static pod checks add to the schema. */
function semanticErrors(obj: Record<string, unknown>): ManifestError[] {
  const errors: ManifestError[] = [];
  const metadata = asRecord(obj.metadata) ?? {};
  const name = metadata.name;
  // common.go: "invalid pod: name is needed for the pod"; then ValidatePodName on the name.
  if (name === undefined || name === '') errors.push({ field: 'metadata.name', detail: 'Required value: name is needed for the pod (set metadata.name)' });
  else if (typeof name === 'string') errors.push(...dnsSubdomainErrors('metadata.name', name));
  const namespace = metadata.namespace;
  if (typeof namespace === 'string' && namespace !== '') errors.push(...dnsLabelErrors('metadata.namespace', namespace));
  errors.push(...labelErrors(asRecord(metadata.labels)), ...annotationKeyErrors(asRecord(metadata.annotations)));

  const spec = asRecord(obj.spec);
  if (spec === undefined) {
    errors.push({ field: 'spec.containers', detail: `Required value${requiredHint('spec.containers')}` });
    return errors;
  }
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const initContainers = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  if (spec.containers === undefined || (Array.isArray(spec.containers) && spec.containers.length === 0)) {
    errors.push({ field: 'spec.containers', detail: `Required value${requiredHint('spec.containers')}` });
  }
  // validateInitContainers / validateContainers: names unique across both lists, reported at the later one;
  // app containers are validated first, init containers against every name seen.
  const seen = new Set<string>();
  for (const [path, list, isInit] of [['spec.containers', containers, false], ['spec.initContainers', initContainers, true]] as const) {
    list.forEach((raw, i) => {
      const c = asRecord(raw);
      if (c === undefined) return;
      const at = `${path}[${i}]`;
      if (typeof c.name === 'string' && c.name !== '') {
        errors.push(...dnsLabelErrors(`${at}.name`, c.name));
        if (seen.has(c.name)) errors.push({ field: `${at}.name`, detail: `Duplicate value: ${goValue(c.name)} (container names must be unique across containers and initContainers)` });
        seen.add(c.name);
      }
      if (c.image === undefined || c.image === '') errors.push({ field: `${at}.image`, detail: `Required value${requiredHint(`${at}.image`)}` });
      else if (typeof c.image === 'string' && c.image !== c.image.trim()) {
        errors.push({ field: `${at}.image`, detail: `Invalid value: ${goValue(c.image)}: must not have leading or trailing whitespace` });
      }
      if (c.restartPolicy !== undefined) {
        errors.push(isInit
          ? { field: `${at}.restartPolicy`, detail: 'Forbidden: sidecar containers (restartPolicy on an init container) are not emulated by kubelet-sim; remove it' }
          : { field: `${at}.restartPolicy`, detail: 'Forbidden: may not be set for non-init containers' });
      }
    });
  }
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) {
    errors.push({ field: 'spec.terminationGracePeriodSeconds', detail: `Invalid value: ${spec.terminationGracePeriodSeconds}: must be greater than or equal to 0` });
  }
  errors.push(...podSpecErrors(spec));
  errors.push(...apiReferenceErrors(spec, containers, initContainers));
  return errors;
}

/**
 * PreventStaticPodAPIReferences (beta, default on in 1.34; common.go tryDecodeSinglePod → pkg/api/pod
 * HasAPIObjectReference): a static pod may not reference objects only the API server has.
 * The first reference found, in upstream's order, is reported: `static pods may not reference <resource>`.
 */
function apiReferenceErrors(spec: Record<string, unknown>, containers: unknown[], initContainers: unknown[]): ManifestError[] {
  const forbid = (field: string, resource: string): ManifestError[] => [{ field, detail: `Forbidden: static pods may not reference ${resource} (the kubelet has no API server object to read; use a hostPath or an inline value instead)` }];
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') return forbid('spec.serviceAccountName', 'serviceaccounts');
  const all: Array<[string, unknown[]]> = [['spec.initContainers', initContainers], ['spec.containers', containers]];
  const firstRef = (kind: 'secret' | 'configMap'): string | undefined => {
    if (kind === 'secret') {
      const pulls = Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : [];
      if (pulls.length > 0) return 'spec.imagePullSecrets[0]';
    }
    for (const [path, list] of all) {
      for (let i = 0; i < list.length; i++) {
        const c = asRecord(list[i]) ?? {};
        const envFrom = Array.isArray(c.envFrom) ? c.envFrom : [];
        for (let j = 0; j < envFrom.length; j++) if (asRecord(envFrom[j])?.[`${kind}Ref`] !== undefined) return `${path}[${i}].envFrom[${j}].${kind}Ref`;
        const env = Array.isArray(c.env) ? c.env : [];
        for (let j = 0; j < env.length; j++) if (asRecord(asRecord(env[j])?.valueFrom)?.[`${kind}KeyRef`] !== undefined) return `${path}[${i}].env[${j}].valueFrom.${kind}KeyRef`;
      }
    }
    const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
    for (let i = 0; i < volumes.length; i++) {
      const v = asRecord(volumes[i]) ?? {};
      if (v[kind] !== undefined) return `spec.volumes[${i}].${kind}`;
      const sources = Array.isArray(asRecord(v.projected)?.sources) ? (asRecord(v.projected)!.sources as unknown[]) : [];
      for (let j = 0; j < sources.length; j++) if (asRecord(sources[j])?.[kind] !== undefined) return `spec.volumes[${i}].projected.sources[${j}].${kind}`;
    }
    return undefined;
  };
  const secret = firstRef('secret');
  if (secret !== undefined) return forbid(secret, 'secrets');
  const configMap = firstRef('configMap');
  if (configMap !== undefined) return forbid(configMap, 'configmaps');
  if (Array.isArray(spec.resourceClaims) && spec.resourceClaims.length > 0) return forbid('spec.resourceClaims', 'resourceclaims');
  return [];
}

/** IsQualifiedName: `[prefix/]name`, prefix a DNS subdomain, name ≤ 63 characters. */
function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === '') return 'prefix part must be non-empty';
    if (prefix.length > NAME_RULES.DNS1123_SUBDOMAIN_MAX || !NAME_RULES.DNS1123_SUBDOMAIN.test(prefix)) return `prefix part ${NAME_MESSAGES.DNS1123_SUBDOMAIN}`;
  }
  if (name === '') return 'name part must be non-empty';
  if (name.length > NAME_RULES.QUALIFIED_NAME_MAX) return `name part must be no more than ${NAME_RULES.QUALIFIED_NAME_MAX} characters`;
  if (!NAME_RULES.QUALIFIED_NAME.test(name)) return NAME_MESSAGES.QUALIFIED_NAME;
  return undefined;
}

/** ValidateLabels (apimachinery metav1 validation): every key a qualified name, every value a label value. */
function labelErrors(labels: Record<string, unknown> | undefined): ManifestError[] {
  const errors: ManifestError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem !== undefined) errors.push({ field: 'metadata.labels', detail: `Invalid value: ${goValue(key)}: ${keyProblem}` });
    if (typeof value !== 'string') continue; // a type error, reported by the schema
    if (value.length > NAME_RULES.LABEL_VALUE_MAX) errors.push({ field: `metadata.labels[${key}]`, detail: `Invalid value: ${goValue(value)}: must be no more than ${NAME_RULES.LABEL_VALUE_MAX} characters` });
    else if (!NAME_RULES.LABEL_VALUE.test(value)) errors.push({ field: `metadata.labels[${key}]`, detail: `Invalid value: ${goValue(value)}: ${NAME_MESSAGES.LABEL_VALUE}` });
  }
  return errors;
}

/** ValidateAnnotations: keys are qualified names (checked lower-cased); values are free text. */
function annotationKeyErrors(annotations: Record<string, unknown> | undefined): ManifestError[] {
  const errors: ManifestError[] = [];
  for (const key of Object.keys(annotations ?? {})) {
    const problem = qualifiedNameProblem(key.toLowerCase());
    if (problem !== undefined) errors.push({ field: 'metadata.annotations', detail: `Invalid value: ${goValue(key)}: ${problem}` });
  }
  return errors;
}

/** The validated object as kubelet-sim's Pod, defaults applied. */
export function toPod(obj: Record<string, unknown>): ParsedPod['pod'] {
  const metadata = asRecord(obj.metadata) ?? {};
  const spec = asRecord(obj.spec) ?? {};
  const containers = toContainers(spec.containers);
  const initContainers = toContainers(spec.initContainers);
  return {
    metadata: {
      name: metadata.name as string,
      namespace: typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : POD_DEFAULTS.NAMESPACE,
      uid: typeof metadata.uid === 'string' && metadata.uid !== '' ? metadata.uid : undefined,
      labels: { ...(asRecord(metadata.labels) as Record<string, string> | undefined) },
      annotations: { ...(asRecord(metadata.annotations) as Record<string, string> | undefined) },
    },
    spec: {
      initContainers,
      containers,
      restartPolicy: (spec.restartPolicy as RestartPolicy | undefined) ?? POD_DEFAULTS.RESTART_POLICY,
      hostNetwork: (spec.hostNetwork as boolean | undefined) ?? false,
      terminationGracePeriodSeconds: (spec.terminationGracePeriodSeconds as number | undefined) ?? POD_DEFAULTS.TERMINATION_GRACE_PERIOD_SECONDS,
      hostname: typeof spec.hostname === 'string' ? spec.hostname : '',
      subdomain: typeof spec.subdomain === 'string' ? spec.subdomain : '',
      qosClass: qosClass([...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])]),
      ...seccompProfileOf(spec.securityContext),
    },
  };
}

function toContainers(value: unknown): ContainerSpec[] {
  if (!Array.isArray(value)) return [];
  return value.map((raw): ContainerSpec => {
    const c = asRecord(raw) ?? {};
    const image = c.image as string;
    const env = Array.isArray(c.env) ? c.env : [];
    return {
      name: c.name as string,
      image,
      imagePullPolicy: (c.imagePullPolicy as PullPolicy | undefined) ?? defaultPullPolicy(image),
      command: Array.isArray(c.command) ? (c.command as string[]) : [],
      args: Array.isArray(c.args) ? (c.args as string[]) : [],
      workingDir: typeof c.workingDir === 'string' ? c.workingDir : '',
      // valueFrom (downward API) is not resolved: such variables get an empty value.
      env: env.map((e) => ({ name: String(asRecord(e)?.name), value: typeof asRecord(e)?.value === 'string' ? (asRecord(e)!.value as string) : '' })),
      terminationMessagePath: typeof c.terminationMessagePath === 'string' && c.terminationMessagePath !== '' ? c.terminationMessagePath : POD_DEFAULTS.TERMINATION_MESSAGE_PATH,
      ...seccompProfileOf(c.securityContext),
    };
  });
}

/** `{ seccompProfile }` when a (pod or container) securityContext sets one the schema accepted, else `{}`. */
function seccompProfileOf(securityContext: unknown): { seccompProfile?: SeccompProfile } {
  const profile = asRecord(asRecord(securityContext)?.seccompProfile);
  const type = profile?.type;
  if (type !== 'RuntimeDefault' && type !== 'Unconfined' && type !== 'Localhost') return {};
  const localhostProfile = typeof profile?.localhostProfile === 'string' ? profile.localhostProfile : undefined;
  return { seccompProfile: { type, ...(localhostProfile !== undefined ? { localhostProfile } : {}) } };
}

/** pkg/apis/core/v1/defaults.go SetDefaults_Container: `:latest` or no tag ⇒ Always, else IfNotPresent. */
export function defaultPullPolicy(image: string): PullPolicy {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/**
 * pkg/apis/core/v1/helper/qos GetPodQOS, for cpu and memory: no requests or limits anywhere ⇒ BestEffort;
 * every container limiting both with requests equal to limits (or unset) ⇒ Guaranteed; else Burstable.
 */
function qosClass(containers: unknown[]): Pod['spec']['qosClass'] {
  let any = false;
  let guaranteed = containers.length > 0;
  for (const raw of containers) {
    const resources = asRecord(asRecord(raw)?.resources) ?? {};
    const requests = asRecord(resources.requests) ?? {};
    const limits = asRecord(resources.limits) ?? {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const resource of ['cpu', 'memory']) {
      if (limits[resource] === undefined) guaranteed = false;
      else if (requests[resource] !== undefined && String(requests[resource]) !== String(limits[resource])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
