#!/usr/bin/env node
// trace-sink CLI: an OTLP/gRPC trace receiver that needs no Collector.
import { hideBin } from 'yargs/helpers';
import { parseCliOptions, UsageError, type CliOptions } from './cli/cli-options';
import { ListenError } from './receiver/listen-error';
import { startTraceSink } from './receiver/start-trace-sink';
import { renderSpanSummaryTable } from './views/render-span-summary-table';

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliOptions(hideBin(process.argv));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`trace-sink: ${err.message}\nRun "trace-sink --help" for usage.`);
    process.exitCode = EXIT_USAGE;
    return;
  }

  const sink = await startTraceSink({ listen: options.listen, outPath: options.outPath, maxSpans: options.maxSpans });
  console.log(`trace-sink: listening for OTLP/gRPC traces on ${sink.address} (exporter endpoint http://${sink.address})`);
  console.log(sink.outPath ? `trace-sink: appending OTLP JSON lines to ${sink.outPath}` : 'trace-sink: not writing a file (--out "")');

  let printedExports = 0; // the periodic summary stays quiet until spans arrive
  const printSummary = (): void => {
    printedExports = sink.exportCount;
    const dropped = sink.index.droppedSpanCount > 0 ? `, ${sink.index.droppedSpanCount} older spans dropped from memory` : '';
    console.log(`\n${sink.index.spanCount} spans in ${sink.index.traceCount} traces${dropped}\n${renderSpanSummaryTable(sink.index.spans())}`);
  };
  const timer =
    options.summaryIntervalMs > 0
      ? setInterval(() => {
          if (sink.exportCount !== printedExports) printSummary();
        }, options.summaryIntervalMs)
      : undefined;

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    console.log(`\ntrace-sink: ${signal} received, closing`);
    sink.close().then(
      () => {
        printSummary();
        if (sink.outPath) console.log(`trace-sink: ${sink.exportCount} export requests written to ${sink.outPath}`);
        exitSoon(0);
      },
      (err: unknown) => {
        console.error(`trace-sink: close failed: ${(err as Error).message}`);
        exitSoon(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Let stdout/stderr flush (pipes are asynchronous on some platforms) rather
// than process.exit() at once; force the exit if something keeps the loop alive.
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 1_000).unref();
}

main().catch((err: unknown) => {
  console.error(err instanceof ListenError ? err.message : `trace-sink: ${(err as Error).stack ?? String(err)}`);
  exitSoon(EXIT_FAILURE);
});
