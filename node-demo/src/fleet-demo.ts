/**
 * `npm start -- --nodes N`: a fleet of N simulated nodes on this machine. Starts the embedded OTLP receiver,
 * `runtime-sim --nodes N` (one CRI socket per node in a temp directory) and `kubelet-sim --nodes N` (with
 * `--shards K`, K such pairs, each with its own run of node numbers: ./fleet-shards.ts), shows
 * progress (fleet pods, CPU and memory of both processes, spans and bytes received), and at the end prints a
 * per-node table and the fleet's totals: CPU cores and RSS (total and per node), spans/s and OTLP bytes/s
 * received, PLEG relist intervals, and spans lost or dropped by the span processors.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODE, watchParent } from '../../cli-kit/src';
import { otlpJsonToProtobuf } from '../../trace-sink/src/otlp-json/otlp-json-to-protobuf';
import { startNodeProcess } from './child-process-runner';
import type { RunningProcess } from './child-process-runner';
import type { DemoArgs } from './demo-args';
import { openDemoInputs, reportFailure, say, waitForFile, writeDemoKubeletConfig } from './demo-kit';
import { planFleetShards } from './fleet-shards';
import type { FleetShard } from './fleet-shards';
import { mergeFleetSummaries, parseFleetSummaries } from './fleet-summary-lines';
import type { FleetSummaries } from './fleet-summary-lines';
import { UsageMeter } from './process-usage';
import { runtimeExportSetup } from './runtime-export-setup';
import { writeSyntheticPods } from './synthetic-pods';

/** Time kept at the end of --duration for the fleet to flush its spans and exit. */
const FLUSH_RESERVE_MS = 5_000;
/**
 * After --duration, how long the processes get to exit before they are stopped: kubelet-sim gives its nodes
 * 10 s to stop and 10 s to flush before it reports (node/kubelet-fleet.ts), plus time for its summary.
 */
const SHUTDOWN_GRACE_MS = 30_000;
/** SIGTERM to SIGKILL when a fleet process has to be stopped: enough to stop its nodes and print its summary. */
const STOP_GRACE_MS = 25_000;
/** Longest wait for the runtimes' sockets. */
const RUNTIME_START_TIMEOUT_MS = 60_000;
/** Per-node rows printed in full up to this many nodes; beyond, the first ones and a min/median/max line. */
const FULL_TABLE_MAX_NODES = 20;

/** One shard's process pair and where its output goes. */
interface ShardProcesses {
  shard: FleetShard;
  logPath: string;
  runtime: RunningProcess;
  kubelet?: RunningProcess;
}

