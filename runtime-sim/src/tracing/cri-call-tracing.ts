/**
 * What a runtime adds under (or onto) the otelgrpc SERVER span of one CRI call, driven by the persona
 * version's `spanLayers` data:
 *  - interceptorSpan + functionSpans (CRI-O): an INTERNAL span per call named after the full method,
 *    then a tree of INTERNAL spans named after Go functions;
 *  - serverSpanAnnotations (containerd 2.x): attributes and events on the SERVER span itself, and an
 *    `exception` event when the instrumented service records the error;
 *  - logEvents (containerd 1.6): the CRI plugin's log lines at Info and above as span events (logrus
 *    hook), each line logged when its conditions on the call's facts hold;
 *  - for otelgrpc's unary interceptor (v0.28): its own `message` events with the uncompressed size.
 * Nothing is added when the SERVER span does not record (tracing off, or not sampled); only the stop-signal
 * ledger keeps following StopContainer/RemoveContainer then, as containerd's per-container flag does.
 */
import type { Context, Span, Tracer } from '@opentelemetry/api';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { GO_GRPC_CODE_NAMES } from '../../../cri-proto/src/grpc-status';
import { criMethodByPath, IMAGE_SERVICE_METHODS, RUNTIME_SERVICE_METHODS } from '../../../cri-proto/src/cri-methods';
import { imageServiceDefinition, runtimeServiceDefinition } from '../../../cri-proto/src/load-cri';
import { OTELGRPC_MESSAGE_EVENT as EVENT } from '../../../cri-proto/src/tracing/otelgrpc-conventions';
import { factsAfterCall, factsBeforeCall, noteStopSignal, renderAttributeValue, renderTemplate, sandboxContainerFacts, type CallFacts, type CallOutcome } from '../personas/call-facts';
import { CONDITION_FACTS, type ConditionFact, type ConditionValue } from '../personas/call-fact-vocabulary';
import type { AnnotationEvent, FactCondition, FunctionSpanNode, LogEventLine, LogEventTime, PersonaVersionSpec, ServerSpanAnnotation } from '../personas/persona-version-spec';
import { StopSignalLedger } from '../personas/stop-signal-ledger';
import type { RuntimeState } from '../state/runtime-state';
import { toStatus } from '../server/to-status';
import { spanClockNowMs } from '../../../cri-proto/src/tracing/span-clock';

/** The hook handler-kit calls around every unary CRI call. */
export interface CriCallTracing {
  /** Runs `work` for `method`, adding the persona's span layers around it; returns or rethrows its outcome. */
  traceCall<Res>(method: string, request: unknown, work: () => Promise<Res>): Promise<Res>;
}

/** Smallest time slice given to a synthesised function span, so siblings never share a start time. */
const MIN_FUNCTION_SPAN_MS = 0.002;
/** Attribute key of the log level on logrus-hook events (containerd tracing/log.go). */
const LOG_LEVEL_KEY = 'level';
/** Field logrus' WithError sets (logrus.ErrorKey). */
const LOG_ERROR_KEY = 'error';
/**
 * The hook's rendering of a Go error field (containerd v1.6.27 tracing/log.go `any`): an error is no basic
 * type and no fmt.Stringer, so it is json.Marshal'ed; the errors the CRI plugin logs (grpc-go's
 * *status.Error from errdefs.ToGRPC, *fmt.wrapError, *errors.errorString) have only unexported fields.
 */
const GO_ERROR_FIELD_VALUE = '{}';
/** Calls whose facts feed the stop-signal ledger, even when their span is not recorded. */
const LEDGER_METHODS: ReadonlySet<string> = new Set(['StopContainer', 'RemoveContainer']);
/** Type printed by otel-go RecordError for grpc-go status errors (`*status.Error`). */
const GO_STATUS_ERROR_TYPE = '*status.Error';

export interface CriCallTracingOptions {
  /** Wall clock in epoch milliseconds (fractional); default the span clock every span of the process uses. */
  nowMs?: () => number;
}

