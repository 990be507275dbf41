/**
 * The two patch formats apiserver-sim applies: JSON merge patch (RFC 7386, `application/merge-patch+json`)
 * and JSON patch (RFC 6902, `application/json-patch+json`), as the apiserver applies them to built-in types
 * (k8s.io/apiserver pkg/endpoints/handlers/patch.go jsonPatcher, via evanphx/json-patch).
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class PatchError extends Error {}

export function applyMergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base: { [k: string]: Json } = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete base[key];
    else base[key] = applyMergePatch(base[key] ?? null, value);
  }
  return base;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** RFC 6901 pointer → tokens. */
function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`JSON pointer ${JSON.stringify(pointer)} must start with "/"`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, path: string[]): { parent: Json; key: string } {
  let node = doc;
  for (const t of path.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(t)] as Json;
    else if (node !== null && typeof node === 'object') node = node[t] as Json;
    else node = undefined as unknown as Json;
    if (node === undefined) throw new PatchError(`doc is missing path: /${path.join('/')}`);
  }
  return { parent: node, key: path[path.length - 1] as string };
}

function get(doc: Json, pointer: string): Json {
  let node = doc;
  for (const t of tokens(pointer)) {
    const next = Array.isArray(node) ? node[Number(t)] : node !== null && typeof node === 'object' ? node[t] : undefined;
    if (next === undefined) throw new PatchError(`doc is missing path: ${pointer}`);
    node = next;
  }
  return node;
}

function remove(doc: Json, pointer: string): Json {
  const path = tokens(pointer);
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!(i >= 0 && i < parent.length)) throw new PatchError(`remove operation does not apply: doc is missing path: ${pointer}`);
    return parent.splice(i, 1)[0] as Json;
  }
  if (parent === null || typeof parent !== 'object' || !(key in parent)) throw new PatchError(`remove operation does not apply: doc is missing path: ${pointer}`);
  const old = parent[key] as Json;
  delete parent[key];
  return old;
}

function add(doc: Json, pointer: string, value: Json, replace: boolean): Json {
  const path = tokens(pointer);
  if (path.length === 0) return value;
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!(i >= 0 && i <= parent.length)) throw new PatchError(`add operation does not apply: doc is missing path: ${pointer}`);
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else if (parent !== null && typeof parent === 'object') {
    if (replace && !(key in parent)) throw new PatchError(`replace operation does not apply: doc is missing key: ${pointer}`);
    parent[key] = value;
  } else {
    throw new PatchError(`doc is missing path: ${pointer}`);
  }
  return doc;
}

export function applyJsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let out = structuredClone(doc);
  for (const raw of ops as Operation[]) {
    const value = raw.value === undefined ? null : structuredClone(raw.value);
    switch (raw.op) {
      case 'add':
        out = add(out, raw.path, value, false);
        break;
      case 'remove':
        remove(out, raw.path);
        break;
      case 'replace':
        out = add(out, raw.path, value, true);
        break;
      case 'move': {
        const moved = remove(out, raw.from ?? '');
        out = add(out, raw.path, moved, false);
        break;
      }
      case 'copy':
        out = add(out, raw.path, structuredClone(get(out, raw.from ?? '')), false);
        break;
      case 'test':
        if (JSON.stringify(get(out, raw.path)) !== JSON.stringify(value)) throw new PatchError(`testing value ${raw.path} failed: test failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${String(raw.op)}`);
    }
  }
  return out;
}
