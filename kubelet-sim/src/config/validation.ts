/**
 * Validation of a resolved KubeletConfiguration, reporting the kubelet's own texts.
 *
 * Sources (rules, order and message texts):
 *  - kubernetes/kubernetes `pkg/kubelet/apis/config/validation/validation.go`
 *    (`ValidateKubeletConfiguration`): the checks below are those that concern the
 *    modelled fields, in upstream order; most are plain `fmt.Errorf` texts starting
 *    with "invalid configuration: ".
 *  - `staging/src/k8s.io/component-base/tracing/api/v1/config.go`
 *    (`ValidateTracingConfiguration`, `validateSamplingRate`, `validateEndpoint`):
 *    `field.Invalid` errors rendered as `tracing.<field>: Invalid value: <v>: <detail>`.
 *  - `staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go`
 *    (`Error.Error`, `ErrorBody`, `ErrorType.String`) for the field.Error rendering.
 *  - `staging/src/k8s.io/component-base/featuregate/feature_gate.go` for gate errors.
 *  - `staging/src/k8s.io/component-base/logs/api/v1/options.go` (`Validate`) for `logging`.
 *  - KubeletTracing gate rule: before 1.34 tracing is validated only when the gate is
 *    on, and a `tracing` block with the gate off is an error; kubernetes/kubernetes
 *    PR #132341 (GA in 1.34) removed the gate checks, so from 1.34 the block is always
 *    validated (and the gate is locked to true).
 *
 * Not reproduced: checks on fields this module does not model. The kubelet has no
 * validation for syncFrequency, fileCheckFrequency, httpCheckFrequency,
 * runtimeRequestTimeout or nodeStatusUpdateFrequency (negative values are accepted).
 */

import { undialableGrpcTargetReason } from '../../../cri-proto/src/tracing/otlp-grpc-exporter';
import { CpuSetParseError, parseCpuSet } from '../cm/cpuset';
import { evaluateFeatureGates } from './feature-gates';
import { goAggregateMessage, goFormatNumber, goPathClean, goQuote } from './go-compat';
import { formatGoDuration, parseGoDuration, SECOND } from './go-duration';
import { GoUrlError, goUrlParse } from './go-url';
import { parseQuantity, QuantityError } from './quantity';
import type { ResolvedKubeletConfig, TracingConfiguration } from './kubelet-configuration';
import { atLeast, parseKubeletVersion } from './kubelet-version';

/** apimachinery `field.ErrorType`, by its Go constructor name. */
export type FieldErrorType =
  | 'NotFound'
  | 'Required'
  | 'Duplicate'
  | 'Invalid'
  | 'NotSupported'
  | 'Forbidden'
  | 'TooLong'
  | 'TooMany'
  | 'Internal'
  | 'TypeInvalid';

/**
 * One configuration problem.
 * `field`/`type`/`value`/`detail` follow apimachinery's `field.Error`. When the kubelet
 * reports the problem with a free-form text instead (fmt.Errorf, feature gates, decode
 * errors), that exact text is in `text` and is what {@link renderFieldError} prints.
 */
export interface FieldError {
  /** JSON path, e.g. "tracing.samplingRatePerMillion", "imageGCHighThresholdPercent". */
  field: string;
  type: FieldErrorType;
  /** The offending value (numbers render like Go ints, strings like Go %q). */
  value: unknown;
  detail: string;
  /** The kubelet's exact message when it is not a field.Error. */
  text?: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  NotFound: 'Not found',
  Required: 'Required value',
  Duplicate: 'Duplicate value',
  Invalid: 'Invalid value',
  NotSupported: 'Unsupported value',
  Forbidden: 'Forbidden',
  TooLong: 'Too long',
  TooMany: 'Too many',
  Internal: 'Internal error',
  TypeInvalid: 'Invalid value',
};

function renderValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return goFormatNumber(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return goQuote(v);
  return JSON.stringify(v);
}

