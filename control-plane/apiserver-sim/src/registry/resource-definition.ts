import type { StoredObject } from '../storage/etcd3-store';

export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** One served resource of the core group: what create defaults and validates, and how a Table shows it. */
export interface ResourceDefinition {
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Go type name of the internal object (storage spans' `type`). */
  typeName: string;
  /** Fills server-set fields and defaults (the registry strategy's PrepareForCreate + defaulting). */
  prepareForCreate(obj: StoredObject, namespace: string, now: Date, uid: string): StoredObject;
  /** Field errors of a new object, as `field` + message (the strategy's Validate). */
  validate(obj: StoredObject): Array<{ field: string; message: string }>;
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
