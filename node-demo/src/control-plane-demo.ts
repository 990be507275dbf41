/**
 * `npm start -- --control-plane`: a one-node cluster on one machine. The embedded OTLP receiver in this
 * process; etcd-sim (unix socket), apiserver-sim (a free loopback port), runtime-sim and kubelet-sim with
 * `--kubeconfig` as child processes, all exporting to the receiver; and a single-node binder standing in for
 * kube-scheduler. Prints the admin kubeconfig and kubectl commands to try, then runs until Ctrl-C (or
 * --duration) and prints a span summary. It imports nothing from the sims.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { EXIT_CODE, watchParent } from '../../cli-kit/src';
import { renderSpanSummaryTable } from '../../trace-sink/src';
import { startNodeProcess } from './child-process-runner';
import type { RunningProcess } from './child-process-runner';
import type { DemoArgs } from './demo-args';
import { freeLoopbackPort, openDemoInputs, reportFailure, say, waitForFile, writeDemoKubeletConfig } from './demo-kit';
import { runtimeExportSetup } from './runtime-export-setup';
import { SingleNodeBinder } from './single-node-binder';

/** The node's name (kubelet-sim --hostname-override). */
export const CONTROL_PLANE_NODE = 'sim-node';
/** Longest wait for each process to come up. */
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/** Resolves with the first match of `pattern` in the child's output, or rejects when it exits or times out. */
function waitForLine(child: RunningProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${child.name} printed no line matching ${pattern} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const off = child.onLine((line) => {
      const m = pattern.exec(line);
      if (!m) return;
      clearTimeout(timer);
      off();
      resolveLine(m);
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      off();
      reject(new Error(`${child.name} exited with ${code} before it was ready`));
    });
  });
}