/** apimachinery `(*field.Error).Error()`; or the exact kubelet text when `text` is set. */
export function renderFieldError(e: FieldError): string {
  if (e.text !== undefined) return e.text;
  let body: string;
  switch (e.type) {
    case 'Required':
    case 'Forbidden':
    case 'TooLong':
    case 'Internal':
      body = TYPE_TEXT[e.type];
      break;
    default:
      body = `${TYPE_TEXT[e.type]}: ${renderValue(e.value)}`;
  }
  if (e.detail !== '') body += `: ${e.detail}`;
  return `${e.field}: ${body}`;
}

/** The kubelet's aggregate text for several errors (`utilerrors.NewAggregate(...).Error()`). */
export function renderFieldErrors(errors: readonly FieldError[]): string {
  return goAggregateMessage(errors.map(renderFieldError));
}

const INVALID = 'invalid configuration: ';

/** A kubelet `fmt.Errorf("invalid configuration: ...")` problem as a FieldError. */
function configError(field: string, value: unknown, message: string, type: FieldErrorType = 'Invalid'): FieldError {
  return { field, type, value, detail: message, text: INVALID + message };
}

/** pkg/kubelet/apis/config types.go: topology manager policies and scopes, hairpin modes, in upstream order. */
const TOPOLOGY_MANAGER_POLICIES = ['none', 'best-effort', 'restricted', 'single-numa-node'] as const;
const TOPOLOGY_MANAGER_SCOPES = ['container', 'pod'] as const;
const HAIRPIN_MODES = ['none', 'hairpin-veth', 'promiscuous-bridge'] as const;

// --- component-base tracing/api/v1/config.go ---
const MAX_SAMPLING_RATE_PER_MILLION = 1_000_000;
const GRPC_SCHEMES = new Set(['dns', 'unix', 'unix-abstract']);

/**
 * Port of component-base `ValidateTracingConfiguration` (nil/undefined ⇒ no errors).
 * `fldPath` is the JSON path of the block ("tracing" in KubeletConfiguration).
 */
export function validateTracingConfiguration(
  tracing: TracingConfiguration | null | undefined,
  fldPath = 'tracing',
): FieldError[] {
  const errs: FieldError[] = [];
  if (tracing === null || tracing === undefined) return errs;
  if (tracing.samplingRatePerMillion !== undefined) {
    const rate = tracing.samplingRatePerMillion;
    const field = `${fldPath}.samplingRatePerMillion`;
    if (rate < 0) errs.push({ field, type: 'Invalid', value: rate, detail: 'sampling rate must be positive' });
    if (rate > MAX_SAMPLING_RATE_PER_MILLION) {
      errs.push({
        field,
        type: 'Invalid',
        value: rate,
        detail: 'sampling rate per million must be less than or equal to one million',
      });
    }
  }
  if (tracing.endpoint !== undefined) errs.push(...validateEndpoint(tracing.endpoint, `${fldPath}.endpoint`));
  return errs;
}

function validateEndpoint(endpoint: string, field: string): FieldError[] {
  // Without "//" the endpoint is treated as a gRPC dns target; the reported value is the prefixed one.
  const target = endpoint.includes('//') ? endpoint : 'dns://' + endpoint;
  let scheme: string;
  try {
    scheme = goUrlParse(target).scheme;
  } catch (e) {
    if (e instanceof GoUrlError) return [{ field, type: 'Invalid', value: target, detail: e.message }];
    throw e;
  }
  if (GRPC_SCHEMES.has(scheme)) return [];
  return [
    {
      field,
      type: 'Invalid',
      value: target,
      detail:
        `unsupported scheme: ${scheme}.  Options are none, dns, unix, or unix-abstract.  ` +
        'See https://github.com/grpc/grpc/blob/master/doc/naming.md',
    },
  ];
}

/**
 * kubelet-sim's own check, after component-base's: an endpoint that passes `validateEndpoint` but that no gRPC
 * client can dial. The Go kubelet accepts `""` or `127.0.0.1:99999` and only fails each export later (its
 * exporter logs and drops); the Node exporter cannot even be built for them (`TypeError: Invalid URL`), so
 * the simulator refuses them at start, in the kubelet's `field.Invalid` form, with the fix.
 */
