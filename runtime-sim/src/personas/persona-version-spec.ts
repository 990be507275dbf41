/**
 * The shape of a persona version file (runtime-sim/personas/<persona>-<version>.yaml): everything that
 * differs between releases of one runtime — Version.runtime_version, default socket, how tracing is
 * configured and sampled, which otelgrpc instrumentation serves CRI, which RPCs the vendored CRI API
 * lacks, and the span layers the runtime adds under its otelgrpc SERVER span.
 * Error texts per persona are not here: they live in state/persona.ts.
 */
import { IMAGE_SERVICE_METHODS, RUNTIME_SERVICE_METHODS } from '../../../cri-proto/src/cri-methods';
import { CONTAINER_EVENT_TYPE, type ContainerEventType } from '../state/container-events';
import { PERSONAS, type Persona } from '../state/persona';
import { CONDITION_FACTS, isConditionFact, unknownPlaceholders, type ConditionFact, type ConditionValue } from './call-fact-vocabulary';

/** How the runtime is told where to export traces (see tracing/runtime-tracing.ts). */
export const TRACING_CONFIG_KINDS = ['crio-conf', 'otel-env', 'containerd-toml-v1'] as const;
export type TracingConfigKind = (typeof TRACING_CONFIG_KINDS)[number];

/**
 * Sampler the runtime builds:
 *  - parent-based-ratio-per-million: ParentBased(NeverSample | TraceIDRatioBased(rate/1e6)) (CRI-O);
 *  - otel-env: the SDK default ParentBased(AlwaysOn) unless OTEL_TRACES_SAMPLER says otherwise (containerd 2.x);
 *  - trace-id-ratio: TraceIDRatioBased(ratio) alone, ignoring the parent's flag (containerd 1.6).
 */
export const SAMPLER_KINDS = ['parent-based-ratio-per-million', 'otel-env', 'trace-id-ratio'] as const;
export type SamplerKind = (typeof SAMPLER_KINDS)[number];

/**
 * otelgrpc's two server integrations: the stats handler (v0.4x+, span started in TagRPC for every RPC)
 * and the unary interceptor (≤v0.4x, runs only for registered methods, records its own message events).
 */
export const OTELGRPC_INSTRUMENTATIONS = ['stats-handler', 'unary-interceptor'] as const;
export type OtelgrpcInstrumentationKind = (typeof OTELGRPC_INSTRUMENTATIONS)[number];

/**
 * One step of a call's tree, in the order the runtime takes them: a span (with the steps taken inside it)
 * or a log line (an event on the span it runs in: the enclosing span step, or the interceptor span at the
 * top). Steps are played once the call has ended, so their conditions may test every fact, the outcome too.
 */
export type CallStep = SpanStep | LogStep | EventStep | RepeatStep | IdleStep;

/**
 * Span kinds a tree node may have: in-process spans, client calls the runtime makes (ttrpc to the shim, HTTP
 * to a registry), and calls it serves outside CRI (a background root: the shim's events on its ttrpc server).
 */
export const TREE_SPAN_KINDS = ['INTERNAL', 'CLIENT', 'SERVER'] as const;
export type TreeSpanKind = (typeof TREE_SPAN_KINDS)[number];

/** Instrumentation scope a tree span is exported under (name and version as the Go library reports them). */
export interface TracerScope {
  readonly name: string;
  readonly version: string;
}

/**
 * An attribute of a span or event: a template (a lone numeric fact stays a number, see renderAttributeValue),
 * a template forced to a string (`type: string`: a Go uint32 through containerd's tracing.Attribute is
 * json.Marshal'ed), a template forced to an int (`type: int`: Go's int(...) of a pid), or a literal with its YAML type (int, bool, string).
 */
export type AttributeTemplate =
  | { readonly template: string; readonly type: 'auto' | 'string' | 'int' }
  | { readonly literal: string | number | boolean };

export interface SpanStep {
  readonly kind: 'span';
  readonly name: string;
  /** OTel span kind (default INTERNAL). */
  readonly spanKind: TreeSpanKind;
  /** Scope the span is made with (default: the layer's tracer, no version). */
  readonly scope: TracerScope;
  /** Attributes the function sets on its span. */
  readonly attributes: Readonly<Record<string, AttributeTemplate>>;
  /** Error status the span ends with (message template), when the function sets one. */
  readonly errorStatus?: string;
  /** Share of its parent's time, relative to its siblings' (default: how many innermost spans it holds). */
  readonly weight?: number;
  /**
   * A background root that started with the container and ends with the transition that plays it (task.Wait,
   * waiting for the exit): laid out over the container's life instead of after the previous root.
   */
  readonly startsAt?: 'containerStart';
  /** Upstream path:line@tag of the call that starts the span. */
  readonly source: string;
  /** Facts that must hold for the span to be made (evaluated with the item's facts under forEach). */
  readonly when: FactCondition;
  /** Made once per item (e.g. per container of the sandbox as the call found it), with that item's facts. */
  readonly forEach?: TreeIteration;
  /** The forEach spans run side by side (goroutines sharing the parent's context), not one after another. */
  readonly concurrent: boolean;
  readonly steps: readonly CallStep[];
}

