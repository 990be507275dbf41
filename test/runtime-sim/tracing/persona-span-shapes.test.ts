/**
 * The trace shape each persona version produces for one fixed CRI call sequence, compared with golden
 * files in test/fixtures/persona-spans/. A real runtime-sim process per version exports to an in-process
 * trace-sink over OTLP/gRPC; this test process is the CRI client (no instrumentation here) and sends a
 * W3C traceparent on every call, as the kubelet's otelgrpc client would.
 * Regenerate after an intended change: UPDATE_GOLDEN=1 node --test dist/test/runtime-sim/tracing/persona-span-shapes.test.js
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client, Metadata as MetadataType, ServiceError } from '@grpc/grpc-js';
import { createImageServiceClient, createRuntimeServiceClient, requireGrpc } from '../../../cri-proto/src/load-cri';
import type { FlatSpan, TraceSink } from '../../../trace-sink/src';
import { startTraceSink } from '../../../trace-sink/src';
import { startNodeProcess, type RunningProcess } from '../../../node-demo/src/child-process-runner';
import { assertMatchesGolden, renderSpanShape, SHAPE_VALUE_KEYS } from '../../helpers/span-shape';
import { runtimeExportSetup } from '../../../node-demo/src/runtime-export-setup';
import { REPO_ROOT } from '../../helpers/simulated-node';
import { waitForFile } from '../../helpers/wait-for-file';

/* eslint-disable @typescript-eslint/no-explicit-any */

const DIST = resolve(__dirname, '..', '..', '..');
const GOLDEN_DIR = join(REPO_ROOT, 'test', 'fixtures', 'persona-spans');
const DEADLINE_MS = 5000;
/** How long after the first StopContainer the overlapping second one is sent (well inside the first's 1 s). */
const SECOND_STOP_AFTER_MS = 200;
/** Values that are part of a persona's shape, besides the common ones. */
const PERSONA_VALUE_KEYS = [...SHAPE_VALUE_KEYS, 'level', 'error', 'host', 'snapshotter.name', 'exception.type', 'log.severity', 'log.message'];

const POD = {
  metadata: { name: 'web', namespace: 'default', uid: '5c9a7b1e-golden', attempt: 0 },
  hostname: 'web',
  labels: {},
  annotations: {},
  linux: {},
};
const CONTAINER = { metadata: { name: 'nginx', attempt: 0 }, image: { image: 'nginx:1.27' }, log_path: 'nginx/0.log', labels: {}, annotations: {} };

interface Outcome {
  readonly method: string;
  readonly code: number;
  readonly details: string;
}

/** A traceparent whose trace id names the call, so each call is its own trace. */
function traceparent(index: number, sampled: boolean): { header: string; traceId: string; spanId: string } {
  const traceId = (index + 1).toString(16).padStart(32, 'a');
  const spanId = (index + 1).toString(16).padStart(16, 'b');
  return { header: `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`, traceId, spanId };
}

function unary(client: Client, method: string, request: unknown, header: string): Promise<{ response?: any; outcome: Outcome }> {
  const grpc = requireGrpc();
  const metadata: MetadataType = new grpc.Metadata();
  metadata.set('traceparent', header);
  return new Promise((done) => {
    (client as any)[method](request, metadata, { deadline: Date.now() + DEADLINE_MS }, (err: ServiceError | null, response: any) =>
      done({ response, outcome: { method, code: err ? err.code : 0, details: err ? err.details : '' } }),
    );
  });
}

interface VersionRun {
  /** The spans of the traces the script's calls started. */
  spans: FlatSpan[];
  /** Every span received, root traces the runtime made on its own included. */
  allSpans: FlatSpan[];
  outcomes: Outcome[];
  parents: Map<string, { traceId: string; spanId: string }>;
  log: string;
}

/** Runs the fixed call sequence against one runtime-sim persona version and returns what the sink got. */
/** Sends one call in its own trace (a fresh traceparent) and returns the response (undefined on error). */
type Step = (client: Client, method: string, request: unknown) => Promise<any>;
/** The calls of one run, given the step function, the two clients and the run's temp dir. */
type Script = (step: Step, rt: Client, img: Client, workDir: string) => Promise<void>;

/** The fixed sequence every persona version runs. */
const FIXED_SEQUENCE: Script = async (step, r, i, workDir) => {
  await step(r, 'Version', {});
  // The runtime writes container logs under log_directory: keep them in this run's temp dir.
  const pod = { ...POD, log_directory: join(workDir, 'pod-logs', 'default_web_5c9a7b1e-golden') };
  // As the kubelet does before RunPodSandbox and CreateContainer (CRI-O's conmon needs the directory).
  mkdirSync(join(pod.log_directory, 'nginx'), { recursive: true });
  await step(i, 'PullImage', { image: { image: 'nginx:1.27' }, sandbox_config: pod });
  const sandbox = await step(r, 'RunPodSandbox', { config: pod });
  const created = await step(r, 'CreateContainer', { pod_sandbox_id: sandbox.pod_sandbox_id, config: CONTAINER, sandbox_config: pod });
  await step(r, 'StartContainer', { container_id: created.container_id });
  await step(r, 'StartContainer', { container_id: 'no-such-container' });
  await step(r, 'StopContainer', { container_id: created.container_id, timeout: 0 });
  await step(r, 'RemoveContainer', { container_id: created.container_id });
  await step(r, 'StopPodSandbox', { pod_sandbox_id: sandbox.pod_sandbox_id });
  await step(r, 'RemovePodSandbox', { pod_sandbox_id: sandbox.pod_sandbox_id });
  await step(r, 'RuntimeConfig', {});
};

/**
 * containerd 1.6: the log lines that depend on the container's state, the sandbox's network and the
 * outcome (containerd-1.6.yaml), each reached once. About 1 s of it is a stop timeout running out.
 */
