import yargs from 'yargs';
import { DEFAULT_LISTEN, parseListenAddress } from '../receiver/listen-address';
import { DEFAULT_MAX_SPANS } from '../store/span-index';
import { parseDurationMs } from './parse-duration';

export interface CliOptions {
  listen: string;
  /** undefined when --out "" turns the file off. */
  outPath: string | undefined;
  /** 0 disables the periodic summary. */
  summaryIntervalMs: number;
  maxSpans: number;
}

/** A flag value the CLI cannot use; main exits 2 with the message. */
export class UsageError extends Error {}

/** Parses argv; throws UsageError naming the offending flag. */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  const args = yargs([...argv])
    .scriptName('trace-sink')
    .usage(
      '$0 [options]\n\nReceives OTLP/gRPC traces, appends each export as one OTLP JSON line to a file and prints a span summary on exit.',
    )
    .option('listen', { type: 'string', default: DEFAULT_LISTEN, describe: 'host:port to listen on (port 0 = any free port)' })
    .option('out', { type: 'string', default: 'spans.jsonl', describe: 'JSON-lines file to append OTLP JSON to ("" = none)' })
    .option('summary-interval', { type: 'string', default: '0', describe: 'print the span summary table every interval, e.g. 10s (0 = only on exit)' })
    .option('max-spans', { type: 'string', default: String(DEFAULT_MAX_SPANS), describe: 'spans kept in memory for the summary; oldest traces are dropped beyond it' })
    .example('$0 --listen 127.0.0.1:4317 --out spans.jsonl --summary-interval 10s', 'point exporters at http://127.0.0.1:4317')
    .strict()
    .version(false)
    .help()
    .alias('h', 'help')
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? 'invalid arguments');
    })
    .parseSync();

  const listen = String(args.listen);
  guard('--listen', () => parseListenAddress(listen));
  const summaryIntervalMs = guard('--summary-interval', () => parseDurationMs(String(args['summary-interval'])));
  const maxSpans = guard('--max-spans', () => {
    const text = String(args['max-spans']);
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new Error(`"${text}" is not a positive integer`);
    return n;
  });
  const out = String(args.out);
  return { listen, outPath: out === '' ? undefined : out, summaryIntervalMs, maxSpans };
}

function guard<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`invalid ${flag}: ${(err as Error).message}`);
  }
}