export function createCriCallTracing(spec: PersonaVersionSpec, state: RuntimeState, options: CriCallTracingOptions = {}): CriCallTracing {
  const nowMs = options.nowMs ?? spanClockNowMs;
  const layers = spec.spanLayers;
  const interceptorMessages = spec.otelgrpc.instrumentation === 'unary-interceptor';
  const sizes = messageSizer();
  const ledger = usesFact(spec, 'stopSignalSent') ? new StopSignalLedger() : undefined;

  return {
    async traceCall<Res>(method: string, request: unknown, work: () => Promise<Res>): Promise<Res> {
      const parentCtx = context.active();
      const serverSpan = trace.getSpan(parentCtx);
      const recording = serverSpan !== undefined && serverSpan.isRecording();
      if (!recording) {
        if (ledger && LEDGER_METHODS.has(method)) noteStopSignal(method, factsBeforeCall(method, request, state, ledger), ledger);
        return work();
      }

      const startMs = nowMs();
      const startNs = process.hrtime.bigint();
      const before = factsBeforeCall(method, request, state, ledger);
      if (ledger) noteStopSignal(method, before, ledger);
      const annotation = layers.serverSpanAnnotations?.[method];
      const logs = layers.logEvents?.[method];
      const perContainer = logs?.some((l) => l.forEach === 'sandboxContainers') ? sandboxContainerFacts(before, state) : [];

      if (interceptorMessages) {
        serverSpan.addEvent(EVENT.NAME, { [EVENT.TYPE]: EVENT.TYPE_RECEIVED, [EVENT.ID]: 1, [EVENT.UNCOMPRESSED_SIZE]: sizes.request(method, request) });
      }
      if (logs) addLogEvents(serverSpan, logs, 'start', before, perContainer);
      if (annotation) addEvents(serverSpan, annotation.events, 'start', before);

      const functionRoot = startFunctionLayers(spec, method, parentCtx);

      let response: Res | undefined;
      let failure: unknown;
      let failed = false;
      try {
        response = await work();
      } catch (err) {
        failure = err;
        failed = true;
      }

      const outcome: CallOutcome = failed ? { failed: true, code: toStatus(failure).code } : { failed: false };
      const after = factsAfterCall(method, request, before, outcome, response, state, process.hrtime.bigint() - startNs);
      if (functionRoot) functionRoot.finish(failed, startMs, nowMs());
      if (annotation) annotateServerSpan(serverSpan, annotation, after, failed ? failure : undefined);
      if (logs) addLogEvents(serverSpan, logs, 'end', after, perContainer);
      if (interceptorMessages) {
        // v0.28 sends the response, or on error the google.rpc.Status it turns into (s.Proto()).
        const size = failed ? statusProtoSize(toStatus(failure).code, toStatus(failure).details) : sizes.response(method, response);
        serverSpan.addEvent(EVENT.NAME, { [EVENT.TYPE]: EVENT.TYPE_SENT, [EVENT.ID]: 1, [EVENT.UNCOMPRESSED_SIZE]: size });
      }
      if (failed) throw failure;
      return response as Res;
    },
  };

  /** CRI-O: the interceptor's span and the outermost function span, started before the work. */
  function startFunctionLayers(s: PersonaVersionSpec, method: string, parentCtx: Context): { finish(failed: boolean, fromMs: number, toMs: number): void } | undefined {
    const interceptorLayer = s.spanLayers.interceptorSpan;
    const functionLayer = s.spanLayers.functionSpans;
    if (interceptorLayer === undefined && functionLayer === undefined) return undefined;
    let ctx = parentCtx;
    let interceptorSpan: Span | undefined;
    // One instant for both layers' starts, so the laid-out function spans never begin before their parents.
    const layersStartMs = nowMs();
    if (interceptorLayer) {
      interceptorSpan = trace.getTracer(interceptorLayer.tracer).startSpan(interceptorLayer.name.replace('{fullMethod}', fullMethodOf(method)), { kind: SpanKind.INTERNAL, startTime: layersStartMs }, ctx);
      ctx = trace.setSpan(ctx, interceptorSpan);
    }
    let roots: readonly FunctionSpanNode[] = [];
    let rootSpan: Span | undefined;
    let tracer: Tracer | undefined;
    if (functionLayer) {
      tracer = trace.getTracer(functionLayer.tracer);
      roots = functionLayer.trees[method] ?? [{ name: functionLayer.defaultRoot.replace('{method}', method), children: [] }];
      rootSpan = roots.length > 0 ? tracer.startSpan(roots[0].name, { kind: SpanKind.INTERNAL, startTime: layersStartMs }, ctx) : undefined;
    }
    return {
      finish(failed, callStartMs, toMs) {
        const fromMs = Math.max(callStartMs, layersStartMs);
        if (rootSpan && tracer) {
          const rootCtx = trace.setSpan(ctx, rootSpan);
          // The work ran as one block; its inner calls are laid out over the call's time, in call order.
          const children = failed ? [] : roots[0].children;
          const endMs = Math.max(toMs, fromMs + leafCount(children) * MIN_FUNCTION_SPAN_MS);
          layOut(tracer, rootCtx, children, fromMs, endMs);
          rootSpan.end(endMs);
          interceptorSpan?.end(Math.max(endMs, nowMs()));
        } else {
          interceptorSpan?.end();
        }
      },
    };
  }
}