const CONTAINERD16_VARIANTS: Script = async (step, r, i, workDir) => {
  const pod = { ...POD, log_directory: join(workDir, 'pod-logs', 'default_web_5c9a7b1e-golden') };
  const hostPod = {
    ...POD,
    metadata: { ...POD.metadata, name: 'host-web', uid: '7d0e1f2a-golden' },
    log_directory: join(workDir, 'pod-logs', 'default_host-web_7d0e1f2a-golden'),
    linux: { security_context: { namespace_options: { network: 'NODE' } } },
  };
  const container = (name: string, extra: object = {}) => ({ ...CONTAINER, metadata: { name, attempt: 0 }, log_path: `${name}/0.log`, ...extra });
  const create = async (sandboxId: string, config: object, sandboxConfig: object): Promise<string> =>
    (await step(r, 'CreateContainer', { pod_sandbox_id: sandboxId, config, sandbox_config: sandboxConfig })).container_id;

  await step(i, 'PullImage', { image: { image: 'nginx:nope' }, sandbox_config: { ...pod, annotations: { 'sim.cri.io/missing-images': 'nginx:nope' } } });
  await step(i, 'PullImage', { image: { image: 'nginx:1.27' }, sandbox_config: pod });
  const web = (await step(r, 'RunPodSandbox', { config: pod })).pod_sandbox_id;
  const app = await create(web, container('app'), pod);
  const stubborn = await create(web, container('stubborn', { annotations: { 'sim.cri.io/stop-grace': 'never' } }), pod);
  const idle = await create(web, container('idle'), pod);
  // No log paths at all (the line prints both, and the run's temp dir would make the golden differ per run).
  const quiet = await create(web, container('quiet', { log_path: '' }), { ...pod, log_directory: '' });
  for (const id of [app, stubborn, quiet]) await step(r, 'StartContainer', { container_id: id });
  await step(r, 'StopContainer', { container_id: app, timeout: 10 });
  await step(r, 'StopContainer', { container_id: app, timeout: 10 });
  await step(r, 'StopContainer', { container_id: idle, timeout: 10 });
  // A second graceful stop while the first is pending: the first signals and kills at its timeout, the second only waits.
  const firstStop = step(r, 'StopContainer', { container_id: stubborn, timeout: 1 });
  await new Promise((resolve) => setTimeout(resolve, SECOND_STOP_AFTER_MS));
  await Promise.all([firstStop, step(r, 'StopContainer', { container_id: stubborn, timeout: 1 })]);
  await step(r, 'UpdateContainerResources', { container_id: quiet, linux: { cpu_shares: 512, memory_limit_in_bytes: 268435456 } });
  await step(r, 'RemoveContainer', { container_id: quiet });
  await step(r, 'ContainerStatus', { container_id: 'no-such-container' });
  await step(r, 'ExecSync', { container_id: app, cmd: ['true'], timeout: 1 });
  await step(r, 'StopPodSandbox', { pod_sandbox_id: web });
  await step(r, 'RemovePodSandbox', { pod_sandbox_id: web });
  const host = (await step(r, 'RunPodSandbox', { config: hostPod })).pod_sandbox_id;
  const hostApp = await create(host, container('app'), hostPod);
  await step(r, 'StartContainer', { container_id: hostApp });
  await step(r, 'PortForward', { pod_sandbox_id: host, port: [8080] });
  await step(i, 'RemoveImage', { image: { image: 'nginx:1.27' } });
  await step(r, 'StopContainer', { container_id: hostApp, timeout: 10 });
  await step(r, 'StopPodSandbox', { pod_sandbox_id: host });
  await step(r, 'StopPodSandbox', { pod_sandbox_id: 'no-such-sandbox' });
  await step(r, 'UpdateRuntimeConfig', { runtime_config: { network_config: { pod_cidr: '10.88.0.0/16' } } });
  await step(r, 'UpdateRuntimeConfig', { runtime_config: { network_config: { pod_cidr: 'not-a-cidr' } } });
};

/**
 * containerd 2.1: one call per outcome of containerd-2.1.yaml's trees (pod and host network, running and
 * stopped containers, a stop that runs into its timeout and an overlapping second stop, not-found and failed
 * calls). The runtime model (CRIO_VARIANTS_MODEL) fails the pod labelled fail=network. About 2 s of it are a
 * stop timeout and an exec timeout running out.
 */
