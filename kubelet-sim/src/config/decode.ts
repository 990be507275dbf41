/**
 * Decoding of a KubeletConfiguration file the way the kubelet's codec does it.
 *
 * Upstream pipeline (kubernetes/kubernetes):
 *  - `pkg/kubelet/kubeletconfig/util/codec/codec.go` `DecodeKubeletConfiguration`:
 *    strict decode; on a *strict* error (unknown/duplicate field) decode again
 *    leniently and only log `"Using lenient decoding as strict decoding failed"`;
 *    any other error is returned as `failed to decode: <err>`; a decoded object of
 *    another kind ⇒ `failed to cast object to KubeletConfiguration, unexpected type: <gvk>`.
 *  - apimachinery `runtime/serializer/json` (`Serializer.Decode`, `Serializer.unmarshal`,
 *    `SimpleMetaFactory.Interpret`): YAML goes through sigs.k8s.io/yaml `YAMLToJSON`
 *    (yaml.v2 semantics: YAML 1.1 booleans such as `yes`/`on`, map keys sorted when
 *    re-marshalled as JSON) and `YAMLToJSONStrict` (duplicate keys); then
 *    `Object 'Kind' is missing in '<data>'` / `Object 'apiVersion' is missing in '<data>'`;
 *    an unregistered group/version/kind ⇒ `no kind "<k>" is registered for version
 *    "<gv>" in scheme "pkg/kubelet/apis/config/scheme/scheme.go:33"` (scheme name as it
 *    appears in kubelet logs); then sigs.k8s.io/json strict unmarshalling into the v1beta1
 *    struct: type errors `json: cannot unmarshal <kind> into Go struct field
 *    <Struct>.<path> of type <type>`, strict errors `unknown field "<path>"` /
 *    `duplicate field "<path>"` joined as `strict decoding error: a, b`.
 *  - `metav1.Duration.UnmarshalJSON` (apimachinery `apis/meta/v1/duration.go`): a
 *    non-string ⇒ `json: cannot unmarshal <kind> into Go value of type string`; bad text
 *    ⇒ Go's `time.ParseDuration` error; `null` ⇒ `time: invalid duration ""`.
 *
 * Field list and Go types: `staging/src/k8s.io/kubelet/config/v1beta1/types.go`.
 * Our own implementation; approximations are marked where they occur.
 */

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { goQuote } from './go-compat';
import { GoDurationError, parseGoDuration } from './go-duration';
import {
  KUBELET_CONFIG_GROUP,
  KUBELET_CONFIG_KIND,
  KUBELET_CONFIG_VERSION,
  type KubeletConfiguration,
} from './kubelet-configuration';
import { compareVersions, type KubeletVersion } from './kubelet-version';

// ---------------------------------------------------------------------------
// A JSON value as Go sees it after YAMLToJSON (numbers keep their JSON literal).
// ---------------------------------------------------------------------------

export type JVal =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'number'; v: number; raw: string }
  | { t: 'string'; v: string }
  | { t: 'array'; items: JVal[] }
  | { t: 'object'; entries: { key: string; value: JVal }[] };

/** A decode failure with the kubelet's error text (`failed to decode: …` is added by the caller). */
export class DecodeFailure extends Error {
  constructor(
    message: string,
    /** JSON path of the offending field, when there is one. */
    readonly field?: string,
    /** True when the text is already final (not to be prefixed with "failed to decode: "). */
    readonly unwrapped = false,
    /**
     * What to write instead, when the kubelet's own text does not name the field (Go's time.ParseDuration and
     * metav1.Duration errors never do): ours, added after the kubelet's message, never in place of it.
     */
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'DecodeFailure';
  }
}

// --- YAML → JVal (sigs.k8s.io/yaml YAMLToJSON over gopkg.in/yaml.v2) ---