async function waitForNodeReady(apiserverUrl: string, untilMs: number): Promise<boolean> {
  while (Date.now() < untilMs) {
    try {
      const res = await fetch(`${apiserverUrl}/api/v1/nodes/${CONTROL_PLANE_NODE}`);
      if (res.ok) {
        const node = (await res.json()) as { status?: { conditions?: Array<{ type: string; status: string }> } };
        if (node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return true;
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

export async function runControlPlaneDemo(args: DemoArgs, ctx: { startedAt: number; dist: string; repoRoot: string }): Promise<number> {
  const inputs = await openDemoInputs(args);
  if ('exitCode' in inputs) return inputs.exitCode;
  const { kubeletConfig, sink } = inputs;
  const work = mkdtempSync(join(tmpdir(), 'kubelet-cri-control-plane-'));
  const logPath = join(work, 'sims.log');
  const children: RunningProcess[] = [];
  let binder: SingleNodeBinder | undefined;
  let stopped = false;
  const stopAll = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await binder?.stop();
    // The node first (it reports to the apiserver), the control plane last.
    for (const child of [...children].reverse()) await child.stop(STOP_GRACE_MS);
    await sink.close();
  };
  let wake: (why: string) => void = () => undefined;
  const interrupted = new Promise<string>((resolveInterrupt) => {
    wake = resolveInterrupt;
  });
  process.on('SIGINT', () => wake('SIGINT'));
  process.on('SIGTERM', () => wake('SIGTERM'));
  watchParent({ onParentGone: (pid) => wake(`parent process ${pid} exited`) });

  say(`OTLP receiver on ${sink.address} (gRPC)${sink.httpAddress ? ` and ${sink.httpAddress} (HTTP)` : ''}; spans to ${sink.outPath}`);
  say(`work dir ${work}; logs of every process in ${logPath}`);
  const fail = async (child: RunningProcess | undefined, err: Error): Promise<number> => {
    if (child) reportFailure(child, child.child.exitCode ?? 'still running', `at start (${err.message})`, logPath);
    else process.stderr.write(`node-demo: ${err.message}; see ${logPath}\n`);
    await stopAll();
    return EXIT_CODE.FAILURE;
  };

  // 1. etcd-sim, traced as etcd with --enable-distributed-tracing (it follows the apiserver's sampling).
  const etcdSocket = join(work, 'etcd.sock');
  const etcd = startNodeProcess('etcd-sim', join(ctx.dist, 'control-plane/etcd-sim/src/main.js'), [
    '--listen-client-urls', `unix://${etcdSocket}`, '--enable-distributed-tracing', '--distributed-tracing-address', sink.address, '--distributed-tracing-sampling-rate', '0',
  ], logPath);
  children.push(etcd);
  if (!(await waitForFile(etcdSocket, Date.now() + START_TIMEOUT_MS))) return fail(etcd, new Error('no client socket'));

  // 2. apiserver-sim with a TracingConfiguration pointing at the receiver, every request sampled.
  const tracingConfig = join(work, 'apiserver-tracing.yaml');
  writeFileSync(tracingConfig, ['apiVersion: apiserver.config.k8s.io/v1', 'kind: TracingConfiguration', `endpoint: ${sink.address}`, 'samplingRatePerMillion: 1000000', ''].join('\n'));
  const adminKubeconfig = join(work, 'admin.kubeconfig');
  const apiserver = startNodeProcess('apiserver-sim', join(ctx.dist, 'control-plane/apiserver-sim/src/main.js'), [
    '--listen', '127.0.0.1:0', '--etcd-servers', `unix://${etcdSocket}`, '--tracing-config-file', tracingConfig, '--kubeconfig-out', adminKubeconfig, '--admin-token', randomBytes(16).toString('hex'),
    // Not kube-apiserver's behaviour (its kubelet transport has no tracing wrapper): only when asked for.
    ...(args.traceKubeletProxy ? ['--trace-kubelet-proxy'] : []),
  ], logPath);
  children.push(apiserver);
  let apiserverUrl: string;
  try {
    apiserverUrl = (await waitForLine(apiserver, /serving on (http:\/\/127\.0\.0\.1:\d+) /, START_TIMEOUT_MS))[1] as string;
  } catch (err) {
    return fail(apiserver, err as Error);
  }

  // 3. runtime-sim, then kubelet-sim with a kubeconfig of its own (no credentials: it reaches the apiserver as
  //    an unprivileged user, so the apiserver starts a new trace for each of its requests and links the kubelet's).
  const socketPath = join(work, 'runtime.sock');
  const exportSetup = runtimeExportSetup(args.persona, args.personaVersion, sink.address, work, 0, sink.httpAddress);
  const runtime = startNodeProcess('runtime-sim', join(ctx.dist, 'runtime-sim/src/main.js'), [
    '--persona', args.persona, '--listen', `unix://${socketPath}`, ...(args.model === undefined ? [] : ['--model', args.model]), ...exportSetup.args,
  ], logPath, exportSetup.env);
  children.push(runtime);
  if (!(await waitForFile(socketPath, Date.now() + START_TIMEOUT_MS))) return fail(runtime, new Error('no CRI socket'));
  const kubeletKubeconfig = join(work, 'kubelet.kubeconfig');
  writeFileSync(kubeletKubeconfig, [
    'apiVersion: v1', 'kind: Config', 'clusters:', '- name: kubernetes', '  cluster:', `    server: ${apiserverUrl}`,
    'contexts:', `- name: system:node:${CONTROL_PLANE_NODE}@kubernetes`, '  context:', '    cluster: kubernetes', `current-context: system:node:${CONTROL_PLANE_NODE}@kubernetes`, '',
  ].join('\n'));
  // The node runs what the API gives it: no static pods (they would have no mirror pods to show in kubectl).
  const kubeletConfigPath = writeDemoKubeletConfig(kubeletConfig, args.config, work, sink.address, { samplingRatePerMillion: args.samplingRatePerMillion, staticPodPath: '' });
  const kubeletPort = await freeLoopbackPort();
  const kubelet = startNodeProcess('kubelet-sim', join(ctx.dist, 'kubelet-sim/src/main.js'), [
    '--config', kubeletConfigPath, '--container-runtime-endpoint', `unix://${socketPath}`, '--hostname-override', CONTROL_PLANE_NODE,
    '--port', String(kubeletPort), '--healthz-port', '0', '--kubeconfig', kubeletKubeconfig,
  ], logPath);
  children.push(kubelet);
  if (!(await waitForNodeReady(apiserverUrl, Date.now() + START_TIMEOUT_MS))) return fail(kubelet, new Error(`node ${CONTROL_PLANE_NODE} did not turn Ready`));

  // 4. The scheduler's part: bind each unscheduled pod to the node.
  binder = new SingleNodeBinder({
    apiserverUrl,
    nodeName: CONTROL_PLANE_NODE,
    onBound: (ns, name) => say(`bound pod ${ns}/${name} to node ${CONTROL_PLANE_NODE} (binding subresource)`),
    onError: (message) => say(`binder: ${message}`),
  });
  binder.start();

  const k = `kubectl --kubeconfig ${adminKubeconfig}`;
  const web = relative(process.cwd(), resolve(ctx.repoRoot, 'configs', 'pods', 'web.yaml')) || 'configs/pods/web.yaml';
  process.stdout.write([
    '',
    `Control plane up: apiserver-sim ${apiserverUrl}, node ${CONTROL_PLANE_NODE} Ready (kubelet http://127.0.0.1:${kubeletPort}).`,
    `Kubeconfig: ${adminKubeconfig}`,
    '',
    'Try:',
    `  ${k} get nodes -o wide`,
    `  ${k} create -f ${web}`,
    `  ${k} get pods -o wide -w`,
    `  ${k} get leases -n kube-node-lease`,
    `  ${k} delete pod web`,
    '',
    `Pods need no spec.nodeName: a single-node binder plays the scheduler. Spans go to ${sink.outPath}; Ctrl-C stops everything and prints a span summary.`,
    '',
  ].join('\n'));

  const deadline = Number.isFinite(args.durationMs) ? new Promise<string>((r) => setTimeout(() => r('--duration ended'), Math.max(0, ctx.startedAt + args.durationMs - Date.now()))) : new Promise<string>(() => undefined);
  const exitedEarly = Promise.race(children.map((c) => c.exited.then(() => c)));
  const first = await Promise.race([interrupted, deadline, exitedEarly]);
  let code: number = EXIT_CODE.OK;
  if (typeof first !== 'string') {
    reportFailure(first, await first.exited, 'while running', logPath);
    code = EXIT_CODE.FAILURE;
  } else {
    say(`${first}: stopping (flushing spans)...`);
  }
  await stopAll();
  const spans = sink.index.spans();
  process.stdout.write(`\nSpan summary (${spans.length} spans in ${sink.index.traceCount} traces):\n\n${renderSpanSummaryTable(spans)}\n\nEvery received span: ${sink.outPath}\nLogs: ${logPath}\n`);
  return code;
}
