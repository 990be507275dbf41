import { createHash } from 'node:crypto';
import type { ResourceDefinition } from '../registry/resource-definition';

/**
 * The OpenAPI v3 discovery apiserver-sim serves (k8s.io/kube-openapi handler3: `/openapi/v3` lists each
 * group-version with a `serverRelativeURL` carrying the document's hash; `/openapi/v3/api/v1` is the
 * document). It describes only the operations served here, each with the `x-kubernetes-group-version-kind`
 * and `x-kubernetes-action` extensions and the query parameters honoured. kubectl reads it to learn that the
 * server validates fields (`fieldValidation` on PATCH), and then leaves validation to the server.
 */
export function openApiV3Document(defs: readonly ResourceDefinition[], minor: number) {
  const paths: Record<string, unknown> = {};
  const gvk = (def: ResourceDefinition) => ({ group: '', version: 'v1', kind: def.kind });
  const fieldValidation = {
    name: 'fieldValidation',
    in: 'query',
    description: 'Ignore, Warn or Strict: what to do with unknown or duplicate fields in the object (apiserver-sim checks the top-level and metadata fields).',
    schema: { type: 'string', uniqueItems: true },
  };
  const op = (def: ResourceDefinition, action: string, id: string, params: unknown[] = []) => ({
    tags: ['core_v1'],
    operationId: id,
    parameters: params,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(def),
  });
  for (const def of defs) {
    const base = def.namespaced ? `/api/v1/namespaces/{namespace}/${def.resource}` : `/api/v1/${def.resource}`;
    const kind = def.kind;
    paths[base] = {
      get: op(def, 'list', `listCoreV1${def.namespaced ? 'Namespaced' : ''}${kind}`),
      post: op(def, 'post', `createCoreV1${def.namespaced ? 'Namespaced' : ''}${kind}`, [fieldValidation]),
    };
    paths[`${base}/{name}`] = {
      get: op(def, 'get', `readCoreV1${def.namespaced ? 'Namespaced' : ''}${kind}`),
      delete: op(def, 'delete', `deleteCoreV1${def.namespaced ? 'Namespaced' : ''}${kind}`),
      patch: op(def, 'patch', `patchCoreV1${def.namespaced ? 'Namespaced' : ''}${kind}`, [fieldValidation]),
    };
    paths[`${base}/{name}/status`] = {
      put: op(def, 'put', `replaceCoreV1${def.namespaced ? 'Namespaced' : ''}${kind}Status`, [fieldValidation]),
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: `v1.${minor}.0` }, paths };
}

/** `/openapi/v3`: the group-versions and where their documents are. */
export function openApiV3Index(document: unknown) {
  const hash = createHash('sha512').update(JSON.stringify(document)).digest('hex').slice(0, 128).toUpperCase();
  return { paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${hash}` } } };
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