const YAML_NULL = new Set(['', '~', 'null', 'Null', 'NULL']);
const YAML_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const YAML_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const YAML_POS_INF = new Set(['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']);
const YAML_NEG_INF = new Set(['-.inf', '-.Inf', '-.INF']);
const YAML_NAN = new Set(['.nan', '.NaN', '.NAN']);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`; undefined when neither accepts it. */
function goParseIntBase0(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const body = m[2];
  let v: bigint;
  if (/^0[oO]/.test(body)) v = BigInt('0o' + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) v = BigInt('0o' + body.slice(1));
  else v = BigInt(body); // decimal, 0x…, 0b…, "0"
  v *= sign;
  if (v >= -(1n << 63n) && v <= (1n << 63n) - 1n) return v;
  if (m[1] !== '-' && m[1] !== '+' && v <= (1n << 64n) - 1n) return v; // ParseUint (no sign allowed)
  return undefined;
}

function numberVal(v: number): JVal {
  if (Number.isNaN(v)) throw new DecodeFailure('json: unsupported value: NaN');
  if (v === Infinity) throw new DecodeFailure('json: unsupported value: +Inf');
  if (v === -Infinity) throw new DecodeFailure('json: unsupported value: -Inf');
  return { t: 'number', v, raw: Object.is(v, -0) ? '-0' : String(v) };
}

/** yaml.v2 `resolve` for an untagged plain scalar. */
function resolvePlainScalar(s: string): JVal {
  if (YAML_NULL.has(s)) return { t: 'null' };
  if (YAML_TRUE.has(s)) return { t: 'bool', v: true };
  if (YAML_FALSE.has(s)) return { t: 'bool', v: false };
  if (YAML_POS_INF.has(s)) return numberVal(Infinity);
  if (YAML_NEG_INF.has(s)) return numberVal(-Infinity);
  if (YAML_NAN.has(s)) return numberVal(NaN);
  const c = s[0];
  if (c === '.') {
    const f = Number(s);
    if (/^\.[0-9]/.test(s) && !Number.isNaN(f)) return numberVal(f);
    return { t: 'string', v: s };
  }
  if ((c >= '0' && c <= '9') || c === '+' || c === '-') {
    const plain = s.replace(/_/g, '');
    const i = goParseIntBase0(plain);
    if (i !== undefined) return { t: 'number', v: Number(i), raw: i.toString() };
    if (YAML_FLOAT.test(plain)) return numberVal(Number(plain));
    const bin = /^([+-]?)0b([01]+)$/.exec(plain);
    if (bin) {
      const v = BigInt('0b' + bin[2]) * (bin[1] === '-' ? -1n : 1n);
      return { t: 'number', v: Number(v), raw: v.toString() };
    }
  }
  return { t: 'string', v: s };
}

const STR_TAGS = new Set(['tag:yaml.org,2002:str', '!!str']);

interface YamlCtx {
  doc: Document.Parsed;
  lines: LineCounter;
  dupErrors: string[];
}

function lineOf(ctx: YamlCtx, node: Node | null | undefined): number {
  const off = node?.range?.[0] ?? 0;
  return ctx.lines.linePos(off).line;
}

/** Go `%#v` of a decoded YAML map key (as yaml.v2 prints it in duplicate-key errors). */
function goSharpV(v: JVal): string {
  switch (v.t) {
    case 'string':
      return goQuote(v.v);
    case 'number':
      return v.raw;
    case 'bool':
      return String(v.v);
    default:
      return '<nil>';
  }
}

/** sigs.k8s.io/yaml: YAML map keys become JSON object keys. */
function keyString(k: JVal): string {
  switch (k.t) {
    case 'string':
      return k.v;
    case 'number':
      return k.raw;
    case 'bool':
      return String(k.v);
    case 'null':
      return 'null';
    default:
      throw new DecodeFailure('yaml: invalid map key');
  }
}

function yamlNodeToJVal(node: unknown, ctx: YamlCtx): JVal {
  if (node === null || node === undefined) return { t: 'null' };
  if (isAlias(node)) return yamlNodeToJVal(node.resolve(ctx.doc), ctx);
  if (isScalar(node)) {
    const text = node.value === null || node.value === undefined ? '' : String(node.value);
    if (node.tag && STR_TAGS.has(node.tag)) return { t: 'string', v: text };
    if (node.type === 'PLAIN') return resolvePlainScalar(text);
    return { t: 'string', v: text };
  }
  if (isSeq(node)) return { t: 'array', items: node.items.map((it) => yamlNodeToJVal(it, ctx)) };
  if (isMap(node)) {
    const out = new Map<string, JVal>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (isScalar(keyNode) && keyNode.type === 'PLAIN' && keyNode.value === '<<') {
        // YAML merge key: merged entries act as if written at this point.
        const src = yamlNodeToJVal(pair.value, ctx);
        const sources = src.t === 'array' ? src.items : [src];
        for (const m of sources) if (m.t === 'object') for (const e of m.entries) out.set(e.key, e.value);
        continue;
      }
      const k = yamlNodeToJVal(keyNode, ctx);
      if (k.t === 'object' || k.t === 'array') throw new DecodeFailure('yaml: invalid map key');
      const key = keyString(k);
      const value = yamlNodeToJVal(pair.value, ctx);
      if (out.has(key)) {
        ctx.dupErrors.push(`line ${lineOf(ctx, (pair.value as Node | null) ?? keyNode)}: key ${goSharpV(k)} already set in map`);
      }
      out.set(key, value);
    }
    // json.Marshal of a Go map sorts keys (byte order).
    const keys = [...out.keys()].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    return { t: 'object', entries: keys.map((key) => ({ key, value: out.get(key) as JVal })) };
  }
  return { t: 'null' };
}