/** Starts and ends `nodes` one after another within [fromMs, toMs], each child inside its parent. */
function layOut(tracer: Tracer, parentCtx: Context, nodes: readonly FunctionSpanNode[], fromMs: number, toMs: number): void {
  if (nodes.length === 0) return;
  const slice = Math.max((toMs - fromMs) / nodes.length, MIN_FUNCTION_SPAN_MS);
  nodes.forEach((node, i) => {
    const start = fromMs + i * slice;
    const end = start + slice * 0.9;
    const span = tracer.startSpan(node.name, { kind: SpanKind.INTERNAL, startTime: start }, parentCtx);
    layOut(tracer, trace.setSpan(parentCtx, span), node.children, start, end);
    span.end(end);
  });
}

function leafCount(nodes: readonly FunctionSpanNode[]): number {
  return nodes.reduce((n, node) => n + Math.max(1, leafCount(node.children)), 0);
}

/** Whether any log line of the persona tests `fact` (so the facts it needs are worth keeping). */
function usesFact(spec: PersonaVersionSpec, fact: ConditionFact): boolean {
  return Object.values(spec.spanLayers.logEvents ?? {}).some((lines) => lines.some((l) => l.when[fact] !== undefined));
}

/** Every fact in `condition` has one of its listed values; a yes/no fact nobody learnt counts as false. */
function meetsCondition(condition: FactCondition, facts: CallFacts): boolean {
  for (const [name, wanted] of Object.entries(condition) as Array<[ConditionFact, readonly ConditionValue[]]>) {
    const isYesNo = (CONDITION_FACTS[name].values as readonly ConditionValue[]).includes(true);
    const value = facts[name] ?? (isYesNo ? false : undefined);
    if (value === undefined || !wanted.includes(value as ConditionValue)) return false;
  }
  return true;
}

/**
 * containerd 1.6: the call's log lines logged at `at`, in file order, as the logrus hook records them.
 * Consecutive `forEach: sandboxContainers` lines are one loop body: each container runs through all of them.
 */
function addLogEvents(span: Span, lines: readonly LogEventLine[], at: LogEventTime, facts: CallFacts, perContainer: readonly CallFacts[]): void {
  const due = lines.filter((l) => l.at === at);
  for (let i = 0; i < due.length; ) {
    if (due[i].forEach !== 'sandboxContainers') {
      addLogEvent(span, due[i], facts);
      i += 1;
      continue;
    }
    let end = i;
    while (end < due.length && due[end].forEach === 'sandboxContainers') end += 1;
    for (const item of perContainer) {
      const itemFacts = { ...facts, ...item };
      for (let j = i; j < end; j += 1) addLogEvent(span, due[j], itemFacts);
    }
    i = end;
  }
}

