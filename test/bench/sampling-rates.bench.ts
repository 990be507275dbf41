#!/usr/bin/env node
/**
 * `npx sampling-bench` (package.json bin) or `npm run bench:sampling --` (builds first; `npm run bench` is the
 * CRI call benchmark, a command of its own): what tracing costs a node at each samplingRatePerMillion, and what a fleet sends its collector.
 *
 * Each setting (sampling/sampling-settings.ts) runs in fresh processes: the real runtime-sim (CRI-O or containerd persona,
 * `--model fast`) and kubelet-sim with the churn workload, exporting to an in-process trace-sink that counts
 * spans and protobuf/gzip bytes as received. Settings are interleaved round by round (the order rotates) so
 * drift on a shared machine hits them alike; the tables give medians over rounds with min–max.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import yargs from 'yargs';
import { BENCH_PERSONAS, BENCH_PERSONA_SPECS, type BenchPersona } from './sampling/bench-persona';
import { consistencyChecks } from './sampling/consistency-checks';
import { compareFleet, renderFleetCheck } from './sampling/fleet-check-comparison';
import { runFleetCheck, type FleetCheckResult } from './sampling/fleet-check-run';
import { DEFAULT_CHURN_PER_NODE_PER_S, DEFAULT_FLEETS, extrapolateFleet, type FleetShape } from './sampling/fleet-extrapolation';
import { runNode, type NodeRunResult } from './sampling/node-run';
import { ProgressEta } from './sampling/progress-eta';
import { renderSamplingChart } from './sampling/render-sampling-chart';
import { renderCeiling, renderSaturation, summariseCeiling, summariseSaturation } from './sampling/render-ceiling-report';
import { renderSaturationChart } from './sampling/render-saturation-chart';
import { renderSamplingReport } from './sampling/render-sampling-report';
import { runRawCeiling, type RawCeilingResult } from './sampling/raw-ceiling-run';
import { renderRoundByRound } from './sampling/round-by-round';
import { runSaturation, type SaturationResult } from './sampling/saturation-run';
import { summariseSetting } from './sampling/run-summary';
import { KUBELET_RATES_PER_MILLION, parseKubeletRates, samplingSettings, type SamplingSetting, type Series } from './sampling/sampling-settings';

/** The issue's fixed churn: 110 pods on the node (the kubelet's default maxPods), 2 lifecycles/s. */
const FULL = { rounds: 3, podsOnNode: 110, creationRate: 2, warmUpS: 60, measureS: 60 } as const;
/** About a minute on 2 cores: one round of every setting on a small, fast churn. */
const QUICK = { rounds: 1, podsOnNode: 10, creationRate: 5, warmUpS: 2.5, measureS: 2.5 } as const;
/** Process start and shutdown around each run's window, for the first ETA. */
const RUN_OVERHEAD_MS = 3_000;
/** Saturation (`--saturate`): pods created at once, each deleted after `lifetimeS`; bounded by `timeoutS`. */
const SATURATE_FULL = { pods: 200, lifetimeS: 60, timeoutS: 300 } as const;
const SATURATE_QUICK = { pods: 30, lifetimeS: 12, timeoutS: 60 } as const;
/** The raw grpc-js arm, once per round: lifecycles measured, unmeasured first, in flight. */
const RAW_FULL = { pods: 2_000, warmUpPods: 100, concurrency: 16 } as const;
const RAW_QUICK = { pods: 300, warmUpPods: 30, concurrency: 16 } as const;
/** Rough wall time of one raw arm run, for the first ETA. */
const RAW_RUN_MS = 5_000;

