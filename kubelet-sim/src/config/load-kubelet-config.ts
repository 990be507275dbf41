/**
 * Loading a KubeletConfiguration file (`kubelet --config <file>`), with the kubelet's
 * order of operations and error texts.
 *
 * Upstream (kubernetes/kubernetes):
 *  - `cmd/kubelet/app/server.go` `loadConfigFile`: the path is made absolute against the
 *    working directory; failures read `failed to load kubelet config file, path: <flag>,
 *    error: failed to load Kubelet config file <flag>, error <cause>`. After loading, the
 *    config's featureGates are applied (`failed to set feature gates from initial
 *    flags-based config: <err>`), then `ValidateKubeletConfiguration` runs
 *    (`failed to validate kubelet configuration, error: <aggregate>, path: <config>`).
 *  - `pkg/kubelet/kubeletconfig/configfiles/configfiles.go` (`fsLoader.Load`):
 *    `failed to read kubelet config file "<abs>", error: <os error>`,
 *    `kubelet config file "<abs>" was empty`, decode, then `resolveRelativePaths` over
 *    `KubeletConfigurationPathRefs` (pkg/kubelet/apis/config/helpers.go) against the
 *    file's directory — of the modelled fields only staticPodPath is a path ref.
 *  - `pkg/kubelet/kubeletconfig/util/codec/codec.go`: see ./decode.ts.
 *  - `pkg/kubelet/apis/config/v1beta1/defaults.go`: since 1.32 (PR #128374) defaulting
 *    applies featureGates to a copy of the global gate and panics with
 *    `failed to merge global and in-flight KubeletConfiguration while setting defaults,
 *    error: <err>` when that fails (unknown gate, locked gate set to the other value).
 *
 * Deviations: where the kubelet prints the whole config struct after "path: " in the
 * validation error we print the config file path; messages that do not name the file
 * get " (kubelet config file <path>)" appended (the exact kubelet text is kept in
 * `kubeletMessage`).
 */

import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { applyKubeletDefaults } from './defaults';
import {
  checkTypeMeta,
  DecodeFailure,
  parseDocumentText,
  strictDecode,
  strictDecodingErrorText,
  toKubeletConfiguration,
} from './decode';
import { evaluateFeatureGates } from './feature-gates';
import { goAggregateMessage, goFilepathDir, goFilepathIsAbs, goFilepathJoin, goPathClean, goQuote } from './go-compat';
import type { ResolvedKubeletConfig } from './kubelet-configuration';
import { atLeast, DEFAULT_KUBELET_VERSION, parseKubeletVersion } from './kubelet-version';
import { featureGateFieldErrors, renderFieldErrors, validateKubeletConfiguration, type FieldError } from './validation';

export interface LoadKubeletConfigOptions {
  /** Emulated kubelet release, "1.25"–"1.34" (default "1.34"). */
  kubeletVersion?: string;
}

export interface LoadKubeletConfigResult {
  config: ResolvedKubeletConfig;
  /** What the kubelet would log as warnings/infos while loading (strict decoding, GA gates). */
  warnings: string[];
}

/** Where loading failed, in the kubelet's order of operations. */
export type KubeletConfigErrorStage = 'read' | 'decode' | 'defaults' | 'featureGates' | 'validate';

/** A config file the kubelet would refuse to start with. */
export class KubeletConfigError extends Error {
  /** The path as given by the caller (what `--config` would hold). */
  readonly path: string;
  readonly stage: KubeletConfigErrorStage;
  /** Every problem found, one per field where upstream reports per-field problems. */
  readonly fieldErrors: FieldError[];
  /** The kubelet's exact error text (what follows `"command failed" err=` or `panic: `). */
  readonly kubeletMessage: string;
  /** True when the real kubelet panics here instead of returning an error. */
  readonly goPanic: boolean;