export function validateDialableTracingEndpoint(tracing: TracingConfiguration | null | undefined, fldPath = 'tracing'): FieldError[] {
  if (tracing?.endpoint === undefined) return [];
  const detail = undialableGrpcTargetReason(tracing.endpoint);
  return detail === undefined ? [] : [{ field: `${fldPath}.endpoint`, type: 'Invalid', value: tracing.endpoint, detail }];
}

// --- pkg/kubelet/apis/config/validation/validation.go ---

const isValidPortNum = (p: number): boolean => p >= 1 && p <= 65535;
const inRange = (v: number, lo: number, hi: number): boolean => v >= lo && v <= hi;

/** Keys accepted in enforceNodeAllocatable (pkg/kubelet/types constants). */
const NODE_ALLOCATABLE_KEYS = [
  'pods',
  'system-reserved',
  'system-reserved-compressible',
  'kube-reserved',
  'kube-reserved-compressible',
  'none',
] as const;

export interface ValidationOptions {
  /** Emulated kubelet release; defaults to `config.kubeletVersion`. */
  kubeletVersion?: string;
}

function durationNanos(text: string): bigint {
  return parseGoDuration(text);
}

/**
 * The kubelet's `ValidateKubeletConfiguration`, restricted to the modelled fields.
 * Returns the problems in upstream order; an empty array means valid.
 * Feature-gate problems (unknown or locked gate) are returned alone, as upstream
 * returns that error before running any other check.
 */
