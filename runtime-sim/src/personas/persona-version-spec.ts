/**
 * The shape of a persona version file (runtime-sim/personas/<persona>-<version>.yaml): everything that
 * differs between releases of one runtime — Version.runtime_version, default socket, how tracing is
 * configured and sampled, which otelgrpc instrumentation serves CRI, which RPCs the vendored CRI API
 * lacks, and the span layers the runtime adds under its otelgrpc SERVER span.
 * Error texts per persona are not here: they live in state/persona.ts.
 */
import { PERSONAS, type Persona } from '../state/persona';

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

export interface LogEventTemplates {
  readonly start?: string;
  readonly success?: string;
  readonly failure?: string;
}

export interface SpanLayers {
  readonly interceptorSpan?: InterceptorSpanLayer;
  readonly functionSpans?: FunctionSpanLayer;
  readonly serverSpanAnnotations?: Readonly<Record<string, ServerSpanAnnotation>>;
  readonly logEvents?: Readonly<Record<string, LogEventTemplates>>;
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

  const spanLayers: {
    interceptorSpan?: InterceptorSpanLayer;
    functionSpans?: FunctionSpanLayer;
    serverSpanAnnotations?: Record<string, ServerSpanAnnotation>;
    logEvents?: Record<string, LogEventTemplates>;
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
    const out: Record<string, LogEventTemplates> = {};
    for (const [method, raw] of Object.entries(obj(layers.logEvents, 'spanLayers.logEvents'))) {
      const field = `spanLayers.logEvents.${method}`;
      const t = obj(raw, field);
      out[method] = {
        start: t.start === undefined ? undefined : str(t.start, `${field}.start`),
        success: t.success === undefined ? undefined : str(t.success, `${field}.success`),
        failure: t.failure === undefined ? undefined : str(t.failure, `${field}.failure`),
      };
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
