import { join } from 'node:path';
import yargs from 'yargs';
import { attachNegativeValues, examplesEpilogue, MAX_FLEET_NODES, parseNodesFlag, repeatedFlagMessage, versionText } from '../../cli-kit/src';
import { parseDemoDuration } from './demo-duration';

export interface DemoArgs {
  listen: string;
  /** undefined when --http-listen "" turns the OTLP/HTTP receiver off. */
  httpListen: string | undefined;
  durationMs: number;
  out: string;
  persona: 'crio' | 'containerd';
  personaVersion: string | undefined;
  model: string | undefined;
  config: string;
  /** --nodes N: a fleet of N nodes (./fleet-demo.ts); undefined = one node. */
  nodes: number | undefined;
  /** --shards K (with --nodes): the fleet as K runtime-sim + kubelet-sim pairs (./fleet-shards.ts); 1 by default. */
  shards: number;
  /** --pods-per-node P: P synthetic static pods on every node instead of the config's staticPodPath. */
  podsPerNode: number | undefined;
  /** --sampling-rate-per-million: overrides the config's tracing.samplingRatePerMillion. */
  samplingRatePerMillion: number | undefined;
  /** --control-plane: etcd-sim and apiserver-sim too, the node registered with them (./control-plane-demo.ts). */
  controlPlane: boolean;
  /**
   * --trace-kubelet-proxy (with --control-plane): passed to apiserver-sim, which then traces its requests to the
   * kubelet and injects W3C context. Not what kube-apiserver does (docs/span-parity.md, Known differences 3b).
   */
  traceKubeletProxy: boolean;
}

/** A flag the demo cannot use; main prints it and exits 1. */
export class DemoFlagError extends Error {}

const EXAMPLES = examplesEpilogue([
  { what: 'the default: CRI-O 1.33 persona, 30 s, spans appended to ./spans.jsonl', lines: ['npm start'] },
  {
    what: 'containerd 2.1 exporting OTLP/HTTP (its default) for 2 minutes, slow calls',
    lines: ['npm start -- --persona containerd --duration 2m --model realistic'],
  },
  {
    what: 'a fleet: 50 nodes with 30 pods each, 1 trace in 10000 sampled, 5 minutes',
    lines: ['npm start -- --nodes 50 --pods-per-node 30 \\', '--sampling-rate-per-million 100 --duration 5m'],
  },
  {
    what: '200 nodes as two process pairs of 100 (relists on time on 2 cores)',
    lines: ['npm start -- --nodes 200 --shards 2 --pods-per-node 30 --duration 10m'],
  },
  {
    what: 'a one-node cluster for kubectl (etcd-sim, apiserver-sim; until Ctrl-C)',
    lines: ['npm start -- --control-plane'],
  },
  {
    what: 'another port pair when a Collector already holds 4317/4318',
    lines: ['npm start -- --listen 127.0.0.1:14317 --http-listen 127.0.0.1:14318'],
  },
], 'Flags go after "--". A bad flag or a child that fails to start exits 1 with its message.');

