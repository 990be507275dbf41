import type { FlatSpan } from '../../store/flat-span';
import { renderTraceTimeline } from '../../views/render-trace-timeline';
import { SYNC_POD_SPAN } from '../../views/startup/startup-records';
import { podOfSpan } from '../../views/k8s-identity';
import { UsageError } from '../cli-options';
import type { TracesCommand } from './traces-args';
import { readTraceFile } from './read-trace-file';
import type { TracesIo } from './traces-io';

const TRACE_ID_RE = /^[0-9a-fA-F]{32}$/;

/**
 * `traces show <trace-id | namespace/pod>`. A pod is shown by its first syncPod trace (its startup); this takes
 * two passes over the file, the first to find the trace, the second to collect its spans.
 */
export async function runShow(cmd: Extract<TracesCommand, { command: 'show' }>, io: TracesIo): Promise<void> {
  let traceId: string;
  let note = '';
  if (TRACE_ID_RE.test(cmd.target)) {
    traceId = cmd.target.toLowerCase();
  } else if (/^[^/\s]+\/[^/\s]+$/.test(cmd.target)) {
    const found = await firstSyncPodTrace(cmd.file, cmd.target, io);
    if (found === undefined) throw new UsageError(`no syncPod span for pod ${cmd.target} in ${cmd.file}; see the pods with: traces list --name syncPod`);
    traceId = found.traceId;
    note = found.others > 0 ? ` (its first syncPod; ${found.others} more: traces list --pod ${cmd.target})` : ' (its first syncPod)';
  } else {
    throw new UsageError(`"${cmd.target}" is neither a trace id (32 hex digits) nor namespace/pod, e.g. traces show default/web-sim-node`);
  }
  const spans: FlatSpan[] = [];
  await readTraceFile(cmd.file, (span) => {
    if (span.traceId === traceId) spans.push(span);
  }, () => undefined);
  if (spans.length === 0) throw new UsageError(`no trace ${traceId} in ${cmd.file}; see the trace ids with: traces list`);
  const services = [...new Set(spans.map((s) => s.service))].sort().join(', ');
  io.out(`Trace ${traceId}${note}: ${spans.length} spans, services ${services}\n`);
  io.out(renderTraceTimeline(spans, { colour: io.colour, allAttributes: cmd.allAttributes }));
}

async function firstSyncPodTrace(file: string, pod: string, io: TracesIo): Promise<{ traceId: string; others: number } | undefined> {
  let first: { traceId: string; startMs: number } | undefined;
  let count = 0;
  await readTraceFile(file, (span) => {
    if (span.name !== SYNC_POD_SPAN || podOfSpan(span) !== pod) return;
    count += 1;
    if (first === undefined || span.startTimeMs < first.startMs) first = { traceId: span.traceId, startMs: span.startTimeMs };
  }, io.warn);
  return first === undefined ? undefined : { traceId: first.traceId, others: count - 1 };
}
