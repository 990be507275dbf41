#!/usr/bin/env node
/**
 * `npm start`: a whole simulated node on one machine. Starts the embedded OTLP receiver (trace-sink, gRPC and
 * HTTP) in this process, runtime-sim and kubelet-sim as child processes on a temp unix socket, lets the kubelet
 * run the pods in configs/pods, then prints a pod startup trace, a span summary and the spans file.
 * This process only spawns the sims; it imports nothing from them and traces nothing itself.
 *
 * Every wait is bounded by --duration: the kubelet is told to stop FLUSH_RESERVE_MS before the deadline so that
 * the spans are flushed and the summary printed by then; a child that has not exited SHUTDOWN_GRACE_MS after
 * the deadline is stopped. A child that fails (at start or later) stops the run at once, with its own last
 * output lines on screen and exit status 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { EXIT_CODE, watchParent } from '../../cli-kit/src';
import { renderSpanSummaryTable, renderStartupReport, renderTraceTree, reportHtmlOf, startupReportOf } from '../../trace-sink/src';
import type { TraceRecord, TraceSink } from '../../trace-sink/src';
import { startNodeProcess, type RunningProcess } from './child-process-runner';
import { DemoFlagError, parseDemoArgs, type DemoArgs } from './demo-args';
import { runtimeExportSetup } from './runtime-export-setup';
import { freeLoopbackPort, openDemoInputs, reportFailure, say, waitForFile, writeDemoKubeletConfig } from './demo-kit';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
/** The compiled tree this file runs from, so the children match the build that started them. */
const DIST = resolve(__dirname, '..', '..');

/** Longest wait for runtime-sim's socket (never past --duration). */
const RUNTIME_START_TIMEOUT_MS = 10_000;
/** Time kept at the end of --duration for the children to flush their spans and exit (at most a fifth of it). */
const FLUSH_RESERVE_MS = 2_000;
/** After --duration, how long a child that has not exited yet gets before it is stopped. */
const SHUTDOWN_GRACE_MS = 10_000;
/** SIGTERM to SIGKILL when a child has to be stopped. */
const STOP_GRACE_MS = 5_000;
const PROGRESS_PERIOD_MS = 5_000;