export interface LogStep {
  readonly kind: 'log';
  /** The log message (`{fact}` placeholders filled in). */
  readonly message: string;
  readonly level: LogEventLevel;
  readonly when: FactCondition;
  /** Fields the line adds (logrus WithFields): a template (a lone numeric fact stays a number) or a typed value. */
  readonly attributes: Readonly<Record<string, AttributeTemplate>>;
  /** Upstream path:line@tag the line is logged at. */
  readonly source: string;
  /** Logged with WithError(err): an `error` field as the hook renders a Go error. */
  readonly withError: boolean;
}

/** span.AddEvent on the span the step runs in (a plain event, not a log line). */
export interface EventStep {
  readonly kind: 'event';
  readonly name: string;
  readonly when: FactCondition;
  readonly attributes: Readonly<Record<string, AttributeTemplate>>;
  /** Upstream path:line@tag of the AddEvent/RecordError call. */
  readonly source: string;
}

/** Time the function spends with no span of its own (waiting for a process to exit, CNI, a shim starting): a share of its parent's time. */
export interface IdleStep {
  readonly kind: 'idle';
  readonly weight: number;
  readonly when: FactCondition;
  /** Upstream path:line@tag of what is waited for. */
  readonly source: string;
}

/** Steps taken once per item, in the span the repetition runs in (a loop without a span of its own). */
export interface RepeatStep {
  readonly kind: 'repeat';
  readonly forEach: TreeIteration;
  readonly when: FactCondition;
  readonly steps: readonly CallStep[];
}

/** What a call does when it ends one way: the first outcome of a method whose `when` holds is played. */
export interface CallOutcomeTree {
  /** A name for the outcome (goldens, docs). */
  readonly outcome: string;
  readonly when: FactCondition;
  /** Attributes the handler sets on the span in its context (the interceptor span, or the SERVER span when there is none); an empty rendering is not set. */
  readonly attributes: Readonly<Record<string, AttributeTemplate>>;
  /** Children of the interceptor span (or of the SERVER span when there is none). */
  readonly steps: readonly CallStep[];
}

export interface FunctionSpanLayer {
  /** Instrumentation scope name of the function spans. */
  readonly tracer: string;
  /**
   * Root traces the runtime makes on its own when a container or sandbox changes state (no CRI call is their
   * parent): per transition, spans each made as the root of a new trace, one after another.
   */
  readonly background: Readonly<Partial<Record<ContainerEventType, readonly CallStep[]>>>;
  /** Other scopes tree spans may name (`scope: <key>`), e.g. the ttrpc client interceptor's. */
  readonly scopes: Readonly<Record<string, TracerScope>>;
  /** Per CRI method, its outcomes in order. A method without an entry, or with no outcome that holds, makes no function span. */
  readonly calls: Readonly<Record<string, readonly CallOutcomeTree[]>>;
}

/**
 * How the runtime's log lines become span events:
 *  - otellogrus (github.com/uptrace/opentelemetry-go-extra/otellogrus, CRI-O): an event named `log` with
 *    `log.severity` (INFO, WARN, ERROR), `log.message`, and the entry's fields; an ERROR line also sets the
 *    span's status to Error with the message;
 *  - containerd-logrus (containerd pkg/tracing/log.go LogrusHook, v2.1.0): an event named after the
 *    message with the entry's fields and `level` (info, warning, error); WithError adds `error`, rendered
 *    "{}" for the errors the CRI plugin logs. It never sets a status.
 */
export const LOG_HOOK_KINDS = ['otellogrus', 'containerd-logrus'] as const;
export type LogHookKind = (typeof LOG_HOOK_KINDS)[number];

export interface LogHookLayer {
  readonly kind: LogHookKind;
  /** Fields every entry of a call carries (e.g. the request id and name the runtime puts in the context): key -> template. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface InterceptorSpanLayer {
  readonly tracer: string;
  /** `{fullMethod}` is replaced by `/runtime.v1.RuntimeService/<M>`. */
  readonly name: string;
}

/**
 * Log levels a log line may have: logrus' names (Level.String()) of the levels at or above the runtimes'
 * default, info (containerd's logrus default, CRI-O's log_level). Debug and Trace entries never fire the
 * hook, so they are not lines.
 */
