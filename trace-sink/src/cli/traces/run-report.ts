import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { FlatSpan } from '../../store/flat-span';
import { pickReportTraces } from '../../views/report/pick-report-traces';
import { buildReportModel } from '../../views/report/report-model';
import { renderReportHtml } from '../../views/report/render-report-html';
import { PodStartupCollector } from '../../views/startup/pod-startup-collector';
import { summariseStartups } from '../../views/startup/startup-stats';
import { TraceSummaryCollector } from '../../views/trace-summary';
import { UsageError } from '../cli-options';
import type { TracesCommand } from './traces-args';
import { readTraceFile } from './read-trace-file';
import type { TracesIo } from './traces-io';

/**
 * `traces report`: two passes over the file. The first summarises every trace and every pod startup in
 * bounded state; the second keeps the spans of the --max-traces traces picked for the page only.
 */
export async function runReport(cmd: Extract<TracesCommand, { command: 'report' }>, io: TracesIo): Promise<void> {
  const summaries = new TraceSummaryCollector();
  const startups = new PodStartupCollector();
  await readTraceFile(cmd.file, (span) => {
    summaries.add(span);
    startups.add(span);
  }, io.warn);
  const startup = summariseStartups(startups.startups());
  const picked = pickReportTraces(summaries.summaries(), startup.pods.flatMap((p) => p.traceIds), cmd.maxTraces);
  const spansOf = new Map<string, FlatSpan[]>(picked.map((t) => [t.traceId, []]));
  await readTraceFile(cmd.file, (span) => spansOf.get(span.traceId)?.push(span), () => undefined);
  const model = buildReportModel({
    traces: picked.map((t) => ({ traceId: t.traceId, spans: spansOf.get(t.traceId) ?? [] })).filter((t) => t.spans.length > 0),
    startup,
    source: basename(cmd.file),
    omittedTraces: summaries.traceCount - picked.length,
  });
  try {
    writeFileSync(cmd.out, renderReportHtml(model));
  } catch (err) {
    throw new UsageError(`--out ${cmd.out}: ${(err as Error).message}`);
  }
  io.warn(`traces: wrote ${cmd.out} (${model.traces.length} traces, ${startup.pods.length} pods); open it in a browser, it needs no network`);
}
