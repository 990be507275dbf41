import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startControlPlane } from '../helpers/control-plane-run';
import type { ControlPlaneRun } from '../helpers/control-plane-run';

function etcdAvailable(): true | string {
  const probe = spawnSync('etcd', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || probe.status !== 0) {
    return `etcd is not on PATH (${probe.error?.message ?? probe.stderr.trim()}); install one, e.g. Debian's etcd-server package (apt-get install -y etcd-server), to run this test`;
  }
  return true;
}

const etcd = etcdAvailable();

describe('apiserver-sim against a real etcd (--etcd-servers)', { skip: etcd === true ? false : etcd }, () => {
  let run: ControlPlaneRun;
  before(async () => {
    run = await startControlPlane({ realEtcd: true });
  });
  after(async () => {
    await run?.stop();
  });

  it('stores, reads, watches and deletes pods with resourceVersions from the real etcd, tracing its etcd CLIENT calls', async () => {
    const api = (path: string, init: RequestInit = {}) => fetch(run.apiserverUrl + path, init);
    const ns = (await (await api('/api/v1/namespaces')).json()) as { items: Array<{ metadata: { name: string } }>; metadata: { resourceVersion: string } };
    assert.deepEqual(ns.items.map((n) => n.metadata.name), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const watch = await api(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${ns.metadata.resourceVersion}&timeoutSeconds=10`);
    const reader = watch.body!.getReader();
    const created = await api('/api/v1/namespaces/default/pods', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } }),
    });
    assert.equal(created.status, 201);
    const pod = (await created.json()) as { metadata: { resourceVersion: string } };
    assert.ok(Number(pod.metadata.resourceVersion) > Number(ns.metadata.resourceVersion));
    const { value } = await reader.read();
    const event = JSON.parse(Buffer.from(value!).toString().split('\n')[0] as string) as { type: string; object: { metadata: { resourceVersion: string } } };
    assert.equal(event.type, 'ADDED');
    assert.equal(event.object.metadata.resourceVersion, pod.metadata.resourceVersion);
    await reader.cancel();
    assert.equal((await api('/api/v1/namespaces/default/pods/web', { method: 'DELETE' })).status, 200);
    assert.equal((await api('/api/v1/namespaces/default/pods/web')).status, 404);

    const txn = await run.sink.index.waitFor((index) => index.spans().find((s) => s.name === 'etcdserverpb.KV/Txn' && s.kind === 'CLIENT'), 15_000);
    assert.equal(txn.service, 'apiserver');
  });
});