/** The demo's command line (`npm start -- ...`). */
export function parseDemoArgs(argv: readonly string[], repoRoot: string): DemoArgs {
  const parsed = yargs(attachNegativeValues(argv))
    .scriptName('npm start --')
    .usage('$0 [options]\n\nRuns runtime-sim and kubelet-sim with an embedded OTLP receiver and shows the node\'s traces.')
    .option('listen', { type: 'string', default: '127.0.0.1:4317', describe: 'embedded OTLP/gRPC receiver (the kubelet and CRI-O export here)' })
    .option('http-listen', { type: 'string', default: '127.0.0.1:4318', describe: 'embedded OTLP/HTTP receiver (containerd 2.x exports here); "" = off' })
    .option('duration', { type: 'string', defaultDescription: '30s; with --control-plane until Ctrl-C', describe: 'how long the whole run takes (30s, 2m); Ctrl-C stops early' })
    .option('out', { type: 'string', default: 'spans.jsonl', describe: 'file every span is appended to (OTLP JSON lines; earlier runs are kept)' })
    .option('persona', { choices: ['crio', 'containerd'] as const, default: 'crio' as const, describe: 'which runtime runtime-sim plays' })
    .option('persona-version', { type: 'string', describe: 'runtime version to play (crio 1.33 or 1.32; containerd 2.1 or 1.6); default: the persona\'s newest' })
    .option('model', { type: 'string', describe: 'runtime-sim latency/fault model: fast, realistic, chaos or a YAML file (default: none, every call answers at once)' })
    .option('config', { type: 'string', default: join(repoRoot, 'configs', 'kubelet-config.yaml'), defaultDescription: 'configs/kubelet-config.yaml', describe: 'KubeletConfiguration to run with' })
    .option('nodes', { type: 'string', describe: `run a fleet: N simulated nodes in one runtime-sim and one kubelet-sim process, or --shards pairs (1–${MAX_FLEET_NODES}); prints per-node and fleet totals` })
    .option('shards', { type: 'string', defaultDescription: '1', describe: `with --nodes: split the fleet into K process pairs (up to ${MAX_SHARDS}), nodes numbered on across them; more event loops for the same nodes` })
    .option('pods-per-node', { type: 'string', describe: 'with --nodes: P plain static pods on every node instead of the config\'s staticPodPath' })
    .option('sampling-rate-per-million', { type: 'string', describe: 'the kubelet\'s tracing.samplingRatePerMillion (0–1000000), instead of the config\'s' })
    .option('control-plane', { type: 'boolean', default: false, describe: 'also run etcd-sim and apiserver-sim; the node registers, takes its pods from the API (kubectl create -f ...) and reports their status' })
    .option('trace-kubelet-proxy', { type: 'boolean', default: false, describe: 'with --control-plane, NOT kube-apiserver\'s behaviour: apiserver-sim traces its requests to the kubelet (logs, exec, attach, portforward) and injects W3C context, so kubectl exec/logs are one trace down to the runtime' })
    .epilogue(EXAMPLES)
    .strict()
    .help()
    .alias('h', 'help')
    .version('version', 'print the version and quit', versionText('npm start', 'runs trace-sink, runtime-sim and kubelet-sim together'))
    .fail((message, err) => {
      throw new DemoFlagError(message ?? err?.message ?? 'invalid flags');
    })
    .parseSync();
  const repeated = repeatedFlagMessage(parsed);
  if (repeated !== undefined) throw new DemoFlagError(repeated);
  const controlPlane = parsed['control-plane'];
  let durationMs: number;
  try {
    // With a control plane the run is for a person at kubectl: it lasts until Ctrl-C unless --duration says otherwise.
    durationMs = parsed.duration === undefined ? (controlPlane ? Number.POSITIVE_INFINITY : parseDemoDuration(DEFAULT_DURATION)) : parseDemoDuration(parsed.duration);
  } catch (err) {
    throw new DemoFlagError(`--duration: ${(err as Error).message}`);
  }
  let nodes: number | undefined;
  try {
    nodes = parsed.nodes === undefined ? undefined : parseNodesFlag(parsed.nodes);
  } catch (err) {
    throw new DemoFlagError((err as Error).message);
  }
  const podsPerNode = parsed['pods-per-node'] === undefined ? undefined : wholeNumber('--pods-per-node', parsed['pods-per-node'], 1, MAX_PODS_PER_NODE);
  if (podsPerNode !== undefined && nodes === undefined) throw new DemoFlagError('--pods-per-node needs --nodes: give --nodes N (1 for a single node)');
  const shards = parsed.shards === undefined ? 1 : wholeNumber('--shards', parsed.shards, 1, MAX_SHARDS);
  if (parsed.shards !== undefined && nodes === undefined) throw new DemoFlagError('--shards needs --nodes: give --nodes N to split N nodes into shards');
  if (nodes !== undefined && shards > nodes) throw new DemoFlagError(`invalid value ${JSON.stringify(parsed.shards)} for --shards: at most one shard per node (--nodes ${nodes})`);
  if (controlPlane && nodes !== undefined) throw new DemoFlagError('--control-plane runs one node: leave out --nodes');
  const traceKubeletProxy = parsed['trace-kubelet-proxy'];
  if (traceKubeletProxy && !controlPlane) throw new DemoFlagError('--trace-kubelet-proxy is an apiserver-sim flag: give --control-plane too');
  const rate = parsed['sampling-rate-per-million'];
  return {
    nodes,
    shards,
    podsPerNode,
    samplingRatePerMillion: rate === undefined ? undefined : wholeNumber('--sampling-rate-per-million', rate, 0, 1_000_000),
    listen: parsed.listen,
    httpListen: parsed['http-listen'] === '' ? undefined : parsed['http-listen'],
    durationMs,
    out: parsed.out,
    persona: parsed.persona,
    personaVersion: parsed['persona-version'],
    model: parsed.model,
    config: parsed.config,
    controlPlane,
    traceKubeletProxy,
  };
}

/** The run's length without --duration (and without --control-plane). */
export const DEFAULT_DURATION = '30s';

/** Most process pairs one launcher starts (each costs ~300 MB of Node, libraries and protos). */
export const MAX_SHARDS = 16;

/** Most synthetic pods per node (the kubelet's default maxPods). */
export const MAX_PODS_PER_NODE = 110;

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new DemoFlagError(`invalid value ${JSON.stringify(text)} for ${flag}: give a whole number from ${min} to ${max}`);
  return n;
}
