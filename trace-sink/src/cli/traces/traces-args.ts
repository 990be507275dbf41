import yargs, { type Argv } from 'yargs';
import { attachNegativeValues, examplesEpilogue, repeatedFlagMessage, versionText } from '../../../../cli-kit/src';
import { TRACE_SORT_KEYS, type TraceFilter, type TraceSortKey } from '../../views/trace-filter';
import { parseDurationMs } from '../parse-duration';
import { DEFAULT_REPORT_MAX_TRACES } from '../../views/report/report-limits';
import { UsageError } from '../cli-options';

export const DEFAULT_TRACE_FILE = 'spans.jsonl';
export const DEFAULT_LIST_LIMIT = 50;
export const EXPORT_FORMATS = ['chrome'] as const;

interface Common {
  file: string;
}
export type TracesCommand =
  | ({ command: 'list'; filter: TraceFilter; sort: TraceSortKey; limit: number; json: boolean } & Common)
  | ({ command: 'show'; target: string; allAttributes: boolean } & Common)
  | ({ command: 'startup'; json: boolean } & Common)
  | ({ command: 'report'; out: string; maxTraces: number } & Common)
  | ({ command: 'export'; format: (typeof EXPORT_FORMATS)[number]; out: string | undefined } & Common);

const FILE_OPTION = { type: 'string', default: DEFAULT_TRACE_FILE, alias: 'f', describe: 'OTLP JSON lines: trace-sink output or a Collector file exporter file' } as const;

const TOP_EXAMPLES = examplesEpilogue([
  { what: 'the traces npm start wrote, slowest first', lines: ['traces list --sort duration'] },
  { what: 'a pod startup as a tree with time bars', lines: ['traces show default/web-sim-node'] },
  { what: 'where pod startup time went, with percentiles', lines: ['traces startup'] },
  { what: 'one offline HTML page with a waterfall per trace', lines: ['traces report --out report.html'] },
  { what: 'open in Perfetto (ui.perfetto.dev) or chrome://tracing', lines: ['traces export --format chrome --out trace.json'] },
], 'Every command reads --file (default spans.jsonl) line by line, so files of any size work; malformed lines are reported with their line number and skipped. Bad flags exit 1.');

