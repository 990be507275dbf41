/**
 * The pieces of a simulated node that e2e tests and scripts assemble themselves (when runSimulatedNode's
 * fixed sequence does not fit: killing the runtime, a collector that comes and goes, long soaks): the
 * kubelet's config and static pods in a temp dir, and runtime-sim and kubelet-sim started on its socket.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startNodeProcess, type RunningProcess } from '../../node-demo/src/child-process-runner';
import { runtimeExportSetup } from '../../node-demo/src/runtime-export-setup';
import { freePort } from './free-port';
import { waitForFile } from './wait-for-file';

/** The compiled tree this file runs from. */
const DIST = resolve(__dirname, '..', '..');
const REPO_ROOT = resolve(DIST, '..');

/** The example static pods in configs/pods, file name → YAML. */
export function examplePods(): Record<string, string> {
  const dir = join(REPO_ROOT, 'configs', 'pods');
  return Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

export interface NodeFilesOptions {
  /** Static pod manifests, file name → YAML. */
  pods?: Record<string, string>;
  /** OTLP/gRPC `host:port` for the kubelet's `tracing:` block; none ⇒ no tracing block. */
  collector?: string;
  samplingRatePerMillion?: number;
  /** More top-level KubeletConfiguration lines. */
  extraConfigLines?: string[];
}

export interface NodeFiles {
  readonly workDir: string;
  readonly configPath: string;
  readonly podsDir: string;
  readonly socketPath: string;
  /** Both processes append their output here. */
  readonly logPath: string;
}

/** Writes the KubeletConfiguration (pod logs kept in `workDir`) and the static pods. */
export function writeNodeFiles(workDir: string, options: NodeFilesOptions = {}): NodeFiles {
  const podsDir = join(workDir, 'pods');
  mkdirSync(podsDir, { recursive: true });
  for (const [file, yaml] of Object.entries(options.pods ?? {})) writeFileSync(join(podsDir, file), yaml);
  const configPath = join(workDir, 'kubelet-config.yaml');
  writeFileSync(configPath, [
    'apiVersion: kubelet.config.k8s.io/v1beta1',
    'kind: KubeletConfiguration',
    `staticPodPath: ${podsDir}`,
    // runtime-sim writes container logs under the kubelet's podLogsDir: keep them in the temp dir.
    `podLogsDir: ${join(workDir, 'pod-logs')}`,
    ...(options.collector === undefined ? [] : ['tracing:', `  endpoint: ${options.collector}`, `  samplingRatePerMillion: ${options.samplingRatePerMillion ?? 0}`]),
    ...(options.extraConfigLines ?? []),
    '',
  ].join('\n'));
  return { workDir, configPath, podsDir, socketPath: join(workDir, 'runtime.sock'), logPath: join(workDir, 'sims.log') };
}

export interface RuntimeSimOptions {
  /** OTLP/gRPC `host:port` runtime-sim (CRI-O persona) exports to; none ⇒ tracing off. */
  collector?: string;
  /** CRI-O's own root sampling rate (it follows the kubelet's decision for CRI calls). */
  samplingRatePerMillion?: number;
  extraArgs?: string[];
  /** More environment variables for the process (e.g. NODE_OPTIONS for a probe). */
  env?: NodeJS.ProcessEnv;
}

/** runtime-sim (CRI-O persona) on the node's socket; resolves once the socket exists. */
export async function startRuntimeSim(files: NodeFiles, options: RuntimeSimOptions = {}): Promise<RunningProcess> {
  const exportSetup = options.collector === undefined
    ? { args: [], env: process.env }
    : runtimeExportSetup('crio', undefined, options.collector, files.workDir, options.samplingRatePerMillion ?? 0);
  const runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), [
    '--persona', 'crio', '--listen', `unix://${files.socketPath}`, ...(options.extraArgs ?? []), ...exportSetup.args,
  ], files.logPath, { ...exportSetup.env, ...options.env });
  await waitForFile(files.socketPath, 10_000);
  return runtime;
}

/**
 * kubelet-sim on the node's socket, as node `e2e-node`, without a healthz server; its main server (`/healthz`,
 * `/pods`, `/metrics`) on `port`, a free one by default.
 */
export async function startKubeletSim(files: NodeFiles, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, port?: number): Promise<RunningProcess> {
  return startNodeProcess('kubelet-sim', join(DIST, 'kubelet-sim/src/main.js'), [
    '--config', files.configPath, '--container-runtime-endpoint', `unix://${files.socketPath}`, '--hostname-override', 'e2e-node',
    '--port', String(port ?? await freePort()), '--healthz-port', '0', ...extraArgs,
  ], files.logPath, { ...process.env, ...env });
}

/** A static pod with one long-running busybox container. */
export function sleeperPod(name: string, labels: Record<string, string> = {}): string {
  const labelText = Object.entries(labels).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: default
  labels: {${labelText}}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: [sleep, "3600"]
`;
}

/** A static pod whose container writes three lines (one to stderr) and then sleeps: for logs and exec. */
export function talkerPod(): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: talker
  namespace: default
spec:
  containers:
    - name: app
      image: docker.io/library/busybox:1.37
      command: ["sh", "-c", "echo hello from talker; echo warning >&2; echo third; sleep 3600"]
`;
}
