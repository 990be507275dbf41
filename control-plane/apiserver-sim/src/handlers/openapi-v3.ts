import { createHash } from 'node:crypto';
import type { ResourceDefinition } from '../registry/resource-definition';

/** The path of a group-version's document under /openapi/v3 (`api/v1`, `apis/<group>/<version>`). */
export function openApiV3Path(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group === '' ? `api/${def.version}` : `apis/${def.group}/${def.version}`;
}

/** kube-openapi's operation-id prefix of a group-version: CoreV1, CoordinationV1 (first DNS label, camel-cased). */
function operationGroup(def: ResourceDefinition): string {
  const group = def.group === '' ? 'core' : (def.group.split('.')[0] as string);
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return `${cap(group)}${cap(def.version)}`;
}

/**
 * The OpenAPI v3 discovery apiserver-sim serves (k8s.io/kube-openapi handler3: `/openapi/v3` lists each
 * group-version with a `serverRelativeURL` carrying the document's hash; `/openapi/v3/api/v1` is the
 * document). It describes only the operations served here, each with the `x-kubernetes-group-version-kind`
 * and `x-kubernetes-action` extensions and the query parameters honoured. kubectl reads it to learn that the
 * server validates fields (`fieldValidation` on PATCH), and then leaves validation to the server.
 */
export function openApiV3Document(defs: readonly ResourceDefinition[], minor: number) {
  const paths: Record<string, unknown> = {};
  const gvk = (def: ResourceDefinition) => ({ group: def.group, version: def.version, kind: def.kind });
  const fieldValidation = {
    name: 'fieldValidation',
    in: 'query',
    description: 'Ignore, Warn or Strict: what to do with unknown or duplicate fields in the object (apiserver-sim checks the top-level and metadata fields).',
    schema: { type: 'string', uniqueItems: true },
  };
  const op = (def: ResourceDefinition, action: string, id: string, params: unknown[] = []) => ({
    tags: [`${def.group === '' ? 'core' : (def.group.split('.')[0] as string)}_${def.version}`],
    operationId: id,
    parameters: params,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(def),
  });
  for (const def of defs) {
    const root = `/${openApiV3Path(def)}`;
    const base = def.namespaced ? `${root}/namespaces/{namespace}/${def.resource}` : `${root}/${def.resource}`;
    const id = `${operationGroup(def)}${def.namespaced ? 'Namespaced' : ''}${def.kind}`;
    paths[base] = {
      get: op(def, 'list', `list${id}`),
      post: op(def, 'post', `create${id}`, [fieldValidation]),
    };
    paths[`${base}/{name}`] = {
      get: op(def, 'get', `read${id}`),
      put: op(def, 'put', `replace${id}`, [fieldValidation]),
      delete: op(def, 'delete', `delete${id}`),
      patch: op(def, 'patch', `patch${id}`, [fieldValidation]),
    };
    for (const sub of def.subresources) {
      if (sub === 'binding') {
        paths[`${base}/{name}/binding`] = { post: op(def, 'post', `create${id}Binding`) };
        continue;
      }
      const Sub = sub.charAt(0).toUpperCase() + sub.slice(1);
      paths[`${base}/{name}/${sub}`] = {
        get: op(def, 'get', `read${id}${Sub}`),
        put: op(def, 'put', `replace${id}${Sub}`, [fieldValidation]),
        patch: op(def, 'patch', `patch${id}${Sub}`, [fieldValidation]),
      };
    }
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: `v1.${minor}.0` }, paths };
}

/** `/openapi/v3`: the group-versions (`api/v1`, `apis/<group>/<version>`) and where their documents are. */
export function openApiV3Index(documents: ReadonlyMap<string, unknown>) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, document] of documents) {
    const hash = createHash('sha512').update(JSON.stringify(document)).digest('hex').slice(0, 128).toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}

/** One OpenAPI v3 document per served group-version, keyed by its path under /openapi/v3. */
export function openApiV3Documents(defs: readonly ResourceDefinition[], minor: number): Map<string, unknown> {
  const byPath = new Map<string, ResourceDefinition[]>();
  for (const d of defs) (byPath.get(openApiV3Path(d)) ?? byPath.set(openApiV3Path(d), []).get(openApiV3Path(d)))?.push(d);
  return new Map([...byPath].map(([path, group]) => [path, openApiV3Document(group, minor)]));
}


const KNOWN_TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
const KNOWN_METADATA = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

/**
 * fieldValidation=Strict for what apiserver-sim knows of the schema: unknown top-level and metadata fields are
 * an error in the apiserver's words (`strict decoding error: unknown field "<path>"`).
 */
export function unknownFields(obj: Record<string, unknown>): string[] {
  const unknown = Object.keys(obj).filter((k) => !KNOWN_TOP_LEVEL.has(k));
  const meta = obj.metadata;
  if (meta !== null && typeof meta === 'object') unknown.push(...Object.keys(meta).filter((k) => !KNOWN_METADATA.has(k)).map((k) => `metadata.${k}`));
  return unknown;
}
