import type { FlatSpan } from '../../store/flat-span';
import { PodStartupCollector } from '../startup/pod-startup-collector';
import { summariseStartups, type StartupReport } from '../startup/startup-stats';
import { groupByTrace } from '../find-traces';
import { TraceSummaryCollector } from '../trace-summary';
import { DEFAULT_REPORT_MAX_TRACES } from './report-limits';
import { pickReportTraces } from './pick-report-traces';
import { buildReportModel } from './report-model';
import { renderReportHtml } from './render-report-html';

/** `traces startup` over spans already in memory (the demo's receiver index). */
export function startupReportOf(spans: readonly FlatSpan[]): StartupReport {
  const collector = new PodStartupCollector();
  for (const span of spans) collector.add(span);
  return summariseStartups(collector.startups());
}

/** `traces report` over spans already in memory: the same page as the command writes. */
export function reportHtmlOf(spans: readonly FlatSpan[], source: string, maxTraces: number = DEFAULT_REPORT_MAX_TRACES): string {
  const summaries = new TraceSummaryCollector();
  for (const span of spans) summaries.add(span);
  const startup = startupReportOf(spans);
  const picked = pickReportTraces(summaries.summaries(), startup.pods.flatMap((p) => p.traceIds), maxTraces);
  const byId = new Map(groupByTrace(spans).map((t) => [t.traceId, t.spans]));
  return renderReportHtml(
    buildReportModel({
      traces: picked.map((t) => ({ traceId: t.traceId, spans: byId.get(t.traceId) ?? [] })),
      startup,
      source,
      omittedTraces: summaries.traceCount - picked.length,
    }),
  );
}
