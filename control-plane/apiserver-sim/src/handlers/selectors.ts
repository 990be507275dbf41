import type { ResourceDefinition } from '../registry/resource-definition';
import type { StoredObject } from '../storage/etcd3-store';
import { badRequest } from './responses';

/** One requirement of a selector: `key=value` / `key==value` (equal), `key!=value`, or label existence. */
interface Requirement {
  key: string;
  op: 'eq' | 'neq' | 'exists' | 'notexists';
  value: string;
}

/** A compiled fieldSelector + labelSelector pair; `matches` is true for every object when both are empty. */
export interface ObjectSelector {
  readonly empty: boolean;
  matches(obj: StoredObject): boolean;
}

/**
 * fields.ParseSelector (k8s.io/apimachinery pkg/fields/selector.go): comma-separated `k=v`, `k==v`, `k!=v`.
 * A key the resource does not expose is refused as the apiserver refuses it (the field label conversion's
 * `field label not supported: <key>`, a 400).
 */
export function parseFieldSelector(text: string, def: ResourceDefinition, sample: StoredObject): Requirement[] {
  if (text.trim() === '') return [];
  const known = new Set(Object.keys(def.selectableFields(sample)));
  return text.split(',').map((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const key = (m[1] as string).trim();
    if (!known.has(key)) throw badRequest(`field label not supported: ${key}`);
    return { key, op: m[2] === '!=' ? 'neq' : 'eq', value: (m[3] as string).trim() };
  });
}

/**
 * labels.Parse (k8s.io/apimachinery pkg/labels/selector.go), equality-based and existence terms only
 * (`k=v`, `k==v`, `k!=v`, `k`, `!k`); set-based terms (`in`, `notin`) are refused with a 400 that says so.
 */
export function parseLabelSelector(text: string): Requirement[] {
  if (text.trim() === '') return [];
  return text.split(',').map((raw) => {
    const term = raw.trim();
    if (/\s(in|notin)\s*\(/.test(term)) throw badRequest(`labelSelector: set-based requirement ${JSON.stringify(term)} is not supported by apiserver-sim; use k=v, k!=v, k or !k`);
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (m) return { key: (m[1] as string).trim(), op: m[2] === '!=' ? 'neq' : 'eq', value: (m[3] as string).trim() };
    if (term.startsWith('!')) return { key: term.slice(1).trim(), op: 'notexists', value: '' };
    if (/^[A-Za-z0-9./_-]+$/.test(term)) return { key: term, op: 'exists', value: '' };
    throw badRequest(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
}

function holds(r: Requirement, values: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(values, r.key);
  switch (r.op) {
    case 'eq':
      return has && values[r.key] === r.value;
    case 'neq':
      return !has || values[r.key] !== r.value;
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

/** The selector of a list or watch request (?fieldSelector, ?labelSelector), as the registry's SelectionPredicate. */
export function selectorOf(query: URLSearchParams, def: ResourceDefinition): ObjectSelector {
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '', def, { metadata: {} });
  const labels = parseLabelSelector(query.get('labelSelector') ?? '');
  return {
    empty: fields.length === 0 && labels.length === 0,
    matches(obj) {
      if (fields.length > 0) {
        const values = def.selectableFields(obj);
        if (!fields.every((r) => holds(r, values))) return false;
      }
      if (labels.length > 0) {
        const values = (obj.metadata.labels as Record<string, string> | undefined) ?? {};
        if (!labels.every((r) => holds(r, values))) return false;
      }
      return true;
    },
  };
}