export function validateKubeletConfiguration(cfg: ResolvedKubeletConfig, opts: ValidationOptions = {}): FieldError[] {
  const version = parseKubeletVersion(opts.kubeletVersion ?? cfg.kubeletVersion);
  const gates = evaluateFeatureGates(cfg.featureGates, version);
  if (gates.errors.length > 0) return featureGateFieldErrors(gates.errors, cfg.featureGates);

  const errs: FieldError[] = [];
  const d = (text: string): string => formatGoDuration(durationNanos(text));
  const negative = (field: keyof ResolvedKubeletConfig, flag: string): void => {
    const value = cfg[field] as number;
    if (value < 0) errs.push(configError(field, value, `${field} (--${flag}) ${goFormatNumber(value)} must not be a negative number`));
  };
  const bit = (field: 'iptablesDropBit' | 'iptablesMasqueradeBit', flag: string): void => {
    if (!inRange(cfg[field], 0, 31)) errs.push(configError(field, cfg[field], `${field} (--${flag}) ${cfg[field]} must be between 0 and 31, inclusive`));
  };

  if (cfg.nodeLeaseDurationSeconds <= 0) {
    errs.push(configError('nodeLeaseDurationSeconds', cfg.nodeLeaseDurationSeconds, 'nodeLeaseDurationSeconds must be greater than 0'));
  }
  negative('eventBurst', 'event-burst');
  negative('eventRecordQPS', 'event-qps');
  if (cfg.healthzPort !== 0 && !isValidPortNum(cfg.healthzPort)) {
    errs.push(configError('healthzPort', cfg.healthzPort,
      `healthzPort (--healthz-port) ${cfg.healthzPort} must be between 1 and 65535, inclusive`));
  }
  if (!inRange(cfg.imageGCHighThresholdPercent, 0, 100)) {
    errs.push(configError('imageGCHighThresholdPercent', cfg.imageGCHighThresholdPercent,
      `imageGCHighThresholdPercent (--image-gc-high-threshold) ${cfg.imageGCHighThresholdPercent} must be between 0 and 100, inclusive`));
  }
  if (!inRange(cfg.imageGCLowThresholdPercent, 0, 100)) {
    errs.push(configError('imageGCLowThresholdPercent', cfg.imageGCLowThresholdPercent,
      `imageGCLowThresholdPercent (--image-gc-low-threshold) ${cfg.imageGCLowThresholdPercent} must be between 0 and 100, inclusive`));
  }
  if (cfg.imageGCLowThresholdPercent >= cfg.imageGCHighThresholdPercent) {
    errs.push(configError('imageGCLowThresholdPercent', cfg.imageGCLowThresholdPercent,
      `imageGCLowThresholdPercent (--image-gc-low-threshold) ${cfg.imageGCLowThresholdPercent} must be less than ` +
        `imageGCHighThresholdPercent (--image-gc-high-threshold) ${cfg.imageGCHighThresholdPercent}`));
  }
  const minAge = durationNanos(cfg.imageMinimumGCAge);
  const maxAge = durationNanos(cfg.imageMaximumGCAge);
  if (maxAge !== 0n && !gates.enabled('ImageMaximumGCAge')) {
    errs.push(configError('imageMaximumGCAge', cfg.imageMaximumGCAge,
      'ImageMaximumGCAge feature gate is required for Kubelet configuration option imageMaximumGCAge', 'Forbidden'));
  }
  if (minAge < 0n) {
    errs.push(configError('imageMinimumGCAge', cfg.imageMinimumGCAge,
      `imageMinimumGCAge ${formatGoDuration(minAge)} must not be negative`));
  }
  if (maxAge < 0n) {
    errs.push(configError('imageMaximumGCAge', cfg.imageMaximumGCAge,
      `imageMaximumGCAge ${formatGoDuration(maxAge)} must not be negative`));
  }
  if (maxAge > 0n && maxAge <= minAge) {
    errs.push(configError('imageMaximumGCAge', cfg.imageMaximumGCAge,
      `imageMaximumGCAge ${formatGoDuration(maxAge)} must be greater than imageMinimumGCAge ${formatGoDuration(minAge)}`));
  }
  bit('iptablesDropBit', 'iptables-drop-bit');
  bit('iptablesMasqueradeBit', 'iptables-masquerade-bit');
  negative('kubeAPIBurst', 'kube-api-burst');
  negative('kubeAPIQPS', 'kube-api-qps');
  if (cfg.nodeStatusMaxImages < -1) {
    errs.push(configError('nodeStatusMaxImages', cfg.nodeStatusMaxImages,
      `nodeStatusMaxImages (--node-status-max-images) ${cfg.nodeStatusMaxImages} must be -1 or greater`));
  }
  negative('maxOpenFiles', 'max-open-files');
  if (cfg.maxPods < 0) {
    errs.push(configError('maxPods', cfg.maxPods, `maxPods (--max-pods) ${cfg.maxPods} must not be a negative number`));
  }
  if (!inRange(cfg.oomScoreAdj, -1000, 1000)) {
    errs.push(configError('oomScoreAdj', cfg.oomScoreAdj, `oomScoreAdj (--oom-score-adj) ${cfg.oomScoreAdj} must be between -1000 and 1000, inclusive`));
  }
  negative('podsPerCore', 'pods-per-core');
  if (!isValidPortNum(cfg.port)) {
    errs.push(configError('port', cfg.port, `port (--port) ${cfg.port} must be between 1 and 65535, inclusive`));
  }
  if (cfg.readOnlyPort !== 0 && !isValidPortNum(cfg.readOnlyPort)) {
    errs.push(configError('readOnlyPort', cfg.readOnlyPort,
      `readOnlyPort (--read-only-port) ${cfg.readOnlyPort} must be between 0 and 65535, inclusive`));
  }
  if (cfg.registryBurst < 0) {
    errs.push(configError('registryBurst', cfg.registryBurst,
      `registryBurst (--registry-burst) ${cfg.registryBurst} must not be a negative number`));
  }
  if (cfg.registryPullQPS < 0) {
    errs.push(configError('registryPullQPS', cfg.registryPullQPS,
      `registryPullQPS (--registry-qps) ${cfg.registryPullQPS} must not be a negative number`));
  }
  if (cfg.maxParallelImagePulls !== null && cfg.maxParallelImagePulls < 1) {
    errs.push(configError('maxParallelImagePulls', cfg.maxParallelImagePulls,
      `maxParallelImagePulls ${cfg.maxParallelImagePulls} must be a positive number`));
  }
  if (cfg.serializeImagePulls && cfg.maxParallelImagePulls !== null && cfg.maxParallelImagePulls > 1) {
    errs.push(configError('maxParallelImagePulls', cfg.maxParallelImagePulls,
      'maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false'));
  }
  if (cfg.serverTLSBootstrap && !gates.enabled('RotateKubeletServerCertificate')) {
    errs.push(configError('serverTLSBootstrap', true, 'serverTLSBootstrap true requires feature gate RotateKubeletServerCertificate', 'Forbidden'));
  }

  if (!(TOPOLOGY_MANAGER_POLICIES as readonly string[]).includes(cfg.topologyManagerPolicy)) {
    errs.push(configError('topologyManagerPolicy', cfg.topologyManagerPolicy,
      `topologyManagerPolicy (--topology-manager-policy) ${goQuote(cfg.topologyManagerPolicy)} must be one of: [${TOPOLOGY_MANAGER_POLICIES.map(goQuote).join(' ')}]`, 'NotSupported'));
  }
  if (!(TOPOLOGY_MANAGER_SCOPES as readonly string[]).includes(cfg.topologyManagerScope)) {
    errs.push(configError('topologyManagerScope', cfg.topologyManagerScope,
      `topologyManagerScope (--topology-manager-scope) ${goQuote(cfg.topologyManagerScope)} must be one of: ${TOPOLOGY_MANAGER_SCOPES.map(goQuote).join(', or ')}`, 'NotSupported'));
  }

  const grace = durationNanos(cfg.shutdownGracePeriod);
  const graceCritical = durationNanos(cfg.shutdownGracePeriodCriticalPods);
  if (gates.enabled('GracefulNodeShutdown')) {
    if (graceCritical > grace) {
      errs.push(configError('shutdownGracePeriodCriticalPods', cfg.shutdownGracePeriodCriticalPods,
        `shutdownGracePeriodCriticalPods ${d(cfg.shutdownGracePeriodCriticalPods)} must be <= shutdownGracePeriod ${d(cfg.shutdownGracePeriod)}`));
    }
    if (grace < 0n || (grace > 0n && grace < SECOND)) {
      errs.push(configError('shutdownGracePeriod', cfg.shutdownGracePeriod,
        `shutdownGracePeriod ${d(cfg.shutdownGracePeriod)} must be either zero or otherwise >= 1 sec`));
    }
    if (graceCritical < 0n || (graceCritical > 0n && graceCritical < SECOND)) {
      errs.push(configError('shutdownGracePeriodCriticalPods', cfg.shutdownGracePeriodCriticalPods,
        `shutdownGracePeriodCriticalPods ${d(cfg.shutdownGracePeriodCriticalPods)} must be either zero or otherwise >= 1 sec`));
    }
  }
  if ((grace > 0n || graceCritical > 0n) && !gates.enabled('GracefulNodeShutdown')) {
    errs.push(configError('shutdownGracePeriod', cfg.shutdownGracePeriod,
      'specifying shutdownGracePeriod or shutdownGracePeriodCriticalPods requires feature gate GracefulNodeShutdown', 'Forbidden'));
  }

  errs.push(...validateEnforceNodeAllocatable(cfg));
  if (!(HAIRPIN_MODES as readonly string[]).includes(cfg.hairpinMode)) {
    errs.push(configError('hairpinMode', cfg.hairpinMode,
      `option ${goQuote(cfg.hairpinMode)} specified for hairpinMode (--hairpin-mode). Valid options are ${HAIRPIN_MODES.map(goQuote).join(', ').replace(/, ([^,]*)$/, ' or $1')}`, 'NotSupported'));
  }

  // validation.go: reservedSystemCPUs may not go with the reserved cgroups, and must be a cpuset
  // (k8s.io/utils/cpuset Parse).
  if (cfg.reservedSystemCPUs !== '' && (cfg.systemReservedCgroup !== '' || cfg.kubeReservedCgroup !== '')) {
    errs.push(configError('reservedSystemCPUs', cfg.reservedSystemCPUs,
      "can't use reservedSystemCPUs (--reserved-cpus) with systemReservedCgroup (--system-reserved-cgroup) or kubeReservedCgroup (--kube-reserved-cgroup)"));
  }
  if (cfg.reservedSystemCPUs !== '') {
    try {
      parseCpuSet(cfg.reservedSystemCPUs);
    } catch (err) {
      if (!(err instanceof CpuSetParseError)) throw err;
      errs.push(configError('reservedSystemCPUs', cfg.reservedSystemCPUs,
        `unable to parse reservedSystemCPUs (--reserved-cpus) ${cfg.reservedSystemCPUs}, error: ${err.message}`));
    }
  }

  errs.push(...validateReservedMemoryConfiguration(cfg));
  errs.push(...validateLogging(cfg.logging, 'logging', (gate) => gates.enabled(gate)));

  // Tracing: gate-conditional before 1.34, unconditional from 1.34 (gate GA and locked).
  const tracing = rawTracing(cfg);
  if (atLeast(version, 1, 34) || gates.enabled('KubeletTracing')) {
    const tracingErrs = validateTracingConfiguration(tracing, 'tracing');
    errs.push(...tracingErrs);
    if (!tracingErrs.some((e) => e.field === 'tracing.endpoint')) errs.push(...validateDialableTracingEndpoint(tracing, 'tracing'));
  } else if (tracing !== null) {
    errs.push(configError('tracing', null,
      'tracing should not be configured if KubeletTracing feature flag is disabled.', 'Forbidden'));
  }

  if (cfg.memoryThrottlingFactor <= 0 || cfg.memoryThrottlingFactor > 1.0) {
    errs.push(configError('memoryThrottlingFactor', cfg.memoryThrottlingFactor,
      `memoryThrottlingFactor ${goFormatNumber(cfg.memoryThrottlingFactor)} must be greater than 0 and less than or equal to 1.0`));
  }
  if (cfg.containerRuntimeEndpoint === '') {
    errs.push(configError('containerRuntimeEndpoint', '',
      'the containerRuntimeEndpoint was not specified or empty', 'Required'));
  }
  if (cfg.containerLogMaxFiles <= 1) {
    errs.push(configError('containerLogMaxFiles', cfg.containerLogMaxFiles, 'containerLogMaxFiles must be greater than 1'));
  }
  if (cfg.containerLogMaxWorkers < 1) {
    errs.push(configError('containerLogMaxWorkers', cfg.containerLogMaxWorkers, 'containerLogMaxWorkers must be greater than or equal to 1'));
  }
  if (cfg.containerLogMonitorIntervalMs < 3_000) {
    errs.push(configError('containerLogMonitorInterval', cfg.containerLogMonitorInterval,
      'containerLogMonitorInterval must be a positive time duration greater than or equal to 3s'));
  }
  if (cfg.podLogsDir === '') {
    errs.push(configError('podLogsDir', '', 'podLogsDir was not specified', 'Required'));
  }
  if (!cfg.podLogsDir.startsWith('/')) {
    errs.push(configError('podLogsDir', cfg.podLogsDir, `pod logs path ${goQuote(cfg.podLogsDir)} must be absolute path`));
  }
  if (goPathClean(cfg.podLogsDir) !== cfg.podLogsDir) {
    errs.push(configError('podLogsDir', cfg.podLogsDir, `pod logs path ${goQuote(cfg.podLogsDir)} must be normalized`));
  }
  for (const ch of cfg.podLogsDir) {
    if ((ch.codePointAt(0) as number) > 0x7f) {
      // Upstream text, including its "mut" typo.
      errs.push(configError('podLogsDir', cfg.podLogsDir,
        `pod logs path ${goQuote(cfg.podLogsDir)} mut contains ASCII characters only`));
      break;
    }
  }
  return errs;
}