/** Strips the npm `yaml` location suffix; yaml.v2's own wording differs (approximation). */
function yamlSyntaxMessage(err: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): string {
  const line = err.linePos?.[0]?.line ?? 1;
  const first = err.message.split(' at line ')[0].split('\n')[0];
  return `yaml: line ${line}: ${first}`;
}

export interface ParsedDocument {
  root: JVal;
  /** The raw text, as upstream quotes it in "missing Kind/apiVersion" errors. */
  original: string;
  /** Duplicate-key problems found by the strict YAML pass (yaml.v2 wording). */
  yamlStrictError?: string;
  isJson: boolean;
}

/** Go `utilyaml.IsJSONBuffer`: JSON when the first non-space byte is `{`. */
export function looksLikeJson(text: string): boolean {
  return text.replace(/^[ \t\r\n]+/, '').startsWith('{');
}

/** Approximates Go encoding/json syntax errors from a JSON.parse failure. */
function goJsonSyntaxError(text: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/end of JSON input/i.test(msg)) return 'unexpected end of JSON input';
  const pos = /position (\d+)/.exec(msg);
  const ch = pos ? text[Number(pos[1])] : undefined;
  if (ch !== undefined) return `invalid character ${goQuote(ch).replace(/^"|"$/g, "'")} looking for beginning of value`;
  return 'unexpected end of JSON input';
}

function jsonNodeToJVal(node: unknown, ctx: YamlCtx): JVal {
  if (node === null || node === undefined) return { t: 'null' };
  if (isScalar(node)) {
    const text = String(node.value ?? '');
    if (node.type !== 'PLAIN') return { t: 'string', v: text };
    if (text === 'true' || text === 'false') return { t: 'bool', v: text === 'true' };
    if (text === 'null') return { t: 'null' };
    return { t: 'number', v: Number(text), raw: text };
  }
  if (isSeq(node)) return { t: 'array', items: node.items.map((it) => jsonNodeToJVal(it, ctx)) };
  if (isMap(node)) {
    // Go's JSON decoder sees every member in order, duplicates included.
    return {
      t: 'object',
      entries: node.items.map((p) => ({
        key: String((p.key as { value?: unknown } | null)?.value ?? ''),
        value: jsonNodeToJVal(p.value, ctx),
      })),
    };
  }
  return { t: 'null' };
}

/**
 * Turns file contents into the JSON value the Go serializer works on.
 * @throws DecodeFailure for YAML/JSON syntax errors (text approximates Go's).
 */
export function parseDocumentText(text: string): ParsedDocument {
  const isJson = looksLikeJson(text);
  const lines = new LineCounter();
  if (isJson) {
    try {
      JSON.parse(text);
    } catch (e) {
      throw new DecodeFailure(`couldn't get version/kind; json parse error: ${goJsonSyntaxError(text, e)}`);
    }
    const docs = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, lineCounter: lines });
    const doc = Array.isArray(docs) ? docs[0] : undefined;
    const ctx: YamlCtx = { doc: doc as Document.Parsed, lines, dupErrors: [] };
    return { root: doc ? jsonNodeToJVal(doc.contents, ctx) : { t: 'null' }, original: text, isJson };
  }
  const docs = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, lineCounter: lines });
  if (!Array.isArray(docs)) {
    throw new DecodeFailure('yaml: ' + String((docs as { errors?: { message: string }[] }).errors?.[0]?.message ?? 'invalid'));
  }
  const doc = docs[0]; // yaml.v2 Unmarshal reads the first document only
  if (!doc) return { root: { t: 'null' }, original: text, isJson };
  if (doc.errors.length > 0) {
    throw new DecodeFailure(yamlSyntaxMessage(doc.errors[0] as unknown as Parameters<typeof yamlSyntaxMessage>[0]));
  }
  const ctx: YamlCtx = { doc, lines, dupErrors: [] };
  const root = yamlNodeToJVal(doc.contents, ctx);
  return {
    root,
    original: text,
    isJson,
    ...(ctx.dupErrors.length > 0
      ? { yamlStrictError: 'yaml: unmarshal errors:\n  ' + ctx.dupErrors.join('\n  ') }
      : {}),
  };
}

// ---------------------------------------------------------------------------
// apiVersion / kind (SimpleMetaFactory.Interpret + scheme lookup)
// ---------------------------------------------------------------------------

/** Scheme name in kubelet errors (runtime.NewScheme call site in the kubelet scheme package). */
export const KUBELET_SCHEME_NAME = 'pkg/kubelet/apis/config/scheme/scheme.go:33';

/** Other kinds registered in kubelet.config.k8s.io/v1beta1 (decodable, but not a KubeletConfiguration). */
const OTHER_V1BETA1_KINDS = new Set(['SerializedNodeConfigSource', 'CredentialProviderConfig']);

const TYPE_META_STRUCT =
  'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

function jsonKindName(v: JVal): string {
  return v.t === 'null' ? 'null' : v.t === 'bool' ? 'bool' : v.t;
}

