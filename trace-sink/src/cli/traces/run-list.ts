import { renderTraceList } from '../../views/render-trace-list';
import { matchesTraceFilter, sortTraces } from '../../views/trace-filter';
import { TraceSummaryCollector } from '../../views/trace-summary';
import type { TracesCommand } from './traces-args';
import { readTraceFile } from './read-trace-file';
import type { TracesIo } from './traces-io';

export async function runList(cmd: Extract<TracesCommand, { command: 'list' }>, io: TracesIo): Promise<void> {
  const collector = new TraceSummaryCollector(cmd.filter.spanName === undefined ? [] : [cmd.filter.spanName]);
  const read = await readTraceFile(cmd.file, (span) => collector.add(span), io.warn);
  const matching = sortTraces(collector.summaries().filter((t) => matchesTraceFilter(t, cmd.filter)), cmd.sort);
  const shown = cmd.limit === 0 ? matching : matching.slice(0, cmd.limit);
  if (cmd.json) {
    for (const t of shown) {
      const { seenWatchedNames: _seen, ...rest } = t;
      io.out(JSON.stringify(rest));
    }
    return;
  }
  io.out(renderTraceList(shown));
  const more = matching.length > shown.length ? `; the first ${shown.length} shown (--limit 0 for all)` : '';
  io.out(`\n${matching.length} of ${collector.traceCount} traces match (${read.spans} spans in ${cmd.file})${more}`);
}