  constructor(args: {
    path: string;
    stage: KubeletConfigErrorStage;
    fieldErrors: FieldError[];
    kubeletMessage: string;
    goPanic?: boolean;
    /** Ours, for a kubelet text that names neither the field nor the fix: `field <path>: <fix>`. */
    hint?: string;
  }) {
    const goPanic = args.goPanic ?? false;
    let message = (goPanic ? 'panic: ' : '') + args.kubeletMessage;
    if (!args.kubeletMessage.includes(args.path)) message += ` (kubelet config file ${args.path})`;
    if (args.hint !== undefined) message += ` (${args.hint})`;
    super(message);
    this.name = 'KubeletConfigError';
    this.path = args.path;
    this.stage = args.stage;
    this.fieldErrors = args.fieldErrors;
    this.kubeletMessage = args.kubeletMessage;
    this.goPanic = goPanic;
  }
}

/** Go `os` error text for a failed read of `abs`. */
function goReadError(abs: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return `open ${abs}: no such file or directory`;
    case 'EACCES':
      return `open ${abs}: permission denied`;
    case 'ENOTDIR':
      return `open ${abs}: not a directory`;
    case 'ELOOP':
      return `open ${abs}: too many levels of symbolic links`;
    case 'EISDIR':
      return `read ${abs}: is a directory`;
    default:
      return `open ${abs}: ${err.message}`;
  }
}

/** The `loadConfigFile` wrapping in cmd/kubelet/app/server.go. */
function loadFailure(name: string, cause: string): string {
  return `failed to load kubelet config file, path: ${name}, error: failed to load Kubelet config file ${name}, error ${cause}`;
}

/** Go `filepath.Abs` on Linux. */
function goAbs(name: string): string {
  return goFilepathIsAbs(name) ? goPathClean(name) : goFilepathJoin(process.cwd(), name);
}

function klogInfoS(msg: string, key: string, value: string): string {
  return `${goQuote(msg)} ${key}=${goQuote(value)}`;
}

/**
 * Loads, defaults and validates a KubeletConfiguration file (YAML or JSON).
 * @throws KubeletConfigError when the kubelet would refuse the file.
 * @throws RangeError for an unsupported `kubeletVersion`.
 */
export function loadKubeletConfigFile(path: string, opts: LoadKubeletConfigOptions = {}): LoadKubeletConfigResult {
  parseKubeletVersion(opts.kubeletVersion ?? DEFAULT_KUBELET_VERSION);
  const abs = goAbs(path);
  let data: Buffer;
  try {
    data = readFileSync(abs);
  } catch (e) {
    const cause = `failed to read kubelet config file ${goQuote(abs)}, error: ${goReadError(abs, e as NodeJS.ErrnoException)}`;
    throw new KubeletConfigError({ path, stage: 'read', fieldErrors: [], kubeletMessage: loadFailure(path, cause) });
  }
  if (data.length === 0) {
    throw new KubeletConfigError({
      path,
      stage: 'read',
      fieldErrors: [],
      kubeletMessage: loadFailure(path, `kubelet config file ${goQuote(abs)} was empty`),
    });
  }
  return loadKubeletConfigData(data, { ...opts, path, absolutePath: abs });
}

export interface LoadKubeletConfigDataOptions extends LoadKubeletConfigOptions {
  /** Name used in messages (default "<inline>"). */
  path?: string;
  /** Directory-bearing absolute path used to resolve relative paths (default: `path` made absolute). */
  absolutePath?: string;
}

/**
 * Same as {@link loadKubeletConfigFile} for contents already in memory.
 * @throws KubeletConfigError when the kubelet would refuse the contents.
 */