/**
 * Checks apiVersion/kind like the serializer and scheme do.
 * @throws DecodeFailure with the upstream text.
 */
export function checkTypeMeta(doc: ParsedDocument): void {
  let apiVersion = '';
  let kind = '';
  const root = doc.root;
  if (root.t !== 'null') {
    if (root.t !== 'object') {
      throw new DecodeFailure(
        `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKindName(root)} into Go value of type ${TYPE_META_STRUCT}`,
      );
    }
    // encoding/json matches struct fields case-insensitively; the last member wins.
    for (const { key, value } of root.entries) {
      const k = key.toLowerCase();
      if (k !== 'apiversion' && k !== 'kind') continue;
      const field = k === 'apiversion' ? 'apiVersion' : 'kind';
      if (value.t === 'null') continue;
      if (value.t !== 'string') {
        const what = value.t === 'number' ? 'number' : jsonKindName(value);
        throw new DecodeFailure(
          `couldn't get version/kind; json parse error: json: cannot unmarshal ${what} into Go struct field .${field} of type string`,
        );
      }
      if (field === 'apiVersion') apiVersion = value.v;
      else kind = value.v;
    }
  }
  // schema.ParseGroupVersion
  let group = '';
  let version = '';
  if (apiVersion !== '' && apiVersion !== '/') {
    const slashes = apiVersion.split('/').length - 1;
    if (slashes === 0) version = apiVersion;
    else if (slashes === 1) [group, version] = apiVersion.split('/');
    else throw new DecodeFailure(`unexpected GroupVersion string: ${apiVersion}`);
  }
  if (kind === '') throw new DecodeFailure(`Object 'Kind' is missing in '${doc.original}'`);
  if (version === '') throw new DecodeFailure(`Object 'apiVersion' is missing in '${doc.original}'`);
  const gv = group === '' ? version : `${group}/${version}`;
  if (group === KUBELET_CONFIG_GROUP && version === KUBELET_CONFIG_VERSION) {
    if (kind === KUBELET_CONFIG_KIND) return;
    if (OTHER_V1BETA1_KINDS.has(kind)) {
      throw new DecodeFailure(
        `failed to cast object to KubeletConfiguration, unexpected type: ${group}/${version}, Kind=${kind}`,
        undefined,
        true,
      );
    }
  }
  throw new DecodeFailure(`no kind ${goQuote(kind)} is registered for version ${goQuote(gv)} in scheme ${goQuote(KUBELET_SCHEME_NAME)}`);
}

// ---------------------------------------------------------------------------
// The v1beta1 KubeletConfiguration schema (Go types for error texts).
// ---------------------------------------------------------------------------

type GoType =
  | { k: 'string' }
  | { k: 'bool' }
  | { k: 'int'; name: 'int32' | 'int64' }
  | { k: 'float64' }
  | { k: 'duration' }
  | { k: 'ptr'; elem: GoType }
  | { k: 'map'; elem: GoType; name: string }
  | { k: 'slice'; elem: GoType; name: string }
  | { k: 'struct'; name: string; typeName: string; fields: Readonly<Record<string, GoType>> }
  | { k: 'any' };

const STRING: GoType = { k: 'string' };
const BOOL: GoType = { k: 'bool' };
const INT32: GoType = { k: 'int', name: 'int32' };
const INT64: GoType = { k: 'int', name: 'int64' };
const DURATION: GoType = { k: 'duration' };
const ANY: GoType = { k: 'any' };
const ptr = (elem: GoType): GoType => ({ k: 'ptr', elem });
const MAP_STRING_STRING: GoType = { k: 'map', elem: STRING, name: 'map[string]string' };
const SLICE_STRING: GoType = { k: 'slice', elem: STRING, name: '[]string' };
const struct = (name: string, pkg: string, fields: Record<string, GoType>): GoType => ({
  k: 'struct',
  name,
  typeName: `${pkg}.${name}`,
  fields,
});

const TRACING_CONFIGURATION = struct('TracingConfiguration', 'v1', {
  endpoint: ptr(STRING),
  samplingRatePerMillion: ptr(INT32),
});

