#!/usr/bin/env node
// trace-sink CLI: an OTLP trace receiver (gRPC and HTTP) that needs no Collector.
import { hideBin } from 'yargs/helpers';
import { EXIT_CODE, watchParent } from '../../cli-kit/src';
import { parseCliOptions, UsageError, type CliOptions } from './cli/cli-options';
import { ListenError } from './receiver/listen-error';
import { OTLP_HTTP } from './receiver/otlp-http-handler';
import { startTraceSink } from './receiver/start-trace-sink';
import { OutputFileError } from './store/output-file-error';
import { renderSpanSummaryTable } from './views/render-span-summary-table';

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliOptions(hideBin(process.argv));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`trace-sink: ${err.message}\nRun "trace-sink --help" for usage.`);
    process.exitCode = EXIT_CODE.BAD_USAGE;
    return;
  }

  const sink = await startTraceSink({ listen: options.listen, httpListen: options.httpListen, outPath: options.outPath, maxSpans: options.maxSpans });
  console.log(`trace-sink: listening for OTLP/gRPC traces on ${sink.address} (exporter endpoint http://${sink.address})`);
  if (sink.httpAddress) {
    console.log(`trace-sink: listening for OTLP/HTTP traces on ${sink.httpAddress} (POST http://${sink.httpAddress}${OTLP_HTTP.TRACES_PATH}, protobuf or JSON)`);
  }
  if (sink.outPath) {
    const earlier = sink.outPathBytesBefore > 0 ? ` after the ${sink.outPathBytesBefore} bytes already there from earlier runs` : '';
    console.log(`trace-sink: appending OTLP JSON lines to ${sink.outPath}${earlier}`);
  } else {
    console.log('trace-sink: not writing a file (--out "")');
  }

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
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    console.log(`\ntrace-sink: ${reason}, closing`);
    sink.close().then(
      () => {
        printSummary();
        if (sink.outPath) console.log(`trace-sink: ${sink.exportCount} export requests appended to ${sink.outPath}`);
        exitSoon(EXIT_CODE.OK);
      },
      (err: unknown) => {
        console.error(`trace-sink: close failed: ${(err as Error).message}`);
        exitSoon(EXIT_CODE.FAILURE);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT received'));
  process.on('SIGTERM', () => stop('SIGTERM received'));
  // Under npx the signal reaches only npm's `sh -c`: stop when the parent goes (cli-kit parent-watch).
  watchParent({ onParentGone: (pid) => stop(`parent process ${pid} exited`) });
}

// Let stdout/stderr flush (pipes are asynchronous on some platforms) rather
// than process.exit() at once; force the exit if something keeps the loop alive.
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 1_000).unref();
}

main().catch((err: unknown) => {
  if (err instanceof ListenError || err instanceof OutputFileError) {
    console.error(err.message);
    exitSoon(EXIT_CODE.FAILURE);
    return;
  }
  console.error(`trace-sink: ${(err as Error).stack ?? String(err)}`);
  exitSoon(EXIT_CODE.FAILURE);
});