export function loadKubeletConfigData(
  data: string | Uint8Array,
  opts: LoadKubeletConfigDataOptions = {},
): LoadKubeletConfigResult {
  const version = parseKubeletVersion(opts.kubeletVersion ?? DEFAULT_KUBELET_VERSION);
  const name = opts.path ?? '<inline>';
  const abs = opts.absolutePath ?? (opts.path !== undefined ? goAbs(opts.path) : nodePath.join(process.cwd(), '<inline>'));
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  const warnings: string[] = [];

  if (text.length === 0) {
    throw new KubeletConfigError({
      path: name,
      stage: 'read',
      fieldErrors: [],
      kubeletMessage: loadFailure(name, `kubelet config file ${goQuote(abs)} was empty`),
    });
  }

  // --- decode (codec.DecodeKubeletConfiguration) ---
  let decoded;
  try {
    const doc = parseDocumentText(text);
    checkTypeMeta(doc);
    decoded = strictDecode(doc, version);
  } catch (e) {
    if (!(e instanceof DecodeFailure)) throw e;
    const cause = e.unwrapped ? e.message : `failed to decode: ${e.message}`;
    const fieldErrors: FieldError[] = [
      {
        field: e.field ?? '',
        type: e.field ? 'TypeInvalid' : 'Invalid',
        value: undefined,
        detail: e.message,
        text: e.message,
      },
    ];
    // Be clearer than upstream where its text names no field (time.ParseDuration, metav1.Duration).
    const hint = e.fix !== undefined && e.field ? `field ${e.field}: ${e.fix}` : undefined;
    throw new KubeletConfigError({ path: name, stage: 'decode', fieldErrors, kubeletMessage: loadFailure(name, cause), hint });
  }
  if (decoded.strictErrors.length > 0) {
    warnings.push(
      klogInfoS('Using lenient decoding as strict decoding failed', 'err', strictDecodingErrorText(decoded.strictErrors)),
    );
  }
  const cfg = toKubeletConfiguration(decoded.fields);

  // --- feature gates: defaulting (≥1.32, panics) or server.go SetFromMap (<1.32) ---
  const featureGates = cfg.featureGates ?? {};
  const gates = evaluateFeatureGates(featureGates, version);
  if (gates.errors.length > 0) {
    const agg = goAggregateMessage(gates.errors);
    const fieldErrors = featureGateFieldErrors(gates.errors, featureGates);
    if (atLeast(version, 1, 32)) {
      throw new KubeletConfigError({
        path: name,
        stage: 'defaults',
        fieldErrors,
        kubeletMessage: `failed to merge global and in-flight KubeletConfiguration while setting defaults, error: ${agg}`,
        goPanic: true,
      });
    }
    throw new KubeletConfigError({
      path: name,
      stage: 'featureGates',
      fieldErrors,
      kubeletMessage: `failed to set feature gates from initial flags-based config: ${agg}`,
    });
  }
  warnings.push(...gates.warnings);

  // --- defaulting, then resolveRelativePaths against the file's directory ---
  const config = applyKubeletDefaults(cfg, { kubeletVersion: `${version.major}.${version.minor}`, sourcePath: abs });
  if (config.staticPodPath !== '' && !goFilepathIsAbs(config.staticPodPath)) {
    config.staticPodPath = goFilepathJoin(goFilepathDir(abs), config.staticPodPath);
  }

  // --- ValidateKubeletConfiguration ---
  const problems = validateKubeletConfiguration(config);
  if (problems.length > 0) {
    throw new KubeletConfigError({
      path: name,
      stage: 'validate',
      fieldErrors: problems,
      kubeletMessage: `failed to validate kubelet configuration, error: ${renderFieldErrors(problems)}, path: ${name}`,
      hint: unnamedFieldsHint(problems, renderFieldErrors(problems)),
    });
  }
  return { config, warnings };
}

/** Names the fields whose upstream text does not (e.g. podLogsDir: "pod logs path … must be absolute path"). */
function unnamedFieldsHint(problems: readonly FieldError[], rendered: string): string | undefined {
  const unnamed = [...new Set(problems.filter((p) => p.field !== '' && !rendered.includes(p.field)).map((p) => p.field))];
  return unnamed.length === 0 ? undefined : `field${unnamed.length > 1 ? 's' : ''} ${unnamed.join(', ')}`;
}