export const LOG_EVENT_LEVELS = ['info', 'warning', 'error'] as const;
export type LogEventLevel = (typeof LOG_EVENT_LEVELS)[number];

/** When a line is logged: before the handler does its work, or once it has returned. */
export const LOG_EVENT_TIMES = ['start', 'end'] as const;
export type LogEventTime = (typeof LOG_EVENT_TIMES)[number];

/** Repetitions a line or a span step may ask for: once per container of the sandbox the request names. */
export const LOG_EVENT_ITERATIONS = ['sandboxContainers'] as const;
export type LogEventIteration = (typeof LOG_EVENT_ITERATIONS)[number];

/**
 * Repetitions a tree step may ask for: once per container of the sandbox the request names, or once per
 * running container whose stats the call reports (ContainerStats: the named one; ListContainerStats: those
 * its filter selects; PodSandboxStats, ListPodSandboxStats: those of the sandboxes asked for).
 */
export const TREE_ITERATIONS = ['sandboxContainers', 'statsContainers'] as const;
export type TreeIteration = (typeof TREE_ITERATIONS)[number];

/** fact -> the values it may have for the line to be logged; every listed fact must match. */
export type FactCondition = Readonly<Partial<Record<ConditionFact, readonly ConditionValue[]>>>;

/** One log line of a call that reaches the span as an event (logrus hook). */
export interface LogEventLine {
  /** Event name: the log message, `{fact}` placeholders filled in. */
  readonly message: string;
  readonly level: LogEventLevel;
  readonly at: LogEventTime;
  readonly when: FactCondition;
  readonly forEach?: LogEventIteration;
  /** Logged with WithError(err): an `error` attribute as the hook renders a Go error. */
  readonly withError: boolean;
  /** Other logrus fields: attribute key -> template. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Upstream file:line the line is logged at. */
  readonly source: string;
}

export interface SpanLayers {
  readonly interceptorSpan?: InterceptorSpanLayer;
  readonly functionSpans?: FunctionSpanLayer;
  /** How log steps of functionSpans become events (needed when any tree has a log step). */
  readonly logHook?: LogHookLayer;
  readonly logEvents?: Readonly<Record<string, readonly LogEventLine[]>>;
}

export interface PersonaVersionSpec {
  readonly persona: Persona;
  /** "major.minor", e.g. "1.33". */
  readonly version: string;
  /** Version.runtime_version, e.g. "1.33.0", "v2.1.0". */
  readonly runtimeVersion: string;
  readonly defaultListen: string;
  readonly tracingConfig: TracingConfigKind;
  readonly sampler: SamplerKind;
  readonly otelgrpc: {
    readonly version: string;
    /** Instrumentation scope version the Go library reports. */
    readonly scopeVersion: string;
    readonly instrumentation: OtelgrpcInstrumentationKind;
  };
  /** RPCs absent from the vendored CRI API: UNIMPLEMENTED from grpc-go, and no span. */
  readonly unknownRpcs: readonly string[];
  readonly spanLayers: SpanLayers;
  /** File the spec was read from (for messages). */
  readonly source: string;
}

export class PersonaSpecError extends Error {}

