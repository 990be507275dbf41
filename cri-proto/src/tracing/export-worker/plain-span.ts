/**
 * Spans as plain data, the form in which the main thread hands them to the export worker
 * (./worker-span-exporter.ts). A plain span holds exactly what the OTLP transform reads from a ReadableSpan
 * (@opentelemetry/otlp-transformer trace/internal.js sdkSpanToOtlpSpan, createResource,
 * createInstrumentationScope); the SDK's attribute, event, status and time objects are already plain and are
 * referenced, not copied, so a span costs one small object here and its share of the structured clone in
 * postMessage. Resources and instrumentation scopes are sent once per worker and referred to by number
 * afterwards: a fleet process has one resource per node and a handful of scopes, every span has both.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface PlainResource {
  attributes: Attributes;
  schemaUrl?: string;
}

export interface PlainScope {
  name: string;
  version?: string;
  schemaUrl?: string;
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

export interface PlainSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean;
  /** TraceState.serialize() of the context, when it has a trace state. */
  traceState?: string;
}

export interface PlainLink {
  context: PlainSpanContext;
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

/**
 * A span as a flat array: the structured clone writes an object's property names with every object, so
 * a tuple clones in about a third of the time of the same span as objects (measured on 512 CRI-O spans:
 * 1.1 ms against 3.1 ms; docs/benchmarks.md). Events are flattened the same way, five slots each
 * (name, time seconds, time nanoseconds, attributes, dropped attribute count).
 */
export type PlainSpan = [
  resource: number,
  scope: number,
  traceId: string,
  spanId: string,
  traceFlags: number,
  isRemote: boolean | undefined,
  traceState: string | undefined,
  parentSpanId: string | undefined,
  parentIsRemote: boolean | undefined,
  name: string,
  kind: number,
  startSeconds: number,
  startNanos: number,
  endSeconds: number,
  endNanos: number,
  attributes: Attributes,
  droppedAttributesCount: number,
  events: PlainEventSlots,
  droppedEventsCount: number,
  statusCode: number,
  statusMessage: string | undefined,
  links: PlainLink[] | undefined,
  droppedLinksCount: number,
];

/** Five slots per event: name, time seconds, time nanoseconds, attributes, dropped attribute count. */
export type PlainEventSlots = (string | number | Attributes | undefined)[];
export const EVENT_SLOTS = 5;

/** A run of spans with the resources and scopes they introduce (those the worker has not been sent yet). */
export interface PlainSpanBatch {
  resources: [number, PlainResource][];
  scopes: [number, PlainScope][];
  spans: PlainSpan[];
}

type Resource = ReadableSpan['resource'];
type Scope = ReadableSpan['instrumentationScope'];

/**
 * Turns spans into plain batches for one worker. It remembers which resources and scopes it has numbered, so
 * it must feed exactly one worker, whose messages arrive in the order they were posted.
 */
export class PlainSpanCopier {
  private readonly resourceIds = new WeakMap<Resource, number>();
  private readonly scopeIds = new Map<string, number>();
  private nextResourceId = 0;

  /** Copies `spans` (in order) into a batch. */
  copy(spans: readonly ReadableSpan[]): PlainSpanBatch {
    const batch: PlainSpanBatch = { resources: [], scopes: [], spans: new Array<PlainSpan>(spans.length) };
    for (let i = 0; i < spans.length; i++) batch.spans[i] = this.copySpan(spans[i]!, batch);
    return batch;
  }

  private copySpan(span: ReadableSpan, batch: PlainSpanBatch): PlainSpan {
    const context = span.spanContext();
    const parent = span.parentSpanContext;
    const parentSpanId = parent?.spanId ? parent.spanId : undefined;
    return [
      this.resourceId(span.resource, batch),
      this.scopeId(span.instrumentationScope, batch),
      context.traceId,
      context.spanId,
      context.traceFlags,
      context.isRemote,
      context.traceState?.serialize(),
      parentSpanId,
      parentSpanId === undefined ? undefined : parent?.isRemote,
      span.name,
      span.kind,
      span.startTime[0],
      span.startTime[1],
      span.endTime[0],
      span.endTime[1],
      span.attributes,
      span.droppedAttributesCount,
      eventSlots(span.events),
      span.droppedEventsCount,
      span.status.code,
      span.status.message,
      span.links.length === 0 ? undefined : span.links.map((l) => ({ context: copyContext(l.context), attributes: l.attributes, droppedAttributesCount: l.droppedAttributesCount })),
      span.droppedLinksCount,
    ];
  }

  private resourceId(resource: Resource, batch: PlainSpanBatch): number {
    let id = this.resourceIds.get(resource);
    if (id === undefined) {
      id = this.nextResourceId++;
      this.resourceIds.set(resource, id);
      batch.resources.push([id, { attributes: resource.attributes, schemaUrl: resource.schemaUrl }]);
    }
    return id;
  }

  private scopeId(scope: Scope, batch: PlainSpanBatch): number {
    // Keyed as the OTLP transform groups spans (name@version:schemaUrl), so equal scopes of different tracers share a number.
    const key = `${scope.name}@${scope.version ?? ''}:${scope.schemaUrl ?? ''}`;
    let id = this.scopeIds.get(key);
    if (id === undefined) {
      id = this.scopeIds.size;
      this.scopeIds.set(key, id);
      const plain: PlainScope = { name: scope.name, version: scope.version, schemaUrl: scope.schemaUrl };
      const withAttributes = scope as Scope & { attributes?: Attributes; droppedAttributesCount?: number };
      if (withAttributes.attributes !== undefined) plain.attributes = withAttributes.attributes;
      if (withAttributes.droppedAttributesCount !== undefined) plain.droppedAttributesCount = withAttributes.droppedAttributesCount;
      batch.scopes.push([id, plain]);
    }
    return id;
  }
}

function eventSlots(events: ReadableSpan['events']): PlainEventSlots {
  const slots: PlainEventSlots = new Array(events.length * EVENT_SLOTS);
  let i = 0;
  for (const event of events) {
    slots[i++] = event.name;
    slots[i++] = event.time[0];
    slots[i++] = event.time[1];
    slots[i++] = event.attributes;
    slots[i++] = event.droppedAttributesCount;
  }
  return slots;
}

function copyContext(context: ReturnType<ReadableSpan['spanContext']>): PlainSpanContext {
  const plain: PlainSpanContext = { traceId: context.traceId, spanId: context.spanId, traceFlags: context.traceFlags };
  if (context.isRemote !== undefined) plain.isRemote = context.isRemote;
  if (context.traceState !== undefined) plain.traceState = context.traceState.serialize();
  return plain;
}
