/**
 * Plays one CRI call's span tree, as a persona file describes it (spanLayers.functionSpans), once the
 * call has ended: planSteps decides which steps the call's facts select (conditions, loops over the
 * sandbox's containers), and TreePlayer lays the plan out over the call's time: spans one after another,
 * each slice sized by its share (its `weight`, else how many innermost spans it holds), log lines (as the
 * runtime's log hook makes them) and events in between. Every span starts and ends within its parent's
 * slice, and sequential siblings never overlap.
 */
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { nsToHrTime } from '../../../cri-proto/src/tracing/span-clock';
import { renderAttributeValue, renderTemplate, type CallFacts } from '../personas/call-facts';
import { CONDITION_FACTS, type ConditionFact, type ConditionValue } from '../personas/call-fact-vocabulary';
import type { AttributeTemplate, CallStep, EventStep, FactCondition, LogEventLevel, LogHookLayer, LogStep, SpanStep, TracerScope, TreeIteration, TreeSpanKind } from '../personas/persona-version-spec';

/** Smallest time slice (ns) given to each innermost synthesised function span, so siblings never share a start time. */
export const MIN_FUNCTION_SPAN_NS = 2_000n;
/** Share of its slice a laid-out span leaves empty at its end, so one sibling ends before the next starts. */
const SLICE_GAP_DIVISOR = 10n;
/** otellogrus (v0.3.2 otellogrus.go): event name, attribute keys, and levelString() of the logrus levels lines may have. */
const OTELLOGRUS = {
  EVENT: 'log',
  SEVERITY: 'log.severity',
  MESSAGE: 'log.message',
  SEVERITY_OF: { info: 'INFO', warning: 'WARN', error: 'ERROR' } satisfies Record<LogEventLevel, string>,
} as const;
/** Attribute key of the log level on logrus-hook events (containerd tracing/log.go). */
export const LOG_LEVEL_KEY = 'level';
/** Field logrus' WithError sets (logrus.ErrorKey). */
export const LOG_ERROR_KEY = 'error';
/**
 * The hook's rendering of a Go error field (containerd v1.6.27 tracing/log.go `any`): an error is no basic
 * type and no fmt.Stringer, so it is json.Marshal'ed; the errors the CRI plugin logs (grpc-go's
 * *status.Error from errdefs.ToGRPC, *fmt.wrapError, *errors.errorString) have only unexported fields.
 */
export const GO_ERROR_FIELD_VALUE = '{}';
const SPAN_KINDS: Readonly<Record<TreeSpanKind, SpanKind>> = { INTERNAL: SpanKind.INTERNAL, CLIENT: SpanKind.CLIENT, SERVER: SpanKind.SERVER };

/** Per repetition a tree may ask for, the items (each with its own facts) the call has. */
export type IterationItems = Readonly<Partial<Record<TreeIteration, readonly CallFacts[]>>>;

/** A call's tree with its conditions decided and its repetitions made: what is laid out. */
export type PlannedSpan = { readonly step: SpanStep; readonly facts: CallFacts; readonly steps: readonly PlannedStep[] };
export type PlannedStep =
  | ({ readonly kind: 'span' } & PlannedSpan)
  | { readonly kind: 'group'; readonly spans: readonly PlannedSpan[] }
  | { readonly kind: 'log'; readonly line: LogStep; readonly facts: CallFacts }
  | { readonly kind: 'event'; readonly event: EventStep; readonly facts: CallFacts }
  | { readonly kind: 'idle'; readonly units: bigint };

/**
 * The steps whose conditions hold; a forEach span once per item (with the item's facts), concurrent ones
 * as one group; a forEach loop's steps once per item, in place.
 */