/** Parses `traces <command> ...`; throws UsageError naming the flag. */
export function parseTracesArgs(argv: readonly string[]): TracesCommand {
  const parser = yargs(attachNegativeValues(argv))
    .scriptName('traces')
    .usage('$0 <command> [options]\n\nLooks at the traces in an OTLP JSON lines file (what trace-sink and npm start write, or a Collector file exporter wrote).')
    .command('list', 'one line per trace: root span, services, node, pod, start, duration, spans, errors', (y) =>
      withFile(y)
        .option('pod', { type: 'string', describe: 'namespace/name, or a name in any namespace' })
        .option('node', { type: 'string', describe: 'node (host.name / k8s.node.name of the resource)' })
        .option('service', { type: 'string', describe: 'traces with a span of this service, e.g. kubelet or crio' })
        .option('name', { type: 'string', describe: 'traces with a span of exactly this name, e.g. syncPod' })
        .option('min-duration', { type: 'string', describe: 'traces at least this long, e.g. 500ms, 2s' })
        .option('since', { type: 'string', describe: 'traces starting at or after this instant (RFC 3339, e.g. 2026-12-04T07:00:00Z)' })
        .option('until', { type: 'string', describe: 'traces starting before this instant (RFC 3339)' })
        .option('errors', { type: 'boolean', default: false, describe: 'only traces with an error span' })
        .option('sort', { type: 'string', default: 'start', describe: `order: ${TRACE_SORT_KEYS.join(', ')} (start ascending, the others biggest first)` })
        .option('limit', { type: 'string', default: String(DEFAULT_LIST_LIMIT), describe: 'at most this many rows (0 = all)' })
        .option('json', { type: 'boolean', default: false, describe: 'JSON lines, one trace summary per line' })
        .epilogue(examplesEpilogue([
          { what: 'the ten slowest pod syncs', lines: ['traces list --name syncPod --sort duration --limit 10'] },
          { what: 'one pod\'s traces over a time window', lines: ['traces list --pod default/web-sim-node \\', '--since 2026-12-04T07:00:00Z --until 2026-12-04T08:00:00Z'] },
          { what: 'traces with errors longer than 1 s, from a Collector file', lines: ['traces list -f /var/otel/traces.jsonl --errors --min-duration 1s'] },
        ])),
    )
    .command('show <target>', 'one trace as a tree with a time bar per span (a trace id, or namespace/pod for its startup trace)', (y) =>
      withFile(y)
        .positional('target', { type: 'string', describe: 'a 32-hex-digit trace id, or namespace/pod' })
        .option('attributes', { type: 'boolean', default: false, describe: 'every attribute and event of each span' })
        .epilogue(examplesEpilogue([
          { what: 'a trace by id (from traces list)', lines: ['traces show 5791d08eb388d2a82a0e239cc11f40b1'] },
          { what: 'the first syncPod trace of a pod, every attribute', lines: ['traces show default/web-sim-node --attributes'] },
        ], 'Service colours on a terminal; NO_COLOR=1 turns them off, FORCE_COLOR=1 keeps them in a pipe.')),
    )
    .command('startup', 'per pod: first syncPod to all containers started, split into sandbox, pulls, create, start, kubelet gaps', (y) =>
      withFile(y)
        .option('json', { type: 'boolean', default: false, describe: 'the pods, percentiles and slowest pods as one JSON document' })
        .epilogue(examplesEpilogue([
          { what: 'where startup time went', lines: ['traces startup'] },
          { what: 'the p99 of image pull time, with jq', lines: ['traces startup --json | jq \'.percentiles[] | select(.part=="imagePullMs")\''] },
        ])),
    )
    .command('report', 'one self-contained HTML file: trace picker, waterfall, span details, startup chart', (y) =>
      withFile(y)
        .option('out', { type: 'string', default: 'report.html', describe: 'the HTML file to write' })
        .option('max-traces', { type: 'string', default: String(DEFAULT_REPORT_MAX_TRACES), describe: 'traces in the picker: pod syncs, errors and the slowest first' })
        .epilogue(examplesEpilogue([{ what: 'write report.html and open it in a browser (works offline)', lines: ['traces report --out report.html'] }])),
    )
    .command('export', 'convert to another trace format', (y) =>
      withFile(y)
        .option('format', { type: 'string', demandOption: true, describe: `output format: ${EXPORT_FORMATS.join(', ')} (Chrome Trace Event JSON, for Perfetto or chrome://tracing)` })
        .option('out', { type: 'string', describe: 'file to write (default: stdout)' })
        .epilogue(examplesEpilogue([{ what: 'Chrome Trace Event JSON for ui.perfetto.dev', lines: ['traces export --format chrome --out trace.json'] }])),
    )
    .demandCommand(1, 'give a command: list, show, startup, report or export')
    .epilogue(TOP_EXAMPLES)
    .strict()
    .version('version', 'print the version and quit', versionText('traces', 'views over OTLP JSON trace files'))
    .help()
    .alias('h', 'help')
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? 'invalid arguments');
    });
  const args = parser.parseSync() as Record<string, unknown> & { _: (string | number)[] };
  const repeated = repeatedFlagMessage(args);
  if (repeated !== undefined) throw new UsageError(repeated);
  const command = String(args._[0]);
  const file = String(args.file);
  if (file === '') throw new UsageError('--file is empty: give an OTLP JSON lines file, e.g. --file spans.jsonl');
  switch (command) {
    case 'list':
      return { command, file, filter: listFilter(args), sort: sortKey(String(args.sort)), limit: count('--limit', String(args.limit), true), json: args.json === true };
    case 'show':
      return { command, file, target: String(args.target), allAttributes: args.attributes === true };
    case 'startup':
      return { command, file, json: args.json === true };
    case 'report': {
      const out = String(args.out);
      if (out === '') throw new UsageError('--out is empty: give the HTML file to write, e.g. --out report.html');
      return { command, file, out, maxTraces: count('--max-traces', String(args['max-traces']), false) };
    }
    case 'export': {
      const format = String(args.format);
      if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`invalid --format: "${format}": supported formats are ${EXPORT_FORMATS.join(', ')}`);
      const out = args.out === undefined || args.out === '' ? undefined : String(args.out);
      return { command, file, format: format as (typeof EXPORT_FORMATS)[number], out };
    }
    default:
      throw new UsageError(`unknown command "${command}": give list, show, startup, report or export`);
  }
}

function withFile<T>(y: Argv<T>) {
  return y.option('file', FILE_OPTION);
}

function listFilter(args: Record<string, unknown>): TraceFilter {
  const filter: TraceFilter = {};
  const text = (key: string): string | undefined => (args[key] === undefined ? undefined : String(args[key]));
  const pod = text('pod');
  if (pod !== undefined) filter.pod = pod;
  const node = text('node');
  if (node !== undefined) filter.node = node;
  const service = text('service');
  if (service !== undefined) filter.service = service;
  const name = text('name');
  if (name !== undefined) filter.spanName = name;
  const minDuration = text('min-duration');
  if (minDuration !== undefined) filter.minDurationMs = guard('--min-duration', () => parseDurationMs(minDuration));
  const since = text('since');
  if (since !== undefined) filter.sinceMs = instant('--since', since);
  const until = text('until');
  if (until !== undefined) filter.untilMs = instant('--until', until);
  if (args.errors === true) filter.errorsOnly = true;
  return filter;
}

function sortKey(text: string): TraceSortKey {
  if ((TRACE_SORT_KEYS as readonly string[]).includes(text)) return text as TraceSortKey;
  throw new UsageError(`invalid --sort: "${text}": sort by one of ${TRACE_SORT_KEYS.join(', ')}`);
}

function count(flag: string, text: string, zeroAllowed: boolean): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || (!zeroAllowed && n === 0)) {
    throw new UsageError(`invalid ${flag}: "${text}" is not a ${zeroAllowed ? 'whole number' : 'positive whole number'}, e.g. ${flag} 20`);
  }
  return n;
}

function instant(flag: string, text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new UsageError(`invalid ${flag}: "${text}" is not an RFC 3339 instant, e.g. ${flag} 2026-12-04T07:00:00Z`);
  return ms;
}

function guard<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`invalid ${flag}: ${(err as Error).message}`);
  }
}