/** Every top-level field of v1beta1.KubeletConfiguration (types.go), with its Go type. */
const KUBELET_CONFIGURATION_FIELDS: Record<string, GoType> = {
  apiVersion: STRING,
  kind: STRING,
  enableServer: ptr(BOOL),
  staticPodPath: STRING,
  podLogsDir: STRING,
  syncFrequency: DURATION,
  fileCheckFrequency: DURATION,
  httpCheckFrequency: DURATION,
  staticPodURL: STRING,
  staticPodURLHeader: { k: 'map', elem: SLICE_STRING, name: 'map[string][]string' },
  address: STRING,
  port: INT32,
  readOnlyPort: INT32,
  tlsCertFile: STRING,
  tlsPrivateKeyFile: STRING,
  tlsCipherSuites: SLICE_STRING,
  tlsCurvePreferences: { k: 'slice', elem: INT32, name: '[]int32' },
  tlsMinVersion: STRING,
  rotateCertificates: BOOL,
  serverTLSBootstrap: BOOL,
  authentication: struct('KubeletAuthentication', 'v1beta1', {
    x509: struct('KubeletX509Authentication', 'v1beta1', { clientCAFile: STRING }),
    webhook: struct('KubeletWebhookAuthentication', 'v1beta1', { enabled: ptr(BOOL), cacheTTL: DURATION }),
    anonymous: struct('KubeletAnonymousAuthentication', 'v1beta1', { enabled: ptr(BOOL) }),
  }),
  authorization: struct('KubeletAuthorization', 'v1beta1', {
    mode: STRING,
    webhook: struct('KubeletWebhookAuthorization', 'v1beta1', {
      cacheAuthorizedTTL: DURATION,
      cacheUnauthorizedTTL: DURATION,
    }),
  }),
  registryPullQPS: ptr(INT32),
  registryBurst: INT32,
  imagePullCredentialsVerificationPolicy: STRING,
  preloadedImagesVerificationAllowlist: SLICE_STRING,
  eventRecordQPS: ptr(INT32),
  eventBurst: INT32,
  enableDebuggingHandlers: ptr(BOOL),
  enableContentionProfiling: BOOL,
  healthzPort: ptr(INT32),
  healthzBindAddress: STRING,
  oomScoreAdj: ptr(INT32),
  clusterDomain: STRING,
  clusterDNS: SLICE_STRING,
  streamingConnectionIdleTimeout: DURATION,
  nodeStatusUpdateFrequency: DURATION,
  nodeStatusReportFrequency: DURATION,
  nodeLeaseDurationSeconds: INT32,
  imageMinimumGCAge: DURATION,
  imageMaximumGCAge: DURATION,
  imageGCHighThresholdPercent: ptr(INT32),
  imageGCLowThresholdPercent: ptr(INT32),
  volumeStatsAggPeriod: DURATION,
  kubeletCgroups: STRING,
  systemCgroups: STRING,
  cgroupRoot: STRING,
  cgroupsPerQOS: ptr(BOOL),
  cgroupDriver: STRING,
  cpuManagerPolicy: STRING,
  singleProcessOOMKill: ptr(BOOL),
  cpuManagerPolicyOptions: MAP_STRING_STRING,
  cpuManagerReconcilePeriod: DURATION,
  draManagerReconcilePeriod: DURATION,
  memoryManagerPolicy: STRING,
  topologyManagerPolicy: STRING,
  topologyManagerScope: STRING,
  topologyManagerPolicyOptions: MAP_STRING_STRING,
  qosReserved: MAP_STRING_STRING,
  runtimeRequestTimeout: DURATION,
  hairpinMode: STRING,
  maxPods: INT32,
  podCIDR: STRING,
  podPidsLimit: ptr(INT64),
  resolvConf: ptr(STRING),
  runOnce: BOOL,
  cpuCFSQuota: ptr(BOOL),
  cpuCFSQuotaPeriod: ptr(DURATION),
  nodeStatusMaxImages: ptr(INT32),
  maxOpenFiles: INT64,
  contentType: STRING,
  kubeAPIQPS: ptr(INT32),
  kubeAPIBurst: INT32,
  serializeImagePulls: ptr(BOOL),
  maxParallelImagePulls: ptr(INT32),
  evictionHard: MAP_STRING_STRING,
  evictionSoft: MAP_STRING_STRING,
  evictionSoftGracePeriod: MAP_STRING_STRING,
  evictionPressureTransitionPeriod: DURATION,
  evictionMaxPodGracePeriod: INT32,
  evictionMinimumReclaim: MAP_STRING_STRING,
  mergeDefaultEvictionSettings: ptr(BOOL),
  podsPerCore: INT32,
  enableControllerAttachDetach: ptr(BOOL),
  protectKernelDefaults: BOOL,
  makeIPTablesUtilChains: ptr(BOOL),
  iptablesMasqueradeBit: ptr(INT32),
  iptablesDropBit: ptr(INT32),
  featureGates: { k: 'map', elem: BOOL, name: 'map[string]bool' },
  failSwapOn: ptr(BOOL),
  memorySwap: struct('MemorySwapConfiguration', 'v1beta1', { swapBehavior: STRING }),
  containerLogMaxSize: STRING,
  containerLogMaxFiles: ptr(INT32),
  containerLogMaxWorkers: ptr(INT32),
  containerLogMonitorInterval: ptr(DURATION),
  configMapAndSecretChangeDetectionStrategy: STRING,
  systemReserved: MAP_STRING_STRING,
  kubeReserved: MAP_STRING_STRING,
  reservedSystemCPUs: STRING,
  showHiddenMetricsForVersion: STRING,
  systemReservedCgroup: STRING,
  kubeReservedCgroup: STRING,
  enforceNodeAllocatable: SLICE_STRING,
  allowedUnsafeSysctls: SLICE_STRING,
  volumePluginDir: STRING,
  providerID: STRING,
  kernelMemcgNotification: BOOL,
  logging: ANY, // component-base LoggingConfiguration: accepted as-is (not modelled)
  enableSystemLogHandler: ptr(BOOL),
  enableSystemLogQuery: ptr(BOOL),
  shutdownGracePeriod: DURATION,
  shutdownGracePeriodCriticalPods: DURATION,
  shutdownGracePeriodByPodPriority: {
    k: 'slice',
    name: '[]v1beta1.ShutdownGracePeriodByPodPriority',
    elem: struct('ShutdownGracePeriodByPodPriority', 'v1beta1', { priority: INT32, shutdownGracePeriodSeconds: INT64 }),
  },
  crashLoopBackOff: struct('CrashLoopBackOffConfig', 'v1beta1', { maxContainerRestartPeriod: ptr(DURATION) }),
  reservedMemory: {
    k: 'slice',
    name: '[]v1beta1.MemoryReservation',
    elem: struct('MemoryReservation', 'v1beta1', { numaNode: INT32, limits: ANY }),
  },
  enableProfilingHandler: ptr(BOOL),
  enableDebugFlagsHandler: ptr(BOOL),
  seccompDefault: ptr(BOOL),
  memoryThrottlingFactor: ptr({ k: 'float64' }),
  memoryReservationPolicy: STRING,
  registerWithTaints: { k: 'slice', elem: ANY, name: '[]v1.Taint' }, // core/v1 Taint: not modelled
  registerNode: ptr(BOOL),
  tracing: ptr(TRACING_CONFIGURATION),
  localStorageCapacityIsolation: ptr(BOOL),
  containerRuntimeEndpoint: STRING,
  imageServiceEndpoint: STRING,
  failCgroupV1: ptr(BOOL),
  userNamespaces: ptr(struct('UserNamespaces', 'v1beta1', { idsPerPod: ptr(INT64) })),
};

