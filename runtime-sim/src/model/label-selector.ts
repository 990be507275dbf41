/**
 * Kubernetes label selector semantics (k8s.io/apimachinery pkg/labels/selector.go, as built by
 * metav1.LabelSelectorAsSelector): matchLabels pairs and matchExpressions requirements are ANDed;
 * an empty selector matches everything.
 *   In            the key is present and its value is one of `values`;
 *   NotIn         the key is absent, or its value is none of `values`;
 *   Exists        the key is present (any value);
 *   DoesNotExist  the key is absent.
 * The same selector shape is used over pod annotations.
 */
import type { LabelSelector, SelectorRequirement } from './runtime-model-types';

type StringMap = Readonly<Record<string, string>>;

function has(map: StringMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

function requirementHolds(req: SelectorRequirement, map: StringMap): boolean {
  switch (req.operator) {
    case 'In':
      return has(map, req.key) && req.values.includes(map[req.key] as string);
    case 'NotIn':
      return !has(map, req.key) || !req.values.includes(map[req.key] as string);
    case 'Exists':
      return has(map, req.key);
    case 'DoesNotExist':
      return !has(map, req.key);
    default: {
      const never: never = req.operator;
      throw new Error(`unknown selector operator ${String(never)}`);
    }
  }
}

export function selectorMatches(selector: LabelSelector, map: StringMap): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!has(map, key) || map[key] !== value) return false;
  }
  return selector.matchExpressions.every((req) => requirementHolds(req, map));
}