/** Validates a parsed persona file; every problem names the file and the field. */
export function parsePersonaVersionSpec(doc: unknown, source: string): PersonaVersionSpec {
  const fail = (field: string, problem: string): never => {
    throw new PersonaSpecError(`${source}: ${field}: ${problem}`);
  };
  const obj = (value: unknown, field: string): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : fail(field, 'expected a mapping');
  const str = (value: unknown, field: string): string =>
    typeof value === 'string' && value !== '' ? value : fail(field, `expected a non-empty string, got ${JSON.stringify(value)}`);
  const oneOf = <T extends string>(value: unknown, field: string, allowed: readonly T[]): T =>
    (allowed as readonly unknown[]).includes(value) ? (value as T) : fail(field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);


  const root = obj(doc, '(file)');
  const persona = oneOf(root.persona, 'persona', PERSONAS);
  const version = str(typeof root.version === 'number' ? String(root.version) : root.version, 'version');
  if (!/^\d+\.\d+$/.test(version)) fail('version', `must be major.minor such as 1.33, got ${JSON.stringify(version)}`);
  const listen = str(root.defaultListen, 'defaultListen');
  if (!listen.startsWith('unix:///')) fail('defaultListen', 'must be a unix:///absolute/path.sock address');
  const grpc = obj(root.otelgrpc, 'otelgrpc');
  const unknownRpcs = root.unknownRpcs === undefined ? [] : root.unknownRpcs;
  if (!Array.isArray(unknownRpcs)) fail('unknownRpcs', 'expected a list of RPC names');
  const layers = root.spanLayers === undefined ? {} : obj(root.spanLayers, 'spanLayers');

  const template = (value: unknown, field: string): string => {
    const text = str(value, field);
    const unknown = unknownPlaceholders(text);
    if (unknown.length > 0) fail(field, `unknown fact {${unknown[0]}}; facts are listed in runtime-sim/src/personas/call-fact-vocabulary.ts`);
    return text;
  };

  const parseCondition = (value: unknown, field: string, at: LogEventTime): FactCondition => {
    if (value === undefined) return {};
    const out: Partial<Record<ConditionFact, readonly ConditionValue[]>> = {};
    for (const [name, wanted] of Object.entries(obj(value, field))) {
      if (!isConditionFact(name)) fail(`${field}.${name}`, `unknown condition; known: ${Object.keys(CONDITION_FACTS).join(', ')}`);
      const spec = CONDITION_FACTS[name as ConditionFact];
      if (spec.endOnly && at !== 'end') fail(`${field}.${name}`, 'is known only when the call has ended: use it in an `at: end` line');
      const values = Array.isArray(wanted) ? wanted : [wanted];
      const allowed = spec.values as readonly unknown[];
      if (values.length === 0) fail(`${field}.${name}`, 'expected a value or a non-empty list of values');
      for (const v of values) {
        if (!allowed.includes(v)) fail(`${field}.${name}`, `must be one of ${allowed.join(', ')} (or a list of them), got ${JSON.stringify(v)}`);
      }
      out[name as ConditionFact] = values as ConditionValue[];
    }
    return out;
  };

  const parseLogEventLine = (raw: unknown, field: string): LogEventLine => {
    const line = obj(raw, field);
    const known = ['message', 'level', 'at', 'when', 'forEach', 'withError', 'attributes', 'source'];
    for (const key of Object.keys(line)) if (!known.includes(key)) fail(`${field}.${key}`, `unknown key; a line has ${known.join(', ')}`);
    if (line.level === 'debug' || line.level === 'trace') {
      fail(`${field}.level`, `${line.level} is below containerd's default level (info): such lines never reach the span, leave them out`);
    }
    const at = oneOf(line.at, `${field}.at`, LOG_EVENT_TIMES);
    if (line.withError !== undefined && typeof line.withError !== 'boolean') fail(`${field}.withError`, 'expected true or false');
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(line.attributes === undefined ? {} : obj(line.attributes, `${field}.attributes`))) {
      if (key === 'level' || key === 'error') fail(`${field}.attributes.${key}`, `set by the hook (${key === 'level' ? 'level' : 'withError: true'}), not an attribute`);
      attributes[key] = template(value, `${field}.attributes.${key}`);
    }
    const source = str(line.source, `${field}.source`);
    if (!/^[\w./-]+\.go:\d+$/.test(source)) fail(`${field}.source`, `expected an upstream path:line such as pkg/cri/server/container_stop.go:68, got ${JSON.stringify(source)}`);
    return {
      message: template(line.message, `${field}.message`),
      level: oneOf(line.level, `${field}.level`, LOG_EVENT_LEVELS),
      at,
      when: parseCondition(line.when, `${field}.when`, at),
      forEach: line.forEach === undefined ? undefined : oneOf(line.forEach, `${field}.forEach`, LOG_EVENT_ITERATIONS),
      withError: line.withError === true,
      attributes,
      source,
    };
  };

  const onlyKeys = (o: Record<string, unknown>, field: string, known: readonly string[]): void => {
    for (const key of Object.keys(o)) if (!known.includes(key)) fail(`${field}.${key}`, `unknown key; known: ${known.join(', ')}`);
  };

  const spanLayers: {
    interceptorSpan?: InterceptorSpanLayer;
    functionSpans?: FunctionSpanLayer;
    logHook?: LogHookLayer;
    logEvents?: Record<string, LogEventLine[]>;
  } = {};
  onlyKeys(layers, 'spanLayers', ['interceptorSpan', 'functionSpans', 'logHook', 'serverSpanAnnotations', 'logEvents']);
  if (layers.interceptorSpan !== undefined) {
    const l = obj(layers.interceptorSpan, 'spanLayers.interceptorSpan');
    spanLayers.interceptorSpan = { tracer: typeof l.tracer === 'string' ? l.tracer : '', name: str(l.name, 'spanLayers.interceptorSpan.name') };
  }
  if (layers.logHook !== undefined) {
    const l = obj(layers.logHook, 'spanLayers.logHook');
    onlyKeys(l, 'spanLayers.logHook', ['kind', 'fields']);
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(l.fields === undefined ? {} : obj(l.fields, 'spanLayers.logHook.fields'))) {
      fields[key] = template(value, `spanLayers.logHook.fields.${key}`);
    }
    spanLayers.logHook = { kind: oneOf(l.kind, 'spanLayers.logHook.kind', LOG_HOOK_KINDS), fields };
  }
  if (layers.functionSpans !== undefined) {
    const unknownRpcNames = new Set((Array.isArray(unknownRpcs) ? unknownRpcs : []) as unknown[]);
    spanLayers.functionSpans = parseFunctionSpans(layers.functionSpans, {
      fail, obj, str, oneOf, template, onlyKeys,
      condition: (value, field) => parseCondition(value, field, 'end'),
      isUnknownRpc: (method) => unknownRpcNames.has(method),
    }, spanLayers.logHook?.kind);
    if (spanLayers.logHook === undefined && hasLogStep(spanLayers.functionSpans)) {
      fail('spanLayers.logHook', 'missing: the functionSpans trees have log steps; say how lines become events, e.g. logHook: { kind: otellogrus }');
    }
  }
  if (layers.serverSpanAnnotations !== undefined) {
    fail('spanLayers.serverSpanAnnotations', 'no longer read: give each method\'s outcomes under functionSpans.calls, with the SERVER span\'s attributes as the outcome\'s attributes and its events as event steps');
  }
  if (layers.logEvents !== undefined) {
    const out: Record<string, LogEventLine[]> = {};
    for (const [method, raw] of Object.entries(obj(layers.logEvents, 'spanLayers.logEvents'))) {
      const field = `spanLayers.logEvents.${method}`;
      if (!Array.isArray(raw)) fail(field, 'expected a list of lines {message, level, at, when, forEach, withError, attributes, source}');
      out[method] = (raw as unknown[]).map((r, i) => parseLogEventLine(r, `${field}[${i}]`));
    }
    spanLayers.logEvents = out;
  }

  return {
    persona,
    version,
    runtimeVersion: str(root.runtimeVersion, 'runtimeVersion'),
    defaultListen: listen,
    tracingConfig: oneOf(root.tracingConfig, 'tracingConfig', TRACING_CONFIG_KINDS),
    sampler: oneOf(root.sampler, 'sampler', SAMPLER_KINDS),
    otelgrpc: {
      version: str(grpc.version, 'otelgrpc.version'),
      scopeVersion: str(grpc.scopeVersion, 'otelgrpc.scopeVersion'),
      instrumentation: oneOf(grpc.instrumentation, 'otelgrpc.instrumentation', OTELGRPC_INSTRUMENTATIONS),
    },
    unknownRpcs: (unknownRpcs as unknown[]).map((r, i) => str(r, `unknownRpcs[${i}]`)),
    spanLayers,
    source,
  };
}