/**
 * Fields that only exist from a given release; older kubelets treat them as unknown
 * (strict-decoding warning, value ignored).
 */
const FIELD_SINCE: Readonly<Record<string, KubeletVersion>> = {
  tracing: { major: 1, minor: 25 }, // KEP-2831 alpha
  containerRuntimeEndpoint: { major: 1, minor: 27 }, // moved from flags to config
  imageServiceEndpoint: { major: 1, minor: 27 },
  maxParallelImagePulls: { major: 1, minor: 27 }, // KEP-3673
  imageMaximumGCAge: { major: 1, minor: 29 }, // KEP-4210
};

function kubeletConfigurationType(v: KubeletVersion): GoType {
  const fields: Record<string, GoType> = {};
  for (const [name, t] of Object.entries(KUBELET_CONFIGURATION_FIELDS)) {
    const since = FIELD_SINCE[name];
    if (since && compareVersions(v, since) < 0) continue;
    fields[name] = t;
  }
  return { k: 'struct', name: 'KubeletConfiguration', typeName: 'v1beta1.KubeletConfiguration', fields };
}

// ---------------------------------------------------------------------------
// sigs.k8s.io/json strict unmarshalling
// ---------------------------------------------------------------------------

/** A decoded duration field: the text from the file and its value. */
export interface DecodedDuration {
  text: string;
  nanos: bigint;
}

class ImmediateError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

/** The fix for a metav1.Duration field that did not parse. */
const DURATION_FIX = 'give a Go duration string such as "30s", "1m" or "1h30m" (units ns, us, ms, s, m, h)';

interface DecodeState {
  saved?: { message: string; field: string };
  strict: string[];
  checkDuplicates: boolean;
}

interface Ctx {
  structName: string | undefined;
  fieldStack: string[];
  strictPath: string;
}

function typeName(t: GoType): string {
  switch (t.k) {
    case 'string':
    case 'bool':
    case 'float64':
      return t.k;
    case 'int':
      return t.name;
    case 'duration':
      return 'v1.Duration';
    case 'ptr':
      return typeName(t.elem);
    case 'map':
    case 'slice':
      return t.name;
    case 'struct':
      return t.typeName;
    case 'any':
      return 'interface {}';
  }
}

function saveTypeError(state: DecodeState, ctx: Ctx, what: string, t: GoType): void {
  if (state.saved) return;
  const field = ctx.fieldStack.join('.');
  const where = ctx.structName !== undefined ? `Go struct field ${ctx.structName}.${field}` : 'Go value';
  state.saved = { message: `json: cannot unmarshal ${what} into ${where} of type ${typeName(t)}`, field };
}