/** Log formats the kubelet registers: klog text, and json (cmd/kubelet imports component-base/logs/json/register). */
export const LOG_FORMATS = ['text', 'json'] as const;
/** The gate each non-text format is registered under (component-base logs/json/register: LoggingBetaOptions). */
const LOG_FORMAT_GATES: Readonly<Record<string, string>> = { json: 'LoggingBetaOptions' };
const MAX_INT32 = 2 ** 31 - 1;

/**
 * component-base logs/api/v1 Validate, for the fields a KubeletConfiguration sets: an unregistered `format`,
 * a `verbosity` above MaxInt32 (klog takes int32), `vmodule` with a format other than text, and vmodule
 * entries with an empty or `=`/`,`-holding file pattern. Rendered as field errors, without the
 * "invalid configuration: " prefix (validation.go appends them as they are).
 */
function validateLogging(logging: unknown, path: string, enabled: (gate: string) => boolean): FieldError[] {
  if (logging === null || typeof logging !== 'object' || Array.isArray(logging)) return [];
  const l = logging as { format?: unknown; verbosity?: unknown; vmodule?: unknown };
  const errs: FieldError[] = [];
  const format = typeof l.format === 'string' && l.format !== '' ? l.format : 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    errs.push({ field: `${path}.format`, type: 'Invalid', value: format, detail: 'Unsupported log format' });
  } else if (format !== 'text' && !enabled(LOG_FORMAT_GATES[format])) {
    errs.push({ field: `${path}.format`, type: 'Forbidden', value: undefined, detail: `Log format ${format} is disabled, see ${LOG_FORMAT_GATES[format]} feature` });
  }
  if (typeof l.verbosity === 'number' && l.verbosity > MAX_INT32) {
    errs.push({ field: `${path}.verbosity`, type: 'Invalid', value: l.verbosity, detail: `Must be <= ${MAX_INT32}` });
  }
  const vmodule = Array.isArray(l.vmodule) ? (l.vmodule as Array<{ filePattern?: unknown; verbosity?: unknown }>) : [];
  if (vmodule.length > 0 && format !== 'text') {
    errs.push({ field: `${path}.vmodule`, type: 'Forbidden', value: undefined, detail: 'Only supported for text log format' });
  }
  vmodule.forEach((item, i) => {
    const pattern = typeof item?.filePattern === 'string' ? item.filePattern : '';
    if (pattern === '') errs.push({ field: `${path}.vmodule[${i}]`, type: 'Required', value: undefined, detail: 'File pattern must not be empty' });
    if (/[=,]/.test(pattern)) errs.push({ field: `${path}.vmodule[${i}]`, type: 'Invalid', value: pattern, detail: 'File pattern must not contain equal sign or comma' });
    if (typeof item?.verbosity === 'number' && item.verbosity > MAX_INT32) {
      errs.push({ field: `${path}.vmodule[${i}]`, type: 'Invalid', value: item.verbosity, detail: `Must be <= ${MAX_INT32}` });
    }
  });
  return errs;
}