/** The validators parsePersonaVersionSpec shares with the tree parser, each failing with file and field. */
interface TreeParseTools {
  fail(field: string, problem: string): never;
  obj(value: unknown, field: string): Record<string, unknown>;
  str(value: unknown, field: string): string;
  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T;
  template(value: unknown, field: string): string;
  onlyKeys(o: Record<string, unknown>, field: string, known: readonly string[]): void;
  condition(value: unknown, field: string): FactCondition;
  isUnknownRpc(method: string): boolean;
}

/** Upstream file and line a span or line comes from: path.go:line, optionally @tag (path:line@tag). */
const SOURCE_PATTERN = /^[\w./-]+\.go:\d+(@[\w.+-]+)?$/;
const SPAN_STEP_KEYS = ['span', 'source', 'when', 'forEach', 'concurrent', 'steps', 'kind', 'scope', 'attributes', 'status', 'weight', 'startsAt'] as const;
const LOG_STEP_KEYS = ['log', 'level', 'source', 'when', 'attributes', 'withError'] as const;
const EVENT_STEP_KEYS = ['event', 'source', 'when', 'attributes'] as const;
const REPEAT_STEP_KEYS = ['forEach', 'when', 'steps'] as const;
const IDLE_STEP_KEYS = ['idle', 'source', 'when'] as const;
const USE_STEP_KEYS = ['use', 'when'] as const;
/** Attribute keys the otellogrus hook writes itself. */
const LOG_HOOK_ATTRIBUTE_KEYS = ['log.severity', 'log.message'];
/** Attribute keys containerd's logrus hook writes itself (the level; `error` comes from withError). */
const CONTAINERD_HOOK_ATTRIBUTE_KEYS = ['level', 'error'];
const ATTRIBUTE_TYPES = ['string', 'int'] as const;
const CRI_METHOD_NAMES: readonly string[] = [...Object.keys(RUNTIME_SERVICE_METHODS), ...Object.keys(IMAGE_SERVICE_METHODS)];

