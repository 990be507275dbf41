/** JSON values as the kubelet's API objects marshal. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/**
 * The patchMergeKey of the list fields the kubelet's status patches touch (k8s.io/api core/v1 types.go
 * struct tags @v0.34.0); lists not named here are atomic and replaced whole.
 */
export const STATUS_MERGE_KEYS: Readonly<Record<string, string>> = {
  'status.conditions': 'type',
  'status.addresses': 'type',
  'status.podIPs': 'ip',
  'status.hostIPs': 'ip',
};

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

function same(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * strategicpatch.CreateTwoWayMergePatch (k8s.io/apimachinery pkg/util/strategicpatch/patch.go) for what the
 * kubelet sends: a map gets the keys that changed (removed ones as null); a list with a merge key gets
 * `$setElementOrder/<list>` (the merge keys in the new order) and the items that are new or changed, each
 * with only its changed fields plus its key (removed items as `{key, $patch: delete}`); any other list is
 * sent whole when it changed. `{}` means no change.
 */
export function createTwoWayMergePatch(original: Json, modified: Json, mergeKeys: Readonly<Record<string, string>> = STATUS_MERGE_KEYS): JsonObject {
  return diffMaps(isObject(original) ? original : {}, isObject(modified) ? modified : {}, '', mergeKeys);
}

function diffMaps(original: JsonObject, modified: JsonObject, path: string, keys: Readonly<Record<string, string>>): JsonObject {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(modified)) {
    const before = original[key];
    const childPath = path === '' ? key : `${path}.${key}`;
    if (same(before, value)) continue;
    if (isObject(value) && isObject(before)) {
      const inner = diffMaps(before, value, childPath, keys);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else if (Array.isArray(value) && Array.isArray(before) && keys[childPath] !== undefined) {
      const mergeKey = keys[childPath] as string;
      const items = diffKeyedList(before, value, mergeKey, childPath, keys);
      if (items.length > 0) {
        patch[`$setElementOrder/${key}`] = value.map((v) => ({ [mergeKey]: isObject(v) ? (v[mergeKey] ?? null) : null }));
        patch[key] = items;
      }
    } else if (Array.isArray(value) && before === undefined && keys[childPath] !== undefined) {
      const mergeKey = keys[childPath] as string;
      patch[`$setElementOrder/${key}`] = value.map((v) => ({ [mergeKey]: isObject(v) ? (v[mergeKey] ?? null) : null }));
      patch[key] = value;
    } else {
      patch[key] = value;
    }
  }
  for (const key of Object.keys(original)) if (!(key in modified)) patch[key] = null;
  return patch;
}

function diffKeyedList(original: Json[], modified: Json[], mergeKey: string, path: string, keys: Readonly<Record<string, string>>): Json[] {
  const out: Json[] = [];
  const byKey = new Map(original.filter(isObject).map((o) => [JSON.stringify(o[mergeKey]), o]));
  const seen = new Set<string>();
  for (const item of modified) {
    if (!isObject(item)) continue;
    const k = JSON.stringify(item[mergeKey]);
    seen.add(k);
    const before = byKey.get(k);
    if (before === undefined) out.push(item);
    else if (!same(before, item)) out.push({ ...diffMaps(before, item, `${path}[]`, keys), [mergeKey]: item[mergeKey] as Json });
  }
  for (const [k, before] of byKey) if (!seen.has(k)) out.push({ [mergeKey]: before[mergeKey] as Json, $patch: 'delete' });
  return out;
}
