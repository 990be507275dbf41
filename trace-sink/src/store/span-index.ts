import type { FlatSpan } from './flat-span';

/** All received spans of one trace, in arrival order. */
export interface TraceRecord {
  traceId: string;
  spans: FlatSpan[];
}

/** Read-only query API over the received spans. */
export interface SpanIndexView {
  /** Every indexed span, in arrival order. */
  spans(): FlatSpan[];
  /** Every indexed trace, ordered by its earliest span start. */
  traces(): TraceRecord[];
  /** Trace ids in the same order as traces(). */
  traceIds(): string[];
  /** Spans of one trace in arrival order, or undefined if not indexed. */
  trace(traceId: string): FlatSpan[] | undefined;
  /** Spans grouped by service name, services sorted by name. */
  spansByService(): Map<string, FlatSpan[]>;
  readonly spanCount: number;
  readonly traceCount: number;
  /** Upper bound on indexed spans; older traces are evicted beyond it. */
  readonly maxSpans: number;
  /** Spans evicted to stay within maxSpans. */
  readonly droppedSpanCount: number;
  /** Traces evicted entirely to stay within maxSpans. */
  readonly droppedTraceCount: number;
  /**
   * Resolves with the predicate's first truthy result, checking now and after
   * every change; rejects after timeoutMs.
   */
  waitFor<T>(predicate: (index: SpanIndexView) => T | undefined | null | false, timeoutMs?: number): Promise<T>;
}

interface StoredSpan {
  seq: number;
  span: FlatSpan;
}

interface Waiter {
  check(): void;
}

export const DEFAULT_MAX_SPANS = 50_000;
const DEFAULT_WAIT_MS = 5_000;

/**
 * In-memory span store keyed by trace id. Traces are kept in least-recently
 * updated order so eviction drops the traces that stopped receiving spans.
 */
export class SpanIndex implements SpanIndexView {
  private readonly byTrace = new Map<string, Map<string, StoredSpan>>();
  private readonly waiters = new Set<Waiter>();
  private nextSeq = 0;
  private count = 0;
  private droppedSpans = 0;
  private droppedTraces = 0;

  constructor(readonly maxSpans: number = DEFAULT_MAX_SPANS) {
    if (!Number.isSafeInteger(maxSpans) || maxSpans < 1) throw new RangeError(`maxSpans must be a positive integer, got ${maxSpans}`);
  }

  get spanCount(): number {
    return this.count;
  }

  get traceCount(): number {
    return this.byTrace.size;
  }

  get droppedSpanCount(): number {
    return this.droppedSpans;
  }

  get droppedTraceCount(): number {
    return this.droppedTraces;
  }

  /** Adds spans; a span id seen before in the same trace replaces the old copy. */
  add(spans: readonly FlatSpan[]): void {
    for (const span of spans) {
      let trace = this.byTrace.get(span.traceId);
      if (trace) this.byTrace.delete(span.traceId);
      else trace = new Map();
      this.byTrace.set(span.traceId, trace);
      if (!trace.has(span.spanId)) this.count += 1;
      trace.set(span.spanId, { seq: this.nextSeq++, span });
    }
    this.evict();
    for (const waiter of [...this.waiters]) waiter.check();
  }

  spans(): FlatSpan[] {
    const all: StoredSpan[] = [];
    for (const trace of this.byTrace.values()) all.push(...trace.values());
    return all.sort((a, b) => a.seq - b.seq).map((s) => s.span);
  }

  traces(): TraceRecord[] {
    const keyed = [...this.byTrace.keys()].map((traceId) => {
      const spans = this.trace(traceId) ?? [];
      return { record: { traceId, spans }, start: earliestStart(spans) };
    });
    return keyed.sort((a, b) => compareBigInt(a.start, b.start)).map((k) => k.record);
  }

  traceIds(): string[] {
    return this.traces().map((t) => t.traceId);
  }

  trace(traceId: string): FlatSpan[] | undefined {
    const trace = this.byTrace.get(traceId);
    if (!trace) return undefined;
    return [...trace.values()].sort((a, b) => a.seq - b.seq).map((s) => s.span);
  }

  spansByService(): Map<string, FlatSpan[]> {
    const groups = new Map<string, FlatSpan[]>();
    for (const span of this.spans()) {
      const list = groups.get(span.service);
      if (list) list.push(span);
      else groups.set(span.service, [span]);
    }
    return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  waitFor<T>(predicate: (index: SpanIndexView) => T | undefined | null | false, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          let result: T | undefined | null | false;
          try {
            result = predicate(this);
          } catch (err) {
            finish();
            reject(err);
            return;
          }
          if (result) {
            finish();
            resolve(result);
          }
        },
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`waitFor timed out after ${timeoutMs}ms (index holds ${this.count} spans in ${this.byTrace.size} traces)`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  private evict(): void {
    while (this.count > this.maxSpans) {
      const oldest = this.byTrace.entries().next().value;
      if (!oldest) return;
      const [traceId, trace] = oldest;
      const excess = this.count - this.maxSpans;
      if (this.byTrace.size > 1 || trace.size <= excess) {
        this.byTrace.delete(traceId);
        this.count -= trace.size;
        this.droppedSpans += trace.size;
        this.droppedTraces += 1;
        continue;
      }
      // A single trace larger than the bound: drop its earliest arrivals.
      const victims = [...trace.entries()].sort(([, a], [, b]) => a.seq - b.seq).slice(0, excess);
      for (const [spanId] of victims) trace.delete(spanId);
      this.count -= victims.length;
      this.droppedSpans += victims.length;
    }
  }
}

function earliestStart(spans: readonly FlatSpan[]): bigint {
  let min: bigint | undefined;
  for (const span of spans) {
    const start = BigInt(span.startTimeUnixNano);
    if (min === undefined || start < min) min = start;
  }
  return min ?? 0n;
}

function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
