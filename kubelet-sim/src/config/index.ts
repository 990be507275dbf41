/**
 * kubelet-sim configuration: load, default and validate a KubeletConfiguration file
 * with the real kubelet's field names, defaults and messages.
 */

export * from './kubelet-configuration';
export * from './defaults';
export * from './validation';
export * from './load-kubelet-config';
export {
  parseGoDuration,
  parseGoDurationMs,
  formatGoDuration,
  nanosToMs,
  msToNanos,
  GoDurationError,
  NANOSECOND,
  MICROSECOND,
  MILLISECOND,
  SECOND,
  MINUTE,
  HOUR,
} from './go-duration';
export { goUrlParse, GoUrlError, type GoUrl } from './go-url';
export {
  evaluateFeatureGates,
  featureSpecAt,
  knownFeatureGates,
  type FeatureGateEvaluation,
  type FeatureSpec,
  type PreRelease,
} from './feature-gates';
export {
  DEFAULT_KUBELET_VERSION,
  parseKubeletVersion,
  formatKubeletVersion,
  type KubeletVersion,
} from './kubelet-version';
