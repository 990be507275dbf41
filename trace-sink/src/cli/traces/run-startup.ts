import { PodStartupCollector } from '../../views/startup/pod-startup-collector';
import { renderStartupReport } from '../../views/startup/render-startup-report';
import { summariseStartups } from '../../views/startup/startup-stats';
import type { TracesCommand } from './traces-args';
import { readTraceFile } from './read-trace-file';
import type { TracesIo } from './traces-io';

export async function runStartup(cmd: Extract<TracesCommand, { command: 'startup' }>, io: TracesIo): Promise<void> {
  const collector = new PodStartupCollector();
  await readTraceFile(cmd.file, (span) => collector.add(span), io.warn);
  const report = summariseStartups(collector.startups());
  io.out(cmd.json ? JSON.stringify(report, null, 2) : renderStartupReport(report));
}