/**
 * validation_reserved_memory.go validateReservedMemoryConfiguration: each limit names memory or a hugepages-<size>
 * resource, is not zero, and is given once per NUMA node. Limits of one entry are walked in key order (the
 * kubelet walks the Go map in random order). A limit that is not a quantity the kubelet refuses while decoding
 * the file, with the quantity's parse error: kubelet-sim reports that text here.
 */
function validateReservedMemoryConfiguration(cfg: ResolvedKubeletConfig): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<number, Set<string>>();
  for (const { numaNode, limits } of cfg.reservedMemory) {
    if (!seen.has(numaNode)) seen.set(numaNode, new Set());
    const names = seen.get(numaNode)!;
    for (const name of Object.keys(limits).sort()) {
      if (name !== 'memory' && !name.startsWith('hugepages-')) {
        errs.push(configError('reservedMemory', limits[name],
          `the limit type ${goQuote(name)} for NUMA node ${numaNode} is not supported, only [memory hugepages-<HugePageSize>] is accepted`));
      }
      let quantity: number;
      try {
        quantity = parseQuantity(limits[name]);
      } catch (err) {
        if (!(err instanceof QuantityError)) throw err;
        errs.push({ field: 'reservedMemory', type: 'Invalid', value: limits[name], detail: err.message, text: err.message });
        continue;
      }
      if (quantity === 0) {
        errs.push(configError('reservedMemory', limits[name], `reserved memory may not be zero for NUMA node ${numaNode} and resource ${goQuote(name)}`));
      }
      if (names.has(name)) {
        errs.push(configError('reservedMemory', limits[name], `the reserved memory has a duplicate value for NUMA node ${numaNode} and resource ${goQuote(name)}`));
      }
      names.add(name);
    }
  }
  return errs;
}

