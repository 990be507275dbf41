/**
 * `npm run bench:sampling` (also `npm run bench -- …` runs the CRI call benchmark; this one is its own
 * command): what tracing costs a node at each samplingRatePerMillion, and what a fleet sends its collector.
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
import { DEFAULT_CHURN_PER_NODE_PER_S, DEFAULT_FLEETS, extrapolateFleet, type FleetShape } from './sampling/fleet-extrapolation';
import { runNode, type NodeRunResult } from './sampling/node-run';
import { ProgressEta } from './sampling/progress-eta';
import { renderSamplingChart } from './sampling/render-sampling-chart';
import { renderSamplingReport } from './sampling/render-sampling-report';
import { summariseSetting } from './sampling/run-summary';
import { samplingSettings, type SamplingSetting, type Series } from './sampling/sampling-settings';

/** The issue's fixed churn: 110 pods on the node (the kubelet's default maxPods), 2 lifecycles/s. */
const FULL = { rounds: 3, podsOnNode: 110, creationRate: 2, warmUpS: 60, measureS: 60 } as const;
/** About a minute on 2 cores: one round of every setting on a small, fast churn. */
const QUICK = { rounds: 1, podsOnNode: 10, creationRate: 5, warmUpS: 2.5, measureS: 2.5 } as const;
/** Process start and shutdown around each run's window, for the first ETA. */
const RUN_OVERHEAD_MS = 3_000;

