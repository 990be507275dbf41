import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';
import { startControlPlane } from '../helpers/control-plane-run';
import type { ControlPlaneRun } from '../helpers/control-plane-run';
import type { NodeFiles } from '../helpers/node-processes';
import { sleeperPod, startKubeletSim, startRuntimeSim, writeNodeFiles } from '../helpers/node-processes';

const NODE = 'e2e-node';

interface ApiObject {
  metadata: { name: string; uid: string; resourceVersion: string; labels?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> };
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

/** Polls `fn` every 200 ms until it returns a value, or fails after `timeoutMs` with what it saw last. */
async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('kubelet-sim with --kubeconfig against apiserver-sim (real processes)', () => {
  let run: ControlPlaneRun;
  let files: NodeFiles;
  let dir: string;
  const procs: RunningProcess[] = [];

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: ApiObject & { message?: string } }> => {
    const res = await fetch(run.apiserverUrl + path, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as ApiObject & { message?: string } };
  };

  before(async () => {
    run = await startControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'cp-node-'));
    files = writeNodeFiles(dir, {
      pods: { 'static-web.yaml': sleeperPod('static-web') },
      collector: run.sink.address,
      samplingRatePerMillion: 1_000_000,
      // A 4 s lease renews every second; node status is checked every second.
      extraConfigLines: ['nodeLeaseDurationSeconds: 4', 'nodeStatusUpdateFrequency: 1s'],
    });
    const kubeconfig = join(dir, 'kubelet.kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'clusters:', '- name: sim', '  cluster:', `    server: ${run.apiserverUrl}`,
      'contexts:', '- name: kubelet', '  context:', '    cluster: sim', 'current-context: kubelet', '',
    ].join('\n'));
    procs.push(await startRuntimeSim(files));
    procs.push(await startKubeletSim(files, ['--kubeconfig', kubeconfig]));
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    await run?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers its Node, which turns Ready with the kubelet port, labels, addresses and capacity', async () => {
    const node = await eventually('node Ready', async () => {
      const res = await api('GET', `/api/v1/nodes/${NODE}`);
      const ready = (res.body.status?.conditions as Array<{ type: string; status: string }> | undefined)?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' ? res.body : undefined;
    });
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], NODE);
    assert.equal(node.metadata.labels?.['kubernetes.io/os'], 'linux');
    const status = node.status as { daemonEndpoints: { kubeletEndpoint: { Port: number } }; addresses: Array<{ type: string; address: string }>; capacity: Record<string, string>; allocatable: Record<string, string>; nodeInfo: Record<string, string>; conditions: Array<{ type: string; reason: string }> };
    assert.ok(status.daemonEndpoints.kubeletEndpoint.Port > 0);
    assert.deepEqual(status.addresses, [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: NODE }]);
    assert.equal(status.capacity.pods, '110');
    assert.match(status.nodeInfo.containerRuntimeVersion ?? '', /^cri-o:\/\//);
    assert.equal(status.nodeInfo.kubeletVersion, 'v1.34.0');
    assert.deepEqual(status.conditions.map((c) => `${c.type}/${c.reason}`), ['MemoryPressure/KubeletHasSufficientMemory', 'DiskPressure/KubeletHasNoDiskPressure', 'PIDPressure/KubeletHasSufficientPID', 'Ready/KubeletReady']);
  });

  it('renews its Lease in kube-node-lease every leaseDuration/4, owned by the Node', async () => {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${NODE}`;
    const first = await eventually('lease', async () => {
      const res = await api('GET', path);
      return res.status === 200 ? res.body : undefined;
    });
    assert.equal(first.spec.holderIdentity, NODE);
    assert.equal(first.spec.leaseDurationSeconds, 4);
    assert.deepEqual(first.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`), [`Node/${NODE}`]);
    const renewed = await eventually('lease renewed', async () => {
      const res = await api('GET', path);
      return res.body.spec.renewTime !== first.spec.renewTime ? res.body : undefined;
    }, 5_000);
    assert.ok(Date.parse(String(renewed.spec.renewTime)) > Date.parse(String(first.spec.renewTime)));
  });

  it('runs a pod created through the API, reports Running with containerStatuses, and stops it when deleted', async () => {
    const created = await api('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api-web' },
      spec: { nodeName: NODE, terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
    });
    assert.equal(created.status, 201, created.body.message);
    const running = await eventually('pod Running', async () => {
      const res = await api('GET', '/api/v1/namespaces/default/pods/api-web');
      const s = res.body.status as { phase?: string; containerStatuses?: Array<{ ready: boolean }> };
      return s.phase === 'Running' && s.containerStatuses?.[0]?.ready ? res.body : undefined;
    });
    const status = running.status as { podIP?: string; hostIP?: string; startTime?: string; containerStatuses: Array<{ name: string; containerID: string; state: { running?: unknown } }>; conditions: Array<{ type: string; status: string }> };
    assert.equal(status.hostIP, '127.0.0.1');
    assert.ok(status.startTime);
    assert.equal(status.containerStatuses[0]?.name, 'app');
    assert.match(status.containerStatuses[0]?.containerID ?? '', /^cri-o:\/\/[0-9a-f]+/);
    assert.ok(status.containerStatuses[0]?.state.running);
    assert.deepEqual(status.conditions.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);

    const deleted = await api('DELETE', '/api/v1/namespaces/default/pods/api-web');
    assert.equal(deleted.status, 200);
    assert.ok((deleted.body.metadata as { deletionTimestamp?: string }).deletionTimestamp, 'a bound pod is deleted gracefully');
    await eventually('pod removed by the kubelet after it stopped', async () => ((await api('GET', '/api/v1/namespaces/default/pods/api-web')).status === 404 ? true : undefined));

    // The kubelet's API requests are traced: a PATCH of pods/status as a CLIENT span, and the apiserver's SERVER span
    // (a new root: the kubelet is no privileged user) links to it.
    const patch = await run.sink.index.waitFor((index) => index.spans().find((s) => s.service === 'kubelet' && s.kind === 'CLIENT' && s.name === 'HTTP PATCH' && String(s.attributes['http.url']).endsWith('/pods/api-web/status')), 15_000);
    assert.equal(patch.attributes['http.method'], 'PATCH');
    assert.equal(patch.attributes['http.status_code'], 200);
    assert.match(String(patch.attributes['user_agent.original']), /^kubelet\/v1\.34\.0 /);
    const server = await run.sink.index.waitFor((index) => index.spans().find((s) => s.service === 'apiserver' && s.kind === 'SERVER' && s.links.some((l) => l.spanId === patch.spanId)), 15_000);
    assert.equal(server.name, 'PATCH /api/v1/namespaces/{:namespace}/pods/{:name}/status');
    assert.notEqual(server.traceId, patch.traceId);
  });

  it('mirrors its static pod into the API (owned by the Node, config.mirror set) with its status, created under syncPod', async () => {
    const mirror = await eventually('mirror pod Running', async () => {
      const res = await api('GET', `/api/v1/namespaces/default/pods/static-web-${NODE}`);
      return res.status === 200 && (res.body.status as { phase?: string }).phase === 'Running' ? res.body : undefined;
    });
    const meta = mirror.metadata as ApiObject['metadata'] & { annotations: Record<string, string> };
    assert.equal(meta.annotations['kubernetes.io/config.source'], 'file');
    assert.equal(meta.annotations['kubernetes.io/config.mirror'], meta.annotations['kubernetes.io/config.hash']);
    assert.deepEqual(meta.ownerReferences?.map((o) => `${o.kind}/${o.name}`), [`Node/${NODE}`]);
    assert.equal(mirror.spec.nodeName, NODE);
    const post = await run.sink.index.waitFor((index) => index.spans().find((s) => s.service === 'kubelet' && s.name === 'HTTP POST' && String(s.attributes['http.url']).endsWith('/api/v1/namespaces/default/pods')), 15_000);
    const parent = run.sink.index.trace(post.traceId)?.find((s) => s.spanId === post.parentSpanId);
    assert.equal(parent?.name, 'syncPod', 'CreateMirrorPod runs inside SyncPod, under its span');
  });
});
