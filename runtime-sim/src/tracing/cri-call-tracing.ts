/**
 * What a runtime adds under (or onto) the otelgrpc SERVER span of one CRI call, driven by the persona
 * version's `spanLayers` data:
 *  - interceptorSpan (CRI-O): an INTERNAL span per call named after the full method;
 *  - functionSpans (CRI-O, containerd 2.x): the tree of the outcome the call had (in-process and client
 *    spans, log lines, events, the attributes the handler sets) under the interceptor span, or under the
 *    SERVER span when there is none, laid out over the call's time once it has ended (./span-tree-player.ts);
 *    logHook says how its lines become events;
 *  - logEvents (containerd 1.6): the CRI plugin's log lines at Info and above as span events (logrus
 *    hook), each line logged when its conditions on the call's facts hold;
 *  - for otelgrpc's unary interceptor (v0.28): its own `message` events with the uncompressed size;
 *  - functionSpans.background (containerd 2.x): root traces on container transitions (./background-traces.ts).
 * Nothing is added when the SERVER span does not record (tracing off, or not sampled); only the stop-signal
 * ledger keeps following StopContainer/RemoveContainer then, as containerd's per-container flag does.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Span } from '@opentelemetry/api';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { criMethodByPath, IMAGE_SERVICE_METHODS, RUNTIME_SERVICE_METHODS } from '../../../cri-proto/src/cri-methods';
import { imageServiceDefinition, runtimeServiceDefinition } from '../../../cri-proto/src/load-cri';
import { OTELGRPC_MESSAGE_EVENT as EVENT } from '../../../cri-proto/src/tracing/otelgrpc-conventions';
import { factsAfterCall, factsBeforeCall, noteStopSignal, renderAttributeValue, renderTemplate, sandboxContainerFacts, statsContainerFacts, type CallFacts, type CallOutcome } from '../personas/call-facts';
import type { ConditionFact } from '../personas/call-fact-vocabulary';
import type {
  AttributeTemplate,
  CallOutcomeTree,
  CallStep,
  FunctionSpanLayer,
  LogEventLine,
  LogEventTime,
  LogHookLayer,
  PersonaVersionSpec,
  TreeIteration,
} from '../personas/persona-version-spec';
import { StopSignalLedger } from '../personas/stop-signal-ledger';
import { startBackgroundTraces } from './background-traces';
import { GO_ERROR_FIELD_VALUE, LOG_ERROR_KEY, LOG_LEVEL_KEY, meetsCondition, MIN_FUNCTION_SPAN_NS, planSteps, setAttributes, TreePlayer, unitsOf, type IterationItems } from './span-tree-player';
import type { RuntimeState } from '../state/runtime-state';
import { toStatus } from '../server/to-status';
import { nsToHrTime, spanClockNowNs } from '../../../cri-proto/src/tracing/span-clock';

/** The hook handler-kit calls around every unary CRI call. */
export interface CriCallTracing {
  /** Runs `work` for `method`, adding the persona's span layers around it; returns or rethrows its outcome. */
  traceCall<Res>(method: string, request: unknown, work: () => Promise<Res>): Promise<Res>;
}

/** Calls whose facts feed the stop-signal ledger, even when their span is not recorded. */
const LEDGER_METHODS: ReadonlySet<string> = new Set(['StopContainer', 'RemoveContainer']);

export interface CriCallTracingOptions {
  /** Wall clock in epoch nanoseconds; default the span clock every span of the process uses. */
  nowNs?: () => bigint;
}

