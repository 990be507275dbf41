import type { FlatSpan } from '../store/flat-span';
import { nodeOfSpan, podOfSpan } from './k8s-identity';

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

interface Accumulator {
  traceId: string;
  root: { name: string; service: string; startMs: number } | undefined;
  earliest: { name: string; service: string; startMs: number };
  services: Set<string>;
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

  /** `watchSpanNames`: span names whose presence each summary records (for the `--name` filter). */
  constructor(watchSpanNames: readonly string[] = []) {
    this.watched = new Set(watchSpanNames);
  }

  add(span: FlatSpan): void {
    const endMs = span.startTimeMs + span.durationMs;
    let acc = this.byTrace.get(span.traceId);
    if (acc === undefined) {
      acc = {
        traceId: span.traceId,
        root: undefined,
        earliest: { name: span.name, service: span.service, startMs: span.startTimeMs },
        services: new Set(),
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
    acc.services.add(span.service);
    if (span.startTimeMs < acc.startMs) acc.startMs = span.startTimeMs;
    if (endMs > acc.endMs) acc.endMs = endMs;
    if (span.startTimeMs < acc.earliest.startMs) acc.earliest = { name: span.name, service: span.service, startMs: span.startTimeMs };
    if (span.parentSpanId === '' && (acc.root === undefined || span.startTimeMs < acc.root.startMs)) {
      acc.root = { name: span.name, service: span.service, startMs: span.startTimeMs };
      // The root's emitter names the node (the kubelet's host.name); runtimes may report the machine's own.
      acc.node = nodeOfSpan(span) ?? acc.node;
    }
    acc.node ??= nodeOfSpan(span);
    acc.pod ??= podOfSpan(span);
    if (this.watched.has(span.name)) (acc.seenWatchedNames ??= new Set()).add(span.name);
  }

  get traceCount(): number {
    return this.byTrace.size;
  }

  summaries(): TraceSummary[] {
    return [...this.byTrace.values()].map((acc) => {
      const root = acc.root ?? acc.earliest;
      return {
        traceId: acc.traceId,
        rootName: root.name,
        rootService: root.service,
        hasRoot: acc.root !== undefined,
        services: [...acc.services].sort(),
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