const INT_RANGE: Record<'int32' | 'int64', [bigint, bigint]> = {
  int32: [-(1n << 31n), (1n << 31n) - 1n],
  int64: [-(1n << 63n), (1n << 63n) - 1n],
};

function joinPath(base: string, name: string): string {
  return base === '' ? name : `${base}.${name}`;
}

function decodeValue(v: JVal, t: GoType, ctx: Ctx, state: DecodeState): unknown {
  if (t.k === 'any') return jvalToPlain(v);
  if (t.k === 'duration') return decodeDuration(v, ctx);
  if (t.k === 'ptr') {
    if (v.t === 'null') return null;
    return decodeValue(v, t.elem, ctx, state);
  }
  if (v.t === 'null') return undefined; // null leaves Go zero values alone (maps/slices become nil)
  switch (t.k) {
    case 'string':
      if (v.t === 'string') return v.v;
      saveTypeError(state, ctx, v.t === 'number' ? 'number' : jsonKindName(v), t);
      return undefined;
    case 'bool':
      if (v.t === 'bool') return v.v;
      saveTypeError(state, ctx, v.t === 'number' ? 'number' : jsonKindName(v), t);
      return undefined;
    case 'int': {
      if (v.t !== 'number') {
        saveTypeError(state, ctx, jsonKindName(v), t);
        return undefined;
      }
      const [lo, hi] = INT_RANGE[t.name];
      if (!/^-?\d+$/.test(v.raw) || BigInt(v.raw) < lo || BigInt(v.raw) > hi) {
        saveTypeError(state, ctx, `number ${v.raw}`, t);
        return undefined;
      }
      return Number(v.raw);
    }
    case 'float64':
      if (v.t === 'number' && Number.isFinite(v.v)) return v.v;
      saveTypeError(state, ctx, v.t === 'number' ? `number ${v.raw}` : jsonKindName(v), t);
      return undefined;
    case 'map': {
      if (v.t !== 'object') {
        saveTypeError(state, ctx, jsonKindName(v), t);
        return undefined;
      }
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const { key, value } of v.entries) {
        const path = joinPath(ctx.strictPath, key);
        if (state.checkDuplicates && seen.has(key)) state.strict.push(`duplicate field ${goQuote(path)}`);
        seen.add(key);
        const decoded = decodeValue(value, t.elem, { ...ctx, strictPath: path }, state);
        out[key] = decoded === undefined ? zeroOf(t.elem) : decoded;
      }
      return out;
    }
    case 'slice': {
      if (v.t !== 'array') {
        saveTypeError(state, ctx, jsonKindName(v), t);
        return undefined;
      }
      return v.items.map((item, i) => {
        const decoded = decodeValue(item, t.elem, { ...ctx, strictPath: `${ctx.strictPath}[${i}]` }, state);
        return decoded === undefined ? zeroOf(t.elem) : decoded;
      });
    }
    case 'struct': {
      if (v.t !== 'object') {
        saveTypeError(state, ctx, jsonKindName(v), t);
        return undefined;
      }
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const { key, value } of v.entries) {
        const path = joinPath(ctx.strictPath, key);
        const ft = t.fields[key];
        if (ft === undefined) {
          state.strict.push(`unknown field ${goQuote(path)}`);
          continue;
        }
        if (state.checkDuplicates && seen.has(key)) state.strict.push(`duplicate field ${goQuote(path)}`);
        seen.add(key);
        const decoded = decodeValue(value, ft, { structName: t.name, fieldStack: [...ctx.fieldStack, key], strictPath: path }, state);
        if (decoded !== undefined) out[key] = decoded;
        else if (value.t === 'null' && (ft.k === 'map' || ft.k === 'slice')) delete out[key];
      }
      return out;
    }
  }
}

function zeroOf(t: GoType): unknown {
  switch (t.k) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
    case 'float64':
      return 0;
    case 'ptr':
      return null;
    default:
      return undefined;
  }
}

/** metav1.Duration.UnmarshalJSON: any JSON value is handed over; only a string parses. */
function decodeDuration(v: JVal, ctx: Ctx): DecodedDuration {
  const field = ctx.fieldStack.join('.');
  let text: string;
  if (v.t === 'string') text = v.v;
  else if (v.t === 'null') text = '';
  else throw new ImmediateError(`json: cannot unmarshal ${jsonKindName(v)} into Go value of type string`, field, DURATION_FIX);
  try {
    return { text, nanos: parseGoDuration(text) };
  } catch (e) {
    if (e instanceof GoDurationError) throw new ImmediateError(e.message, field, DURATION_FIX);
    throw e;
  }
}

function jvalToPlain(v: JVal): unknown {
  switch (v.t) {
    case 'null':
      return null;
    case 'bool':
    case 'string':
      return v.v;
    case 'number':
      return v.v;
    case 'array':
      return v.items.map(jvalToPlain);
    case 'object':
      return Object.fromEntries(v.entries.map((e) => [e.key, jvalToPlain(e.value)]));
  }
}

