/**
 * The shape of a persona version file (runtime-sim/personas/<persona>-<version>.yaml): everything that
 * differs between releases of one runtime — Version.runtime_version, default socket, how tracing is
 * configured and sampled, which otelgrpc instrumentation serves CRI, which RPCs the vendored CRI API
 * lacks, and the span layers the runtime adds under its otelgrpc SERVER span.
 * Error texts per persona are not here: they live in state/persona.ts.
 */
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

export interface FunctionSpanNode {
  readonly name: string;
  readonly children: readonly FunctionSpanNode[];
}

export interface FunctionSpanLayer {
  /** Tracer (instrumentation scope) name of the function spans. */
  readonly tracer: string;
  /** Name of the one function span of a method without a tree; `{method}` is replaced. */
  readonly defaultRoot: string;
  readonly trees: Readonly<Record<string, readonly FunctionSpanNode[]>>;
}

export interface InterceptorSpanLayer {
  readonly tracer: string;
  /** `{fullMethod}` is replaced by `/runtime.v1.RuntimeService/<M>`. */
  readonly name: string;
}

export const ANNOTATION_EVENT_TIMES = ['start', 'end'] as const;
export type AnnotationEventTime = (typeof ANNOTATION_EVENT_TIMES)[number];

export interface AnnotationEvent {
  readonly name: string;
  readonly at: AnnotationEventTime;
  /** Call fact that must be true for the event to happen (e.g. `killed`). */
  readonly when?: string;
  /** Call fact that must be false for the event to happen (e.g. `hostNetwork`). */
  readonly unless?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface ServerSpanAnnotation {
  readonly attributes: Readonly<Record<string, string>>;
  readonly events: readonly AnnotationEvent[];
  /** span.RecordError(err) on failure: an `exception` event. */
  readonly recordError: boolean;
}

/**
 * Log levels a log-event line may have: logrus' names (Level.String()) of the levels at or above
 * containerd's default, info. Debug and Trace entries never fire the hook, so they are not lines.
 */
export const LOG_EVENT_LEVELS = ['info', 'warning', 'error'] as const;
export type LogEventLevel = (typeof LOG_EVENT_LEVELS)[number];

/** When a line is logged: before the handler does its work, or once it has returned. */
export const LOG_EVENT_TIMES = ['start', 'end'] as const;
export type LogEventTime = (typeof LOG_EVENT_TIMES)[number];

/** Repetitions a line may ask for: once per container of the sandbox the request names. */
export const LOG_EVENT_ITERATIONS = ['sandboxContainers'] as const;
export type LogEventIteration = (typeof LOG_EVENT_ITERATIONS)[number];

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
  readonly serverSpanAnnotations?: Readonly<Record<string, ServerSpanAnnotation>>;
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
  const strMap = (value: unknown, field: string): Record<string, string> => {
    if (value === undefined) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj(value, field))) out[k] = typeof v === 'number' ? String(v) : str(v, `${field}.${k}`);
    return out;
  };

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

  const parseTree = (nodes: unknown, field: string): FunctionSpanNode[] => {
    if (!Array.isArray(nodes)) return fail(field, 'expected a list of {name, children}');
    return nodes.map((n, i) => {
      const node = obj(n, `${field}[${i}]`);
      return { name: str(node.name, `${field}[${i}].name`), children: node.children === undefined ? [] : parseTree(node.children, `${field}[${i}].children`) };
    });
  };

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

  const spanLayers: {
    interceptorSpan?: InterceptorSpanLayer;
    functionSpans?: FunctionSpanLayer;
    serverSpanAnnotations?: Record<string, ServerSpanAnnotation>;
    logEvents?: Record<string, LogEventLine[]>;
  } = {};
  if (layers.interceptorSpan !== undefined) {
    const l = obj(layers.interceptorSpan, 'spanLayers.interceptorSpan');
    spanLayers.interceptorSpan = { tracer: typeof l.tracer === 'string' ? l.tracer : '', name: str(l.name, 'spanLayers.interceptorSpan.name') };
  }
  if (layers.functionSpans !== undefined) {
    const l = obj(layers.functionSpans, 'spanLayers.functionSpans');
    const trees: Record<string, FunctionSpanNode[]> = {};
    for (const [method, nodes] of Object.entries(obj(l.trees ?? {}, 'spanLayers.functionSpans.trees'))) {
      trees[method] = parseTree(nodes, `spanLayers.functionSpans.trees.${method}`);
    }
    spanLayers.functionSpans = {
      tracer: typeof l.tracer === 'string' ? l.tracer : '',
      defaultRoot: str(l.defaultRoot, 'spanLayers.functionSpans.defaultRoot'),
      trees,
    };
  }
  if (layers.serverSpanAnnotations !== undefined) {
    const out: Record<string, ServerSpanAnnotation> = {};
    for (const [method, raw] of Object.entries(obj(layers.serverSpanAnnotations, 'spanLayers.serverSpanAnnotations'))) {
      const field = `spanLayers.serverSpanAnnotations.${method}`;
      const a = obj(raw, field);
      const events = a.events === undefined ? [] : a.events;
      if (!Array.isArray(events)) fail(`${field}.events`, 'expected a list');
      out[method] = {
        attributes: strMap(a.attributes, `${field}.attributes`),
        events: (events as unknown[]).map((e, i) => {
          const ev = obj(e, `${field}.events[${i}]`);
          return {
            name: str(ev.name, `${field}.events[${i}].name`),
            at: oneOf(ev.at ?? 'end', `${field}.events[${i}].at`, ANNOTATION_EVENT_TIMES),
            when: ev.when === undefined ? undefined : str(ev.when, `${field}.events[${i}].when`),
            unless: ev.unless === undefined ? undefined : str(ev.unless, `${field}.events[${i}].unless`),
            attributes: strMap(ev.attributes, `${field}.events[${i}].attributes`),
          };
        }),
        recordError: a.recordError === true,
      };
    }
    spanLayers.serverSpanAnnotations = out;
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
