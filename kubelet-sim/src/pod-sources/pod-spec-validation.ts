/**
 * The rules of pkg/apis/core/validation (ValidatePodSpec and the container checks it calls) that a JSON
 * schema cannot state, for the fields a static pod commonly sets: activeDeadlineSeconds, hostname, container
 * ports, resource names and quantities, volume mounts, probes, lifecycle handlers and security contexts.
 * Texts are apimachinery's (validation.IsValidPortNum, IsValidPortName, InclusiveRangeError,
 * ValidateNonnegativeQuantity, field.NotFound/Required/Forbidden). Types are checked before this by the schema:
 * a value of the wrong type is skipped here, never reported twice.
 */
import { parseQuantity } from '../config/quantity';
import { asRecord, dnsLabelErrors, dnsSubdomainErrors, goValue, type ManifestError } from './field-errors';

const MAX_INT32 = 2_147_483_647;
/** validation.go: a port name is an IANA_SVC_NAME of at most 15 characters (IsValidPortName). */
const PORT_NAME_MAX = 15;
/** helper.IsStandardContainerResourceName: what a container may request without a domain prefix. */
const STANDARD_CONTAINER_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** Probe and lifecycle handler kinds (core/v1 ProbeHandler, LifecycleHandler). */
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;
const PROBE_NONNEGATIVE_FIELDS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const;

/** Errors of the spec, container by container (app containers first, as validateContainers runs first). */
export function podSpecErrors(spec: Record<string, unknown>): ManifestError[] {
  const errors: ManifestError[] = [];
  const deadline = spec.activeDeadlineSeconds;
  if (typeof deadline === 'number' && (deadline < 1 || deadline > MAX_INT32)) {
    errors.push({ field: 'spec.activeDeadlineSeconds', detail: `Invalid value: ${deadline}: must be between 1 and ${MAX_INT32}, inclusive` });
  }
  if (typeof spec.hostname === 'string' && spec.hostname !== '') errors.push(...dnsLabelErrors('spec.hostname', spec.hostname));
  if (typeof spec.runtimeClassName === 'string' && spec.runtimeClassName !== '') errors.push(...dnsSubdomainErrors('spec.runtimeClassName', spec.runtimeClassName));
  errors.push(...securityContextErrors('spec.securityContext', asRecord(spec.securityContext)));

  const volumeNames = new Set(
    (Array.isArray(spec.volumes) ? spec.volumes : []).map((v) => asRecord(v)?.name).filter((n): n is string => typeof n === 'string'),
  );
  for (const [path, list] of [['spec.containers', spec.containers], ['spec.initContainers', spec.initContainers]] as const) {
    if (!Array.isArray(list)) continue;
    list.forEach((raw, i) => {
      const container = asRecord(raw);
      if (container !== undefined) errors.push(...containerErrors(`${path}[${i}]`, container, volumeNames, path === 'spec.initContainers'));
    });
  }
  return errors;
}

function containerErrors(at: string, c: Record<string, unknown>, volumeNames: ReadonlySet<string>, isInit: boolean): ManifestError[] {
  const errors: ManifestError[] = [];
  (Array.isArray(c.ports) ? c.ports : []).forEach((raw, i) => errors.push(...portErrors(`${at}.ports[${i}]`, asRecord(raw))));
  errors.push(...resourceErrors(`${at}.resources`, asRecord(c.resources)));
  (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((raw, i) => {
    const name = asRecord(raw)?.name;
    if (typeof name === 'string' && name !== '' && !volumeNames.has(name)) {
      errors.push({ field: `${at}.volumeMounts[${i}].name`, detail: `Not found: ${goValue(name)} (add a volume of that name under spec.volumes)` });
    }
  });
  // validateInitContainers forbids probes on init containers without restartPolicy; the schema allows them.
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const value = asRecord(c[probe]);
    if (value === undefined) continue;
    if (isInit) {
      errors.push({ field: `${at}.${probe}`, detail: 'Forbidden: may not be set for init containers without restartPolicy=Always' });
      continue;
    }
    errors.push(...probeErrors(`${at}.${probe}`, value, probe !== 'readinessProbe'));
  }
  const lifecycle = asRecord(c.lifecycle);
  for (const hook of ['postStart', 'preStop'] as const) {
    const handler = asRecord(lifecycle?.[hook]);
    if (handler !== undefined) errors.push(...handlerErrors(`${at}.lifecycle.${hook}`, handler, LIFECYCLE_HANDLERS));
  }
  errors.push(...securityContextErrors(`${at}.securityContext`, asRecord(c.securityContext)));
  return errors;
}

function portErrors(at: string, port: Record<string, unknown> | undefined): ManifestError[] {
  if (port === undefined) return [];
  const errors: ManifestError[] = [];
  const containerPort = port.containerPort;
  if (containerPort === 0) errors.push({ field: `${at}.containerPort`, detail: 'Required value (the port the container listens on, 1-65535)' });
  else if (typeof containerPort === 'number') errors.push(...portNumberErrors(`${at}.containerPort`, containerPort));
  if (typeof port.hostPort === 'number' && port.hostPort !== 0) errors.push(...portNumberErrors(`${at}.hostPort`, port.hostPort));
  if (typeof port.name === 'string' && port.name !== '') {
    const problem = portNameProblem(port.name);
    if (problem !== undefined) errors.push({ field: `${at}.name`, detail: `Invalid value: ${goValue(port.name)}: ${problem}` });
  }
  return errors;
}