const CONTAINERD21_VARIANTS: Script = async (step, r, i, workDir) => {
  const pod = (name: string, uid: string, extra: object = {}) => ({
    ...POD,
    metadata: { ...POD.metadata, name, uid },
    log_directory: join(workDir, 'pod-logs', `default_${name}_${uid}`),
    ...extra,
  });
  const web = pod('web', '5c9a7b1e-golden');
  const hostPod = pod('host-web', '7d0e1f2a-golden', { linux: { security_context: { namespace_options: { network: 'NODE' } } } });
  const broken = pod('broken', '9e8d7c6b-golden', { labels: { fail: 'network' } });
  const container = (name: string, extra: object = {}) => ({ ...CONTAINER, metadata: { name, attempt: 0 }, log_path: '', ...extra });
  const create = async (sandboxId: string, config: object, sandboxConfig: object): Promise<string> =>
    (await step(r, 'CreateContainer', { pod_sandbox_id: sandboxId, config, sandbox_config: { ...sandboxConfig, log_directory: '' } }))?.container_id;

  await step(i, 'PullImage', { image: { image: 'nginx:nope' }, sandbox_config: { ...web, annotations: { 'sim.cri.io/missing-images': 'nginx:nope' } } });
  await step(i, 'PullImage', { image: { image: 'nginx:1.27' }, sandbox_config: web });
  await step(i, 'PullImage', { image: { image: 'nginx:1.27' }, sandbox_config: web });
  const webId = (await step(r, 'RunPodSandbox', { config: web })).pod_sandbox_id;
  await step(r, 'RunPodSandbox', { config: web });
  await step(r, 'RunPodSandbox', { config: broken });
  await step(r, 'PodSandboxStatus', { pod_sandbox_id: webId, verbose: true });
  await step(r, 'PodSandboxStatus', { pod_sandbox_id: 'no-such-sandbox' });
  const app = await create(webId, container('app'), web);
  await create(webId, container('app'), web);
  await create(webId, container('old', { image: { image: 'busybox:1.36' } }), web);
  await create('no-such-sandbox', container('lost'), web);
  const stubborn = await create(webId, container('stubborn', { annotations: { 'sim.cri.io/stop-grace': 'never' } }), web);
  const idle = await create(webId, container('idle'), web);
  const side = await create(webId, container('side'), web);
  const doomed = await create(webId, container('doomed'), web);
  const quick = await create(webId, container('quick'), web);
  for (const id of [app, stubborn, side, doomed, quick]) await step(r, 'StartContainer', { container_id: id });
  await step(r, 'StartContainer', { container_id: app });
  await step(r, 'StartContainer', { container_id: 'no-such-container' });
  await step(r, 'ContainerStatus', { container_id: 'no-such-container' });
  await step(r, 'ContainerStats', { container_id: app });
  await step(r, 'ListContainerStats', { filter: { pod_sandbox_id: webId } });
  await step(r, 'PodSandboxStats', { pod_sandbox_id: webId });
  await step(r, 'ListPodSandboxStats', {});
  await step(r, 'ExecSync', { container_id: app, cmd: ['true'], timeout: 1 });
  await step(r, 'ExecSync', { container_id: app, cmd: ['sleep', '5'], timeout: 1 });
  await step(r, 'ExecSync', { container_id: 'no-such-container', cmd: ['true'], timeout: 1 });
  await step(r, 'UpdateContainerResources', { container_id: app, linux: { cpu_shares: 512, memory_limit_in_bytes: 268435456 } });
  await step(r, 'StopContainer', { container_id: app, timeout: 10 });
  await step(r, 'StopContainer', { container_id: app, timeout: 10 });
  await step(r, 'StopContainer', { container_id: idle, timeout: 10 });
  await step(r, 'StopContainer', { container_id: 'no-such-container', timeout: 10 });
  // A second graceful stop while the first is pending: the first signals and kills at its timeout, the second only waits.
  const firstStop = step(r, 'StopContainer', { container_id: stubborn, timeout: 1 });
  await new Promise((resolve) => setTimeout(resolve, SECOND_STOP_AFTER_MS));
  await Promise.all([firstStop, step(r, 'StopContainer', { container_id: stubborn, timeout: 1 })]);
  await step(r, 'StopContainer', { container_id: quick, timeout: 0 });
  await step(r, 'StopContainer', { container_id: doomed, timeout: 0 });
  await step(r, 'RemoveContainer', { container_id: app });
  await step(r, 'RemoveContainer', { container_id: 'no-such-container' });
  // side still runs: StopPodSandbox kills it before the sandbox task.
  await step(r, 'StopPodSandbox', { pod_sandbox_id: webId });
  await step(r, 'StopPodSandbox', { pod_sandbox_id: webId });
  await step(r, 'StopPodSandbox', { pod_sandbox_id: 'no-such-sandbox' });
  await step(r, 'RemovePodSandbox', { pod_sandbox_id: webId });
  await step(r, 'RemovePodSandbox', { pod_sandbox_id: 'no-such-sandbox' });
  const hostId = (await step(r, 'RunPodSandbox', { config: hostPod })).pod_sandbox_id;
  const hostApp = await create(hostId, container('app'), hostPod);
  await step(r, 'StartContainer', { container_id: hostApp });
  await step(r, 'RemoveContainer', { container_id: hostApp });
  await step(r, 'StopPodSandbox', { pod_sandbox_id: hostId });
  await step(r, 'RemovePodSandbox', { pod_sandbox_id: hostId });
  await step(i, 'RemoveImage', { image: { image: 'nginx:1.27' } });
  await step(i, 'RemoveImage', { image: { image: 'nginx:1.27' } });
};

/**
 * CRI-O: one call per outcome the persona files list (crio-*.yaml functionSpans), so each tree and its log
 * lines are pinned. A runtime model (runtime-sim/src/model) injects the late failures: CNI for the pod
 * labelled fail=network, `<runtime> start` for the container named doomed.
 */