export async function runFleetDemo(args: DemoArgs, nodeCount: number, context: { startedAt: number; dist: string }): Promise<number> {
  const { startedAt } = context;
  const deadline = startedAt + args.durationMs;
  const inputs = await openDemoInputs(args);
  if ('exitCode' in inputs) return inputs.exitCode;
  const { kubeletConfig, sink } = inputs;
  // What the collector receives: spans per node, and the OTLP protobuf payload bytes of every request.
  const received = { spans: 0, bytes: 0, byHost: new Map<string, number>() };
  sink.onExport(({ request, spans }) => {
    received.spans += spans.length;
    received.bytes += otlpJsonToProtobuf(Buffer.from(JSON.stringify(request))).length;
    for (const span of spans) {
      const host = String(span.resource['host.name'] ?? '');
      received.byHost.set(host, (received.byHost.get(host) ?? 0) + 1);
    }
  });

  const work = mkdtempSync(join(tmpdir(), 'kubelet-cri-fleet-'));
  const socketTemplate = `unix://${join(work, '{node}.sock')}`;
  const shardPlan = planFleetShards(nodeCount, args.shards);
  const nodeNames = shardPlan.flatMap((shard) => shard.nodeNames);
  const staticPodPath = args.podsPerNode === undefined ? undefined : writeSyntheticPods(join(work, 'pods'), args.podsPerNode);
  const kubeletConfigPath = writeDemoKubeletConfig(kubeletConfig, args.config, work, sink.address, { staticPodPath, samplingRatePerMillion: args.samplingRatePerMillion });
  // One log per process pair: each kubelet-sim and runtime-sim prints its own fleet summary at the end.
  const logPathOf = (shard: FleetShard): string => join(work, shardPlan.length === 1 ? 'sims.log' : `sims-shard-${shard.index}.log`);
  const pairs = shardPlan.length === 1 ? 'one runtime-sim and one kubelet-sim' : `${shardPlan.length} runtime-sim + kubelet-sim pairs (${shardPlan.map((s) => `${s.nodeNames[0]} … ${s.nodeNames[s.nodeNames.length - 1]}`).join(', ')})`;
  say(`OTLP receiver on ${sink.address} (gRPC)${sink.httpAddress ? ` and ${sink.httpAddress} (HTTP)` : ''}; spans to ${sink.outPath}`);
  say(`fleet of ${nodeCount} nodes (${nodeNames[0]} … ${nodeNames[nodeCount - 1]}), ${args.podsPerNode === undefined ? 'static pods from the config' : `${args.podsPerNode} pods each`}, in ${pairs}; runtime-sim (${args.persona}) on ${socketTemplate}; logs in ${shardPlan.length === 1 ? logPathOf(shardPlan[0]) : join(work, 'sims-shard-*.log')}`);

  const shards: ShardProcesses[] = [];
  const running = (): RunningProcess[] => shards.flatMap((s) => (s.kubelet ? [s.runtime, s.kubelet] : [s.runtime]));
  const meter = new UsageMeter(() => running().map((p) => p.child.pid ?? -1).filter((pid) => pid > 0));
  let interrupted = false;
  let wake: () => void = () => undefined;
  const interruption = new Promise<'interrupted'>((r) => (wake = () => r('interrupted')));
  const interrupt = (why: string): void => {
    if (interrupted) return;
    interrupted = true;
    say(`${why}: stopping the fleet (flushing spans)...`);
    for (const s of shards) void s.kubelet?.stop(STOP_GRACE_MS);
    wake();
  };
  process.on('SIGINT', () => interrupt('SIGINT'));
  process.on('SIGTERM', () => interrupt('SIGTERM'));
  watchParent({ onParentGone: (pid) => interrupt(`parent process ${pid} exited`) });
  const finish = async (code: number): Promise<number> => {
    await Promise.all(running().map((p) => p.stop(STOP_GRACE_MS)));
    await sink.close();
    return code;
  };

  const exportSetup = runtimeExportSetup(args.persona, args.personaVersion, sink.address, work, 0, sink.httpAddress);
  const modelArgs = args.model === undefined ? [] : ['--model', args.model];
  const shardArgs = (shard: FleetShard): string[] =>
    ['--nodes', String(shard.nodeNames.length), ...(shardPlan.length === 1 ? [] : ['--first-node-number', String(shard.firstNodeNumber)])];
  for (const shard of shardPlan) {
    const logPath = logPathOf(shard);
    const runtime = startNodeProcess('runtime-sim', join(context.dist, 'runtime-sim/src/main.js'), ['--persona', args.persona, '--listen', socketTemplate, ...shardArgs(shard), ...modelArgs, ...exportSetup.args], logPath, exportSetup.env);
    shards.push({ shard, logPath, runtime });
  }
  const runtimeExited = Promise.race(shards.map((s) => s.runtime.exited.then(() => s)));
  for (const s of shards) {
    const lastSocket = join(work, `${s.shard.nodeNames[s.shard.nodeNames.length - 1]}.sock`);
    const ready = await Promise.race([
      waitForFile(lastSocket, Math.min(Date.now() + RUNTIME_START_TIMEOUT_MS, deadline)).then((ok) => (ok ? ('ready' as const) : ('timeout' as const))),
      runtimeExited,
      interruption,
    ]);
    if (ready === 'interrupted') return finish(EXIT_CODE.OK);
    if (ready === 'timeout') {
      process.stderr.write(`node-demo: runtime-sim is not serving all ${s.shard.nodeNames.length} sockets of its shard (${lastSocket} missing); see ${s.logPath}\n`);
      return finish(EXIT_CODE.FAILURE);
    }
    if (ready !== 'ready') {
      reportFailure(ready.runtime, await ready.runtime.exited, 'at start', ready.logPath);
      return finish(EXIT_CODE.FAILURE);
    }
  }

  const kubeletStopsAt = deadline - Math.min(FLUSH_RESERVE_MS, args.durationMs / 5);
  const fleetPods = new Map<number, number>();
  for (const s of shards) {
    s.kubelet = startNodeProcess('kubelet-sim', join(context.dist, 'kubelet-sim/src/main.js'), [
      '--config', kubeletConfigPath, '--container-runtime-endpoint', socketTemplate, ...shardArgs(s.shard), '--duration', `${Math.max(1, kubeletStopsAt - Date.now())}ms`,
    ], s.logPath);
    if (interrupted) void s.kubelet.stop(STOP_GRACE_MS);
    s.kubelet.onLine((line) => {
      const pods = line.includes('"Fleet progress"') ? /pods=(\d+)/.exec(line)?.[1] : undefined;
      if (pods !== undefined) fleetPods.set(s.shard.index, Number(pods));
    });
  }
  const podsNow = (): string => (fleetPods.size === 0 ? '?' : String([...fleetPods.values()].reduce((a, b) => a + b, 0)));
  const kubeletStartedAt = Date.now();
  meter.mark('start');
  // Steady state: the second half of the kubelets' run, after the fleet's start-up burst.
  const steadyAt = kubeletStartedAt + (kubeletStopsAt - kubeletStartedAt) / 2;
  const marks = [
    setTimeout(() => meter.mark('steady'), Math.max(0, steadyAt - Date.now())),
    setTimeout(() => meter.mark('end'), Math.max(0, kubeletStopsAt - 200 - Date.now())),
  ];

  const total = Math.round(args.durationMs / 1000);
  const progressEvery = args.durationMs > 120_000 ? 30_000 : 5_000;
  let last = { atMs: Date.now(), cpuSeconds: meter.sample().cpuSeconds };
  const progress = setInterval(() => {
    if (Date.now() >= deadline) return;
    const now = Date.now();
    const usage = meter.sample(now);
    const cores = (usage.cpuSeconds - last.cpuSeconds) / ((now - last.atMs) / 1000);
    last = { atMs: now, cpuSeconds: usage.cpuSeconds };
    say(`${Math.round((now - startedAt) / 1000)}s/${total}s  pods ${podsNow()}  cpu ${cores.toFixed(2)} cores  rss ${mb(usage.rssBytes)} MB  ` +
      `spans received ${received.spans} (${received.byHost.size} hosts)  bytes ${received.bytes}`);
  }, progressEvery);

  let hardStop: NodeJS.Timeout | undefined;
  const overdue = new Promise<'overdue'>((r) => (hardStop = setTimeout(() => r('overdue'), Math.max(0, deadline + SHUTDOWN_GRACE_MS - Date.now()))));
  const kubeletsDone = Promise.all(shards.map((s) => s.kubelet!.exited)).then(() => 'kubelets' as const);
  const first = await Promise.race([kubeletsDone, runtimeExited, overdue]);
  clearInterval(progress);
  for (const t of marks) clearTimeout(t);
  let code: number = EXIT_CODE.OK;
  if (typeof first === 'object' && !interrupted) {
    reportFailure(first.runtime, await first.runtime.exited, 'while the kubelets were running', first.logPath);
    code = EXIT_CODE.FAILURE;
  }
  if (first === 'overdue') {
    process.stderr.write(`node-demo: kubelet-sim did not stop within ${SHUTDOWN_GRACE_MS / 1000} s after --duration; stopping it\n`);
    code = EXIT_CODE.FAILURE;
  }
  const kubeletExits = await Promise.all(shards.map((s) => s.kubelet!.stop(STOP_GRACE_MS)));
  clearTimeout(hardStop);
  for (const [i, exit] of kubeletExits.entries()) {
    if (exit !== 0 && !interrupted && code === EXIT_CODE.OK) {
      reportFailure(shards[i].kubelet!, exit, 'during the run', shards[i].logPath);
      code = EXIT_CODE.FAILURE;
    }
  }
  await Promise.all(shards.map((s) => s.runtime.stop(STOP_GRACE_MS)));
  await sink.close();

  const perShard = shards.map((s) => parseFleetSummaries(readFileSync(s.logPath, 'utf8')));
  const report = renderFleetReport({
    nodeNames, summaries: mergeFleetSummaries(perShard), received, meter, podsPerNode: args.podsPerNode,
    wallSeconds: (Date.now() - kubeletStartedAt) / 1000,
    receiveSeconds: (Date.now() - startedAt) / 1000,
    shards: shardPlan.length === 1 ? [] : shards.map((s, i) => ({ shard: s.shard, summaries: perShard[i] })),
  });
  const tablePath = join(work, 'fleet-nodes.txt');
  writeFileSync(tablePath, report.fullTable);
  const logs = shardPlan.length === 1 ? logPathOf(shardPlan[0]) : shards.map((s) => s.logPath).join(', ');
  process.stdout.write(`\n${report.text}\nPer-node table: ${tablePath}\nEvery received span: ${sink.outPath}\nSim logs: ${logs}\n`);
  return code;
}