function portNumberErrors(field: string, value: number): ManifestError[] {
  return value >= 1 && value <= 65535 ? [] : [{ field, detail: `Invalid value: ${value}: must be between 1 and 65535, inclusive` }];
}

/** validation.IsValidPortName: the first rule broken, in upstream's order. */
function portNameProblem(name: string): string | undefined {
  if (name.length > PORT_NAME_MAX) return `must be no more than ${PORT_NAME_MAX} characters`;
  if (!/^[-a-z0-9]+$/.test(name)) return 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter (a-z)';
  if (name.includes('--')) return 'must not contain consecutive hyphens';
  if (name.startsWith('-') || name.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
}

/** ValidateResourceRequirements: names, non-negative quantities, and requests within limits. */
function resourceErrors(at: string, resources: Record<string, unknown> | undefined): ManifestError[] {
  if (resources === undefined) return [];
  const errors: ManifestError[] = [];
  const values: Record<'limits' | 'requests', Map<string, number>> = { limits: new Map(), requests: new Map() };
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, raw] of Object.entries(asRecord(resources[kind]) ?? {})) {
      const field = `${at}.${kind}[${name}]`;
      if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name)) {
        errors.push({ field, detail: `Invalid value: ${goValue(name)}: must be a standard resource for containers (cpu, memory, ephemeral-storage) or a domain-prefixed extended resource` });
        continue;
      }
      const quantity = quantityOf(raw);
      if (quantity === undefined) continue; // not a quantity: the schema reports it
      if (quantity < 0) errors.push({ field, detail: `Invalid value: ${goValue(String(raw))}: must be greater than or equal to 0` });
      else values[kind].set(name, quantity);
    }
  }
  for (const [name, request] of values.requests) {
    const limit = values.limits.get(name);
    if (limit !== undefined && request > limit) {
      const limitText = String((asRecord(resources.limits) ?? {})[name]);
      const requestText = String((asRecord(resources.requests) ?? {})[name]);
      errors.push({ field: `${at}.requests[${name}]`, detail: `Invalid value: ${goValue(requestText)}: must be less than or equal to ${name} limit of ${limitText}` });
    }
  }
  return errors;
}

function quantityOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return undefined;
  try {
    return parseQuantity(raw);
  } catch {
    return undefined;
  }
}

/** validateProbe: one handler, non-negative timings, and successThreshold 1 for liveness and startup probes. */
function probeErrors(at: string, probe: Record<string, unknown>, successMustBeOne: boolean): ManifestError[] {
  const errors = handlerErrors(at, probe, PROBE_HANDLERS);
  for (const field of PROBE_NONNEGATIVE_FIELDS) {
    const value = probe[field];
    if (typeof value === 'number' && value < 0) errors.push({ field: `${at}.${field}`, detail: `Invalid value: ${value}: must be greater than or equal to 0` });
  }
  const success = probe.successThreshold;
  // A zero is defaulted to 1 (SetDefaults_Probe) before validation.
  if (successMustBeOne && typeof success === 'number' && success !== 0 && success !== 1) {
    errors.push({ field: `${at}.successThreshold`, detail: `Invalid value: ${success}: must be 1` });
  }
  return errors;
}

/** validateHandler: exactly one handler kind, and a valid port on httpGet / tcpSocket / grpc. */
function handlerErrors(at: string, handler: Record<string, unknown>, kinds: readonly string[]): ManifestError[] {
  const present = kinds.filter((k) => handler[k] !== undefined && handler[k] !== null);
  if (present.length === 0) return [{ field: at, detail: `Required value: must specify a handler type (one of ${kinds.join(', ')})` }];
  const errors: ManifestError[] = present.slice(1).map((k) => ({ field: `${at}.${k}`, detail: 'Forbidden: may not specify more than 1 handler type' }));
  for (const kind of ['httpGet', 'tcpSocket', 'grpc'] as const) {
    const port = asRecord(handler[kind])?.port;
    if (typeof port === 'number') errors.push(...portNumberErrors(`${at}.${kind}.port`, port));
    else if (typeof port === 'string' && kind !== 'grpc') {
      const problem = portNameProblem(port);
      if (problem !== undefined) errors.push({ field: `${at}.${kind}.port`, detail: `Invalid value: ${goValue(port)}: ${problem}` });
    }
  }
  return errors;
}

/** ValidateSecurityContext / pod security context: user and group ids are non-negative int32s. */
function securityContextErrors(at: string, context: Record<string, unknown> | undefined): ManifestError[] {
  if (context === undefined) return [];
  const errors: ManifestError[] = [];
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    const value = context[field];
    if (typeof value === 'number' && (value < 0 || value > MAX_INT32)) {
      errors.push({ field: `${at}.${field}`, detail: `Invalid value: ${value}: must be between 0 and ${MAX_INT32}, inclusive` });
    }
  }
  return errors;
}
