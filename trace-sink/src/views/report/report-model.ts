import type { FlatSpan } from '../../store/flat-span';
import { computeCriticalPath } from '../critical-path';
import { formatValue } from '../key-attributes';
import { nodeOfSpan, podOfSpan } from '../k8s-identity';
import { htmlServiceColour, serviceColourIndex } from '../service-colours';
import { BREAKDOWN_PARTS } from '../startup/startup-breakdown';
import type { StartupReport } from '../startup/startup-stats';
import type { PodStartup } from '../startup/pod-startup-collector';
import { spanExtent } from '../span-extent';
import { formatInstant } from '../text-table';
import { traceTreeRows } from '../trace-tree';

/** The data the HTML report page renders, embedded in it as JSON. Times are ms from the trace's start. */
export interface ReportModel {
  title: string;
  source: string;
  generatedAt: string;
  services: { name: string; colour: string }[];
  traces: ReportTrace[];
  /** Traces of the source that are not in the picker. */
  omittedTraces: number;
  startup: {
    parts: { key: string; label: string; colour: string }[];
    /** Pods left out of the chart (it shows the slowest MAX_CHART_PODS); the percentiles cover every pod. */
    omittedPods: number;
    pods: { pod: string; node: string; totalMs: number; complete: boolean; traceId: string; parts: Record<string, number> }[];
    percentiles: { label: string; values: Record<string, number>; max: number }[];
  };
}

export interface ReportTrace {
  traceId: string;
  label: string;
  pod: string;
  node: string;
  startIso: string;
  durationMs: number;
  errorCount: number;
  /** Spans dropped from this trace to keep the page small. */
  truncatedSpans: number;
  spans: ReportSpan[];
}

export interface ReportSpan {
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  kind: string;
  scope: string;
  depth: number;
  startMs: number;
  durationMs: number;
  status: string;
  statusMessage: string;
  attributes: [string, string][];
  resource: [string, string][];
  events: { name: string; atMs: number; attributes: [string, string][] }[];
  links: { traceId: string; spanId: string; attributes: [string, string][] }[];
  /** [start, end] stretches (ms from the trace start) where this span is on the critical path. */
  critical: [number, number][];
}

/** Spans kept per trace in the report; a bigger trace keeps its first ones in tree order. */
export const MAX_SPANS_PER_TRACE = 5_000;

/** Pods in the startup chart: all of a node's, the slowest of a bigger file. */
export const MAX_CHART_PODS = 300;

/** Colours for the startup parts, in BREAKDOWN_PARTS order. */
const PART_COLOURS = ['#2563eb', '#dc2626', '#fca5a5', '#16a34a', '#9333ea', '#64748b', '#f59e0b', '#d1d5db'] as const;

export function buildReportModel(input: { traces: { traceId: string; spans: readonly FlatSpan[] }[]; startup: StartupReport; source: string; omittedTraces: number; now?: Date }): ReportModel {
  const serviceNames = [...new Set(input.traces.flatMap((t) => t.spans.map((s) => s.service)))];
  const colourIndex = serviceColourIndex(serviceNames);
  return {
    title: `Traces of ${input.source}`,
    source: input.source,
    generatedAt: (input.now ?? new Date()).toISOString(),
    services: [...colourIndex].map(([name, i]) => ({ name, colour: htmlServiceColour(i) })),
    traces: input.traces.map((t) => reportTrace(t.traceId, t.spans)),
    omittedTraces: input.omittedTraces,
    startup: {
      parts: BREAKDOWN_PARTS.map((p, i) => ({ key: p.key, label: p.label, colour: PART_COLOURS[i % PART_COLOURS.length]! })),
      omittedPods: Math.max(0, input.startup.pods.length - MAX_CHART_PODS),
      pods: chartPods(input.startup.pods).map((p) => ({
        pod: p.pod,
        node: p.node ?? '',
        totalMs: p.totalMs,
        complete: p.complete,
        traceId: p.traceIds[0] ?? '',
        parts: Object.fromEntries(BREAKDOWN_PARTS.map((part) => [part.key, p.breakdown[part.key]])),
      })),
      percentiles: input.startup.percentiles.map((r) => ({ label: r.label, values: r.values, max: r.max })),
    },
  };
}

/** Every pod in start order when they fit; else the slowest MAX_CHART_PODS, slowest first. */
function chartPods(pods: readonly PodStartup[]): readonly PodStartup[] {
  if (pods.length <= MAX_CHART_PODS) return pods;
  return [...pods].sort((a, b) => b.totalMs - a.totalMs).slice(0, MAX_CHART_PODS);
}

function reportTrace(traceId: string, spans: readonly FlatSpan[]): ReportTrace {
  const { startMs: t0, endMs: t1 } = spanExtent(spans);
  const critical = new Map<string, [number, number][]>();
  for (const seg of computeCriticalPath(spans)) {
    const list = critical.get(seg.spanId) ?? [];
    list.push([seg.startMs - t0, seg.endMs - t0]);
    critical.set(seg.spanId, list);
  }
  const rows = traceTreeRows(spans);
  const kept = rows.slice(0, MAX_SPANS_PER_TRACE);
  const root = rows[0]?.span;
  const pod = spans.map(podOfSpan).find((p) => p !== undefined) ?? '';
  const node = (root && nodeOfSpan(root)) ?? spans.map(nodeOfSpan).find((n) => n !== undefined) ?? '';
  return {
    traceId,
    label: `${root?.name ?? '?'} [${root?.service ?? '?'}]`,
    pod,
    node,
    startIso: formatInstant(t0),
    durationMs: t1 - t0,
    errorCount: spans.filter((s) => s.status.code === 'ERROR').length,
    truncatedSpans: rows.length - kept.length,
    spans: kept.map(({ span, depth }) => ({
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      name: span.name,
      service: span.service,
      kind: span.kind,
      scope: span.scopeVersion ? `${span.scope} ${span.scopeVersion}` : span.scope,
      depth,
      startMs: span.startTimeMs - t0,
      durationMs: span.durationMs,
      status: span.status.code,
      statusMessage: span.status.message,
      attributes: pairs(span.attributes),
      resource: pairs(span.resource),
      events: span.events.map((e) => ({ name: e.name, atMs: Number(BigInt(e.timeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6 + (span.startTimeMs - t0), attributes: pairs(e.attributes) })),
      links: span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: pairs(l.attributes) })),
      critical: critical.get(span.spanId) ?? [],
    })),
  };
}

function pairs(attrs: FlatSpan['attributes']): [string, string][] {
  return Object.keys(attrs)
    .sort()
    .map((k) => {
      const v = attrs[k] ?? null;
      return [k, typeof v === 'string' ? v : formatValue(v)];
    });
}