async function main(): Promise<number> {
  const argv = yargs(process.argv.slice(2))
    .scriptName('npm run bench:sampling --')
    .usage('$0 [options]\n\nRuns kubelet-sim + runtime-sim (CRI-O or containerd, model fast) with the churn workload at each samplingRatePerMillion, fresh processes per setting, interleaved rounds; prints markdown tables (cost per pod lifecycle, latency, volume by span name, fleet extrapolation) and writes them as JSON.')
    .option('quick', { type: 'boolean', default: false, describe: `about a minute: ${QUICK.rounds} round, ${QUICK.podsOnNode} pods at ${QUICK.creationRate}/s, ${QUICK.warmUpS}+${QUICK.measureS} s per setting` })
    .option('rounds', { type: 'number', describe: `rounds of every setting (default ${FULL.rounds})` })
    .option('pods-on-node', { type: 'number', describe: `pods on the node in steady state (default ${FULL.podsOnNode}); pod lifetime = pods / creation rate` })
    .option('creation-rate', { type: 'number', describe: `pod lifecycles per second (default ${FULL.creationRate})` })
    .option('warm-up', { type: 'number', describe: `seconds before the measurement window (default ${FULL.warmUpS})` })
    .option('measure', { type: 'number', describe: `seconds of the measurement window (default ${FULL.measureS})` })
    .option('persona', { choices: BENCH_PERSONAS, default: 'crio' as BenchPersona, describe: 'the runtime runtime-sim plays: crio (CRI-O 1.33) or containerd (2.1, OTLP/HTTP)' })
    .option('series', { type: 'string', default: 'follow,all', describe: 'follow = the runtime follows the kubelet and samples no root of its own (CRI-O rate 0; containerd OTEL_TRACES_SAMPLER=parentbased_always_off); all = it also samples all its own roots (CRI-O 1000000; containerd\'s default ParentBased(AlwaysOn))' })
    .option('nodes', { type: 'number', describe: 'fleet extrapolation: nodes in the cluster (default: 1,000 and 5,000)' })
    .option('pod-churn', { type: 'number', describe: `fleet extrapolation: pod lifecycles per second across the cluster (default nodes × ${DEFAULT_CHURN_PER_NODE_PER_S})` })
    .option('json', { type: 'string', default: 'test-artifacts/sampling-bench.json', describe: 'where to write the results as JSON' })
    .option('svg', { type: 'string', default: 'test-artifacts/sampling-bench.svg', describe: 'where to write the chart (CPU × off and collector MB/s against the rate)' })
    .option('seed', { type: 'number', default: 1, describe: 'churn workload seed (same seed, same pods at the same times)' })
    .example('$0 --quick', 'a one-minute run')
    .example('$0 --rounds 5 --series follow --nodes 2000 --pod-churn 40', 'five rounds of the follow series, extrapolated to 2,000 nodes')
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
      positive('pod-churn', a['pod-churn'], 1_000_000);
      if (a['pod-churn'] !== undefined && a.nodes === undefined) throw new Error('--pod-churn needs --nodes (the cluster it churns in)');
      for (const s of a.series.split(',')) if (!['follow', 'all'].includes(s.trim())) throw new Error(`--series: unknown series "${s}"; use follow, all or follow,all`);
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
  const settings = samplingSettings(series);
  const persona = BENCH_PERSONA_SPECS[argv.persona];
  const fleets: FleetShape[] = argv.nodes === undefined
    ? [...DEFAULT_FLEETS]
    : [{ nodes: argv.nodes, podChurnPerSecond: argv['pod-churn'] ?? argv.nodes * DEFAULT_CHURN_PER_NODE_PER_S, label: `${argv.nodes} nodes, ${argv['pod-churn'] ?? argv.nodes * DEFAULT_CHURN_PER_NODE_PER_S} pod lifecycles/s` }];

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  const progress = new ProgressEta(rounds * settings.length, (line) => process.stderr.write(`${line}\n`), warmUpMs + measureMs + RUN_OVERHEAD_MS);
  const results = new Map<string, NodeRunResult[]>(settings.map((s) => [s.id, []]));
  const checked: { setting: SamplingSetting; result: NodeRunResult }[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = settings.map((_, i) => settings[(i + round) % settings.length] as SamplingSetting);
    for (const setting of order) {
      progress.starting(`round ${round + 1} ${setting.id}`);
      const result = await runNode({ setting, persona: persona.persona, churn, warmUpMs, measureMs });
      results.get(setting.id)?.push(result);
      checked.push({ setting, result });
      progress.finished();
    }
  }

  const summaries = settings.map((s) => summariseSetting(s, results.get(s.id) ?? []));
  const fullOf = (s: SamplingSetting) => summaries.find((x) => x.setting.series === s.series && x.setting.kubeletRate === 1_000_000);
  const fleet = fleets.flatMap((f) => summaries.map((s) => extrapolateFleet(f, s, fullOf(s.setting))));
  const checks = consistencyChecks(checked);
  const header = `Sampling benchmark ${new Date().toISOString()}: ${rounds} round(s) × ${settings.length} settings; churn ${podsOnNode} pods on the node, ` +
    `${creationRate} lifecycles/s (pod lifetime ${churn.podLifetimeS} s), warm-up ${warmUpMs / 1000} s, window ${measureMs / 1000} s; runtime-sim ${persona.label}, model fast; ${machine}.\n\n` +
    series.map((s) => `- ${s === 'runtime-follows' ? '`follow/…`' : '`all/…`'}: ${persona.seriesMeaning[s]}`).join('\n');
  const fleetAssumption = 'Assumption: traces holding kubelet spans scale with samplingRatePerMillion (the series\' 1,000,000 volume × rate/1e6); traces of runtime spans alone as measured at the setting; every node runs the benchmark node\'s background loops; pod lifecycles cost what the churn measured.';
  process.stdout.write(renderSamplingReport({ summaries, fleet, header, fleetAssumption }));
  process.stdout.write('\n### Consistency\n\n' + checks.map((c) => `- ${c.ok ? 'ok' : '**FAILED**'}: ${c.check} (${c.detail})`).join('\n') + '\n');
  const jsonPath = resolve(argv.json);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, JSON.stringify({ header, machine, persona: persona.persona, seriesMeaning: persona.seriesMeaning, churn, rounds, warmUpMs, measureMs, summaries, fleet, fleetAssumption, checks, runs: Object.fromEntries(results) }, null, 2));
  const svgPath = resolve(argv.svg);
  mkdirSync(dirname(svgPath), { recursive: true });
  writeFileSync(svgPath, await renderSamplingChart(summaries, fleet));
  process.stderr.write(`results: ${jsonPath}\nchart: ${svgPath}\n`);
  return checks.every((c) => c.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:sampling: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