async function main(): Promise<number> {
  const startedAt = Date.now();
  let args: DemoArgs;
  try {
    args = parseDemoArgs(process.argv.slice(2), REPO_ROOT);
  } catch (err) {
    if (!(err instanceof DemoFlagError)) throw err;
    process.stderr.write(`Error: ${err.message}\nRun 'npm start -- --help' for usage.\n`);
    return EXIT_CODE.BAD_USAGE;
  }
  if (args.controlPlane) {
    const { runControlPlaneDemo } = await import('./control-plane-demo');
    return runControlPlaneDemo(args, { startedAt, dist: DIST, repoRoot: REPO_ROOT });
  }
  if (args.nodes !== undefined) {
    const { runFleetDemo } = await import('./fleet-demo');
    return runFleetDemo(args, args.nodes, { startedAt, dist: DIST });
  }
  const deadline = startedAt + args.durationMs;

  const inputs = await openDemoInputs(args);
  if ('exitCode' in inputs) return inputs.exitCode;
  const { kubeletConfig, sink } = inputs;
  const work = mkdtempSync(join(tmpdir(), 'kubelet-cri-demo-'));
  const socketPath = join(work, 'runtime.sock');
  const socket = `unix://${socketPath}`;
  const kubeletConfigPath = writeDemoKubeletConfig(kubeletConfig, args.config, work, sink.address, { samplingRatePerMillion: args.samplingRatePerMillion });
  const logPath = join(work, 'sims.log');
  const earlier = sink.outPathBytesBefore > 0 ? ` (appended after ${sink.outPathBytesBefore} bytes from earlier runs)` : '';
  say(`OTLP receiver on ${sink.address} (gRPC)${sink.httpAddress ? ` and ${sink.httpAddress} (HTTP)` : ''}; spans to ${sink.outPath}${earlier}`);
  say(`runtime-sim (${args.persona}) on ${socket}; logs in ${logPath}`);

  let interrupted = false;
  let wake: () => void = () => undefined;
  const interruption = new Promise<'interrupted'>((resolveInterrupt) => {
    wake = () => resolveInterrupt('interrupted');
  });
  let kubelet: RunningProcess | undefined;
  const interrupt = (why: string): void => {
    if (interrupted) return;
    interrupted = true;
    say(`${why}: stopping (flushing spans)...`);
    void kubelet?.stop(STOP_GRACE_MS);
    wake();
  };
  process.on('SIGINT', () => interrupt('SIGINT'));
  process.on('SIGTERM', () => interrupt('SIGTERM'));
  watchParent({ onParentGone: (pid) => interrupt(`parent process ${pid} exited`) });

  const exportSetup = runtimeExportSetup(args.persona, args.personaVersion, sink.address, work, 0, sink.httpAddress);
  const modelArgs = args.model === undefined ? [] : ['--model', args.model];
  const runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), ['--persona', args.persona, '--listen', socket, ...modelArgs, ...exportSetup.args], logPath, exportSetup.env);

  const finish = async (code: number): Promise<number> => {
    await Promise.all([kubelet?.stop(STOP_GRACE_MS), runtime.stop(STOP_GRACE_MS)]);
    await sink.close();
    return code;
  };

  // Start the kubelet once the runtime listens, as a node's systemd ordering would; it retries anyway.
  const ready = await Promise.race([
    waitForFile(socketPath, Math.min(startedAt + RUNTIME_START_TIMEOUT_MS, deadline)).then((ok): 'ready' | 'timeout' => (ok ? 'ready' : 'timeout')),
    runtime.exited.then(() => 'exited' as const),
    interruption,
  ]);
  if (ready === 'exited') {
    reportFailure(runtime, await runtime.exited, 'at start', logPath);
    return finish(EXIT_CODE.FAILURE);
  }
  if (ready === 'interrupted') return finish(EXIT_CODE.OK);
  if (ready === 'timeout') {
    const why = Date.now() >= deadline ? `--duration ${args.durationMs} ms ended` : `it did not listen within ${RUNTIME_START_TIMEOUT_MS / 1000} s`;
    process.stderr.write(`node-demo: runtime-sim is not serving on ${socket}: ${why}; see ${logPath}\n`);
    return finish(EXIT_CODE.FAILURE);
  }

  // Free loopback ports instead of 10250/10248, which a real kubelet on this machine may hold.
  const kubeletPort = await freeLoopbackPort();
  const healthzPort = await freeLoopbackPort();
  const remainingMs = Math.max(1, deadline - Math.min(FLUSH_RESERVE_MS, args.durationMs / 5) - Date.now());
  kubelet = startNodeProcess('kubelet-sim', join(DIST, 'kubelet-sim/src/main.js'), ['--config', kubeletConfigPath, '--container-runtime-endpoint', socket, '--hostname-override', 'sim-node', '--duration', `${remainingMs}ms`, '--port', String(kubeletPort), '--healthz-port', String(healthzPort)], logPath);
  if (interrupted) void kubelet.stop(STOP_GRACE_MS);
  say(`kubelet-sim HTTP (plain HTTP, loopback): http://127.0.0.1:${kubeletPort}/pods  http://127.0.0.1:${kubeletPort}/metrics  http://127.0.0.1:${kubeletPort}/healthz?verbose  http://127.0.0.1:${healthzPort}/healthz`);

  const total = Math.round(args.durationMs / 1000);
  const progress = setInterval(() => {
    if (Date.now() >= deadline) return;
    const byService = sink.index.spansByService();
    const counts = [...byService].map(([service, spans]) => `${service} ${spans.length}`).join(', ') || 'none yet';
    say(`${Math.round((Date.now() - startedAt) / 1000)}s/${total}s  spans received: ${sink.index.spanCount} (${counts})  traces: ${sink.index.traceCount}`);
  }, PROGRESS_PERIOD_MS);

  // The kubelet ends itself at the deadline; past the grace period it is stopped.
  let hardStop: NodeJS.Timeout | undefined;
  const overdue = new Promise<'overdue'>((resolveOverdue) => {
    hardStop = setTimeout(() => resolveOverdue('overdue'), Math.max(0, deadline + SHUTDOWN_GRACE_MS - Date.now()));
  });
  const running = kubelet;
  const first = await Promise.race([
    running.exited.then(() => 'kubelet' as const),
    runtime.exited.then(() => 'runtime' as const),
    overdue,
  ]);
  clearInterval(progress);
  let code: number = EXIT_CODE.OK;
  if (first === 'runtime' && !interrupted) {
    reportFailure(runtime, await runtime.exited, 'while the kubelet was running', logPath);
    code = EXIT_CODE.FAILURE;
  }
  if (first === 'overdue') {
    process.stderr.write(`node-demo: kubelet-sim did not stop within ${SHUTDOWN_GRACE_MS / 1000} s after --duration; stopping it\n`);
    code = EXIT_CODE.FAILURE;
  }
  const kubeletExit = await running.stop(STOP_GRACE_MS);
  clearTimeout(hardStop);
  if (kubeletExit !== 0 && !interrupted && code === EXIT_CODE.OK) {
    reportFailure(running, kubeletExit, 'during the run', logPath);
    code = EXIT_CODE.FAILURE;
  }
  const runtimeExit = await runtime.stop(STOP_GRACE_MS);
  if (code === EXIT_CODE.OK && runtimeExit !== 0 && runtimeExit !== 'SIGTERM') {
    reportFailure(runtime, runtimeExit, 'at shutdown', logPath);
    code = EXIT_CODE.FAILURE;
  }
  await sink.close();

  printResults(sink, logPath);
  if (code === EXIT_CODE.OK) rmSync(socketPath, { force: true });
  return code;
}

