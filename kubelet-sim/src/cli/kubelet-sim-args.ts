import yargs from 'yargs';
import { attachNegativeValues, DEFAULT_NODE_NAME_PATTERN, EXIT_CODE, examplesEpilogue, fleetNodeNames, MAX_FLEET_NODES, NODE_NAME_PLACEHOLDER, parseFirstNodeNumberFlag, parseNodesFlag, repeatedFlagMessage, versionText } from '../../../cli-kit/src';
import { parseGoDurationMs } from '../config/go-duration';
import { DEFAULT_KUBELET_VERSION, formatKubeletVersion, MAX_SUPPORTED_KUBELET_VERSION, MIN_SUPPORTED_KUBELET_VERSION, parseKubeletVersion } from '../config/kubelet-version';
import type { ServerPortFlags } from './server-port-flags';
import { parseServerPortFlags } from './server-port-flags';
import type { ChurnWorkloadOptions } from '../pod-sources/churn-workload';
import { CHURN_DEFAULTS, parseWorkloadFlags, WORKLOAD_KIND } from './workload-flags';

export interface KubeletSimArgs {
  config: string;
  containerRuntimeEndpoint: string | undefined;
  hostnameOverride: string | undefined;
  kubeletVersion: string | undefined;
  durationMs: number | undefined;
  containerGcPeriodMs: number | undefined;
  imageGcPeriodMs: number | undefined;
  imageFsCapacityBytes: number;
  /** --port, --read-only-port, --healthz-port: override the KubeletConfiguration fields of the same meaning. */
  serverPorts: ServerPortFlags;
  /** --workload churn and its flags; undefined without --workload. */
  workload: ChurnWorkloadOptions | undefined;
  /** --nodes N: run N simulated nodes in this process; undefined = one node (the default). */
  fleet: FleetArgs | undefined;
  /** --kubeconfig: take pods from this API server, register the Node and heartbeat (undefined: standalone). */
  kubeconfig: string | undefined;
}

/** `--nodes N [--node-name-pattern P] [--first-node-number F]`. */
export interface FleetArgs {
  /** Node names, in order (node-0001, ...). */
  nodeNames: string[];
  /** The first node's number (1 unless this process is a later shard of a fleet). */
  firstNodeNumber: number;
}

/** Exit code for a bad flag: the kubelet exits 1 (component-base cli/run.go), as all our commands do. */
export const EXIT_BAD_FLAG = EXIT_CODE.BAD_USAGE;

const SUPPORTED_RELEASES = `${formatKubeletVersion(MIN_SUPPORTED_KUBELET_VERSION)}–${formatKubeletVersion(MAX_SUPPORTED_KUBELET_VERSION)}`;

const EXAMPLES = examplesEpilogue([
  {
    what: 'run the example config and pods against a runtime-sim socket for 5 minutes',
    lines: ['kubelet-sim --config configs/kubelet-config.yaml \\', '--container-runtime-endpoint unix:///tmp/crio.sock --duration 5m'],
  },
  {
    what: 'add API-server-like churn: 200 pods, 5 created per second, each living 45 s',
    lines: ['kubelet-sim --config configs/kubelet-config.yaml \\', '--container-runtime-endpoint unix:///tmp/crio.sock \\', '--workload churn --pods 200 --creation-rate 5 --pod-lifetime 45s'],
  },
  {
    what: 'a fleet of 50 nodes against runtime-sim --nodes 50 (one socket per node)',
    lines: ['kubelet-sim --config configs/kubelet-config.yaml --nodes 50 \\', `--container-runtime-endpoint 'unix:///tmp/fleet/${NODE_NAME_PLACEHOLDER}.sock'`],
  },
  {
    what: 'emulate an older kubelet (KubeletTracing beta) on other ports',
    lines: ['kubelet-sim --config configs/kubelet-config.yaml --kubelet-version 1.29 \\', '--port 20250 --healthz-port 20248'],
  },
], 'Long runs print a progress line every 10 s (pods, syncs, spans exported). Bad flags and configs exit 1.');

/**
 * kubelet-sim's command line. Flags shared with the kubelet keep its names (`--config`,
 * `--container-runtime-endpoint`, `--hostname-override`); the rest exist only in the simulator.
 */