/** The tracing block as written in the file (undefined fields = unset pointers). */
function rawTracing(cfg: ResolvedKubeletConfig): TracingConfiguration | null {
  if (!cfg.tracing) return null;
  const t: TracingConfiguration = {};
  if (cfg.tracing.endpointConfigured) t.endpoint = cfg.tracing.endpoint;
  if (cfg.tracing.samplingRateConfigured) t.samplingRatePerMillion = cfg.tracing.samplingRatePerMillion;
  return t;
}

/**
 * The enforceNodeAllocatable loop of validation.go, limited to what the modelled fields
 * decide: duplicates, unknown options, "none" exclusivity and the cgroupsPerQOS rule.
 * (Not checked: that system-reserved / kube-reserved enforcement names its cgroup; the wording with the
 * compressible keys at 1.34 is not read yet.)
 */
function validateEnforceNodeAllocatable(cfg: ResolvedKubeletConfig): FieldError[] {
  const errs: FieldError[] = [];
  const listed = new Set(cfg.enforceNodeAllocatable);
  for (const [plain, compressible] of [
    ['system-reserved', 'system-reserved-compressible'],
    ['kube-reserved', 'kube-reserved-compressible'],
  ] as const) {
    if (listed.has(plain) && listed.has(compressible)) {
      errs.push(configError('enforceNodeAllocatable', compressible,
        `both ${goQuote(plain)} and ${goQuote(compressible)} cannot be specified together in enforceNodeAllocatable (--enforce-node-allocatable)`));
    }
  }
  const seen = new Set<string>();
  for (const val of cfg.enforceNodeAllocatable) {
    if (seen.has(val)) {
      errs.push(configError('enforceNodeAllocatable', val,
        `duplicated enforcements ${goQuote(val)} in enforceNodeAllocatable (--enforce-node-allocatable)`));
      continue;
    }
    seen.add(val);
    if (val === 'none') {
      if (cfg.enforceNodeAllocatable.length > 1) {
        errs.push(configError('enforceNodeAllocatable', val,
          `enforceNodeAllocatable (--enforce-node-allocatable) may not contain additional enforcements when ${goQuote('none')} is specified`));
      }
      continue;
    }
    if (!(NODE_ALLOCATABLE_KEYS as readonly string[]).includes(val)) {
      errs.push(configError('enforceNodeAllocatable', val,
        `option ${goQuote(val)} specified for enforceNodeAllocatable (--enforce-node-allocatable). Valid options are ` +
          `${NODE_ALLOCATABLE_KEYS.map(goQuote).slice(0, 5).join(', ')} or ${goQuote('none')}`, 'NotSupported'));
      continue;
    }
    if (!cfg.cgroupsPerQOS) {
      errs.push(configError('cgroupsPerQOS', false,
        `cgroupsPerQOS (--cgroups-per-qos) must be set to true when ${goQuote(val)} contained in enforceNodeAllocatable (--enforce-node-allocatable)`));
    }
  }
  return errs;
}

/** Feature-gate error texts (component-base) as FieldErrors on `featureGates.<name>`. */
export function featureGateFieldErrors(texts: readonly string[], gates: Readonly<Record<string, boolean>>): FieldError[] {
  return texts.map((text) => {
    const m = /^(?:unrecognized feature gate: (.+)|cannot set feature gate (\S+) to )/.exec(text);
    const name = m ? (m[1] ?? m[2]) : '';
    return {
      field: `featureGates.${name}`,
      type: m && m[1] !== undefined ? 'NotSupported' : 'Forbidden',
      value: gates[name],
      detail: text,
      text,
    } satisfies FieldError;
  });
}