function printResults(sink: TraceSink, logPath: string): void {
  const spans = sink.index.spans();
  const trace = pickPodStartupTrace(sink.index.traces());
  process.stdout.write('\n');
  if (trace) {
    process.stdout.write(`A pod startup trace (trace id ${trace.traceId}), kubelet and runtime spans interleaved:\n\n${renderTraceTree(trace.spans)}\n\n`);
  } else {
    process.stdout.write('No complete pod startup trace was received (see the logs above).\n\n');
  }
  process.stdout.write(`Span summary (${spans.length} spans in ${sink.index.traceCount} traces):\n\n${renderSpanSummaryTable(spans)}\n\n`);
  const earlier = sink.outPathBytesBefore > 0 ? `; appended after ${sink.outPathBytesBefore} bytes from earlier runs, delete the file or pass --out for a fresh one` : '';
  process.stdout.write(`Every received span: ${sink.outPath} (OTLP JSON, one ExportTraceServiceRequest per line, ${sink.exportCount} lines from this run${earlier})\n`);
  process.stdout.write(`Sim logs: ${logPath}\n`);
  // What `traces startup` and `traces report` show, over this run's spans only (the file may hold earlier runs).
  process.stdout.write(`\n${renderStartupReport(startupReportOf(spans))}\n\n`);
  if (sink.outPath) {
    const reportPath = join(dirname(sink.outPath), 'report.html');
    writeFileSync(reportPath, reportHtmlOf(spans, `this run of ${basename(sink.outPath)}`));
    process.stdout.write(`Report (one HTML file, works offline): ${reportPath}; more views: npx traces --help\n`);
  }
}




/** A trace rooted at a kubelet `syncPod` that created a sandbox and started a container; the richest one wins. */
function pickPodStartupTrace(traces: TraceRecord[]): TraceRecord | undefined {
  const startups = traces.filter((t) => {
    const names = new Set(t.spans.map((s) => s.name));
    return t.spans.some((s) => s.name === 'syncPod' && s.parentSpanId === '') && names.has('runtime.v1.RuntimeService/RunPodSandbox') && names.has('runtime.v1.RuntimeService/StartContainer');
  });
  return startups.sort((a, b) => b.spans.length - a.spans.length)[0];
}




main().then(
  (code) => process.exit(code),
  (err) => {
    say(`fatal: ${(err as Error).stack ?? err}`);
    process.exit(EXIT_CODE.FAILURE);
  },
);