/**
 * `spanLayers.functionSpans`: { tracer, scopes?, fragments, calls: {Method: [{outcome, when, attributes?, steps}]},
 * background?: {CONTAINER_<X>_EVENT: [root span steps]} }.
 * A step is one of
 *  - `{span, source, when?, forEach?, concurrent?, kind?, scope?, attributes?, status?, weight?, steps?}` a span;
 *  - `{log, level, source, when?, attributes?, withError?}` a log line (an event on the span it runs in, as the hook makes it);
 *  - `{event, source, when?, attributes?}` a span.AddEvent on the span it runs in;
 *  - `{idle: weight, source, when?}` time spent with no span of its own, as a share next to the spans';
 *  - `{forEach, when?, steps}` the steps once per item, in the span it runs in (a loop with no span of its own);
 *  - `{use: fragment, when?}`, which stands for the fragment's steps (its `when` joins each of theirs).
 */
function parseFunctionSpans(raw: unknown, t: TreeParseTools, hookKind: LogHookKind | undefined): FunctionSpanLayer {
  const base = 'spanLayers.functionSpans';
  const l = t.obj(raw, base);
  if (l.trees !== undefined || l.defaultRoot !== undefined) {
    t.fail(`${base}.${l.trees !== undefined ? 'trees' : 'defaultRoot'}`, 'no longer read: list each method\'s outcomes under calls (a method without an entry makes no function span)');
  }
  t.onlyKeys(l, base, ['tracer', 'scopes', 'fragments', 'calls', 'background']);
  const tracer = t.str(l.tracer, `${base}.tracer`);
  const scopes: Record<string, TracerScope> = {};
  for (const [key, rawScope] of Object.entries(l.scopes === undefined ? {} : t.obj(l.scopes, `${base}.scopes`))) {
    const sf = `${base}.scopes.${key}`;
    const sc = t.obj(rawScope, sf);
    t.onlyKeys(sc, sf, ['name', 'version']);
    const version = sc.version === undefined || sc.version === '' ? '' : t.str(typeof sc.version === 'number' ? String(sc.version) : sc.version, `${sf}.version`);
    scopes[key] = { name: t.str(sc.name, `${sf}.name`), version };
  }
  const defaultScope: TracerScope = { name: tracer, version: '' };
  const fragmentsRaw = l.fragments === undefined ? {} : t.obj(l.fragments, `${base}.fragments`);
  const fragments = new Map<string, CallStep[]>();
  const expanding: string[] = [];

  const fragment = (name: string, field: string): CallStep[] => {
    const done = fragments.get(name);
    if (done) return done;
    if (!Object.prototype.hasOwnProperty.call(fragmentsRaw, name)) {
      const known = Object.keys(fragmentsRaw);
      return t.fail(field, `unknown fragment ${JSON.stringify(name)}; fragments: ${known.length > 0 ? known.join(', ') : '(none)'}`);
    }
    if (expanding.includes(name)) t.fail(field, `fragment ${JSON.stringify(name)} uses itself (${[...expanding, name].join(' -> ')})`);
    expanding.push(name);
    const steps = parseSteps(fragmentsRaw[name], `${base}.fragments.${name}`);
    expanding.pop();
    fragments.set(name, steps);
    return steps;
  };

  const parseSteps = (value: unknown, field: string): CallStep[] => {
    if (!Array.isArray(value)) return t.fail(field, 'expected a list of steps ({span: ...}, {log: ...}, {event: ...}, {forEach: ...} or {use: ...})');
    return (value as unknown[]).flatMap((rawStep, i) => parseStep(rawStep, `${field}[${i}]`));
  };

  const attributeMap = (value: unknown, field: string, reserved: readonly string[], reason: string): Record<string, AttributeTemplate> => {
    const out: Record<string, AttributeTemplate> = {};
    for (const [key, v] of Object.entries(value === undefined ? {} : t.obj(value, field))) {
      if (reserved.includes(key)) t.fail(`${field}.${key}`, reason);
      out[key] = parseAttributeTemplate(v, `${field}.${key}`, t);
    }
    return out;
  };

  const parseSource = (value: unknown, field: string): string => {
    const source = t.str(value, field);
    if (!SOURCE_PATTERN.test(source)) t.fail(field, `expected an upstream path:line@tag such as server/container_start.go:20@v1.33.0, got ${JSON.stringify(source)}`);
    return source;
  };

  const parseStep = (value: unknown, field: string): CallStep[] => {
    const step = t.obj(value, field);
    const kinds = ['span', 'log', 'event', 'idle', 'use'].filter((k) => step[k] !== undefined);
    if (kinds.length === 0 && step.forEach !== undefined) kinds.push('repeat');
    if (kinds.length !== 1) {
      t.fail(field, kinds.length === 0
        ? 'a step needs one of span (a span), log (a log line), event (a span event), idle (time with no span), forEach (a loop) or use (a fragment)'
        : `a step is one of span, log, event, idle or use, not ${kinds.join(' and ')}`);
    }
    const when = t.condition(step.when, `${field}.when`);
    if (kinds[0] === 'use') {
      t.onlyKeys(step, field, USE_STEP_KEYS);
      const name = t.str(step.use, `${field}.use`);
      return fragment(name, `${field}.use`).map((s) => ({ ...s, when: bothConditions(when, s.when) }));
    }
    if (kinds[0] === 'repeat') {
      t.onlyKeys(step, field, REPEAT_STEP_KEYS);
      return [{ kind: 'repeat', forEach: t.oneOf(step.forEach, `${field}.forEach`, TREE_ITERATIONS), when, steps: parseSteps(step.steps, `${field}.steps`) }];
    }
    const source = parseSource(step.source, `${field}.source`);
    if (kinds[0] === 'log') {
      t.onlyKeys(step, field, LOG_STEP_KEYS);
      if (step.level === 'debug' || step.level === 'trace') {
        t.fail(`${field}.level`, `${String(step.level)} is below the runtime's default log level (info): such lines never reach the span, leave them out`);
      }
      if (step.withError !== undefined && typeof step.withError !== 'boolean') t.fail(`${field}.withError`, 'expected true or false');
      const reserved = hookKind === 'containerd-logrus' ? CONTAINERD_HOOK_ATTRIBUTE_KEYS : LOG_HOOK_ATTRIBUTE_KEYS;
      const attributes: Record<string, AttributeTemplate> = {};
      for (const [key, v] of Object.entries(step.attributes === undefined ? {} : t.obj(step.attributes, `${field}.attributes`))) {
        if (reserved.includes(key)) t.fail(`${field}.attributes.${key}`, `set by the log hook${key === 'error' ? ' (say withError: true)' : ''}, not an attribute of the line`);
        attributes[key] = parseAttributeTemplate(v, `${field}.attributes.${key}`, t);
      }
      return [{
        kind: 'log', message: t.template(step.log, `${field}.log`), level: t.oneOf(step.level, `${field}.level`, LOG_EVENT_LEVELS), when, attributes, source,
        withError: step.withError === true,
      }];
    }
    if (kinds[0] === 'idle') {
      t.onlyKeys(step, field, IDLE_STEP_KEYS);
      if (typeof step.idle !== 'number' || !Number.isInteger(step.idle) || step.idle <= 0) {
        t.fail(`${field}.idle`, `expected a positive integer (the share of the parent's time spent waiting), got ${JSON.stringify(step.idle)}`);
      }
      return [{ kind: 'idle', weight: step.idle as number, when, source }];
    }
    if (kinds[0] === 'event') {
      t.onlyKeys(step, field, EVENT_STEP_KEYS);
      return [{ kind: 'event', name: t.template(step.event, `${field}.event`), when, source, attributes: attributeMap(step.attributes, `${field}.attributes`, [], '') }];
    }
    t.onlyKeys(step, field, SPAN_STEP_KEYS);
    const forEach = step.forEach === undefined ? undefined : t.oneOf(step.forEach, `${field}.forEach`, TREE_ITERATIONS);
    if (step.concurrent !== undefined && typeof step.concurrent !== 'boolean') t.fail(`${field}.concurrent`, 'expected true or false');
    if (step.concurrent === true && forEach === undefined) t.fail(`${field}.concurrent`, 'only a forEach span can run side by side with its repetitions');
    let scope = defaultScope;
    if (step.scope !== undefined) {
      const key = t.str(step.scope, `${field}.scope`);
      const found = scopes[key];
      if (found === undefined) t.fail(`${field}.scope`, `unknown scope ${JSON.stringify(key)}; list it under ${base}.scopes (known: ${Object.keys(scopes).join(', ') || '(none)'})`);
      scope = found;
    }
    if (step.weight !== undefined && (typeof step.weight !== 'number' || !Number.isInteger(step.weight) || step.weight <= 0)) {
      t.fail(`${field}.weight`, `expected a positive integer (the span's share of its parent's time next to its siblings'), got ${JSON.stringify(step.weight)}`);
    }
    let errorStatus: string | undefined;
    if (step.status !== undefined) {
      const st = t.obj(step.status, `${field}.status`);
      t.onlyKeys(st, `${field}.status`, ['code', 'message']);
      t.oneOf(st.code, `${field}.status.code`, ['ERROR'] as const);
      errorStatus = st.message === undefined ? '' : t.template(st.message, `${field}.status.message`);
    }
    if (step.startsAt !== undefined && step.startsAt !== 'containerStart') t.fail(`${field}.startsAt`, `must be containerStart, got ${JSON.stringify(step.startsAt)}`);
    return [{
      kind: 'span',
      name: t.str(step.span, `${field}.span`),
      startsAt: step.startsAt === undefined ? undefined : 'containerStart',
      spanKind: step.kind === undefined ? 'INTERNAL' : t.oneOf(step.kind, `${field}.kind`, TREE_SPAN_KINDS),
      scope,
      attributes: attributeMap(step.attributes, `${field}.attributes`, [], ''),
      errorStatus,
      weight: step.weight as number | undefined,
      source,
      when,
      forEach,
      concurrent: step.concurrent === true,
      steps: step.steps === undefined ? [] : parseSteps(step.steps, `${field}.steps`),
    }];
  };

  const calls: Record<string, CallOutcomeTree[]> = {};
  for (const [method, outcomesRaw] of Object.entries(l.calls === undefined ? {} : t.obj(l.calls, `${base}.calls`))) {
    const field = `${base}.calls.${method}`;
    if (!CRI_METHOD_NAMES.includes(method)) t.fail(field, `unknown CRI method; methods: ${CRI_METHOD_NAMES.join(', ')}`);
    if (t.isUnknownRpc(method)) t.fail(field, 'listed in unknownRpcs: grpc-go answers it UNIMPLEMENTED and no span is made, so it has no tree');
    if (!Array.isArray(outcomesRaw) || outcomesRaw.length === 0) t.fail(field, 'expected a non-empty list of outcomes {outcome, when, attributes, steps}');
    const seen = new Set<string>();
    calls[method] = (outcomesRaw as unknown[]).map((rawOutcome, i) => {
      const of = `${field}[${i}]`;
      const o = t.obj(rawOutcome, of);
      t.onlyKeys(o, of, ['outcome', 'when', 'attributes', 'steps']);
      const outcome = t.str(o.outcome, `${of}.outcome`);
      if (seen.has(outcome)) t.fail(`${of}.outcome`, `${JSON.stringify(outcome)} is listed twice for ${method}`);
      seen.add(outcome);
      return {
        outcome,
        when: t.condition(o.when, `${of}.when`),
        attributes: attributeMap(o.attributes, `${of}.attributes`, [], ''),
        steps: o.steps === undefined ? [] : parseSteps(o.steps, `${of}.steps`),
      };
    });
  }
  const background: Partial<Record<ContainerEventType, CallStep[]>> = {};
  const transitions = Object.values(CONTAINER_EVENT_TYPE) as readonly string[];
  for (const [transition, stepsRaw] of Object.entries(l.background === undefined ? {} : t.obj(l.background, `${base}.background`))) {
    const field = `${base}.background.${transition}`;
    if (!transitions.includes(transition)) t.fail(field, `unknown transition; transitions: ${transitions.join(', ')}`);
    const steps = parseSteps(stepsRaw, field);
    steps.forEach((step, i) => {
      if (step.kind !== 'span') t.fail(`${field}[${i}]`, 'a background step is a root span ({span: ...} or a fragment of spans): nothing holds a line or an event');
    });
    background[transition as ContainerEventType] = steps;
  }
  return { tracer, scopes, calls, background };
}

