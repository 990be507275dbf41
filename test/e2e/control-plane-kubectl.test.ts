import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startControlPlane } from '../helpers/control-plane-run';
import type { ControlPlaneRun } from '../helpers/control-plane-run';

const run$ = promisify(execFile);

/** The kubectl on PATH and its version, or why there is none. */
function findKubectl(): { version: string } | { skip: string } {
  const probe = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.error || probe.status !== 0) {
    return { skip: `kubectl is not on PATH (${probe.error?.message ?? probe.stderr.trim()}); install one, e.g. Debian's kubernetes-client package (apt-get install -y kubernetes-client, kubectl 1.20), to run this test` };
  }
  const version = (JSON.parse(probe.stdout) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  return { version };
}

const kubectl = findKubectl();

describe('real kubectl against apiserver-sim', { skip: 'skip' in kubectl ? kubectl.skip : false }, () => {
  let run: ControlPlaneRun;
  const k = (...args: string[]) => run$('kubectl', ['--kubeconfig', run.kubeconfig, ...args], { timeout: 30_000 });

  before(async () => {
    run = await startControlPlane();
  });
  after(async () => {
    await run?.stop();
  });

  it('lists the system namespaces with kubectl get ns', async () => {
    const { stdout } = await k('get', 'ns', '-o', 'name');
    assert.deepEqual(stdout.trim().split('\n').sort(), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
  });

  it('creates, shows and deletes a pod, each request traced down to etcd with kubectl as the user agent', async () => {
    const manifest = path.join(run.dir, 'pod.yaml');
    fs.writeFileSync(manifest, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.27\n');
    // kubectl's default --validate=strict reads /openapi/v3, sees fieldValidation on PATCH and sends ?fieldValidation=Strict.
    assert.equal((await k('create', '-f', manifest)).stdout.trim(), 'pod/web created');
    assert.equal((await k('label', 'pod', 'web', 'tier=front')).stdout.trim(), 'pod/web labeled');
    const table = (await k('get', 'pods')).stdout;
    assert.match(table, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    assert.match(table, /\nweb\s+0\/1\s+Pending\s+0\s+\d+s\n/);
    const labels = (await k('get', 'pod', 'web', '-o', 'jsonpath={.metadata.labels.tier}')).stdout;
    assert.equal(labels, 'front');
    const json = JSON.parse((await k('get', 'pod', 'web', '-o', 'json')).stdout) as { metadata: { resourceVersion: string } };
    assert.match(json.metadata.resourceVersion, /^\d+$/);
    assert.equal((await k('delete', 'pod', 'web')).stdout.trim(), 'pod "web" deleted');

    const create = await run.sink.index.waitFor((index) => {
      const server = index.spans().find((s) => s.kind === 'SERVER' && s.name === 'POST /api/v1/namespaces/{:namespace}/pods');
      if (!server) return undefined;
      const trace = index.trace(server.traceId) ?? [];
      return trace.some((s) => s.service === 'etcd' && s.name === 'etcdserverpb.KV/Txn') ? { server, trace } : undefined;
    }, 15_000);
    assert.match(String(create.server.attributes['user_agent.original']), /^kubectl\/v\d+\.\d+\.\d+/);
    assert.ok(create.trace.some((s) => s.kind === 'CLIENT' && s.name === 'etcdserverpb.KV/Txn' && s.service === 'apiserver'));
    assert.match(String(create.server.attributes['http.target']), /fieldValidation=Strict/);
    const patch = await run.sink.index.waitFor((index) => index.spans().find((s) => s.name === 'Patch'), 15_000);
    const storage = run.sink.index.trace(patch.traceId)?.find((s) => s.name === 'GuaranteedUpdate etcd3' && s.parentSpanId === patch.spanId);
    assert.ok(storage, 'kubectl label: Patch → GuaranteedUpdate etcd3');
    assert.deepEqual(patch.events.map((e) => e.name), ['limitedReadBody succeeded', 'About to apply patch', 'About to check admission control', 'Object stored in database', 'About to write a response', 'Writing http response done']);
  });

  it('creates a node and a lease and shows them with kubectl get nodes / leases', async () => {
    const manifest = path.join(run.dir, 'node.yaml');
    fs.writeFileSync(manifest, [
      'apiVersion: v1', 'kind: Node', 'metadata:', '  name: node-k', 'status:', '  conditions:', '  - type: Ready', '    status: "True"',
      '  nodeInfo:', '    kubeletVersion: v1.34.0', '---', 'apiVersion: coordination.k8s.io/v1', 'kind: Lease', 'metadata:', '  name: node-k',
      '  namespace: kube-node-lease', 'spec:', '  holderIdentity: node-k', '  leaseDurationSeconds: 40', '',
    ].join('\n'));
    assert.deepEqual((await k('create', '-f', manifest)).stdout.trim().split('\n'), ['node/node-k created', 'lease.coordination.k8s.io/node-k created']);
    const nodes = (await k('get', 'nodes')).stdout;
    assert.match(nodes, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
    assert.match(nodes, /\nnode-k\s+Ready\s+<none>\s+\d+s\s+v1\.34\.0\n/);
    const leases = (await k('get', 'leases', '-n', 'kube-node-lease')).stdout;
    assert.match(leases, /\nnode-k\s+node-k\s+\d+s\n/);
    assert.equal((await k('cordon', 'node-k')).stdout.trim(), 'node/node-k cordoned');
    assert.match((await k('get', 'node', 'node-k')).stdout, /Ready,SchedulingDisabled/);
  });
});