async function main(): Promise<number> {
  const argv = yargs(process.argv.slice(2))
    .scriptName('sampling-bench')
    .usage('$0 [options]   (from a clone: npx sampling-bench, or npm run bench:sampling -- [options] to build first)\n\nRuns kubelet-sim + runtime-sim (CRI-O or containerd, model fast) with the churn workload at each samplingRatePerMillion, fresh processes per setting, interleaved rounds, beside a raw grpc-js arm (the physical ceiling); prints markdown tables (cost per pod lifecycle, latency, volume by span name, fleet extrapolation; or with --saturate the pod lifecycles/s the pair sustains) and writes them as JSON and an SVG chart. The full run takes about an hour: run it on a quiet machine.')
    .option('quick', { type: 'boolean', default: false, describe: `about a minute: ${QUICK.rounds} round, ${QUICK.podsOnNode} pods at ${QUICK.creationRate}/s, ${QUICK.warmUpS}+${QUICK.measureS} s per setting` })
    .option('rounds', { type: 'number', describe: `rounds of every setting (default ${FULL.rounds})` })
    .option('pods-on-node', { type: 'number', describe: `pods on the node in steady state (default ${FULL.podsOnNode}); pod lifetime = pods / creation rate` })
    .option('creation-rate', { type: 'number', describe: `pod lifecycles per second (default ${FULL.creationRate})` })
    .option('warm-up', { type: 'number', describe: `seconds before the measurement window (default ${FULL.warmUpS})` })
    .option('measure', { type: 'number', describe: `seconds of the measurement window (default ${FULL.measureS})` })
    .option('persona', { choices: BENCH_PERSONAS, default: 'crio' as BenchPersona, describe: 'the runtime runtime-sim plays: crio (CRI-O 1.33) or containerd (2.1, OTLP/HTTP)' })
    .option('series', { type: 'string', default: 'follow,all', describe: 'follow = the runtime follows the kubelet and samples no root of its own (CRI-O rate 0; containerd OTEL_TRACES_SAMPLER=parentbased_always_off); all = it also samples all its own roots (CRI-O 1000000; containerd\'s default ParentBased(AlwaysOn))' })
    .option('rates', { type: 'string', default: KUBELET_RATES_PER_MILLION.join(','), describe: 'the kubelet samplingRatePerMillion settings to run, besides off (no tracing block, the baseline every ×off is taken against, always run); fewer settings, more rounds: e.g. --rates 0,100 --rounds 8 for the cost of tracing that samples almost nothing. Without 1000000 there is no volume by span name and no fleet extrapolation' })
    .option('saturate', { type: 'boolean', default: false, describe: `throughput instead of the fixed churn: per setting, ${SATURATE_FULL.pods} pods (--quick ${SATURATE_QUICK.pods}) created at once, each deleted after --saturate-lifetime; pod lifecycles/s the pair sustains, against off and the raw grpc-js ceiling` })
    .option('saturate-pods', { type: 'number', describe: `pods per saturation run (default ${SATURATE_FULL.pods}, --quick ${SATURATE_QUICK.pods})` })
    .option('saturate-lifetime', { type: 'number', describe: `seconds each saturation pod lives; must exceed the start phase (default ${SATURATE_FULL.lifetimeS}, --quick ${SATURATE_QUICK.lifetimeS})` })
    .option('raw-concurrency', { type: 'number', describe: `lifecycles in flight in the raw grpc-js arm (default ${RAW_FULL.concurrency})` })
    .option('nodes', { type: 'number', describe: 'fleet extrapolation: nodes in the cluster (default: 1,000 and 5,000)' })
    .option('pod-churn', { type: 'number', describe: `fleet extrapolation: pod lifecycles per second across the cluster (default nodes × ${DEFAULT_CHURN_PER_NODE_PER_S})` })
    .option('fleet-check', { type: 'number', describe: 'after the rounds, run the fleet mode (kubelet-sim and runtime-sim --nodes N) with the same churn per node at the series\' 1000000 setting and compare its spans/s and bytes/s with the extrapolation for N nodes (target ±15%)' })
    .option('endpoint', { type: 'string', describe: 'OTLP/gRPC host:port of your collector: both processes export there instead of to the embedded receiver (containerd over gRPC); volume then comes from the processes\' own export counts, and bytes, latencies and the fleet figures are left out' })
    .option('json', { type: 'string', default: 'test-artifacts/sampling-bench.json', describe: 'where to write the results as JSON' })
    .option('svg', { type: 'string', default: 'test-artifacts/sampling-bench.svg', describe: 'where to write the chart (CPU × off and collector MB/s against the rate; with --saturate, lifecycles/s × off and CPU per lifecycle)' })
    .option('seed', { type: 'number', default: 1, describe: 'churn workload seed (same seed, same pods at the same times)' })
    .example('$0 --quick', 'a short run (a few minutes on 2 busy cores)')
    .example('$0 --quick --persona containerd --series all', 'containerd 2.1 at its default sampler')
    .example('$0 --quick --saturate --series follow', 'throughput: 30 pods at once per setting, against the raw grpc-js ceiling')
    .example('$0 --quick --series follow --fleet-check 3', 'then 3 nodes in fleet mode, measured against the extrapolation')
    .example('$0 --quick --endpoint 127.0.0.1:4317', 'spans to your collector; volume from the processes\' export counts')
    .example('$0 --rounds 5 --series follow --nodes 2000 --pod-churn 40', 'five rounds of the follow series, extrapolated to 2,000 nodes')
    .example('$0 --series follow --rates 0,100 --rounds 8', 'eight rounds of off, 0 and 100 only: the overhead of tracing that samples almost nothing, with less noise')
    .check((a) => {
      const positive = (name: string, v: number | undefined, max: number): void => {
        if (v !== undefined && !(Number.isFinite(v) && v > 0 && v <= max)) throw new Error(`--${name} must be a number in (0, ${max}], got ${v}`);
      };
      positive('rounds', a.rounds, 50);
      if (a.rounds !== undefined && !Number.isInteger(a.rounds)) throw new Error(`--rounds must be an integer, got ${a.rounds}`);
      positive('pods-on-node', a['pods-on-node'], 5_000);
      positive('creation-rate', a['creation-rate'], 100);
      positive('warm-up', a['warm-up'], 3_600);
      positive('measure', a.measure, 3_600);
      positive('nodes', a.nodes, 1_000_000);
      positive('saturate-pods', a['saturate-pods'], 5_000);
      positive('saturate-lifetime', a['saturate-lifetime'], 3_600);
      positive('raw-concurrency', a['raw-concurrency'], 256);
      for (const flag of ['saturate-pods', 'raw-concurrency'] as const) if (a[flag] !== undefined && !Number.isInteger(a[flag])) throw new Error(`--${flag} must be an integer, got ${a[flag]}`);
      if (a.endpoint !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/.test(a.endpoint)) {
        throw new Error(`--endpoint must be host:port of an OTLP/gRPC collector, without a scheme (as the kubelet's tracing.endpoint), got "${a.endpoint}"`);
      }
      if (a['fleet-check'] !== undefined) {
        if (!Number.isInteger(a['fleet-check']) || a['fleet-check'] < 1 || a['fleet-check'] > 500) throw new Error(`--fleet-check must be a whole number of nodes from 1 to 500, got ${a['fleet-check']}`);
        if (a.saturate || a.endpoint !== undefined) throw new Error('--fleet-check compares volumes the embedded receiver counts at the fixed churn: leave out --saturate and --endpoint');
      }
      if ((a['saturate-pods'] !== undefined || a['saturate-lifetime'] !== undefined) && !a.saturate) throw new Error('--saturate-pods and --saturate-lifetime apply to a saturation run: add --saturate');
      positive('pod-churn', a['pod-churn'], 1_000_000);
      if (a['pod-churn'] !== undefined && a.nodes === undefined) throw new Error('--pod-churn needs --nodes (the cluster it churns in)');
      for (const s of a.series.split(',')) if (!['follow', 'all'].includes(s.trim())) throw new Error(`--series: unknown series "${s}"; use follow, all or follow,all`);
      const rates = parseKubeletRates(a.rates);
      if (a['fleet-check'] !== undefined && !rates.includes(1_000_000)) throw new Error('--fleet-check runs the series\' 1000000 setting and compares it with the extrapolation from the single-node 1000000 runs: add 1000000 to --rates');
      return true;
    })
    .strict()
    .help()
    .parseSync();

  const shape = argv.quick ? QUICK : FULL;
  const rounds = argv.rounds ?? shape.rounds;
  const podsOnNode = argv['pods-on-node'] ?? shape.podsOnNode;
  const creationRate = argv['creation-rate'] ?? shape.creationRate;
  const warmUpMs = (argv['warm-up'] ?? shape.warmUpS) * 1000;
  const measureMs = (argv.measure ?? shape.measureS) * 1000;
  const churn = { creationRate, podLifetimeS: podsOnNode / creationRate, seed: argv.seed };
  const series = argv.series.split(',').map((s) => (s.trim() === 'follow' ? 'runtime-follows' : 'runtime-samples-all') as Series);
  const rates = parseKubeletRates(argv.rates);
  const settings = samplingSettings(series, rates);
  const persona = BENCH_PERSONA_SPECS[argv.persona];
  const collector = argv.endpoint;
  // The extrapolation scales the 1000000 runs' volume; without them it has nothing to scale.
  const fleets: FleetShape[] = collector !== undefined || !rates.includes(1_000_000) ? [] : argv.nodes === undefined
    ? [...DEFAULT_FLEETS]
    : [{ nodes: argv.nodes, podChurnPerSecond: argv['pod-churn'] ?? argv.nodes * DEFAULT_CHURN_PER_NODE_PER_S, label: `${argv.nodes} nodes, ${argv['pod-churn'] ?? argv.nodes * DEFAULT_CHURN_PER_NODE_PER_S} pod lifecycles/s` }];

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  const saturate = argv.quick ? SATURATE_QUICK : SATURATE_FULL;
  const saturation = argv.saturate
    ? { pods: argv['saturate-pods'] ?? saturate.pods, lifetimeS: argv['saturate-lifetime'] ?? saturate.lifetimeS, timeoutS: Math.max(saturate.timeoutS, 3 * (argv['saturate-lifetime'] ?? saturate.lifetimeS)) }
    : undefined;
  const raw = { ...(argv.quick ? RAW_QUICK : RAW_FULL), ...(argv['raw-concurrency'] === undefined ? {} : { concurrency: argv['raw-concurrency'] }) };
  const runMs = saturation ? saturation.lifetimeS * 1000 + RUN_OVERHEAD_MS * 3 : warmUpMs + measureMs + RUN_OVERHEAD_MS;
  const fleetCheckNodes = argv['fleet-check'];
  const progress = new ProgressEta(rounds * (settings.length + 1) + (fleetCheckNodes === undefined ? 0 : 1), (line) => process.stderr.write(`${line}\n`), (runMs * settings.length + RAW_RUN_MS) / (settings.length + 1));
  const results = new Map<string, NodeRunResult[]>(settings.map((s) => [s.id, []]));
  const saturationResults = new Map<string, SaturationResult[]>(settings.map((s) => [s.id, []]));
  const rawResults: RawCeilingResult[] = [];
  const checked: { setting: SamplingSetting; result: NodeRunResult }[] = [];
  for (let round = 0; round < rounds; round++) {
    // The raw arm takes its turn in the rotation like a setting.
    const arms: (SamplingSetting | 'raw')[] = ['raw', ...settings];
    const order = arms.map((_, i) => arms[(i + round) % arms.length] as SamplingSetting | 'raw');
    for (const arm of order) {
      progress.starting(`round ${round + 1} ${arm === 'raw' ? 'raw grpc-js arm' : arm.id}${saturation ? ' (saturation)' : ''}`);
      if (arm === 'raw') {
        rawResults.push(await runRawCeiling(raw));
      } else if (saturation) {
        saturationResults.get(arm.id)?.push(await runSaturation({ setting: arm, persona: persona.persona, pods: saturation.pods, podLifetimeS: saturation.lifetimeS, seed: argv.seed, timeoutMs: saturation.timeoutS * 1000, collector }));
      } else {
        const result = await runNode({ setting: arm, persona: persona.persona, churn, warmUpMs, measureMs, collector });
        results.get(arm.id)?.push(result);
        checked.push({ setting: arm, result });
      }
      progress.finished();
    }
  }
  const fleetCheckSetting = settings.find((s) => s.kubeletRate === 1_000_000);
  let fleetCheck: FleetCheckResult | undefined;
  if (fleetCheckNodes !== undefined && fleetCheckSetting !== undefined) {
    progress.starting(`fleet check: ${fleetCheckNodes} nodes at ${fleetCheckSetting.id}`);
    fleetCheck = await runFleetCheck({ nodes: fleetCheckNodes, setting: fleetCheckSetting, persona: persona.persona, churn, warmUpMs, measureMs });
    progress.finished();
  }
  const ceiling = summariseCeiling(rawResults, raw.concurrency);
  const seriesLines = series.map((s) => `- ${s === 'runtime-follows' ? '`follow/…`' : '`all/…`'}: ${persona.seriesMeaning[s]}`).join('\n') +
    (collector === undefined ? '' : `\n- spans exported to ${collector} (--endpoint), not to the embedded receiver: volume is the processes' own export counts`);
  const jsonPath = resolve(argv.json);
  mkdirSync(dirname(jsonPath), { recursive: true });

  if (saturation) {
    const rows = settings.map((s) => summariseSaturation(s, saturationResults.get(s.id) ?? []));
    const shape = `${saturation.pods} pods created at once, each deleted ${saturation.lifetimeS} s after its creation, bound ${saturation.timeoutS} s`;
    const header = `Sampling benchmark, saturation, ${new Date().toISOString()}: ${rounds} round(s) × ${settings.length} settings + the raw arm; ${shape}; runtime-sim ${persona.label}, model fast; ${machine}.\n\n${seriesLines}`;
    const checks = saturationChecks(saturationResults);
    process.stdout.write(`${header}\n\n${renderCeiling(ceiling, undefined)}\n${renderSaturation(rows, ceiling, shape)}`);
    process.stdout.write('\n### Consistency\n\n' + checks.map((c) => `- ${c.ok ? 'ok' : '**FAILED**'}: ${c.check} (${c.detail})`).join('\n') + '\n');
    writeFileSync(jsonPath, JSON.stringify({ header, machine, persona: persona.persona, seriesMeaning: persona.seriesMeaning, saturation, rounds, ceiling, rows, checks, raw: rawResults, runs: Object.fromEntries(saturationResults) }, null, 2));
    const svgPath = resolve(argv.svg);
    mkdirSync(dirname(svgPath), { recursive: true });
    writeFileSync(svgPath, await renderSaturationChart(rows, ceiling));
    process.stderr.write(`results: ${jsonPath}\nchart: ${svgPath}\n`);
    return checks.every((c) => c.ok) ? 0 : 1;
  }

  const summaries = settings.map((s) => summariseSetting(s, results.get(s.id) ?? []));
  const fullOf = (s: SamplingSetting) => summaries.find((x) => x.setting.series === s.series && x.setting.kubeletRate === 1_000_000);
  const fleet = fleets.flatMap((f) => summaries.map((s) => extrapolateFleet(f, s, fullOf(s.setting))));
  const checks = consistencyChecks(checked);
  const header = `Sampling benchmark ${new Date().toISOString()}: ${rounds} round(s) × ${settings.length} settings + the raw arm; churn ${podsOnNode} pods on the node, ` +
    `${creationRate} lifecycles/s (pod lifetime ${churn.podLifetimeS} s), warm-up ${warmUpMs / 1000} s, window ${measureMs / 1000} s; runtime-sim ${persona.label}, model fast; ${machine}.\n\n${seriesLines}`;
  const fleetAssumption = 'Assumption: traces holding kubelet spans scale with samplingRatePerMillion (the series\' 1,000,000 volume × rate/1e6); traces of runtime spans alone as measured at the setting; traces the loops\' timers pace (relist lists, Status, image and stats calls) come from every node at the benchmark node\'s rate, and those pod changes pace (pod worker syncs, the status calls for changed pods, GC removals, containerd\'s container-event roots) at the fleet\'s pod churn, each lifecycle costing what the benchmark\'s churn measured.';
  process.stdout.write(renderSamplingReport({ summaries, fleet, header, fleetAssumption }));
  process.stdout.write('\n' + renderRoundByRound(settings, results));
  process.stdout.write('\n' + renderCeiling(ceiling, creationRate));
  const fleetComparison = fleetCheck === undefined ? undefined : compareFleet(fleetCheck, summaries, creationRate);
  if (fleetComparison) process.stdout.write('\n' + renderFleetCheck(fleetComparison, cpus().length));
  process.stdout.write('\n### Consistency\n\n' + checks.map((c) => `- ${c.ok ? 'ok' : '**FAILED**'}: ${c.check} (${c.detail})`).join('\n') + '\n');
  writeFileSync(jsonPath, JSON.stringify({ header, machine, persona: persona.persona, seriesMeaning: persona.seriesMeaning, churn, rounds, warmUpMs, measureMs, ceiling, summaries, fleet, fleetAssumption, fleetCheck: fleetComparison, checks, raw: rawResults, runs: Object.fromEntries(results) }, null, 2));
  const svgPath = resolve(argv.svg);
  mkdirSync(dirname(svgPath), { recursive: true });
  writeFileSync(svgPath, await renderSamplingChart(summaries, fleet));
  process.stderr.write(`results: ${jsonPath}\nchart: ${svgPath}\n`);
  return checks.every((c) => c.ok) ? 0 : 1;
}

/** A saturation run's figures agree: what each traced process exported is what the receiver got. */
function saturationChecks(runs: ReadonlyMap<string, readonly SaturationResult[]>): { check: string; ok: boolean; detail: string }[] {
  return [...runs.entries()].flatMap(([id, list]) => list.map((r, i) => {
    if (r.external) {
      const lost = (r.exit.kubelet?.lost ?? 0) + (r.exit.runtime?.lost ?? 0) + (r.exit.kubelet?.dropped ?? 0) + (r.exit.runtime?.dropped ?? 0);
      return { check: `${id} saturation round ${i + 1}: no export failures and no drops (to the user's collector)`, ok: lost === 0, detail: `failed or dropped ${lost}` };
    }
    const exported = (r.exit.kubelet?.exported ?? 0) + (r.exit.runtime?.exported ?? 0);
    return { check: `${id} saturation round ${i + 1}: spans received = spans the processes report exported`, ok: exported === r.spansReceived, detail: `exported ${exported}, received ${r.spansReceived}` };
  }));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:sampling: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