/** An attribute value in a tree: a string template, a YAML number or boolean (literal), or {value, type: string|int}. */
function parseAttributeTemplate(value: unknown, field: string, t: TreeParseTools): AttributeTemplate {
  if (typeof value === 'number' || typeof value === 'boolean') return { literal: value };
  if (typeof value === 'string') return value === '' ? { literal: '' } : { template: t.template(value, field), type: 'auto' };
  const typed = t.obj(value, field);
  t.onlyKeys(typed, field, ['value', 'type']);
  const type = t.oneOf(typed.type, `${field}.type`, ATTRIBUTE_TYPES);
  const template = t.template(typed.value, `${field}.value`);
  return { template, type };
}

/** Both conditions at once: a fact in both must take a value both allow. */
function bothConditions(a: FactCondition, b: FactCondition): FactCondition {
  const out: Partial<Record<ConditionFact, readonly ConditionValue[]>> = { ...a };
  for (const [name, values] of Object.entries(b) as Array<[ConditionFact, readonly ConditionValue[]]>) {
    const mine = out[name];
    out[name] = mine === undefined ? values : mine.filter((v) => values.includes(v));
  }
  return out;
}

function hasLogStep(layer: FunctionSpanLayer): boolean {
  const anyLog = (steps: readonly CallStep[]): boolean => steps.some((s) => s.kind === 'log' || ((s.kind === 'span' || s.kind === 'repeat') && anyLog(s.steps)));
  return Object.values(layer.calls).some((outcomes) => outcomes.some((o) => anyLog(o.steps)));
}