export interface StrictDecodeResult {
  /** Decoded fields, Go-typed (durations as {@link DecodedDuration}). */
  fields: Record<string, unknown>;
  /** Strict-decoding problems; non-empty ⇒ the kubelet falls back to lenient decoding and warns. */
  strictErrors: string[];
}

/**
 * Strictly decodes the document into v1beta1.KubeletConfiguration for release `v`.
 * @throws DecodeFailure for fatal errors (type mismatches, bad durations).
 */
export function strictDecode(doc: ParsedDocument, v: KubeletVersion): StrictDecodeResult {
  const state: DecodeState = { strict: [], checkDuplicates: doc.isJson };
  if (doc.yamlStrictError) state.strict.push(doc.yamlStrictError);
  let fields: Record<string, unknown> = {};
  try {
    const decoded = decodeValue(doc.root, kubeletConfigurationType(v), { structName: undefined, fieldStack: [], strictPath: '' }, state);
    fields = (decoded as Record<string, unknown> | undefined) ?? {};
  } catch (e) {
    if (e instanceof ImmediateError) throw new DecodeFailure(e.message, e.field, false, e.fix);
    throw e;
  }
  if (state.saved) throw new DecodeFailure(state.saved.message, state.saved.field);
  return { fields, strictErrors: state.strict };
}

/** The strict-decoding error text (`runtime.NewStrictDecodingError`). */
export function strictDecodingErrorText(errors: readonly string[]): string {
  return 'strict decoding error: ' + errors.join(', ');
}

/** Picks the modelled fields out of the decoded struct. */
export function toKubeletConfiguration(fields: Record<string, unknown>): KubeletConfiguration {
  const out: Record<string, unknown> = { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: KUBELET_CONFIG_KIND };
  const copy = (name: keyof KubeletConfiguration): void => {
    const v = fields[name];
    if (v === undefined) return;
    if (v !== null && typeof v === 'object' && 'nanos' in v && 'text' in v) out[name] = (v as DecodedDuration).text;
    else out[name] = v;
  };
  for (const name of [
    'containerRuntimeEndpoint', 'imageServiceEndpoint', 'staticPodPath', 'syncFrequency', 'fileCheckFrequency',
    'httpCheckFrequency', 'runtimeRequestTimeout', 'imageGCHighThresholdPercent', 'imageGCLowThresholdPercent',
    'imageMinimumGCAge', 'imageMaximumGCAge', 'serializeImagePulls', 'maxParallelImagePulls', 'registryPullQPS',
    'registryBurst', 'maxPods', 'port', 'readOnlyPort', 'healthzPort', 'healthzBindAddress', 'address', 'podLogsDir',
    'featureGates', 'nodeStatusUpdateFrequency', 'nodeStatusReportFrequency', 'cgroupRoot', 'cgroupsPerQOS',
    'cgroupDriver', 'containerLogMaxSize', 'containerLogMaxFiles', 'containerLogMaxWorkers', 'containerLogMonitorInterval', 'shutdownGracePeriod',
    'shutdownGracePeriodCriticalPods', 'enforceNodeAllocatable', 'seccompDefault', 'nodeLeaseDurationSeconds',
    'eventRecordQPS', 'eventBurst', 'kubeAPIQPS', 'kubeAPIBurst', 'iptablesDropBit', 'iptablesMasqueradeBit',
    'nodeStatusMaxImages', 'maxOpenFiles', 'oomScoreAdj', 'podsPerCore', 'topologyManagerPolicy', 'topologyManagerScope',
    'hairpinMode', 'memoryThrottlingFactor', 'serverTLSBootstrap', 'logging', 'evictionHard', 'evictionSoft',
    'evictionSoftGracePeriod', 'evictionMinimumReclaim', 'systemReserved', 'kubeReserved', 'reservedSystemCPUs', 'cpuManagerPolicy',
    'cpuManagerPolicyOptions', 'topologyManagerPolicyOptions', 'memoryManagerPolicy', 'reservedMemory',
    'systemReservedCgroup', 'kubeReservedCgroup', 'mergeDefaultEvictionSettings',
  ] as const) {
    copy(name);
  }
  const tracing = fields.tracing as { endpoint?: string | null; samplingRatePerMillion?: number | null } | null | undefined;
  if (tracing !== undefined && tracing !== null) {
    const t: { endpoint?: string; samplingRatePerMillion?: number } = {};
    if (tracing.endpoint !== undefined && tracing.endpoint !== null) t.endpoint = tracing.endpoint;
    if (tracing.samplingRatePerMillion !== undefined && tracing.samplingRatePerMillion !== null) {
      t.samplingRatePerMillion = tracing.samplingRatePerMillion;
    }
    out.tracing = t;
  }
  return out as unknown as KubeletConfiguration;
}
