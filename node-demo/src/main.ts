#!/usr/bin/env node
/**
 * `npm start`: a whole simulated node on one machine. Starts the embedded OTLP receiver (trace-sink) in this
 * process, runtime-sim (CRI-O persona) and kubelet-sim as child processes on a temp unix socket, lets the
 * kubelet run the pods in configs/pods, then prints a pod startup trace, a span summary and the spans file.
 * This process only spawns the sims; it imports nothing from them and traces nothing itself.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { parse, stringify } from 'yaml';
import { ListenError, renderSpanSummaryTable, renderTraceTree, startTraceSink } from '../../trace-sink/src';
import type { TraceRecord } from '../../trace-sink/src';
import { startNodeProcess } from './child-process-runner';
import { parseDemoDuration } from './demo-duration';
import { runtimeExportSetup } from './runtime-export-setup';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
/** The compiled tree this file runs from, so the children match the build that started them. */
const DIST = resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  const argv = yargs(process.argv.slice(2))
    .scriptName('npm start --')
    .usage('$0 [options]\n\nRuns runtime-sim and kubelet-sim with an embedded OTLP receiver and shows the node\'s traces.')
    .option('listen', { type: 'string', default: '127.0.0.1:4317', describe: 'address of the embedded OTLP/gRPC receiver' })
    .option('duration', { type: 'string', default: '30s', describe: 'how long the kubelet runs (30s, 2m); Ctrl-C stops early' })
    .option('out', { type: 'string', default: 'spans.jsonl', describe: 'file receiving every span (OTLP JSON lines)' })
    .option('persona', { choices: ['crio', 'containerd'] as const, default: 'crio' as const, describe: 'which runtime runtime-sim plays' })
    .option('persona-version', { type: 'string', describe: 'runtime version to play (crio 1.33; containerd 2.1 or 1.6); default: the persona\'s newest' })
    .option('model', { type: 'string', describe: 'runtime-sim latency/fault model: fast, realistic, chaos or a YAML file (default: none, every call answers at once)' })
    .option('config', { type: 'string', default: join(REPO_ROOT, 'configs', 'kubelet-config.yaml'), describe: 'KubeletConfiguration to run with' })
    .strict()
    .help()
    .version(false)
    .parseSync();
  let durationMs: number;
  try {
    durationMs = parseDemoDuration(argv.duration);
  } catch (err) {
    process.stderr.write(`Error: --duration: ${(err as Error).message}\n`);
    return 2;
  }

  let sink;
  try {
    sink = await startTraceSink({ listen: argv.listen, outPath: resolve(argv.out), listenFlag: '--listen' });
  } catch (err) {
    if (err instanceof ListenError) {
      process.stderr.write(`${err.message}\n(when run as npm start, pass it after --: npm start -- --listen 127.0.0.1:4318)\n`);
      return 1;
    }
    throw err;
  }
  const work = mkdtempSync(join(tmpdir(), 'kubelet-cri-demo-'));
  const socket = `unix://${join(work, 'runtime.sock')}`;
  const kubeletConfigPath = writeDemoKubeletConfig(argv.config, work, sink.address);
  const logPath = join(work, 'sims.log');
  say(`OTLP receiver on ${sink.address}; runtime-sim (${argv.persona}) on ${socket}; logs in ${logPath}`);

  const exportSetup = runtimeExportSetup(argv.persona, argv['persona-version'], sink.address, work);
  const modelArgs = argv.model === undefined ? [] : ['--model', argv.model];
  const runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), ['--persona', argv.persona, '--listen', socket, ...modelArgs, ...exportSetup.args], logPath, exportSetup.env);
  // Start the kubelet once the runtime listens, as a node's systemd ordering would; it retries anyway.
  await waitForFile(join(work, 'runtime.sock'), 10_000);
  // Free loopback ports instead of 10250/10248, which a real kubelet on this machine may hold.
  const kubeletPort = await freeLoopbackPort();
  const healthzPort = await freeLoopbackPort();
  const kubelet = startNodeProcess('kubelet-sim', join(DIST, 'kubelet-sim/src/main.js'), ['--config', kubeletConfigPath, '--container-runtime-endpoint', socket, '--hostname-override', 'sim-node', '--duration', `${Math.round(durationMs)}ms`, '--port', String(kubeletPort), '--healthz-port', String(healthzPort)], logPath);
  say(`kubelet-sim HTTP (plain HTTP, loopback): http://127.0.0.1:${kubeletPort}/pods  http://127.0.0.1:${kubeletPort}/metrics  http://127.0.0.1:${kubeletPort}/healthz?verbose  http://127.0.0.1:${healthzPort}/healthz`);

  let interrupted = false;
  const interrupt = (): void => {
    if (interrupted) return;
    interrupted = true;
    say('stopping (flushing spans)...');
    void kubelet.stop();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  const started = Date.now();
  const progress = setInterval(() => {
    const byService = sink.index.spansByService();
    const counts = [...byService].map(([service, spans]) => `${service} ${spans.length}`).join(', ') || 'none yet';
    say(`${Math.round((Date.now() - started) / 1000)}s/${Math.round(durationMs / 1000)}s  spans received: ${sink.index.spanCount} (${counts})  traces: ${sink.index.traceCount}`);
  }, 5_000);

  const kubeletExit = await kubelet.exited;
  const runtimeExit = await runtime.stop();
  clearInterval(progress);
  await sink.close();

  const spans = sink.index.spans();
  const trace = pickPodStartupTrace(sink.index.traces());
  process.stdout.write('\n');
  if (trace) {
    process.stdout.write(`A pod startup trace (trace id ${trace.traceId}), kubelet and runtime spans interleaved:\n\n${renderTraceTree(trace.spans)}\n\n`);
  } else {
    process.stdout.write('No complete pod startup trace was received (see the logs above).\n\n');
  }
  process.stdout.write(`Span summary (${spans.length} spans in ${sink.index.traceCount} traces):\n\n${renderSpanSummaryTable(spans)}\n\n`);
  process.stdout.write(`Every received span: ${sink.outPath} (OTLP JSON, one ExportTraceServiceRequest per line)\n`);
  process.stdout.write(`Sim logs: ${logPath}\n`);
  const ok = (kubeletExit === 0 || interrupted) && (runtimeExit === 0 || runtimeExit === 'SIGTERM');
  if (!ok) process.stderr.write(`kubelet-sim exited with ${kubeletExit}, runtime-sim with ${runtimeExit}; see ${logPath}\n`);
  if (ok) rmSync(join(work, 'runtime.sock'), { force: true });
  return ok ? 0 : 1;
}

