#!/usr/bin/env node
// traces CLI: views over OTLP JSON lines files (trace-sink output, Collector file exporter output).
import { hideBin } from 'yargs/helpers';
import { EXIT_CODE } from '../../cli-kit/src';
import { UsageError } from './cli/cli-options';
import { parseTracesArgs, type TracesCommand } from './cli/traces/traces-args';
import type { TracesIo } from './cli/traces/traces-io';
import { runExport } from './cli/traces/run-export';
import { runList } from './cli/traces/run-list';
import { runReport } from './cli/traces/run-report';
import { runShow } from './cli/traces/run-show';
import { runStartup } from './cli/traces/run-startup';
import { shouldColour } from './views/service-colours';

async function main(): Promise<number> {
  let cmd: TracesCommand;
  try {
    cmd = parseTracesArgs(hideBin(process.argv));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`traces: ${err.message}\nRun "traces --help" for usage.\n`);
    return EXIT_CODE.BAD_USAGE;
  }
  const io: TracesIo = {
    out: (text) => process.stdout.write(`${text}\n`),
    warn: (text) => process.stderr.write(`${text}\n`),
    colour: shouldColour(process.stdout),
  };
  try {
    switch (cmd.command) {
      case 'list':
        await runList(cmd, io);
        break;
      case 'show':
        await runShow(cmd, io);
        break;
      case 'startup':
        await runStartup(cmd, io);
        break;
      case 'report':
        await runReport(cmd, io);
        break;
      case 'export':
        await runExport(cmd, io);
        break;
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`traces: ${err.message}\n`);
    return EXIT_CODE.FAILURE;
  }
  return EXIT_CODE.OK;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`traces: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT_CODE.FAILURE;
  },
);