export function createCriCallTracing(spec: PersonaVersionSpec, state: RuntimeState, options: CriCallTracingOptions = {}): CriCallTracing {
  const nowNs = options.nowNs ?? spanClockNowNs;
  const layers = spec.spanLayers;
  const interceptorMessages = spec.otelgrpc.instrumentation === 'unary-interceptor';
  const sizes = messageSizer();
  const ledger = usesFact(spec, 'stopSignalSent') ? new StopSignalLedger() : undefined;
  const treeFacts = layers.functionSpans ? placeholdersByMethod(layers.functionSpans, layers.logHook) : new Map<string, ReadonlySet<string>>();
  const treeIterations = layers.functionSpans ? iterationsByMethod(layers.functionSpans) : new Map<string, ReadonlySet<TreeIteration>>();
  let player: TreePlayer | undefined;
  if (layers.functionSpans) startBackgroundTraces(layers.functionSpans, layers.logHook, state, nowNs);

  return {
    async traceCall<Res>(method: string, request: unknown, work: () => Promise<Res>): Promise<Res> {
      const parentCtx = context.active();
      const serverSpan = trace.getSpan(parentCtx);
      const recording = serverSpan !== undefined && serverSpan.isRecording();
      if (!recording) {
        if (ledger && LEDGER_METHODS.has(method)) noteStopSignal(method, factsBeforeCall(method, request, state, ledger), ledger);
        return work();
      }

      const startNs = process.hrtime.bigint();
      const before = factsBeforeCall(method, request, state, ledger);
      if (ledger) noteStopSignal(method, before, ledger);
      const logs = layers.logEvents?.[method];
      const iterations = treeIterations.get(method);
      const iterates = iterations?.has('sandboxContainers') === true || logs?.some((l) => l.forEach === 'sandboxContainers') === true;
      const perContainer = iterates ? sandboxContainerFacts(before, state) : [];
      if (perContainer.length > 0) before.lastSandboxContainerId = perContainer[perContainer.length - 1].containerId;
      const items: IterationItems = {
        sandboxContainers: perContainer,
        statsContainers: iterations?.has('statsContainers') === true ? statsContainerFacts(method, request, state) : undefined,
      };

      if (interceptorMessages) {
        serverSpan.addEvent(EVENT.NAME, { [EVENT.TYPE]: EVENT.TYPE_RECEIVED, [EVENT.ID]: 1, [EVENT.UNCOMPRESSED_SIZE]: sizes.request(method, request) });
      }
      if (logs) addLogEvents(serverSpan, logs, 'start', before, perContainer);

      const callLayers = startCallLayers(method, parentCtx, serverSpan);

      let response: Res | undefined;
      let failure: unknown;
      let failed = false;
      try {
        response = await work();
      } catch (err) {
        failure = err;
        failed = true;
      }

      const outcome: CallOutcome = failed ? { failed: true, code: toStatus(failure).code, message: toStatus(failure).details } : { failed: false };
      const after = factsAfterCall(method, request, before, outcome, response, state, process.hrtime.bigint() - startNs, treeFacts.get(method) ?? NO_FACTS);
      if (callLayers) callLayers.finish(after, items);
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

  /**
   * The interceptor's span (CRI-O), started before the work; once the call has ended, the tree of the
   * outcome it had (spans, log lines and events), laid out over the call's time inside the interceptor
   * span, or inside the SERVER span when there is none (containerd 2.x), never past the moment it ends.
   */
  function startCallLayers(method: string, parentCtx: Context, serverSpan: Span): { finish(after: CallFacts, items: IterationItems): void } | undefined {
    const interceptorLayer = layers.interceptorSpan;
    const functionLayer = layers.functionSpans;
    if (interceptorLayer === undefined && functionLayer === undefined) return undefined;
    const fromNs = nowNs();
    let ctx = parentCtx;
    let interceptorSpan: Span | undefined;
    if (interceptorLayer) {
      const name = interceptorLayer.name.replace('{fullMethod}', fullMethodOf(method));
      interceptorSpan = trace.getTracer(interceptorLayer.tracer).startSpan(name, { kind: SpanKind.INTERNAL, startTime: nsToHrTime(fromNs) }, ctx);
      ctx = trace.setSpan(ctx, interceptorSpan);
    }
    return {
      finish(after, items) {
        const played = functionLayer?.calls[method]?.find((o) => meetsCondition(o.when, after));
        let endNs = nowNs();
        if (played && functionLayer) {
          const facts: CallFacts = layers.logHook?.kind === 'otellogrus' ? { ...after, requestId: randomUUID(), fullMethod: fullMethodOf(method) } : after;
          const host = interceptorSpan ?? serverSpan;
          setAttributes(host, played.attributes, facts);
          const plan = planSteps(played.steps, facts, items);
          // Only a span this layer ends itself may outlast the call to give each innermost span its minimum slice.
          const minimumEnd = fromNs + unitsOf(plan) * MIN_FUNCTION_SPAN_NS;
          const toNs = interceptorSpan !== undefined && minimumEnd > endNs ? minimumEnd : endNs;
          player ??= new TreePlayer(functionLayer.tracer, layers.logHook);
          player.layOut(plan, host, ctx, fromNs, toNs);
          const now = nowNs();
          endNs = toNs > now ? toNs : now;
        }
        interceptorSpan?.end(nsToHrTime(endNs));
      },
    };
  }
}

/** A method whose tree prints no fact. */
const NO_FACTS: ReadonlySet<string> = new Set();

/**
 * Per method, the `{fact}` names its trees and the hook print: facts that cost something (a formatted
 * response, a hash, a timestamp) are gathered only for the calls that print them.
 */
function placeholdersByMethod(layer: FunctionSpanLayer, hook: LogHookLayer | undefined): Map<string, ReadonlySet<string>> {
  const byMethod = new Map<string, ReadonlySet<string>>();
  for (const [method, outcomes] of Object.entries(layer.calls)) byMethod.set(method, placeholdersOf(outcomes, hook));
  return byMethod;
}

function placeholdersOf(outcomes: readonly CallOutcomeTree[], hook: LogHookLayer | undefined): Set<string> {
  const names = new Set<string>();
  const add = (text: string): void => {
    for (const m of text.matchAll(/\{([A-Za-z]+)\}/g)) names.add(m[1]);
  };
  const addAttributes = (attrs: Readonly<Record<string, AttributeTemplate>>): void => {
    for (const attr of Object.values(attrs)) if ('template' in attr) add(attr.template);
  };
  const walk = (steps: readonly CallStep[]): void => {
    for (const step of steps) {
      if (step.kind === 'log') {
        add(step.message);
        addAttributes(step.attributes);
      } else if (step.kind === 'event') {
        add(step.name);
        addAttributes(step.attributes);
      } else if (step.kind !== 'idle') {
        if (step.kind === 'span') {
          addAttributes(step.attributes);
          if (step.errorStatus !== undefined) add(step.errorStatus);
        }
        walk(step.steps);
      }
    }
  };
  for (const o of outcomes) {
    addAttributes(o.attributes);
    walk(o.steps);
  }
  Object.values(hook?.fields ?? {}).forEach(add);
  return names;
}

/** Per method, the repetitions its trees ask for (whose items are gathered before the call). */
function iterationsByMethod(layer: FunctionSpanLayer): Map<string, ReadonlySet<TreeIteration>> {
  const byMethod = new Map<string, ReadonlySet<TreeIteration>>();
  const collect = (steps: readonly CallStep[], into: Set<TreeIteration>): void => {
    for (const s of steps) {
      if (s.kind === 'repeat') into.add(s.forEach);
      if (s.kind === 'span' && s.forEach !== undefined) into.add(s.forEach);
      if (s.kind === 'span' || s.kind === 'repeat') collect(s.steps, into);
    }
  };
  for (const [method, outcomes] of Object.entries(layer.calls)) {
    const found = new Set<TreeIteration>();
    for (const o of outcomes) collect(o.steps, found);
    if (found.size > 0) byMethod.set(method, found);
  }
  return byMethod;
}

/** Whether any log line or tree step of the persona tests `fact` (so the facts it needs are worth keeping). */
function usesFact(spec: PersonaVersionSpec, fact: ConditionFact): boolean {
  const inSteps = (steps: readonly CallStep[]): boolean =>
    steps.some((s) => s.when[fact] !== undefined || ((s.kind === 'span' || s.kind === 'repeat') && inSteps(s.steps)));
  const inTrees = Object.values(spec.spanLayers.functionSpans?.calls ?? {}).some((outcomes) => outcomes.some((o) => o.when[fact] !== undefined || inSteps(o.steps)));
  return inTrees || Object.values(spec.spanLayers.logEvents ?? {}).some((lines) => lines.some((l) => l.when[fact] !== undefined));
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