/** The demo's KubeletConfiguration: the user's file with the tracing endpoint set to our receiver, staticPodPath made absolute and podLogsDir in the work dir. */
function writeDemoKubeletConfig(configPath: string, workDir: string, sinkAddress: string): string {
  const doc = parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const tracing = (doc.tracing ?? {}) as Record<string, unknown>;
  doc.tracing = { ...tracing, endpoint: sinkAddress };
  if (typeof doc.staticPodPath === 'string') doc.staticPodPath = resolve(resolve(configPath, '..'), doc.staticPodPath);
  // Container logs go where the kubelet says (podLogsDir); keep them in the demo's temp dir, never the host's /var/log/pods.
  doc.podLogsDir = join(workDir, 'pod-logs');
  const out = join(workDir, 'kubelet-config.yaml');
  writeFileSync(out, stringify(doc));
  return out;
}

/** A trace rooted at a kubelet `syncPod` that created a sandbox and started a container; the richest one wins. */
function pickPodStartupTrace(traces: TraceRecord[]): TraceRecord | undefined {
  const startups = traces.filter((t) => {
    const names = new Set(t.spans.map((s) => s.name));
    return t.spans.some((s) => s.name === 'syncPod' && s.parentSpanId === '') && names.has('runtime.v1.RuntimeService/RunPodSandbox') && names.has('runtime.v1.RuntimeService/StartContainer');
  });
  return startups.sort((a, b) => b.spans.length - a.spans.length)[0];
}

async function waitForFile(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** A port nothing listens on right now (bound and released at once). */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

function say(line: string): void {
  process.stderr.write(`node-demo: ${line}\n`);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    say(`fatal: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
