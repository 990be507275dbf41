import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { runChannelSession, type ChannelSession } from '../helpers/channel-websocket';
import { startControlPlane, type ControlPlaneRun } from '../helpers/control-plane-run';
import { freePort } from '../helpers/free-port';
import { runSimulatedNode, type SimulatedNodeRun } from '../helpers/simulated-node';
import { assertMatchesGolden, renderSpanShape, subtreeOf } from '../helpers/span-shape';
import { eventually } from '../helpers/eventually';
import { talkerPod } from '../helpers/node-processes';

/*
 * kubectl exec / logs / attach through apiserver-sim to kubelet-sim and runtime-sim, real processes.
 * Goldens: test/fixtures/golden-traces/control-plane/{pod-exec,pod-log}.txt; regenerate with
 *   npm run build && UPDATE_GOLDEN=1 node --test dist/test/e2e/control-plane-exec-logs.test.js
 */

const NODE = 'e2e-node';
const POD = `talker-${NODE}`;
const TALKER = talkerPod();

/**
 * The exec request kubectl v1.32.4 sends (seen with `kubectl -v=9` against apiserver-sim): GET with the
 * PodExecOptions as query (false booleans left out) and a WebSocket upgrade offering only
 * `v5.channel.k8s.io`; when that upgrade fails it falls back to SPDY (POST, X-Stream-Protocol-Version v5…v1).
 */
const KUBECTL_USER_AGENT = 'kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07';
const KUBECTL_EXEC_PROTOCOLS = ['v5.channel.k8s.io'];

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function kubectlAvailable(): Promise<boolean> {
  return new Promise((resolve) => execFile('kubectl', ['version', '--client'], { timeout: 10_000 }, (err) => resolve(!err)));
}

/** A kubectl that speaks SPDY for exec and port-forward (≤ 1.29); the Cloud SDK ships such builds. */
const KUBECTL_SPDY = process.env.KUBECTL_SPDY ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.29';

type KubectlResult = { code: number; stdout: string; stderr: string };

/**
 * A kubectl that offers only WebSocket v5 for exec (1.30+), so the apiserver translates it to SPDY towards
 * the kubelet (streamtranslator.go); the Cloud SDK ships a 1.33 build.
 */
const KUBECTL_V5 = process.env.KUBECTL_V5 ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';

/** Runs KUBECTL_SPDY; for port-forward, connects once to the local port it prints, then stops it. */
function kubectlSpdy(kubeconfig: string, args: string[], input?: string, forward = false): Promise<KubectlResult & { local?: string }> {
  return kubectlBinary(KUBECTL_SPDY, kubeconfig, args, input, forward);
}

function kubectlBinary(binary: string, kubeconfig: string, args: string[], input?: string, forward = false): Promise<KubectlResult & { local?: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let local: string | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(stdout);
      if (forward && m && local === undefined) {
        local = '';
        const sock = net.connect(Number(m[1]), '127.0.0.1');
        sock.on('data', (d: Buffer) => (local += d.toString()));
        sock.on('error', () => undefined);
        sock.on('close', () => setTimeout(() => child.kill('SIGINT'), 300));
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr, ...(local === undefined ? {} : { local }) });
    });
    child.stdin.end(input ?? '');
  });
}

/** `kubectl attach` (no -i): how it ended once interrupted, and whether the runtime saw the Attach first. */
interface KubectlAttach { code: number | null; signal: NodeJS.Signals | null; stderr: string; runtimeAttached: boolean }

/**
 * Runs the real kubectl attach to the talker's container (no stdin, no tty: it only streams output, and the
 * container writes none after start) until the runtime has answered the CRI Attach, then interrupts it as a
 * user's Ctrl-C would.
 */
function kubectlAttach(kubeconfig: string, runtimeAttached: () => Promise<boolean>): Promise<KubectlAttach> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'attach', POD, '-c', 'app'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let attached = false;
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const poll = setInterval(() => {
      void runtimeAttached().then((yes) => {
        if (!yes || attached) return;
        attached = true;
        clearInterval(poll);
        child.kill('SIGINT');
      });
    }, 250);
    child.on('close', (code, signal) => {
      clearTimeout(kill);
      clearInterval(poll);
      resolve({ code, signal, stderr, runtimeAttached: attached });
    });
  });
}