function addLogEvent(span: Span, line: LogEventLine, facts: CallFacts): void {
  if (!meetsCondition(line.when, facts)) return;
  const attributes: Record<string, string | number> = {};
  for (const [key, template] of Object.entries(line.attributes)) attributes[key] = renderAttributeValue(template, facts);
  if (line.withError) attributes[LOG_ERROR_KEY] = GO_ERROR_FIELD_VALUE;
  attributes[LOG_LEVEL_KEY] = line.level;
  span.addEvent(renderTemplate(line.message, facts), attributes);
}

function isSatisfied(event: AnnotationEvent, facts: CallFacts): boolean {
  if (event.when !== undefined && facts[event.when] !== true) return false;
  if (event.unless !== undefined && facts[event.unless] === true) return false;
  return true;
}

function addEvents(span: Span, events: readonly AnnotationEvent[], at: AnnotationEvent['at'], facts: CallFacts): void {
  for (const event of events) {
    if (event.at !== at || !isSatisfied(event, facts)) continue;
    const attributes: Record<string, string | number> = {};
    for (const [key, template] of Object.entries(event.attributes)) attributes[key] = renderAttributeValue(template, facts);
    span.addEvent(event.name, attributes);
  }
}

/** containerd 2.x: attributes whose facts are known, end events, and RecordError's `exception` event. */
function annotateServerSpan(span: Span, annotation: ServerSpanAnnotation, facts: CallFacts, failure: unknown): void {
  for (const [key, template] of Object.entries(annotation.attributes)) {
    const value = renderAttributeValue(template, facts);
    if (value !== '') span.setAttribute(key, value);
  }
  if (failure === undefined) {
    addEvents(span, annotation.events, 'end', facts);
  } else if (annotation.recordError) {
    // instrumented_service.go records the error after errgrpc.ToGRPC turned it into a status error.
    const status = toStatus(failure);
    span.addEvent('exception', {
      'exception.type': GO_STATUS_ERROR_TYPE,
      'exception.message': `rpc error: code = ${GO_GRPC_CODE_NAMES[status.code] ?? status.code} desc = ${status.details}`,
    });
  }
}

function fullMethodOf(method: string): string {
  const runtime = (RUNTIME_SERVICE_METHODS as Record<string, { path: string }>)[method];
  const image = (IMAGE_SERVICE_METHODS as Record<string, { path: string }>)[method];
  return (runtime ?? image)?.path ?? `/${method}`;
}

/** Serialized sizes of requests and responses (proto.Size in otelgrpc v0.28's message events). */
function messageSizer(): { request(method: string, message: unknown): number; response(method: string, message: unknown): number } {
  type Def = Record<string, { requestSerialize(v: unknown): Buffer; responseSerialize(v: unknown): Buffer }>;
  let defs: Def | undefined;
  const find = (method: string) => {
    defs ??= { ...(imageServiceDefinition() as unknown as Def), ...(runtimeServiceDefinition() as unknown as Def) };
    const path = fullMethodOf(method);
    return criMethodByPath(path) ? defs[method] : undefined;
  };
  const size = (serialize: ((v: unknown) => Buffer) | undefined, message: unknown): number => {
    if (serialize === undefined || message === undefined) return 0;
    try {
      return serialize(message).length;
    } catch {
      return 0; // a size is decoration; never fail the call over it
    }
  };
  return {
    request: (method, message) => size(find(method)?.requestSerialize, message),
    response: (method, message) => size(find(method)?.responseSerialize, message),
  };
}

/** Encoded size of google.rpc.Status{code=1 (varint), message=2 (string)}, zero fields omitted. */
export function statusProtoSize(code: number, message: string): number {
  const varintSize = (n: number): number => {
    let size = 1;
    for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) size += 1;
    return size;
  };
  const bytes = Buffer.byteLength(message);
  return (code !== 0 ? 1 + varintSize(code) : 0) + (bytes > 0 ? 1 + varintSize(bytes) + bytes : 0);
}
