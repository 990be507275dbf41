/**
 * Field errors of a Pod manifest in the apimachinery `field.Error` form, and the name rules of
 * k8s.io/apimachinery/pkg/util/validation they use. Shared by the manifest decoder (pod-manifest.ts) and the
 * spec rules (pod-spec-validation.ts).
 */

export interface ManifestError {
  /** `spec.containers[0].image`; empty when the whole file is at fault (it is not YAML, not a mapping). */
  field: string;
  detail: string;
}

/** Regexes and limits of k8s.io/apimachinery/pkg/util/validation (IsDNS1123Label/Subdomain, IsQualifiedName, IsValidLabelValue). */
export const NAME_RULES = {
  DNS1123_LABEL: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  DNS1123_LABEL_MAX: 63,
  DNS1123_SUBDOMAIN: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  DNS1123_SUBDOMAIN_MAX: 253,
  QUALIFIED_NAME: /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/,
  QUALIFIED_NAME_MAX: 63,
  LABEL_VALUE: /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
  LABEL_VALUE_MAX: 63,
} as const;

/** Message texts of k8s.io/apimachinery/pkg/util/validation, shortened to the rule and an example. */
export const NAME_MESSAGES = {
  DNS1123_LABEL: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')",
  DNS1123_SUBDOMAIN: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')",
  QUALIFIED_NAME: "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')",
  LABEL_VALUE: "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')",
} as const;

export function dnsLabelErrors(field: string, value: string): ManifestError[] {
  if (value.length > NAME_RULES.DNS1123_LABEL_MAX) return [{ field, detail: `Invalid value: ${goValue(value)}: must be no more than ${NAME_RULES.DNS1123_LABEL_MAX} characters` }];
  if (!NAME_RULES.DNS1123_LABEL.test(value)) return [{ field, detail: `Invalid value: ${goValue(value)}: ${NAME_MESSAGES.DNS1123_LABEL}` }];
  return [];
}

export function dnsSubdomainErrors(field: string, value: string): ManifestError[] {
  if (value.length > NAME_RULES.DNS1123_SUBDOMAIN_MAX) return [{ field, detail: `Invalid value: ${goValue(value)}: must be no more than ${NAME_RULES.DNS1123_SUBDOMAIN_MAX} characters` }];
  if (!NAME_RULES.DNS1123_SUBDOMAIN.test(value)) return [{ field, detail: `Invalid value: ${goValue(value)}: ${NAME_MESSAGES.DNS1123_SUBDOMAIN}` }];
  return [];
}

/** A value as Go's %q / %v prints it in field errors: strings quoted, numbers and booleans bare. */
export function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value).slice(0, 80);
  return String(value);
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
