import type { StoredObject } from '../storage/etcd3-store';

export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** One served resource: where it is served, what create and update default and validate, and how a Table shows it. */
export interface ResourceDefinition {
  /** API group ('' for the legacy core group served under /api). */
  group: string;
  version: string;
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served besides the resource itself (discovery lists them as `<resource>/<sub>`). */
  subresources: readonly string[];
  /** Go type name of the internal object (storage spans' `type`). */
  typeName: string;
  /** Fills server-set fields and defaults (the registry strategy's PrepareForCreate + defaulting). */
  prepareForCreate(obj: StoredObject, namespace: string, now: Date, uid: string): StoredObject;
  /** Field errors of a new or updated object, as `field` + message (the strategy's Validate / ValidateUpdate). */
  validate(obj: StoredObject): Array<{ field: string; message: string }>;
  /**
   * The strategy's PrepareForUpdate for a write to the resource itself: with a `status` subresource the
   * status is kept from the stored object (a PUT or PATCH of the object cannot change it).
   */
  prepareForUpdate(next: StoredObject, old: StoredObject): StoredObject;
  /** The status strategy's PrepareForUpdate: only `.status` comes from the request, the rest is kept. */
  prepareForStatusUpdate(next: StoredObject, old: StoredObject): StoredObject;
  /**
   * The strategy's CheckGracefulDelete: the grace period a delete gets, from the requested one (undefined when
   * the request names none). Absent: every delete is immediate.
   */
  deletionGracePeriodSeconds?(obj: StoredObject, requested: number | undefined): number;
  /** The fields a fieldSelector may name, and their values for an object (the strategy's GetAttrs). */
  selectableFields(obj: StoredObject): Record<string, string>;
  /** printers.go columns and cells (k8s.io/kubernetes pkg/printers/internalversion). */
  columns: TableColumn[];
  cells(obj: StoredObject, now: Date): Array<string | number>;
}

/** duration.HumanDuration (k8s.io/apimachinery pkg/util/duration), the Age column. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** The group/version string of a definition (`v1` for core, `<group>/<version>` otherwise). */
export function groupVersionOf(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}

/** generic.ObjectMetaFieldsSet (k8s.io/apiserver pkg/registry/generic/matcher.go): metadata.name [+ namespace]. */
export function objectMetaFields(obj: StoredObject, namespaced: boolean): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': String(obj.metadata.name ?? '') };
  if (namespaced) fields['metadata.namespace'] = String(obj.metadata.namespace ?? '');
  return fields;
}

/** PrepareForUpdate of a resource with a status subresource: the stored status wins. */
export function keepStatus(next: StoredObject, old: StoredObject): StoredObject {
  return { ...next, status: old.status };
}

/** A status strategy's PrepareForUpdate: everything but `.status` is the stored object's. */
export function takeStatusOnly(next: StoredObject, old: StoredObject): StoredObject {
  return { ...old, metadata: { ...old.metadata, resourceVersion: next.metadata.resourceVersion }, status: next.status };
}

export function age(obj: StoredObject, now: Date): string {
  const created = obj.metadata.creationTimestamp;
  if (typeof created !== 'string') return '<unknown>';
  return humanDuration(now.getTime() - Date.parse(created));
}

/** RFC 3339 in whole seconds, as metav1.Time serializes. */
export function metaTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** apimachinery validation IsDNS1123Subdomain / IsDNS1123Label messages. */
export function dnsNameProblems(name: string, label: boolean): string | undefined {
  const max = label ? 63 : 253;
  const re = label ? /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/ : /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  if (name.length > max) return `must be no more than ${max} characters`;
  if (!re.test(name)) {
    return label
      ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
      : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return undefined;
}