const CRIO_VARIANTS: Script = async (step, r, i, workDir) => {
  const labelled = (name: string, uid: string, extra: object = {}) => ({
    ...POD,
    metadata: { ...POD.metadata, name, uid },
    labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid },
    log_directory: join(workDir, 'pod-logs', `default_${name}_${uid}`),
    ...extra,
  });
  const web = labelled('web', '5c9a7b1e-golden');
  const host = labelled('host-web', '7d0e1f2a-golden', { linux: { security_context: { namespace_options: { network: 'NODE' } } } });
  const broken = { ...labelled('broken', '9e8d7c6b-golden'), labels: { ...labelled('broken', '9e8d7c6b-golden').labels, fail: 'network' } };
  for (const pod of [web, host]) mkdirSync(pod.log_directory, { recursive: true });
  const container = (name: string, pod: typeof web, extra: object = {}) => ({
    ...CONTAINER,
    metadata: { name, attempt: 0 },
    labels: { 'io.kubernetes.container.name': name, 'io.kubernetes.pod.name': pod.metadata.name, 'io.kubernetes.pod.namespace': 'default' },
    log_path: `${name}/0.log`,
    linux: {},
    ...extra,
  });
  const create = async (sandboxId: string, config: ReturnType<typeof container>, pod: typeof web): Promise<string> => {
    mkdirSync(join(pod.log_directory, config.metadata.name), { recursive: true });
    return (await step(r, 'CreateContainer', { pod_sandbox_id: sandboxId, config, sandbox_config: pod }))?.container_id;
  };

  await step(i, 'PullImage', { image: { image: 'nginx:nope' }, sandbox_config: { ...web, annotations: { 'sim.cri.io/missing-images': 'nginx:nope' } } });
  await step(i, 'PullImage', { image: { image: 'nginx:1.27' }, sandbox_config: web });
  await step(i, 'ImageStatus', { image: { image: 'nginx:1.27' } });
  await step(i, 'ImageStatus', { image: { image: 'busybox:1.36' } });
  const webId = (await step(r, 'RunPodSandbox', { config: web })).pod_sandbox_id;
  await step(r, 'RunPodSandbox', { config: web });
  const hostId = (await step(r, 'RunPodSandbox', { config: host })).pod_sandbox_id;
  await step(r, 'RunPodSandbox', { config: broken });
  await step(r, 'PodSandboxStatus', { pod_sandbox_id: webId });
  await step(r, 'PodSandboxStatus', { pod_sandbox_id: 'no-such-sandbox' });
  const app = await create(webId, container('app', web), web);
  await create(webId, container('app', web), web);
  const side = await create(webId, container('side', web), web);
  const doomed = await create(webId, container('doomed', web), web);
  await step(r, 'CreateContainer', { pod_sandbox_id: webId, config: container('old', web, { image: { image: 'busybox:1.36' } }), sandbox_config: web });
  // No log directory for this one: conmon cannot open its log file.
  await step(r, 'CreateContainer', { pod_sandbox_id: webId, config: container('nolog', web), sandbox_config: web });
  await step(r, 'CreateContainer', { pod_sandbox_id: 'no-such-sandbox', config: container('lost', web), sandbox_config: web });
  await step(r, 'StartContainer', { container_id: app });
  await step(r, 'StartContainer', { container_id: app });
  await step(r, 'StartContainer', { container_id: 'no-such-container' });
  await step(r, 'StartContainer', { container_id: side });
  await step(r, 'StartContainer', { container_id: doomed });
  await step(r, 'ContainerStatus', { container_id: app });
  await step(r, 'ContainerStats', { container_id: app });
  await step(r, 'PodSandboxStats', { pod_sandbox_id: webId });
  await step(r, 'ListContainers', {});
  await step(r, 'ListContainers', { filter: {} });
  await step(r, 'ListContainers', { filter: { id: 'no-such-container' } });
  await step(r, 'ListContainers', { filter: { pod_sandbox_id: webId } });
  await step(r, 'ListPodSandbox', { filter: { id: webId } });
  await step(r, 'ListPodSandbox', { filter: { id: 'no-such-sandbox' } });
  await step(r, 'ListContainerStats', {});
  await step(r, 'ListContainerStats', { filter: {} });
  await step(r, 'ListPodSandboxStats', { filter: { id: webId } });
  await step(i, 'ListImages', {});
  await step(r, 'ExecSync', { container_id: app, cmd: ['true'], timeout: 1 });
  await step(r, 'ExecSync', { container_id: app, cmd: ['sleep', '5'], timeout: 1 });
  await step(r, 'ExecSync', { container_id: 'no-such-container', cmd: ['true'], timeout: 1 });
  await step(r, 'UpdateContainerResources', { container_id: app, linux: { cpu_shares: 512, memory_limit_in_bytes: 268435456 } });
  await step(r, 'UpdatePodSandboxResources', { pod_sandbox_id: webId, resources: {} });
  await step(r, 'ReopenContainerLog', { container_id: app });
  await step(r, 'StopContainer', { container_id: app, timeout: 0 });
  await step(r, 'StopContainer', { container_id: 'no-such-container', timeout: 0 });
  await step(r, 'RemoveContainer', { container_id: app });
  await step(r, 'RemoveContainer', { container_id: 'no-such-container' });
  // side still runs: stopped side by side with the infra container's stop.
  await step(r, 'StopPodSandbox', { pod_sandbox_id: webId });
  await step(r, 'StopPodSandbox', { pod_sandbox_id: webId });
  await step(r, 'StopPodSandbox', { pod_sandbox_id: 'no-such-sandbox' });
  await step(r, 'RemovePodSandbox', { pod_sandbox_id: webId });
  await step(r, 'RemovePodSandbox', { pod_sandbox_id: 'no-such-sandbox' });
  // Never stopped: RemovePodSandbox stops the infra container itself.
  await step(r, 'RemovePodSandbox', { pod_sandbox_id: hostId });
  await step(i, 'RemoveImage', { image: { image: 'nginx:1.27' } });
  await step(i, 'RemoveImage', { image: { image: 'nginx:1.27' } });
};

/** The runtime model CRIO_VARIANTS runs with (written into the run's directory). */
const CRIO_VARIANTS_MODEL = `apiVersion: sim.cri.io/v1alpha1
kind: RuntimeModel
rules:
  - name: cni-add-fails
    match: { methods: [RunPodSandbox], podSelector: { matchLabels: { fail: network } } }
    error: { probability: 1, code: UNKNOWN, message: 'failed to create pod network sandbox: plugin type="bridge" failed (add): no IP addresses available' }
  - name: runtime-start-fails
    match: { methods: [StartContainer], containerNames: [doomed] }
    error: { probability: 1, code: UNKNOWN, message: 'failed to start container: exit status 1' }
`;

