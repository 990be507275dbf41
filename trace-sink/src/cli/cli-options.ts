import yargs from 'yargs';
import { attachNegativeValues, examplesEpilogue, repeatedFlagMessage, versionText } from '../../../cli-kit/src';
import { DEFAULT_HTTP_LISTEN, DEFAULT_LISTEN, parseListenAddress } from '../receiver/listen-address';
import { DEFAULT_MAX_SPANS } from '../store/span-index';
import { parseDurationMs } from './parse-duration';

export interface CliOptions {
  listen: string;
  /** undefined when --http-listen "" turns OTLP/HTTP off. */
  httpListen: string | undefined;
  /** undefined when --out "" turns the file off. */
  outPath: string | undefined;
  /** 0 disables the periodic summary. */
  summaryIntervalMs: number;
  maxSpans: number;
}

/** A flag value the CLI cannot use; main exits 1 (as every command here) with the message. */
export class UsageError extends Error {}

const EXAMPLES = examplesEpilogue([
  {
    what: 'receive OTLP/gRPC on 4317 and OTLP/HTTP on 4318, as a Collector does',
    lines: ['trace-sink'],
  },
  {
    what: 'a summary every 10 s, spans appended to /tmp/node-spans.jsonl',
    lines: ['trace-sink --out /tmp/node-spans.jsonl --summary-interval 10s'],
  },
  {
    what: 'any free ports (printed at start), gRPC only, nothing written to disk',
    lines: ['trace-sink --listen 127.0.0.1:0 --http-listen "" --out ""'],
  },
], 'Point exporters at http://127.0.0.1:4317 (OTLP/gRPC) or http://127.0.0.1:4318\n(OTLP/HTTP: http/protobuf or http/json). Bad flags exit 1.');

/** Parses argv; throws UsageError naming the offending flag. */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  const args = yargs(attachNegativeValues(argv))
    .scriptName('trace-sink')
    .usage(
      '$0 [options]\n\nReceives OTLP traces (gRPC and HTTP, loopback only), appends each export as one OTLP JSON line to a file and prints a span summary on exit.',
    )
    .option('listen', { type: 'string', default: DEFAULT_LISTEN, describe: 'OTLP/gRPC host:port, loopback only (port 0 = any free port)' })
    .option('http-listen', { type: 'string', default: DEFAULT_HTTP_LISTEN, describe: 'OTLP/HTTP host:port for POST /v1/traces, protobuf or JSON, loopback only ("" = off)' })
    .option('out', { type: 'string', default: 'spans.jsonl', describe: 'JSON-lines file the exports are appended to, never truncated ("" = none)' })
    .option('summary-interval', { type: 'string', default: '0', describe: 'print the span summary table every interval, e.g. 10s (0 = only on exit)' })
    .option('max-spans', { type: 'string', default: String(DEFAULT_MAX_SPANS), describe: 'spans kept in memory for the summary; oldest traces are dropped beyond it' })
    .epilogue(EXAMPLES)
    .strict()
    .version('version', 'print the version and quit', versionText('trace-sink', 'OTLP/gRPC and OTLP/HTTP trace receiver'))
    .help()
    .alias('h', 'help')
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? 'invalid arguments');
    })
    .parseSync();
  const repeated = repeatedFlagMessage(args);
  if (repeated !== undefined) throw new UsageError(repeated);

  const listen = String(args.listen);
  guard('--listen', () => parseListenAddress(listen));
  const httpListenText = String(args['http-listen']);
  const httpListen = httpListenText === '' ? undefined : httpListenText;
  if (httpListen !== undefined) guard('--http-listen', () => parseListenAddress(httpListen));
  const summaryIntervalMs = guard('--summary-interval', () => parseDurationMs(String(args['summary-interval'])));
  const maxSpans = guard('--max-spans', () => {
    const text = String(args['max-spans']);
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new Error(`"${text}" is not a positive integer`);
    return n;
  });
  const out = String(args.out);
  return { listen, httpListen, outPath: out === '' ? undefined : out, summaryIntervalMs, maxSpans };
}

function guard<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`invalid ${flag}: ${(err as Error).message}`);
  }
}