export function parseKubeletSimArgs(argv: string[]): KubeletSimArgs {
  const parsed = yargs(attachNegativeValues(argv))
    .scriptName('kubelet-sim')
    .usage('$0 --config KUBELET_CONFIG.yaml [options]\n\nRuns a simulated kubelet against a CRI runtime and traces it like Kubernetes 1.34 does.')
    .option('config', { type: 'string', describe: 'KubeletConfiguration file (kubelet.config.k8s.io/v1beta1)' })
    .option('container-runtime-endpoint', { type: 'string', describe: 'CRI socket, e.g. unix:///tmp/runtime.sock (overrides containerRuntimeEndpoint in the config)' })
    .option('hostname-override', { type: 'string', describe: 'node name; also the host.name resource attribute (default: this host\'s name)' })
    .option('kubelet-version', { type: 'string', defaultDescription: DEFAULT_KUBELET_VERSION, describe: `emulated Kubernetes minor version, ${SUPPORTED_RELEASES} (decides feature gate defaults)` })
    .option('duration', { type: 'string', describe: 'stop after this long (Go duration: 30s, 5m); default: run until SIGINT/SIGTERM' })
    .option('container-gc-period', { type: 'string', describe: 'container GC period (kubelet: 1m0s, not configurable there)' })
    .option('image-gc-period', { type: 'string', describe: 'image GC period (kubelet: 5m0s, not configurable there)' })
    .option('image-fs-capacity-bytes', { type: 'number', default: 100 * 1024 ** 3, describe: 'simulated size of the image filesystem, for image GC thresholds' })
    .option('port', { type: 'string', describe: 'port of the kubelet server (KubeletConfiguration port, default 10250); plain HTTP on loopback here' })
    .option('read-only-port', { type: 'string', describe: 'port of the read-only server (readOnlyPort, default 0 = off)' })
    .option('healthz-port', { type: 'string', describe: 'port of the healthz server on healthzBindAddress (healthzPort, default 10248; 0 = off)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig of an API server (apiserver-sim): take pods bound to this node from it, register the Node, renew its Lease and send pod status (default: standalone, static pods only)' })
    .option('workload', { type: 'string', describe: `synthetic API-server pods next to the static pods: "${WORKLOAD_KIND.CHURN}" creates, updates and deletes pods` })
    .option('pods', { type: 'string', defaultDescription: CHURN_DEFAULTS.PODS, describe: 'churn: pods to create in total' })
    .option('pod-lifetime', { type: 'string', defaultDescription: CHURN_DEFAULTS.POD_LIFETIME, describe: 'churn: how long each pod lives (Go duration: 30s, 2m)' })
    .option('creation-rate', { type: 'string', defaultDescription: CHURN_DEFAULTS.CREATION_RATE, describe: 'churn: pods created per second' })
    .option('workload-seed', { type: 'string', defaultDescription: CHURN_DEFAULTS.WORKLOAD_SEED, describe: 'churn: seed for names, UIDs, images and which pods get updated' })
    .option('nodes', { type: 'string', describe: `run this many simulated nodes in this process (1–${MAX_FLEET_NODES}), each with its own kubelet, HTTP server (a free loopback port) and OpenTelemetry resource; the runtime endpoint must contain ${NODE_NAME_PLACEHOLDER}` })
    .option('node-name-pattern', { type: 'string', defaultDescription: DEFAULT_NODE_NAME_PATTERN, describe: 'with --nodes: node names, {n} being the node number 0001, 0002, ...' })
    .option('first-node-number', { type: 'string', defaultDescription: '1', describe: 'with --nodes: number of the first node, for shards of one fleet in several process pairs (e.g. 101 for node-0101 …); give runtime-sim the same' })
    .epilogue(EXAMPLES)
    .strict()
    .help()
    .alias('h', 'help')
    .version('version', 'print the version and quit', versionText('kubelet-sim', `emulates the Kubernetes v${DEFAULT_KUBELET_VERSION} kubelet; --kubelet-version ${SUPPORTED_RELEASES}`))
    .fail((message, err) => {
      throw new FlagError(message ?? err?.message ?? 'invalid flags');
    })
    .parseSync();
  const repeated = repeatedFlagMessage(parsed);
  if (repeated !== undefined) throw new FlagError(repeated);
  // Checked after yargs' strict pass (not with demandOption), so that a mistyped flag is named as unknown
  // rather than reported as the missing --config it often stands for.
  if (parsed.config === undefined) throw new FlagError('Missing required argument: config');
  return {
    config: parsed.config,
    containerRuntimeEndpoint: parsed['container-runtime-endpoint'],
    hostnameOverride: parsed['hostname-override'],
    kubeletVersion: kubeletVersionFlag(parsed['kubelet-version']),
    durationMs: durationFlag('duration', parsed.duration),
    containerGcPeriodMs: durationFlag('container-gc-period', parsed['container-gc-period']),
    imageGcPeriodMs: durationFlag('image-gc-period', parsed['image-gc-period']),
    imageFsCapacityBytes: positiveNumber('image-fs-capacity-bytes', parsed['image-fs-capacity-bytes']),
    serverPorts: serverPortFlags({ port: parsed.port, readOnlyPort: parsed['read-only-port'], healthzPort: parsed['healthz-port'] }),
    fleet: fleetFlags(parsed.nodes, parsed['node-name-pattern'], parsed['first-node-number'], parsed['hostname-override']),
    kubeconfig: kubeconfigFlag(parsed.kubeconfig, parsed.nodes),
    workload: workloadFlags({ workload: parsed.workload, pods: parsed.pods, podLifetime: parsed['pod-lifetime'], creationRate: parsed['creation-rate'], workloadSeed: parsed['workload-seed'] }),
  };
}