interface Observed {
  spdy?: { exec: KubectlResult; execStdin: KubectlResult; execFails: KubectlResult; portForward: KubectlResult & { local?: string } };
  /** KUBECTL_V5 runs: WebSocket v5 to the apiserver, SPDY from the apiserver to the kubelet. */
  v5?: { exec: KubectlResult; execStdin: KubectlResult; execFails: KubectlResult; portForward: KubectlResult & { local?: string } };
  kubectl?: { exec: Awaited<ReturnType<typeof kubectl>>; logs: Awaited<ReturnType<typeof kubectl>>; logsTail: Awaited<ReturnType<typeof kubectl>>; attach: KubectlAttach };
  shapedExec: ChannelSession;
  v4Exec: ChannelSession;
  shapedLog: { status: number; contentType: string | null; body: string };
  /** The same exec and log through the second apiserver-sim, started with --trace-kubelet-proxy. */
  tracedExec: ChannelSession;
  tracedLogStatus: number;
  badContainer: { status: number; body: { reason: string; message: string } };
  notUpgraded: { status: number; body: { reason: string; message: string } };
}

describe('kubectl exec and logs through apiserver-sim to the runtime, traced (etcd-sim, apiserver-sim, kubelet-sim, runtime-sim)', () => {
  let cp: ControlPlaneRun;
  let node: SimulatedNodeRun;
  let observed: Observed;
  let spans: FlatSpan[];
  let haveKubectl = false;

  before(async () => {
    haveKubectl = await kubectlAvailable();
    cp = await startControlPlane({ tracedProxyApiserver: true });
    const kubeletPort = await freePort();
    const kubeletKubeconfig = join(cp.dir, 'kubelet.kubeconfig');
    writeFileSync(kubeletKubeconfig, [
      'apiVersion: v1', 'kind: Config', 'clusters:', '- name: sim', '  cluster:', `    server: ${cp.apiserverUrl}`,
      'contexts:', '- name: kubelet', '  context:', '    cluster: sim', 'current-context: kubelet', '',
    ].join('\n'));
    const api = (path: string, init: RequestInit = {}) =>
      fetch(cp.apiserverUrl + path, { ...init, headers: { 'Content-Type': 'application/json', 'User-Agent': KUBECTL_USER_AGENT, ...(init.headers as Record<string, string> | undefined) } });
    node = await runSimulatedNode({
      kubeletSamplingRatePerMillion: 1_000_000,
      durationMs: 30_000,
      podManifests: { 'talker.yaml': TALKER },
      extraKubeletArgs: ['--port', String(kubeletPort), '--kubeconfig', kubeletKubeconfig],
      whileRunning: async ({ sink: nodeSink }) => {
        await eventually('the static pod running', 9_000, async () => {
          const list = (await (await fetch(`http://127.0.0.1:${kubeletPort}/pods`)).json()) as { items: Array<{ status: { phase: string } }> };
          return list.items.some((p) => p.status.phase === 'Running') ? true : undefined;
        });
        // The kubelet registers its Node (InternalIP 127.0.0.1, daemonEndpoints = its port) and creates the
        // static pod's mirror pod; the apiserver finds the kubelet through them.
        await eventually('the registered node and the mirror pod', 12_000, async () => {
          const nodeRes = await api(`/api/v1/nodes/${NODE}`);
          const mirror = await api(`/api/v1/namespaces/default/pods/${POD}`);
          if (nodeRes.status !== 200 || mirror.status !== 200) return undefined;
          const node = (await nodeRes.json()) as { status?: { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } };
          const pod = (await mirror.json()) as { spec?: { nodeName?: string } };
          return node.status?.daemonEndpoints?.kubeletEndpoint?.Port === kubeletPort && pod.spec?.nodeName === NODE ? true : undefined;
        });
        const wsBase = cp.apiserverUrl.replace(/^http/, 'ws');
        const shapedExec = await runChannelSession(`${wsBase}/api/v1/namespaces/default/pods/${POD}/exec?command=echo&command=hi&container=app&stderr=true&stdout=true`, {
          protocols: KUBECTL_EXEC_PROTOCOLS,
          headers: { 'User-Agent': KUBECTL_USER_AGENT },
        });
        // An older WebSocket client (no v5): proxied as is to the kubelet and the runtime, which answers v4.
        const v4Exec = await runChannelSession(`${wsBase}/api/v1/namespaces/default/pods/${POD}/exec?command=echo&command=v4&container=app&stdout=true`, {
          protocols: ['v4.channel.k8s.io'],
        });
        // The same exec through the apiserver-sim that traces its kubelet requests (not what kube-apiserver does).
        const tracedExec = await runChannelSession(`${cp.tracedProxyApiserverUrl!.replace(/^http/, 'ws')}/api/v1/namespaces/default/pods/${POD}/exec?command=echo&command=traced&container=app&stderr=true&stdout=true`, {
          protocols: KUBECTL_EXEC_PROTOCOLS,
          headers: { 'User-Agent': KUBECTL_USER_AGENT },
        });
        const tracedLog = await fetch(`${cp.tracedProxyApiserverUrl}/api/v1/namespaces/default/pods/${POD}/log?container=app&timestamps=true`, { headers: { 'User-Agent': KUBECTL_USER_AGENT } });
        await tracedLog.text();
        const logRes = await api(`/api/v1/namespaces/default/pods/${POD}/log?container=app`, { headers: { Accept: 'application/json, */*' } });
        const shapedLog = { status: logRes.status, contentType: logRes.headers.get('content-type'), body: await logRes.text() };
        const bad = await api(`/api/v1/namespaces/default/pods/${POD}/log?container=nope`);
        const notUpgraded = await api(`/api/v1/namespaces/default/pods/${POD}/exec?command=echo&stdout=true`);
        observed = {
          shapedExec,
          v4Exec,
          shapedLog,
          tracedExec,
          tracedLogStatus: tracedLog.status,
          badContainer: { status: bad.status, body: (await bad.json()) as Observed['badContainer']['body'] },
          notUpgraded: { status: notUpgraded.status, body: (await notUpgraded.json()) as Observed['notUpgraded']['body'] },
        };
        if (existsSync(KUBECTL_SPDY)) {
          const k = (args: string[], input?: string) => kubectlSpdy(cp.kubeconfig, args, input);
          observed.spdy = {
            exec: await k(['exec', POD, '--', 'echo', 'hi']),
            execStdin: await k(['exec', '-i', POD, '--', 'echo', 'with-stdin'], 'some input\n'),
            execFails: await k(['exec', POD, '--', 'false']),
            portForward: await kubectlSpdy(cp.kubeconfig, ['port-forward', `pod/${POD}`, '--address', '127.0.0.1', ':8080'], undefined, true),
          };
        }
        if (existsSync(KUBECTL_V5)) {
          const k = (args: string[], input?: string) => kubectlBinary(KUBECTL_V5, cp.kubeconfig, args, input);
          observed.v5 = {
            exec: await k(['exec', POD, '--', 'echo', 'hi']),
            execStdin: await k(['exec', '-i', POD, '--', 'echo', 'with-stdin'], 'some input\n'),
            execFails: await k(['exec', POD, '--', 'sh', '-c', 'exit 3']),
            portForward: await kubectlBinary(KUBECTL_V5, cp.kubeconfig, ['port-forward', `pod/${POD}`, '--address', '127.0.0.1', ':8080'], undefined, true),
          };
        }
        if (haveKubectl) {
          observed.kubectl = {
            exec: await kubectl(cp.kubeconfig, ['exec', POD, '--', 'echo', 'hi']),
            logs: await kubectl(cp.kubeconfig, ['logs', POD]),
            logsTail: await kubectl(cp.kubeconfig, ['logs', POD, '--tail=1', '--timestamps']),
            attach: await kubectlAttach(cp.kubeconfig, async () =>
              nodeSink.index.spans().some((s) => s.service === 'crio' && s.kind === 'SERVER' && s.name === 'runtime.v1.RuntimeService/Attach')),
          };
        }
      },
    });
    await cp.stop();
    spans = [...cp.sink.index.spans(), ...node.sink.index.spans()];
  });
  after(async () => {
    await node?.cleanup();
    await cp?.stop();
  });

  it('runs the node to a clean exit', () => {
    assert.equal(node.kubeletExit, 0, readFileSync(node.logPath, 'utf8'));
  });

  it('exec shaped as kubectl 1.32 sends it: the apiserver translates v5, "hi" on stdout, a Success status', () => {
    assert.equal(observed.shapedExec.protocol, 'v5.channel.k8s.io');
    assert.equal(observed.shapedExec.channels.get(1)?.toString(), 'hi\n');
    assert.deepEqual(JSON.parse(observed.shapedExec.channels.get(3)!.toString()), { metadata: {}, status: 'Success' });
  });

  it('a v4-only WebSocket exec is proxied as is and the runtime negotiates v4.channel.k8s.io', () => {
    assert.equal(observed.v4Exec.protocol, 'v4.channel.k8s.io');
    assert.equal(observed.v4Exec.channels.get(1)?.toString(), 'v4\n');
  });

  it('log shaped as kubectl sends it: the container log as text/plain', () => {
    assert.deepEqual(observed.shapedLog, { status: 200, contentType: 'text/plain', body: 'hello from talker\nwarning\nthird\n' });
  });

  it('answers errors as the apiserver does: an unknown container, an exec without upgrade', () => {
    assert.equal(observed.badContainer.status, 400);
    assert.equal(observed.badContainer.body.message, `container nope is not valid for pod ${POD}`);
    assert.equal(observed.notUpgraded.status, 400);
    assert.equal(observed.notUpgraded.body.message, 'Upgrade request required');
  });

  it('kubectl 1.29 (SPDY) exec, exec -i with stdin and a failing command work through to the runtime', (t) => {
    if (observed.spdy === undefined) {
      t.skip(`${KUBECTL_SPDY} not found (set KUBECTL_SPDY to a kubectl 1.27-1.29)`);
      return;
    }
    const { exec, execStdin, execFails } = observed.spdy;
    assert.deepEqual({ code: exec.code, stdout: exec.stdout }, { code: 0, stdout: 'hi\n' }, exec.stderr);
    assert.deepEqual({ code: execStdin.code, stdout: execStdin.stdout }, { code: 0, stdout: 'with-stdin\n' }, execStdin.stderr);
    assert.equal(execFails.code, 1, execFails.stderr);
    assert.match(execFails.stderr, /command terminated with exit code 1/);
  });

  it('kubectl 1.33 (WebSocket v5, run on the kubelet over SPDY by the apiserver): exec, exec -i with stdin, a command exiting 3', (t) => {
    if (observed.v5 === undefined) {
      t.skip(`${KUBECTL_V5} not found (set KUBECTL_V5 to a kubectl 1.30+)`);
      return;
    }
    const { exec, execStdin, execFails } = observed.v5;
    assert.deepEqual({ code: exec.code, stdout: exec.stdout }, { code: 0, stdout: 'hi\n' }, exec.stderr);
    assert.deepEqual({ code: execStdin.code, stdout: execStdin.stdout }, { code: 0, stdout: 'with-stdin\n' }, execStdin.stderr);
    assert.equal(execFails.code, 3, execFails.stderr);
    assert.match(execFails.stderr, /command terminated with exit code 3/);
  });

  it('every translated exec reaches the kubelet as the SPDY executor sends it: POST with Go\'s User-Agent', () => {
    const kubeletExecs = spans.filter((s) => s.service === 'kubelet' && s.kind === 'SERVER' && s.name === '/exec/{podNamespace}/{podID}/{containerName}');
    const fromApiserver = kubeletExecs.filter((s) => s.attributes['http.user_agent'] === 'Go-http-client/1.1');
    // shapedExec and tracedExec, plus kubectl 1.32's and KUBECTL_V5's execs when those ran.
    assert.ok(fromApiserver.length >= 2, `translated execs at the kubelet: ${fromApiserver.length}`);
    assert.deepEqual([...new Set(fromApiserver.map((s) => s.attributes['http.method']))], ['POST']);
  });

  it('kubectl 1.33 port-forward tunnels SPDY through WebSocket; the apiserver sends it on as a SPDY upgrade (POST), no fallback', (t) => {
    if (observed.v5 === undefined) {
      t.skip(`${KUBECTL_V5} not found`);
      return;
    }
    const pf = observed.v5.portForward;
    assert.match(pf.stdout, /Forwarding from 127\.0\.0\.1:\d+ -> 8080/, pf.stderr);
    assert.equal(pf.local, '', 'nothing comes back on the forwarded connection');
    assert.match(pf.stderr, /error forwarding port 8080 to pod [0-9a-f]+, uid : runtime-sim: pod networking is simulated/);
    const forwards = spans.filter((s) => s.service === 'kubelet' && s.kind === 'SERVER' && s.name.startsWith('/portForward/') && /^kubectl[^/]*\/v1\.33\./.test(String(s.attributes['http.user_agent'])));
    assert.equal(forwards.length, 1, 'one request at the kubelet: the tunnel was not refused and retried as SPDY');
    assert.equal(forwards[0]!.attributes['http.method'], 'POST');
  });

  it('kubectl 1.29 port-forward negotiates SPDY; the forwarded connection fails with the runtime\'s error', (t) => {
    if (observed.spdy === undefined) {
      t.skip(`${KUBECTL_SPDY} not found`);
      return;
    }
    const pf = observed.spdy.portForward;
    assert.match(pf.stdout, /Forwarding from 127\.0\.0\.1:\d+ -> 8080/, pf.stderr);
    assert.equal(pf.local, '', 'nothing comes back on the forwarded connection');
    assert.match(pf.stderr, /error forwarding port 8080 to pod [0-9a-f]+, uid : runtime-sim: pod networking is simulated/);
  });

  it('a real kubectl exec and logs work end to end', (t) => {
    if (!haveKubectl) {
      t.skip('kubectl not on PATH (Debian: apt-get install -y kubernetes-client)');
      return;
    }
    const k = observed.kubectl!;
    assert.deepEqual({ code: k.exec.code, stdout: k.exec.stdout }, { code: 0, stdout: 'hi\n' }, k.exec.stderr);
    assert.deepEqual({ code: k.logs.code, stdout: k.logs.stdout }, { code: 0, stdout: 'hello from talker\nwarning\nthird\n' }, k.logs.stderr);
    assert.match(k.logsTail.stdout, /^\d{4}-\d{2}-\d{2}T[\d:.]+Z third\n$/, k.logsTail.stderr);
  });

  it('a real kubectl attach (v5 WebSocket, translated) reaches the runtime; traced as kube-apiserver: the apiserver trace stops at the proxy, the kubelet starts its own', (t) => {
    if (!haveKubectl) {
      t.skip('kubectl not on PATH (Debian: apt-get install -y kubernetes-client)');
      return;
    }
    const attach = observed.kubectl!.attach;
    assert.ok(attach.runtimeAttached, `the runtime answered the CRI Attach before kubectl was interrupted: ${attach.stderr}`);
    assert.doesNotMatch(attach.stderr, /error/i);
    const server = spans.find((s) => s.service === 'apiserver' && s.kind === 'SERVER' && s.name === 'GET /api/v1/namespaces/{:namespace}/pods/{:name}/attach');
    assert.ok(server, `the apiserver SERVER span of the attach: ${spans.filter((s) => s.service === 'apiserver').map((s) => s.name).join(', ')}`);
    assert.match(String(server.attributes['user_agent.original']), /^kubectl\/v\d+\.\d+\.\d+/);
    const apiTrace = spans.filter((s) => s.traceId === server.traceId);
    assert.deepEqual(apiTrace.filter((s) => s.service !== 'apiserver' && s.service !== 'etcd').map((s) => `${s.service} ${s.name}`), []);
    assert.ok(!apiTrace.some((s) => s.kind === 'CLIENT' && s.name.startsWith('HTTP ')), 'no apiserver CLIENT span to the kubelet');
    const kubeletAttach = spans.find((s) => s.service === 'kubelet' && s.kind === 'SERVER' && s.name === '/attach/{podNamespace}/{podID}/{containerName}');
    assert.ok(kubeletAttach, 'the kubelet SERVER span of the attach');
    assert.equal(kubeletAttach.parentSpanId, '', 'the v5 translation opens a new request: nothing from kubectl or the apiserver is its parent');
    const kubeletTrace = spans.filter((s) => s.traceId === kubeletAttach.traceId);
    const runtimeAttach = kubeletTrace.find((s) => s.service === 'crio' && s.kind === 'SERVER' && s.name === 'runtime.v1.RuntimeService/Attach');
    assert.ok(runtimeAttach, 'the runtime Attach SERVER span in the kubelet trace');
    assert.deepEqual(chainUp(kubeletTrace, runtimeAttach), [
      'kubelet SERVER /attach/{podNamespace}/{podID}/{containerName}',
      'kubelet CLIENT runtime.v1.RuntimeService/Attach',
      'crio SERVER runtime.v1.RuntimeService/Attach',
    ]);
  });

  /** The apiserver SERVER span of an exec sent with `command=<word>` and the spans of its trace. */
  function execTrace(word: string): { server: FlatSpan; trace: FlatSpan[] } {
    const server = spans.find((s) => s.service === 'apiserver' && s.kind === 'SERVER' && s.name === 'GET /api/v1/namespaces/{:namespace}/pods/{:name}/exec' && s.attributes['http.target']?.toString().includes(`command=${word}`));
    assert.ok(server, `the apiserver SERVER span of the exec of ${word}`);
    return { server, trace: spans.filter((s) => s.traceId === server.traceId) };
  }

  /** From a runtime SERVER span up through its parents, INTERNAL spans left out. */
  function chainUp(trace: FlatSpan[], from: FlatSpan): string[] {
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const chain: string[] = [];
    for (let s: FlatSpan | undefined = from; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) chain.unshift(`${s.service} ${s.kind} ${s.name}`);
    return chain.filter((c) => !c.includes(' INTERNAL '));
  }

  it('exec as kube-apiserver traces it: the apiserver trace ends at the proxy (no CLIENT span, no traceparent), the kubelet starts its own trace down to the runtime', () => {
    const { server, trace } = execTrace('hi');
    assert.deepEqual(trace.filter((s) => s.service !== 'apiserver' && s.service !== 'etcd').map((s) => `${s.service} ${s.name}`), [], 'no kubelet or runtime span in the apiserver trace');
    assert.ok(!trace.some((s) => s.kind === 'CLIENT' && s.name.startsWith('HTTP ')), 'no apiserver CLIENT span to the kubelet');
    // The kubelet's /exec SERVER span for this exec (the first exec of the run) is a root: nothing was injected.
    const kubeletExec = spans.filter((s) => s.service === 'kubelet' && s.kind === 'SERVER' && s.name === '/exec/{podNamespace}/{podID}/{containerName}')
      .sort((x, y) => x.startTimeMs - y.startTimeMs)[0];
    assert.ok(kubeletExec && kubeletExec.startTimeMs >= server.startTimeMs, 'the kubelet SERVER span of the exec');
    assert.equal(kubeletExec.parentSpanId, '', 'the kubelet SERVER span has no parent');
    assert.notEqual(kubeletExec.traceId, server.traceId);
    const kubeletTrace = spans.filter((s) => s.traceId === kubeletExec.traceId);
    const runtimeExec = kubeletTrace.find((s) => s.service === 'crio' && s.kind === 'SERVER' && s.name === 'runtime.v1.RuntimeService/Exec');
    assert.ok(runtimeExec, 'the runtime Exec SERVER span in the kubelet trace');
    assert.deepEqual(chainUp(kubeletTrace, runtimeExec), [
      'kubelet SERVER /exec/{podNamespace}/{podID}/{containerName}',
      'kubelet CLIENT runtime.v1.RuntimeService/Exec',
      'crio SERVER runtime.v1.RuntimeService/Exec',
    ]);
    assertMatchesGolden('control-plane/pod-exec', renderSpanShape(subtreeOf(trace, server)));
    assertMatchesGolden('control-plane/pod-exec-kubelet', renderSpanShape(subtreeOf(kubeletTrace, kubeletExec)));
  });

  it('exec with --trace-kubelet-proxy is one trace: apiserver SERVER → apiserver CLIENT → kubelet SERVER → kubelet CRI CLIENT → runtime SERVER', () => {
    assert.equal(observed.tracedExec.channels.get(1)?.toString(), 'traced\n');
    const { server, trace } = execTrace('traced');
    const runtimeExec = trace.find((s) => s.service === 'crio' && s.kind === 'SERVER' && s.name === 'runtime.v1.RuntimeService/Exec');
    assert.ok(runtimeExec, `runtime Exec SERVER span in the trace: ${trace.map((s) => `${s.service}:${s.name}`).join(', ')}`);
    assert.deepEqual(chainUp(trace, runtimeExec), [
      'apiserver SERVER GET /api/v1/namespaces/{:namespace}/pods/{:name}/exec',
      'apiserver CLIENT HTTP POST',
      'kubelet SERVER /exec/{podNamespace}/{podID}/{containerName}',
      'kubelet CLIENT runtime.v1.RuntimeService/Exec',
      'crio SERVER runtime.v1.RuntimeService/Exec',
    ]);
    const client = trace.find((s) => s.service === 'apiserver' && s.kind === 'CLIENT' && s.name === 'HTTP POST')!;
    assert.equal(client.attributes['http.method'], 'POST');
    assert.match(String(client.attributes['http.url']), new RegExp(`^http://127\\.0\\.0\\.1:\\d+/exec/default/${POD}/app\\?command=echo&command=traced&error=1&output=1$`));
    assert.equal(client.attributes['http.status_code'], 101);
    assertMatchesGolden('control-plane/pod-exec-traced-proxy', renderSpanShape(subtreeOf(trace, server)));
  });

  it('logs as kube-apiserver traces them: the apiserver trace holds no kubelet span; with --trace-kubelet-proxy one trace reaches the runtime ContainerStatus', () => {
    const logServer = (target: string) => spans.find((s) => s.service === 'apiserver' && s.kind === 'SERVER' && s.name === 'GET /api/v1/namespaces/{:namespace}/pods/{:name}/log' && s.attributes['http.target'] === target);
    const plain = logServer(`/api/v1/namespaces/default/pods/${POD}/log?container=app`);
    assert.ok(plain, 'the apiserver SERVER span of the shaped log request');
    const plainTrace = spans.filter((s) => s.traceId === plain.traceId);
    assert.deepEqual(plainTrace.filter((s) => s.service === 'kubelet' || s.service === 'crio').map((s) => s.name), []);
    assertMatchesGolden('control-plane/pod-log', renderSpanShape(subtreeOf(plainTrace, plain)));
    assert.equal(observed.tracedLogStatus, 200);
    const traced = logServer(`/api/v1/namespaces/default/pods/${POD}/log?container=app&timestamps=true`);
    assert.ok(traced, 'the apiserver SERVER span of the log request through --trace-kubelet-proxy');
    const trace = spans.filter((s) => s.traceId === traced.traceId);
    assert.ok(trace.some((s) => s.service === 'crio' && s.name === 'runtime.v1.RuntimeService/ContainerStatus'), 'runtime ContainerStatus in the log trace');
    assertMatchesGolden('control-plane/pod-log-traced-proxy', renderSpanShape(subtreeOf(trace, traced)));
  });
});