export function planSteps(steps: readonly CallStep[], facts: CallFacts, items: IterationItems): PlannedStep[] {
  const out: PlannedStep[] = [];
  for (const step of steps) {
    if (step.kind === 'log') {
      if (meetsCondition(step.when, facts)) out.push({ kind: 'log', line: step, facts });
      continue;
    }
    if (step.kind === 'event') {
      if (meetsCondition(step.when, facts)) out.push({ kind: 'event', event: step, facts });
      continue;
    }
    if (step.kind === 'idle') {
      if (meetsCondition(step.when, facts)) out.push({ kind: 'idle', units: BigInt(step.weight) });
      continue;
    }
    if (step.kind === 'repeat') {
      for (const item of items[step.forEach] ?? []) {
        const itemFacts = { ...facts, ...item };
        if (meetsCondition(step.when, itemFacts)) out.push(...planSteps(step.steps, itemFacts, items));
      }
      continue;
    }
    const each = step.forEach === undefined ? [facts] : (items[step.forEach] ?? []).map((item) => ({ ...facts, ...item }));
    const spans = each
      .filter((itemFacts) => meetsCondition(step.when, itemFacts))
      .map((itemFacts) => ({ step, facts: itemFacts, steps: planSteps(step.steps, itemFacts, items) }));
    if (step.concurrent) {
      if (spans.length > 0) out.push({ kind: 'group', spans });
    } else {
      for (const span of spans) out.push({ kind: 'span', ...span });
    }
  }
  return out;
}

/** Shares of time a planned list needs side by side (a concurrent group: its widest member). */
export function unitsOf(steps: readonly PlannedStep[]): bigint {
  return steps.reduce((n, step) => n + unitsOfStep(step), 0n);
}

/** A span's share: its `weight` from the data, else how many innermost spans it holds (at least one). */
export function unitsOfSpan(span: PlannedSpan): bigint {
  return span.step.weight !== undefined ? BigInt(span.step.weight) : maxOf(1n, unitsOf(span.steps));
}