function workloadFlags(raw: Parameters<typeof parseWorkloadFlags>[0]): ChurnWorkloadOptions | undefined {
  try {
    return parseWorkloadFlags(raw);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

export class FlagError extends Error {}

/** --nodes, --node-name-pattern and --first-node-number; --hostname-override names a single node, so it cannot go with --nodes. */
function fleetFlags(nodes: string | undefined, pattern: string | undefined, firstNumber: string | undefined, hostnameOverride: string | undefined): FleetArgs | undefined {
  if (nodes === undefined) {
    if (pattern !== undefined) throw new FlagError('--node-name-pattern needs --nodes: give --nodes N to run N nodes named by the pattern');
    if (firstNumber !== undefined) throw new FlagError('--first-node-number needs --nodes: give --nodes N to run N nodes numbered from it');
    return undefined;
  }
  if (hostnameOverride !== undefined) throw new FlagError('--hostname-override names one node and cannot be used with --nodes: name the nodes with --node-name-pattern');
  try {
    const count = parseNodesFlag(nodes);
    const firstNodeNumber = parseFirstNodeNumberFlag(firstNumber, count);
    return { nodeNames: fleetNodeNames(pattern ?? DEFAULT_NODE_NAME_PATTERN, count, firstNodeNumber), firstNodeNumber };
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

/** --kubeconfig: one node talks to the API server; a fleet in one process does not (yet). */
function kubeconfigFlag(kubeconfig: string | undefined, nodes: string | undefined): string | undefined {
  if (kubeconfig === undefined) return undefined;
  if (kubeconfig === '') throw new FlagError('invalid argument "" for "--kubeconfig" flag: give the path of a kubeconfig file');
  if (nodes !== undefined) throw new FlagError('--kubeconfig cannot be used with --nodes yet: run one kubelet-sim per node to connect nodes to an API server');
  return kubeconfig;
}

/** --kubelet-version: a release this simulator reproduces, checked before any config is read. */
function kubeletVersionFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    parseKubeletVersion(value);
  } catch {
    throw new FlagError(`invalid argument ${JSON.stringify(value)} for "--kubelet-version" flag: supported releases are ${SUPPORTED_RELEASES}, e.g. --kubelet-version ${DEFAULT_KUBELET_VERSION}`);
  }
  return value;
}

function serverPortFlags(raw: Parameters<typeof parseServerPortFlags>[0]): ServerPortFlags {
  try {
    return parseServerPortFlags(raw);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  let ms: number;
  try {
    ms = parseGoDurationMs(value);
  } catch (err) {
    throw new FlagError(`invalid argument ${JSON.stringify(value)} for "--${name}" flag: ${(err as Error).message}`);
  }
  if (ms <= 0) throw new FlagError(`invalid argument ${JSON.stringify(value)} for "--${name}" flag: must be greater than 0`);
  return ms;
}

function positiveNumber(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new FlagError(`invalid argument ${JSON.stringify(value)} for "--${name}" flag: must be a positive number`);
  return value;
}
