import type { Json } from './json-patches';
import { PatchError } from './json-patches';

type JsonObject = { [k: string]: Json };

/** A list merged as a set of primitives (patchStrategy:"merge" on a []string). */
export const PRIMITIVE_MERGE = '$primitive';

/**
 * The list fields of the served kinds that strategic merge patch merges instead of replacing, with their
 * patchMergeKey (the `patchStrategy:"merge" patchMergeKey:"…"` struct tags of k8s.io/api core/v1 types.go
 * and meta/v1 types.go @v0.34.0). A path names map keys joined by `.`, with `[]` for "each list item".
 * Lists not named here are replaced whole, as for fields without a patch strategy.
 */
export const MERGE_KEYS: Readonly<Record<string, string>> = {
  'metadata.ownerReferences': 'uid',
  'metadata.finalizers': PRIMITIVE_MERGE,
  'spec.containers': 'name',
  'spec.initContainers': 'name',
  'spec.ephemeralContainers': 'name',
  'spec.containers[].env': 'name',
  'spec.containers[].ports': 'containerPort',
  'spec.containers[].volumeMounts': 'mountPath',
  'spec.initContainers[].env': 'name',
  'spec.initContainers[].ports': 'containerPort',
  'spec.initContainers[].volumeMounts': 'mountPath',
  'spec.volumes': 'name',
  'spec.imagePullSecrets': 'name',
  'spec.hostAliases': 'ip',
  'spec.podCIDRs': PRIMITIVE_MERGE,
  'status.conditions': 'type',
  'status.addresses': 'type',
  'status.podIPs': 'ip',
  'status.hostIPs': 'ip',
};

const SET_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A strategic merge patch (`application/strategic-merge-patch+json`) applied as
 * k8s.io/apimachinery pkg/util/strategicpatch/patch.go StrategicMergePatch applies one to a built-in type:
 * maps merge and `null` deletes; lists named in MERGE_KEYS merge by their key (an item with `$patch: delete`
 * removes its match) or as a set of primitives; other lists are replaced; `$patch: replace|delete` on a map,
 * `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` directives are honoured.
 * The input is not modified.
 */
export function applyStrategicMergePatch(target: Json, patch: Json, mergeKeys: Readonly<Record<string, string>> = MERGE_KEYS): Json {
  if (!isObject(patch)) throw new PatchError('a strategic merge patch must be a JSON object');
  return mergeMap(isObject(target) ? target : {}, patch, '', mergeKeys) ?? {};
}

function mergeMap(original: JsonObject, patch: JsonObject, path: string, keys: Readonly<Record<string, string>>): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return structuredClone(rest);
  }
  if (directive !== undefined && directive !== 'merge') throw new PatchError(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  const out: JsonObject = structuredClone(original);
  const retain = patch.$retainKeys;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE.length);
      const drop = new Set((Array.isArray(value) ? value : []).map((v) => JSON.stringify(v)));
      const current = out[field];
      if (Array.isArray(current)) out[field] = current.filter((v) => !drop.has(JSON.stringify(v)));
      continue;
    }
    const childPath = path === '' ? key : `${path}.${key}`;
    if (value === null) {
      delete out[key];
    } else if (isObject(value)) {
      const merged = mergeMap(isObject(out[key]) ? (out[key] as JsonObject) : {}, value, childPath, keys);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(value)) {
      out[key] = mergeList(Array.isArray(out[key]) ? (out[key] as Json[]) : [], value, childPath, keys);
    } else {
      out[key] = value;
    }
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER) || !Array.isArray(order)) continue;
    const field = key.slice(SET_ORDER.length);
    const list = out[field];
    if (Array.isArray(list)) out[field] = orderList(list, order, keys[path === '' ? field : `${path}.${field}`]);
  }
  if (Array.isArray(retain)) {
    const keep = new Set(retain.map(String));
    for (const key of Object.keys(out)) if (!keep.has(key)) delete out[key];
  }
  return out;
}

function mergeList(original: Json[], patch: Json[], path: string, keys: Readonly<Record<string, string>>): Json[] {
  const mergeKey = keys[path];
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) return structuredClone(patch.filter((p) => !(isObject(p) && p.$patch === 'replace')));
  if (mergeKey === undefined) return structuredClone(patch);
  if (mergeKey === PRIMITIVE_MERGE) {
    const out = [...original];
    const seen = new Set(out.map((v) => JSON.stringify(v)));
    for (const v of patch) if (!seen.has(JSON.stringify(v))) out.push(v);
    return out;
  }
  const out: Json[] = structuredClone(original);
  for (const item of patch) {
    if (!isObject(item)) throw new PatchError(`${path}: a list merged by ${mergeKey} takes objects, got ${JSON.stringify(item)}`);
    const keyValue = item[mergeKey];
    if (keyValue === undefined) throw new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    const at = out.findIndex((o) => isObject(o) && JSON.stringify(o[mergeKey]) === JSON.stringify(keyValue));
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    const merged = mergeMap(at >= 0 ? (out[at] as JsonObject) : {}, item, `${path}[]`, keys);
    if (merged === undefined) continue;
    if (at >= 0) out[at] = merged;
    else out.push(merged);
  }
  return out;
}

/** `$setElementOrder`: the listed items first in the given order, the others after in their own order. */
function orderList(list: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const byKey = mergeKey !== undefined && mergeKey !== PRIMITIVE_MERGE;
  const keyOf = (v: Json): string => JSON.stringify(byKey && isObject(v) ? v[mergeKey] : v);
  const rank = new Map(order.map((o, i) => [keyOf(o), i]));
  const listed = list.filter((v) => rank.has(keyOf(v))).sort((a, b) => (rank.get(keyOf(a)) as number) - (rank.get(keyOf(b)) as number));
  return [...listed, ...list.filter((v) => !rank.has(keyOf(v)))];
}