function unitsOfStep(step: PlannedStep): bigint {
  if (step.kind === 'log' || step.kind === 'event') return 0n;
  if (step.kind === 'idle') return step.units;
  if (step.kind === 'span') return unitsOfSpan(step);
  return step.spans.reduce((n, span) => maxOf(n, unitsOfSpan(span)), 0n);
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/**
 * Lays out a planned tree: spans one after another, each slice sized by its share of the parent's time
 * (a slice leaves a tenth empty at its end so that siblings never touch), lines and events in between.
 * Every span starts and ends within [fromNs, toNs] of its parent.
 */
export class TreePlayer {
  private readonly tracers = new Map<string, Tracer>();

  constructor(
    private readonly defaultTracer: string,
    private readonly hook: LogHookLayer | undefined,
  ) {}

  /**
   * Starts and ends `steps` within [fromNs, toNs] under `host` (the span their lines land on; none for
   * roots, whose context holds no span).
   */
  layOut(steps: readonly PlannedStep[], host: Span | undefined, hostCtx: Context, fromNs: bigint, toNs: bigint): void {
    const total = unitsOf(steps);
    const width = toNs > fromNs ? toNs - fromNs : 0n;
    let cursor = fromNs;
    let used = 0n;
    for (const step of steps) {
      if (step.kind === 'log') {
        if (host) this.log(host, step.line, step.facts, cursor);
        continue;
      }
      if (step.kind === 'event') {
        host?.addEvent(renderTemplate(step.event.name, step.facts), renderAttributes(step.event.attributes, step.facts), nsToHrTime(cursor));
        continue;
      }
      used += unitsOfStep(step);
      // The last slice ends exactly at toNs; integer division never lets a slice pass it.
      const sliceEnd = fromNs + (total === 0n ? width : (width * used) / total);
      if (step.kind === 'idle') {
        cursor = sliceEnd;
        continue;
      }
      const spanEnd = sliceEnd - (sliceEnd - cursor) / SLICE_GAP_DIVISOR;
      const members = step.kind === 'span' ? [step] : step.spans;
      for (const member of members) {
        const { step: spec, facts } = member;
        const kind = SPAN_KINDS[spec.spanKind];
        const span = this.tracerFor(spec.scope).startSpan(spec.name, { kind, startTime: nsToHrTime(cursor) }, hostCtx);
        setAttributes(span, spec.attributes, facts);
        this.layOut(member.steps, span, trace.setSpan(hostCtx, span), cursor, spanEnd);
        if (spec.errorStatus !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: renderTemplate(spec.errorStatus, facts) });
        span.end(nsToHrTime(spanEnd));
      }
      cursor = sliceEnd;
    }
  }

  private tracerFor(scope: TracerScope): Tracer {
    const key = `${scope.name}@${scope.version}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = trace.getTracer(scope.name === '' ? this.defaultTracer : scope.name, scope.version === '' ? undefined : scope.version);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  /** A log line as the hook records it on the span in its context. */
  private log(span: Span, line: LogStep, facts: CallFacts, atNs: bigint): void {
    if (this.hook === undefined) return;
    const message = renderTemplate(line.message, facts);
    if (this.hook.kind === 'containerd-logrus') {
      // containerd pkg/tracing/log.go: the message names the event; the entry's fields, then the level.
      const attributes: Attributes = {};
      for (const [key, value] of Object.entries(this.hook.fields)) attributes[key] = renderAttributeValue(value, facts);
      Object.assign(attributes, renderAttributes(line.attributes, facts, true));
      if (line.withError) attributes[LOG_ERROR_KEY] = GO_ERROR_FIELD_VALUE;
      attributes[LOG_LEVEL_KEY] = line.level;
      span.addEvent(message, attributes, nsToHrTime(atNs));
      return;
    }
    const attributes: Attributes = { [OTELLOGRUS.SEVERITY]: OTELLOGRUS.SEVERITY_OF[line.level], [OTELLOGRUS.MESSAGE]: message };
    for (const [key, value] of Object.entries(this.hook.fields)) attributes[key] = renderAttributeValue(value, facts);
    Object.assign(attributes, renderAttributes(line.attributes, facts, true));
    span.addEvent(OTELLOGRUS.EVENT, attributes, nsToHrTime(atNs));
    // otellogrus' default errorStatusLevel is Error: Error (and Fatal, Panic) lines set the status.
    if (line.level === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
}

/**
 * Renders a tree attribute; undefined when a template renders empty (a fact the call never learnt), unless
 * `keepEmpty` (a log line's field is printed whatever its value).
 */
function renderAttribute(attr: AttributeTemplate, facts: CallFacts, keepEmpty = false): string | number | boolean | undefined {
  if ('literal' in attr) return attr.literal;
  if (attr.type === 'auto') {
    const value = renderAttributeValue(attr.template, facts);
    return value === '' && !keepEmpty ? undefined : value;
  }
  const text = renderTemplate(attr.template, facts);
  if (text === '') return keepEmpty ? text : undefined;
  if (attr.type === 'string') return text;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function renderAttributes(attrs: Readonly<Record<string, AttributeTemplate>>, facts: CallFacts, keepEmpty = false): Attributes {
  const out: Attributes = {};
  for (const [key, attr] of Object.entries(attrs)) {
    const value = renderAttribute(attr, facts, keepEmpty);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function setAttributes(span: Span, attrs: Readonly<Record<string, AttributeTemplate>>, facts: CallFacts): void {
  for (const [key, attr] of Object.entries(attrs)) {
    const value = renderAttribute(attr, facts);
    if (value !== undefined) span.setAttribute(key, value);
  }
}

/** Every fact in `condition` has one of its listed values; a yes/no fact nobody learnt counts as false. */
export function meetsCondition(condition: FactCondition, facts: CallFacts): boolean {
  for (const [name, wanted] of Object.entries(condition) as Array<[ConditionFact, readonly ConditionValue[]]>) {
    const isYesNo = (CONDITION_FACTS[name].values as readonly ConditionValue[]).includes(true);
    const value = facts[name] ?? (isYesNo ? false : undefined);
    if (value === undefined || !wanted.includes(value as ConditionValue)) return false;
  }
  return true;
}