async function runSequence(
  persona: 'crio' | 'containerd',
  version: string,
  sampledParent: boolean,
  script: Script = FIXED_SEQUENCE,
  extraArgs: (workDir: string) => string[] = () => [],
): Promise<VersionRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'persona-spans-'));
  const sink: TraceSink = await startTraceSink({ listen: '127.0.0.1:0', outPath: join(workDir, 'spans.jsonl') });
  const socket = join(workDir, 'cri.sock');
  const logPath = join(workDir, 'runtime.log');
  const setup = runtimeExportSetup(persona, version, sink.address, workDir);
  let runtime: RunningProcess | undefined;
  const clients: Client[] = [];
  try {
    runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), [
      '--persona', persona, '--listen', `unix://${socket}`,
      ...setup.args, ...extraArgs(workDir),
    ], logPath, setup.env);
    await waitForFile(socket, 10_000);
    const rt = createRuntimeServiceClient(`unix://${socket}`);
    const img = createImageServiceClient(`unix://${socket}`);
    clients.push(rt as unknown as Client, img as unknown as Client);
    const outcomes: Outcome[] = [];
    const parents = new Map<string, { traceId: string; spanId: string }>();
    let index = 0;
    const step: Step = async (client, method, request) => {
      const parent = traceparent(index++, sampledParent);
      parents.set(parent.traceId, parent);
      const { response, outcome } = await unary(client, method, request, parent.header);
      outcomes.push(outcome);
      return response;
    };
    await script(step, rt as unknown as Client, img as unknown as Client, workDir);
    for (const c of clients) c.close();
    clients.length = 0;
    const exit = await runtime.stop(5_000); // SIGTERM flushes the batch span processor
    assert.equal(exit, 0, readFileSync(logPath, 'utf8'));
    const allSpans = sink.index.spans();
    const spans = allSpans.filter((s) => parents.has(s.traceId));
    return { spans, allSpans, outcomes, parents, log: readFileSync(logPath, 'utf8') };
  } finally {
    for (const c of clients) c.close();
    await runtime?.stop(5_000);
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const VERSIONS = [
  { persona: 'crio', version: '1.33' },
  { persona: 'crio', version: '1.32' },
  { persona: 'containerd', version: '2.1' },
  { persona: 'containerd', version: '1.6' },
] as const;

describe('persona span shapes for a fixed CRI call sequence', () => {
  const runs = new Map<string, VersionRun>();

  before(async () => {
    for (const { persona, version } of VERSIONS) runs.set(`${persona}-${version}`, await runSequence(persona, version, true));
  });

  for (const { persona, version } of VERSIONS) {
    const key = `${persona}-${version}`;
    it(`${key} matches its golden shape`, () => {
      const run = runs.get(key);
      assert.ok(run, 'run missing');
      assertMatchesGolden(key, renderSpanShape(withoutDurationsInEventNames(run.spans), { valueKeys: PERSONA_VALUE_KEYS }), { dir: GOLDEN_DIR });
    });

    it(`${key} parents every SERVER span on the caller's span`, () => {
      const run = runs.get(key)!;
      const servers = run.spans.filter((s) => s.kind === 'SERVER');
      assert.ok(servers.length >= 9, `expected the sequence's SERVER spans, got ${servers.length}`);
      for (const s of servers) assert.equal(s.parentSpanId, run.parents.get(s.traceId)?.spanId, s.name);
    });
  }

  it('crio 1.33 nests SERVER → INTERNAL /full/method (tracer crio) → Go function spans (SDK default scope)', () => {
    const spans = runs.get('crio-1.33')!.spans;
    const server = spans.find((s) => s.kind === 'SERVER' && s.name === 'runtime.v1.RuntimeService/RunPodSandbox');
    assert.ok(server);
    const interceptor = spans.find((s) => s.parentSpanId === server.spanId);
    assert.equal(interceptor?.name, '/runtime.v1.RuntimeService/RunPodSandbox');
    assert.equal(interceptor?.scope, 'crio');
    // (*Server).RunPodSandbox has no StartSpan: runPodSandbox hangs right under the interceptor span.
    const fn = spans.find((s) => s.parentSpanId === interceptor?.spanId);
    assert.equal(fn?.name, 'github.com/cri-o/cri-o/server.(*Server).runPodSandbox');
    assert.equal(fn?.scope, 'go.opentelemetry.io/otel/sdk/tracer');
    const inner = spans.filter((s) => s.traceId === server.traceId && s.name.startsWith('github.com/cri-o/cri-o/'));
    assert.ok(inner.length >= 15, `expected the runPodSandbox tree, got ${inner.map((s) => s.name).join(', ')}`);
    // otellogrus: `log` events with the severity, the message, and the request's id and name from the context.
    const running = fn?.events.find((e) => e.attributes['log.message'] === 'Running pod sandbox: default/web/POD');
    assert.equal(running?.name, 'log');
    assert.equal(running?.attributes['log.severity'], 'INFO');
    assert.equal(running?.attributes.name, '/runtime.v1.RuntimeService/RunPodSandbox');
    assert.match(String(running?.attributes.id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('crio 1.33 puts CreateContainer\'s lines on the interceptor span (the handler has no span of its own)', () => {
    const spans = runs.get('crio-1.33')!.spans;
    const interceptor = spans.find((s) => s.name === '/runtime.v1.RuntimeService/CreateContainer');
    assert.deepEqual(interceptor?.events.map((e) => String(e.attributes['log.message']).replace(/[0-9a-f]{64}/, '<id>')), ['Creating container: //', 'Created container <id>: //']);
    assert.deepEqual(spans.filter((s) => s.parentSpanId === interceptor?.spanId).map((s) => s.name.replace('github.com/cri-o/cri-o/', '')), [
      'server.(*Server).getPodSandboxFromRequest', 'server.(*Server).createSandboxContainer', 'server.(*Server).addContainer',
      'server.(*Server).getSandboxIDMappings', 'server.(*Server).createContainerPlatform', 'internal/lib.(*ContainerServer).ContainerStateToDisk',
    ]);
  });

  for (const key of ['crio-1.33', 'crio-1.32']) {
    it(`${key} lays every function span inside its parent and sequential siblings one after another`, () => {
      assertNestedTiming(runs.get(key)!.spans);
    });
  }

  it('crio 1.32 answers UpdatePodSandboxResources UNIMPLEMENTED (cri-api v0.31.4) with no span, and reports otelgrpc 0.57.0', async () => {
    const spans = runs.get('crio-1.32')!.spans;
    assert.ok(spans.filter((s) => s.kind === 'SERVER').every((s) => s.scopeVersion === '0.57.0'));
    const run = await runSequence('crio', '1.32', true, async (step, r) => {
      await step(r, 'UpdatePodSandboxResources', { pod_sandbox_id: 'x' });
    });
    assert.deepEqual(run.outcomes, [{ method: 'UpdatePodSandboxResources', code: 12, details: 'unknown method UpdatePodSandboxResources for service runtime.v1.RuntimeService' }]);
    assert.equal(run.spans.length, 0);
  });

  it('containerd 2.1 puts sandbox/container attributes, log lines and lifecycle events on the SERVER span', () => {
    const spans = runs.get('containerd-2.1')!.spans;
    const byName = (name: string) => spans.find((s) => s.kind === 'SERVER' && s.name === `runtime.v1.RuntimeService/${name}` && s.attributes['rpc.grpc.status_code'] === 0);
    const run = byName('RunPodSandbox');
    assert.equal(run?.attributes['sandbox.name'], 'web_default_5c9a7b1e-golden_0');
    const meta = '&PodSandboxMetadata{Name:web,Uid:5c9a7b1e-golden,Namespace:default,Attempt:0,}';
    assert.deepEqual(run?.events.map((e) => e.name), [`RunPodSandbox for ${meta}`, 'setup pod network', `RunPodSandbox for ${meta} returns sandbox id "${run?.attributes['sandbox.id']}"`]);
    assert.deepEqual(run?.events.map((e) => e.attributes.level), ['info', undefined, 'info']);
    const create = byName('CreateContainer');
    // A uint32 through containerd's tracing.Attribute is a string (captured from a real v2.1.0).
    assert.match(String(create?.attributes['sandbox.pid']), /^\d+$/);
    assert.equal(typeof create?.attributes['sandbox.pid'], 'string');
    assert.equal(create?.attributes['container.name'], 'nginx_web_default_5c9a7b1e-golden_0');
    assert.match(String(create?.events.find((e) => e.name === 'container created')?.attributes['container.create.duration']), /^\d+(\.\d+)?(ns|µs|ms|s)$/);
    assert.ok(byName('StopContainer')?.events.some((e) => e.name === 'container stopped'), 'timeout 0 kills, so the stop event is recorded');
    // A NotFound leaves a v0.60 server span's status Unset, but RecordError still adds the exception event.
    const failed = spans.find((s) => s.name === 'runtime.v1.RuntimeService/StartContainer' && s.attributes['rpc.grpc.status_code'] === 5);
    assert.equal(failed?.status.code, 'UNSET');
    // The instrumented service logs the failure (WithError) before RecordError adds the exception.
    assert.deepEqual(failed?.events.map((e) => e.name), ['StartContainer for "no-such-container"', 'StartContainer for "no-such-container" failed', 'exception']);
    assert.deepEqual(failed?.events[1].attributes, { error: '{}', level: 'error' });
    assert.match(String(failed?.events[2].attributes['exception.message']), /^rpc error: code = NotFound desc = /);
  });

  it('containerd 2.1 nests the client, metadata and ttrpc spans of a call under its SERVER span', () => {
    const spans = runs.get('containerd-2.1')!.spans;
    const server = spans.find((s) => s.kind === 'SERVER' && s.name === 'runtime.v1.RuntimeService/StartContainer' && s.attributes['rpc.grpc.status_code'] === 0);
    assert.ok(server);
    const kids = spans.filter((s) => s.parentSpanId === server.spanId);
    assert.deepEqual(kids.map((s) => s.name), ['container.NewTask', 'task.Start']);
    assert.equal(kids[0].scope, 'go.opentelemetry.io/otel/sdk/tracer');
    const ttrpc = spans.filter((s) => s.parentSpanId === kids[0].spanId);
    assert.deepEqual(ttrpc.map((s) => `${s.name} ${s.kind} ${s.scope}@${s.scopeVersion}`), [
      'containerd.task.v3.Task/Create CLIENT github.com/containerd/otelttrpc@0.0.0',
      'containerd.task.v3.Task/Connect CLIENT github.com/containerd/otelttrpc@0.0.0',
    ]);
    // A uint32 pid through tracing.Attribute is a string on task.Start; task.process.id is an int.
    assert.equal(typeof kids[1].attributes['task.pid'], 'string');
    assert.equal(typeof kids[0].events.find((e) => e.name === 'task created')?.attributes['task.process.id'], 'number');
    assertNestedTiming(spans);
  });

  it('containerd 1.6 records the CRI plugin log lines as events and v0.28 message events with sizes', () => {
    const spans = runs.get('containerd-1.6')!.spans;
    const start = spans.find((s) => s.name === 'runtime.v1.RuntimeService/StartContainer' && s.status.code !== 'ERROR');
    assert.ok(start);
    assert.equal(start.scopeVersion, 'semver:0.27.0');
    const names = start.events.map((e) => e.name);
    assert.equal(names[0], 'message');
    assert.match(names[1], /^StartContainer for "[0-9a-f]{64}"$/);
    assert.match(names[2], /^StartContainer for "[0-9a-f]{64}" returns successfully$/);
    assert.equal(names[3], 'message');
    assert.equal(start.events[1].attributes.level, 'info');
    assert.equal(typeof start.events[0].attributes['message.uncompressed_size'], 'number');
    const run = spans.find((s) => s.name === 'runtime.v1.RuntimeService/RunPodSandbox');
    assert.ok(run?.events.some((e) => e.name === 'RunPodSandbox for &PodSandboxMetadata{Name:web,Uid:5c9a7b1e-golden,Namespace:default,Attempt:0,}'));
    // v0.28: any error code makes the server span Error (NotFound included).
    const failed = spans.find((s) => s.name === 'runtime.v1.RuntimeService/StartContainer' && s.attributes['rpc.grpc.status_code'] !== 0);
    assert.equal(failed?.status.code, 'ERROR');
    assert.equal(failed?.events.find((e) => e.attributes.level === 'error')?.name, 'StartContainer for "no-such-container" failed');
  });

  it('containerd 1.6 answers RPCs its CRI API lacks with grpc-go\'s UNIMPLEMENTED and makes no span', () => {
    const run = runs.get('containerd-1.6')!;
    assert.deepEqual(run.outcomes.find((o) => o.method === 'RuntimeConfig'), {
      method: 'RuntimeConfig', code: 12, details: 'unknown method RuntimeConfig for service runtime.v1.RuntimeService',
    });
    assert.equal(run.spans.filter((s) => s.name.endsWith('/RuntimeConfig')).length, 0);
    // containerd 2.1 knows RuntimeConfig: it answers, with a span.
    assert.equal(runs.get('containerd-2.1')!.spans.filter((s) => s.name === 'runtime.v1.RuntimeService/RuntimeConfig').length, 1);
  });

  it('containerd 1.6 samples by trace id alone: an unsampled kubelet parent still gets a recorded child', async () => {
    const run = await runSequence('containerd', '1.6', false);
    const servers = run.spans.filter((s) => s.kind === 'SERVER');
    assert.ok(servers.length >= 9, `expected spans despite the unsampled parents, got ${servers.length}\n${run.log}`);
    for (const s of servers) assert.equal(s.parentSpanId, run.parents.get(s.traceId)?.spanId);
  });

  it('crio 1.33 follows an unsampled parent and records nothing', async () => {
    const run = await runSequence('crio', '1.33', false);
    assert.equal(run.spans.length, 0, run.spans.map((s) => s.name).join(', '));
  });
});

/** Spans whose event names end in a Go duration (" in 65.6ms") with that duration replaced, for shapes. */
function withoutDurationsInEventNames(spans: readonly FlatSpan[]): FlatSpan[] {
  const duration = / in [0-9.]+(ns|µs|ms|s|m[0-9.]+s|h[0-9.m]+s)$/;
  return spans.map((s) => ({ ...s, events: s.events.map((e) => ({ ...e, name: e.name.replace(duration, ' in <duration>') })) }));
}

/**
 * Every span starts and ends inside its parent (runtime-side parents only), and siblings that are not
 * repetitions of one concurrent span (same name, same start) do not overlap.
 */
function assertNestedTiming(spans: readonly FlatSpan[]): void {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string, FlatSpan[]>();
  for (const s of spans) {
    const parent = byId.get(s.parentSpanId);
    if (parent === undefined) continue;
    assert.ok(BigInt(s.startTimeUnixNano) >= BigInt(parent.startTimeUnixNano) && BigInt(s.endTimeUnixNano) <= BigInt(parent.endTimeUnixNano),
      `${s.name} [${s.startTimeUnixNano}, ${s.endTimeUnixNano}] is outside ${parent.name} [${parent.startTimeUnixNano}, ${parent.endTimeUnixNano}]`);
    for (const e of s.events) {
      assert.ok(BigInt(e.timeUnixNano) >= BigInt(s.startTimeUnixNano) && BigInt(e.timeUnixNano) <= BigInt(s.endTimeUnixNano), `event of ${s.name} outside it`);
    }
    children.set(parent.spanId, [...(children.get(parent.spanId) ?? []), s]);
  }
  for (const [parentId, kids] of children) {
    const sorted = [...kids].sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
    for (let k = 1; k < sorted.length; k += 1) {
      const prev = sorted[k - 1];
      const next = sorted[k];
      if (prev.name === next.name && prev.startTimeUnixNano === next.startTimeUnixNano) continue; // concurrent repetitions
      assert.ok(BigInt(prev.endTimeUnixNano) <= BigInt(next.startTimeUnixNano), `${prev.name} overlaps ${next.name} under ${byId.get(parentId)?.name}`);
    }
  }
}

for (const version of ['1.33', '1.32']) {
  describe(`crio ${version}: the span tree of each outcome`, () => {
    let run: VersionRun;
    before(async () => {
      run = await runSequence('crio', version, true, CRIO_VARIANTS, (workDir) => {
        const model = join(workDir, 'variants-model.yaml');
        writeFileSync(model, CRIO_VARIANTS_MODEL);
        return ['--model', model];
      });
    });

    it('matches the golden shape', () => {
      assertMatchesGolden(`crio-${version}-variants`, renderSpanShape(run.spans, { valueKeys: PERSONA_VALUE_KEYS }), { dir: GOLDEN_DIR });
    });

    it('keeps children inside parents, with the concurrent stops of StopPodSandbox side by side', () => {
      assertNestedTiming(run.spans);
      const stopPod = run.spans.find((s) => s.name === 'github.com/cri-o/cri-o/server.(*Server).stopPodSandbox' && run.spans.filter((c) => c.parentSpanId === s.spanId).length > 1);
      const stops = run.spans.filter((s) => s.parentSpanId === stopPod?.spanId && s.name.endsWith('.stopContainer'));
      assert.equal(stops.length, 3, 'side, doomed (created: not stopped yet) and the infra container');
      assert.equal(stops[0].startTimeUnixNano === stops[1].startTimeUnixNano || stops[1].startTimeUnixNano === stops[2].startTimeUnixNano, true);
    });

    it('marks an ERROR line\'s span Error and leaves the others Unset', () => {
      const errored = run.spans.filter((s) => s.status.code === 'ERROR' && s.kind === 'INTERNAL');
      const removeImage = errored.map((s) => s.name);
      assert.deepEqual(removeImage, version === '1.32' ? ['github.com/cri-o/cri-o/server.(*Server).removeImage'] : []);
    });
  });
}

describe('containerd 2.1: the span tree of each outcome', () => {
  let run: VersionRun;
  before(async () => {
    run = await runSequence('containerd', '2.1', true, CONTAINERD21_VARIANTS, (workDir) => {
      const model = join(workDir, 'variants-model.yaml');
      writeFileSync(model, CRIO_VARIANTS_MODEL);
      return ['--model', model];
    });
  });

  it('matches the golden shape (the pull summary line\'s duration aside)', () => {
    assertMatchesGolden('containerd-2.1-variants', renderSpanShape(withoutDurationsInEventNames(run.spans), { valueKeys: PERSONA_VALUE_KEYS }), { dir: GOLDEN_DIR });
  });

  it('keeps children inside parents and sequential siblings apart', () => {
    assertNestedTiming(run.spans);
  });

  it('makes root traces of its own on task events: forwarded shim events, NRI lookups, the exit handler, task.Wait over the life', () => {
    const roots = run.allSpans.filter((s) => s.parentSpanId === '');
    const count = (name: string) => roots.filter((s) => s.name === name).length;
    const forward = roots.find((s) => s.name === 'containerd.services.events.ttrpc.v1.Events/Forward');
    assert.deepEqual([forward?.kind, forward?.scope, forward?.scopeVersion, forward?.service], ['SERVER', 'github.com/containerd/otelttrpc', '0.0.0', 'containerd']);
    // Two sandboxes created and five containers started (TaskCreate + TaskStart each); the five containers exit
    // (stopped, killed, or removed running) and so does the web sandbox (StopPodSandbox): TaskExit + TaskDelete each.
    const exited = 6;
    assert.ok(count('containerd.services.events.ttrpc.v1.Events/Forward') >= 2 * 2 + 2 * 5 + 2 * exited, `${count('containerd.services.events.ttrpc.v1.Events/Forward')} forwards`);
    assert.ok(count('containerd.task.v3.Task/State') > 0, 'NRI task lookups');
    const deletes = roots.filter((s) => s.name === 'task.Delete');
    assert.ok(deletes.length >= exited, `${deletes.length} exit handlers`);
    const under = (parent: FlatSpan) => run.allSpans.filter((s) => s.parentSpanId === parent.spanId).map((s) => s.name);
    const shutdowns = deletes.filter((d) => under(d).includes('containerd.task.v3.Task/Shutdown'));
    assert.ok(shutdowns.length >= 1 && shutdowns.length < deletes.length, 'only a sandbox\'s exit handler shuts its shim down');
    assert.deepEqual(under(deletes[0]), ['task.Kill', 'task.Wait', 'containerd.task.v3.Task/State', 'containerd.task.v3.Task/Delete']);
    // task.Wait lasts the container's life: stubborn lived more than its 1 s stop timeout.
    const waits = roots.filter((s) => s.name === 'task.Wait').map((s) => BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano));
    assert.ok(waits.some((ns) => ns > 1_000_000_000n), `task.Wait durations ${waits.join(', ')}`);
    assertNestedTiming(run.allSpans.filter((s) => !run.parents.has(s.traceId)));
  });

  it('kills a container that outlives its stop timeout with a second task.Kill, and the overlapping stop skips the signal', () => {
    const stops = run.spans.filter((s) => s.name === 'runtime.v1.RuntimeService/StopContainer' && s.events.some((e) => e.name === 'container stopped'));
    const kills = (server: FlatSpan) => run.spans.filter((s) => s.parentSpanId === server.spanId && s.name === 'task.Kill').length;
    assert.deepEqual(stops.map(kills).sort(), [1, 2], 'timeout 0: one SIGKILL; timeout passed: SIGTERM then SIGKILL');
    assert.ok(run.spans.some((s) => s.events.some((e) => /^Skipping the sending of signal terminated to container/.test(e.name))));
  });
});

describe('containerd 1.6 log lines that depend on state, network and outcome', () => {
  let run: VersionRun;
  before(async () => {
    run = await runSequence('containerd', '1.6', true, CONTAINERD16_VARIANTS);
  });

  it('match the golden shape (PortForward aside: its URL names a random port)', () => {
    const shaped = run.spans.filter((s) => !s.name.endsWith('/PortForward'));
    assertMatchesGolden('containerd-1.6-variants', renderSpanShape(shaped, { valueKeys: PERSONA_VALUE_KEYS }), { dir: GOLDEN_DIR });
  });

  it('PortForward logs the ports as a Go slice and the URL it returns', () => {
    const span = run.spans.find((s) => s.name === 'runtime.v1.RuntimeService/PortForward');
    const logs = span?.events.filter((e) => e.name !== 'message').map((e) => e.name) ?? [];
    assert.match(logs[0] ?? '', /^Portforward for "[0-9a-f]{64}" port \[8080\]$/);
    assert.match(logs[1] ?? '', /^Portforward for "[0-9a-f]{64}" returns URL "http:\/\/127\.0\.0\.1:\d+\/portforward\/[^"]+"$/);
  });
});
