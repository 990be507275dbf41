// `npm start -- --control-plane` as a user at kubectl meets it: the kubeconfig it prints works, the node is
// Ready, a plain manifest (no spec.nodeName) is bound to the node, runs, shows its status and is deleted; SIGINT
// stops every process and prints the span summary. With --trace-kubelet-proxy (not kube-apiserver's behaviour)
// a kubectl exec is one trace from apiserver-sim to the kubelet. Skipped with the reason where kubectl is absent.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readSpansFromJsonl } from '../../trace-sink/src';

const run$ = promisify(execFile);
const DEMO = resolve(__dirname, '..', '..', 'node-demo/src/main.js');
const REPO_ROOT = resolve(__dirname, '..', '..', '..');

function kubectlSkipReason(): string | false {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.error || probe.status !== 0) return `kubectl is not on PATH (${probe.error?.message ?? probe.stderr.trim()}); install one (e.g. apt-get install -y kubernetes-client) to run this test`;
  return false;
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms ${last}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** `npm start -- --control-plane …` as a child, its output collected; `kubectl` runs against the kubeconfig it prints. */
function startDemo(extraArgs: string[], spansPath: string) {
  const child = spawn(process.execPath, [DEMO, '--control-plane', ...extraArgs, '--listen', '127.0.0.1:0', '--http-listen', '', '--out', spansPath, '--duration', '90s'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const closed = new Promise<number | null>((r) => child.on('close', r));
  const kubectl = async (): Promise<(...args: string[]) => Promise<string>> => {
    const kubeconfig = await eventually('kubeconfig line', async () => /^Kubeconfig: (\S+)$/m.exec(out.stdout)?.[1], 40_000);
    return async (...args: string[]) => (await run$('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, cwd: REPO_ROOT })).stdout;
  };
  /** SIGINT, as Ctrl-C; resolves with the exit status. */
  const stop = (): Promise<number | null> => {
    child.kill('SIGINT');
    return closed;
  };
  return { out, kubectl, stop };
}

describe('npm start -- --control-plane with a real kubectl', { skip: kubectlSkipReason() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-demo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a kubeconfig; kubectl sees the node Ready, creates configs/pods/web.yaml, sees it Running and deletes it', async () => {
    const demo = startDemo([], join(dir, 'spans.jsonl'));
    try {
      const k = await demo.kubectl();
      assert.match(await k('get', 'nodes'), /\nsim-node\s+Ready\s+<none>\s+\S+\s+v1\.34\.0\n/);
      assert.equal((await k('create', '-f', 'configs/pods/web.yaml')).trim(), 'pod/web created');
      await eventually('web Running on sim-node', async () => {
        const out = await k('get', 'pod', 'web', '-o', 'jsonpath={.spec.nodeName} {.status.phase} {.status.containerStatuses[0].ready}');
        return out === 'sim-node Running true' ? out : undefined;
      });
      assert.match(await k('get', 'pods', '-o', 'wide'), /\nweb\s+1\/1\s+Running\s+0\s+\S+\s+10\.\d+\.\d+\.\d+\s+sim-node\s/);
      // The first lease sync runs before the Node exists (no owner reference yet, so no lease); the next, 10 s on, creates it.
      await eventually('node lease', async () => (/\nsim-node\s+sim-node\s/.test(await k('get', 'leases', '-n', 'kube-node-lease')) ? true : undefined), 20_000);
      assert.equal((await k('delete', 'pod', 'web')).trim(), 'pod "web" deleted');
      assert.match(await k('get', 'pods', '-A', '-o', 'name').catch((e: Error) => e.message), /^$/);
    } finally {
      assert.equal(await demo.stop(), 0, demo.out.stderr);
    }
    const { stdout, stderr } = demo.out;
    assert.match(stdout, /Span summary \(\d+ spans in \d+ traces\)/);
    assert.match(stdout, /kubelet\s+HTTP PATCH\s+\d+/);
    assert.match(stderr, /bound pod default\/web to node sim-node \(binding subresource\)/);
  });
  it('--control-plane --trace-kubelet-proxy reaches apiserver-sim: kubectl exec is one trace, apiserver CLIENT → kubelet SERVER', async () => {
    const spansPath = join(dir, 'traced-spans.jsonl');
    const demo = startDemo(['--trace-kubelet-proxy'], spansPath);
    try {
      const k = await demo.kubectl();
      assert.equal((await k('create', '-f', 'configs/pods/web.yaml')).trim(), 'pod/web created');
      await eventually('web Running', async () => ((await k('get', 'pod', 'web', '-o', 'jsonpath={.status.phase}')) === 'Running' ? true : undefined));
      assert.equal(await k('exec', 'web', '--', 'echo', 'traced'), 'traced\n');
    } finally {
      assert.equal(await demo.stop(), 0, demo.out.stderr);
    }
    const spans = readSpansFromJsonl(spansPath);
    const kubeletExec = spans.find((s) => s.service === 'kubelet' && s.kind === 'SERVER' && s.name === '/exec/{podNamespace}/{podID}/{containerName}');
    assert.ok(kubeletExec, 'the kubelet SERVER span of the exec');
    const parent = spans.find((s) => s.spanId === kubeletExec.parentSpanId && s.traceId === kubeletExec.traceId);
    assert.deepEqual(parent && { service: parent.service, kind: parent.kind, name: parent.name, status: parent.attributes['http.status_code'] }, { service: 'apiserver', kind: 'CLIENT', name: 'HTTP POST', status: 101 });
    assert.ok(spans.some((s) => s.traceId === kubeletExec.traceId && s.service === 'apiserver' && s.kind === 'SERVER' && s.name === 'GET /api/v1/namespaces/{:namespace}/pods/{:name}/exec'), 'the apiserver SERVER span heads the same trace');
  });
});