interface ReportInputs {
  nodeNames: string[];
  summaries: FleetSummaries;
  received: { spans: number; bytes: number; byHost: Map<string, number> };
  meter: UsageMeter;
  podsPerNode: number | undefined;
  wallSeconds: number;
  receiveSeconds: number;
  /** Each shard's own summaries when the fleet ran as several process pairs; empty for one pair. */
  shards: { shard: FleetShard; summaries: FleetSummaries }[];
}

function renderFleetReport(r: ReportInputs): { text: string; fullTable: string } {
  const n = r.nodeNames.length;
  const header = ['node', 'pods', 'syncPod', 'kubelet spans exported', 'runtime spans exported', 'spans received'];
  const rows = r.nodeNames.map((name) => {
    const k = r.summaries.kubeletNodes.get(name) ?? {};
    const rt = r.summaries.runtimeNodes.get(name) ?? {};
    return [name, k.pods ?? '?', k.syncPod ?? '?', k.spansExported ?? '-', rt.spansExported ?? '-', String(r.received.byHost.get(name) ?? 0)];
  });
  const fullTable = table([header, ...rows]);
  const shown = n <= FULL_TABLE_MAX_NODES ? rows : [...rows.slice(0, 10), ['…', '', '', '', '', ''], ...rows.slice(-3)];
  const numeric = (col: number): string => {
    const values = rows.map((row) => Number(row[col])).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    return values.length === 0 ? '-' : `${values[0]}/${values[Math.floor(values.length / 2)]}/${values[values.length - 1]}`;
  };
  const spread = n <= FULL_TABLE_MAX_NODES ? [] : [['min/median/max', numeric(1), numeric(2), numeric(3), numeric(4), numeric(5)]];

  const kf = r.summaries.kubeletFleet ?? {};
  const rf = r.summaries.runtimeFleet ?? {};
  const whole = r.meter.coresBetween('start', 'end');
  const steady = r.meter.coresBetween('steady', 'end');
  const processes = r.shards.length === 0 ? 'both processes' : `all ${r.shards.length * 2} processes`;
  const perNode = (v: number | undefined, digits: number): string => (v === undefined ? '?' : `${v.toFixed(digits)} total, ${(v / n).toFixed(digits + 2)} per node`);
  const lines = [
    `Fleet: ${n} nodes, ${kf.pods ?? '?'} pods at the end${r.podsPerNode === undefined ? '' : ` (${r.podsPerNode} per node)`}, kubelets ran ${r.wallSeconds.toFixed(0)} s`,
    `  CPU (${processes}), cores: whole run ${perNode(whole, 3)}; steady (second half) ${perNode(steady, 3)}`,
    `  RSS (${processes}), peak: ${mb(r.meter.peakRssBytes)} MB total, ${(mb(r.meter.peakRssBytes) / n).toFixed(1)} MB per node`,
    `  spans received: ${r.received.spans} (${(r.received.spans / r.receiveSeconds).toFixed(1)}/s), OTLP payload ${r.received.bytes} bytes (${(r.received.bytes / r.receiveSeconds).toFixed(0)} B/s)`,
    `  PLEG relist interval: whole run p50 ${kf.relistIntervalP50 ?? '?'}, p99 ${kf.relistIntervalP99 ?? '?'}, max ${kf.relistIntervalMax ?? '?'} (${kf.relists ?? '?'} relists); ` +
      `steady (second half) p50 ${kf.steadyRelistIntervalP50 ?? '?'}, p99 ${kf.steadyRelistIntervalP99 ?? '?'}, max ${kf.steadyRelistIntervalMax ?? '?'} (${kf.steadyRelists ?? '?'} relists)`,
    ...r.shards.map(({ shard, summaries }) => {
      const k = summaries.kubeletFleet ?? {};
      return `  shard ${shard.index} (${shard.nodeNames[0]} … ${shard.nodeNames[shard.nodeNames.length - 1]}): pods ${k.pods ?? '?'}, steady relist p50 ${k.steadyRelistIntervalP50 ?? '?'}, p99 ${k.steadyRelistIntervalP99 ?? '?'}, max ${k.steadyRelistIntervalMax ?? '?'}`;
    }),
    `  spans: kubelet exported ${kf.spansExported ?? '-'} lost ${kf.spansLost ?? '-'} dropped ${kf.spansDropped ?? '-'}; runtime exported ${rf.spansExported ?? '-'} lost ${rf.spansLost ?? '-'} dropped ${rf.spansDropped ?? '-'}; outside any node ${Number(kf.unscopedSpans ?? 0) + Number(rf.unscopedSpans ?? 0)}`,
  ];
  return { text: `Per node:\n\n${table([header, ...shown, ...spread])}\n\n${lines.join('\n')}\n`, fullTable: `${fullTable}\n` };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}
