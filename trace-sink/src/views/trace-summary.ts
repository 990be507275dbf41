import type { FlatSpan } from '../store/flat-span';
import { nodeOfSpan, podOfSpan } from './k8s-identity';
import { StringPool } from './string-pool';

/** Services tracked as bits of a 32-bit integer per trace. */
const MASK_SERVICES = 30;

/** What `traces list` shows of one trace; a fixed amount of state per trace, however many spans it has. */
export interface TraceSummary {
  traceId: string;
  /** The root span (no parent); the earliest span when the root was not received. */
  rootName: string;
  rootService: string;
  /** False when no span of the trace is a root (its parent was never received). */
  hasRoot: boolean;
  services: string[];
  node: string | undefined;
  pod: string | undefined;
  startMs: number;
  endMs: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  /** Span names the caller asked to look for (TraceSummaryCollector's `watchSpanNames`) that the trace has. */
  seenWatchedNames: string[];
}

// Flat fields and interned strings: one of these per trace is what `traces list` holds for a whole file.
interface Accumulator {
  traceId: string;
  rootName: string | undefined;
  rootService: string;
  rootStartMs: number;
  earliestName: string;
  earliestService: string;
  earliestStartMs: number;
  /** Bit i set: the trace has a span of service i of the collector's service list (the first MASK_SERVICES). */
  serviceMask: number;
  /** Services past the first MASK_SERVICES, rare enough to keep by name. */
  moreServices: Set<string> | undefined;
  node: string | undefined;
  pod: string | undefined;
  startMs: number;
  endMs: number;
  spanCount: number;
  errorCount: number;
  seenWatchedNames: Set<string> | undefined;
}

/** Folds spans, in any order, into one TraceSummary per trace. */
export class TraceSummaryCollector {
  private readonly byTrace = new Map<string, Accumulator>();
  private readonly watched: ReadonlySet<string>;
  private readonly strings = new StringPool();
  /** Services in order of first appearance; a trace records its services as bits of this list. */
  private readonly services: string[] = [];
  private readonly serviceBits = new Map<string, number>();

  /** `watchSpanNames`: span names whose presence each summary records (for the `--name` filter). */
  constructor(watchSpanNames: readonly string[] = []) {
    this.watched = new Set(watchSpanNames);
  }

  add(span: FlatSpan): void {
    const endMs = span.startTimeMs + span.durationMs;
    const name = this.strings.intern(span.name);
    const service = this.strings.intern(span.service);
    let acc = this.byTrace.get(span.traceId);
    if (acc === undefined) {
      acc = {
        traceId: span.traceId,
        rootName: undefined,
        rootService: '',
        rootStartMs: 0,
        earliestName: name,
        earliestService: service,
        earliestStartMs: span.startTimeMs,
        serviceMask: 0,
        moreServices: undefined,
        node: undefined,
        pod: undefined,
        startMs: span.startTimeMs,
        endMs,
        spanCount: 0,
        errorCount: 0,
        seenWatchedNames: undefined,
      };
      this.byTrace.set(span.traceId, acc);
    }
    acc.spanCount += 1;
    if (span.status.code === 'ERROR') acc.errorCount += 1;
    const index = this.serviceIndex(service);
    if (index < MASK_SERVICES) acc.serviceMask |= 1 << index;
    else (acc.moreServices ??= new Set()).add(service);
    if (span.startTimeMs < acc.startMs) acc.startMs = span.startTimeMs;
    if (endMs > acc.endMs) acc.endMs = endMs;
    if (span.startTimeMs < acc.earliestStartMs) {
      acc.earliestName = name;
      acc.earliestService = service;
      acc.earliestStartMs = span.startTimeMs;
    }
    if (span.parentSpanId === '' && (acc.rootName === undefined || span.startTimeMs < acc.rootStartMs)) {
      acc.rootName = name;
      acc.rootService = service;
      acc.rootStartMs = span.startTimeMs;
      // The root's emitter names the node (the kubelet's host.name); runtimes may report the machine's own.
      acc.node = this.strings.intern(nodeOfSpan(span)) ?? acc.node;
    }
    acc.node ??= this.strings.intern(nodeOfSpan(span));
    acc.pod ??= this.strings.intern(podOfSpan(span));
    if (this.watched.has(name)) (acc.seenWatchedNames ??= new Set()).add(name);
  }

  private serviceIndex(service: string): number {
    let index = this.serviceBits.get(service);
    if (index === undefined) {
      index = this.services.length;
      this.services.push(service);
      this.serviceBits.set(service, index);
    }
    return index;
  }

  get traceCount(): number {
    return this.byTrace.size;
  }

  summaries(): TraceSummary[] {
    return [...this.byTrace.values()].map((acc) => {
      const hasRoot = acc.rootName !== undefined;
      return {
        traceId: acc.traceId,
        rootName: hasRoot ? acc.rootName! : acc.earliestName,
        rootService: hasRoot ? acc.rootService : acc.earliestService,
        hasRoot,
        services: [...this.services.filter((_, i) => i < MASK_SERVICES && (acc.serviceMask & (1 << i)) !== 0), ...(acc.moreServices ?? [])].sort(),
        node: acc.node,
        pod: acc.pod,
        startMs: acc.startMs,
        endMs: acc.endMs,
        durationMs: acc.endMs - acc.startMs,
        spanCount: acc.spanCount,
        errorCount: acc.errorCount,
        seenWatchedNames: acc.seenWatchedNames === undefined ? [] : [...acc.seenWatchedNames],
      };
    });
  }
}
