import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startControlPlane } from '../helpers/control-plane-run';
import type { ControlPlaneRun } from '../helpers/control-plane-run';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

interface Obj {
  metadata: { name: string; resourceVersion: string; uid?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

function node(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'node-role.kubernetes.io/worker': '' } },
    spec: {},
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.7' }, { type: 'Hostname', address: name }],
      nodeInfo: { kubeletVersion: 'v1.34.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://2.1.0' },
    },
  };
}

describe('apiserver-sim nodes and coordination.k8s.io leases', () => {
  let run: ControlPlaneRun;
  before(async () => {
    run = await startControlPlane();
  });
  after(async () => {
    await run?.stop();
  });
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json') => {
    const res = await fetch(run.apiserverUrl + path, { method, headers: { 'Content-Type': contentType, Accept: accept }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Obj & { items?: Obj[]; rows?: Array<{ cells: unknown[] }>; message?: string; resources?: Array<{ name: string; verbs: string[] }>; groups?: Array<{ name: string }> } };
  };

  it('lists nodes and leases in discovery and OpenAPI', async () => {
    const core = await call('GET', '/api/v1');
    const names = core.body.resources?.map((r) => r.name) ?? [];
    assert.ok(names.includes('nodes') && names.includes('nodes/status'), names.join(','));
    const groups = await call('GET', '/apis');
    assert.deepEqual(groups.body.groups?.map((g) => g.name), ['coordination.k8s.io']);
    const coordination = await call('GET', '/apis/coordination.k8s.io/v1');
    assert.deepEqual(coordination.body.resources?.map((r) => r.name), ['leases']);
    const index = (await call('GET', '/openapi/v3')).body as unknown as { paths: Record<string, unknown> };
    assert.deepEqual(Object.keys(index.paths).sort(), ['api/v1', 'apis/coordination.k8s.io/v1']);
  });

  it('creates a node with allocatable defaulted from capacity, shows it as a Table and keeps status on a spec update', async () => {
    const created = await call('POST', '/api/v1/nodes', node('node-a'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual((created.body.status as { allocatable: unknown }).allocatable, { cpu: '4', memory: '8Gi', pods: '110' });
    const table = await call('GET', '/api/v1/nodes', undefined, 'application/json', TABLE_ACCEPT);
    const row = table.body.rows?.[0]?.cells ?? [];
    assert.deepEqual([row[0], row[1], row[2], row[4], row[5]], ['node-a', 'Ready', 'worker', 'v1.34.0', '10.0.0.7']);

    const current = (await call('GET', '/api/v1/nodes/node-a')).body;
    const updated = await call('PUT', '/api/v1/nodes/node-a', { ...current, spec: { unschedulable: true }, status: {} });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal((updated.body.spec as { unschedulable: boolean }).unschedulable, true);
    assert.ok((updated.body.status as { conditions?: unknown[] }).conditions?.length, 'a PUT of the node keeps its status');
    const stale = await call('PUT', '/api/v1/nodes/node-a', current);
    assert.equal(stale.status, 409);
  });

  it('patches node status with a strategic merge patch that merges conditions by type', async () => {
    // The shape of the kubelet's two-way patch (strategicpatch.CreateTwoWayMergePatch): order directive + changed items.
    const patch = {
      spec: { unschedulable: false },
      status: {
        '$setElementOrder/conditions': [{ type: 'MemoryPressure' }, { type: 'Ready' }],
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'False', reason: 'KubeletNotReady' }],
      },
    };
    const res = await call('PATCH', '/api/v1/nodes/node-a/status', patch, 'application/strategic-merge-patch+json');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const conditions = (res.body.status as { conditions: Array<{ type: string; status: string; message?: string }> }).conditions;
    assert.deepEqual(conditions.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'Ready=False']);
    assert.equal(conditions[1]?.message, 'kubelet is posting ready status', 'fields of a merged condition not in the patch stay');
    assert.equal((res.body.spec as { unschedulable: boolean }).unschedulable, true, 'the status subresource keeps the stored spec');
  });

  it('refuses a node with a namespace or a bad taint effect, naming the field', async () => {
    const bad = await call('POST', '/api/v1/nodes', { ...node('node-b'), metadata: { name: 'node-b', namespace: 'default' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } });
    assert.equal(bad.status, 422);
    assert.match(String(bad.body.message), /metadata\.namespace: Forbidden: not allowed on this type/);
    assert.match(String(bad.body.message), /spec\.taints\[0\]\.effect: Unsupported value: "Sometimes"/);
  });

  it('creates, renews and watches a node lease in kube-node-lease', async () => {
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-a' }, spec: { holderIdentity: 'node-a', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' } };
    const created = await call('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.apiVersion, 'coordination.k8s.io/v1');
    const watch = await fetch(`${run.apiserverUrl}/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases?watch=true&resourceVersion=${created.body.metadata.resourceVersion}&timeoutSeconds=5`);
    const reader = watch.body?.getReader();
    const renewed = await call('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a', { ...created.body, spec: { ...created.body.spec, renewTime: '2026-01-01T00:00:10.000000Z' } });
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    const { value } = (await reader?.read()) ?? { value: undefined };
    const event = JSON.parse(new TextDecoder().decode(value).split('\n')[0] as string) as { type: string; object: Obj };
    assert.equal(event.type, 'MODIFIED');
    assert.equal((event.object.spec as { renewTime: string }).renewTime, '2026-01-01T00:00:10.000000Z');
    await reader?.cancel();
    const invalid = await call('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { ...lease, metadata: { name: 'x' }, spec: { leaseDurationSeconds: 0 } });
    assert.equal(invalid.status, 422);
    assert.match(String(invalid.body.message), /spec\.leaseDurationSeconds: Invalid value: 0: must be greater than 0/);
    const table = await call('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', undefined, 'application/json', TABLE_ACCEPT);
    assert.deepEqual(table.body.rows?.map((r) => r.cells.slice(0, 2)), [['node-a', 'node-a']]);
  });

  it('lists and watches pods by spec.nodeName, and refuses an unknown field label', async () => {
    const pod = (name: string, nodeName?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx:1.27' }] } });
    assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod('on-a', 'node-a'))).status, 201);
    assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod('elsewhere', 'node-z'))).status, 201);
    const listed = await call('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a');
    assert.deepEqual(listed.body.items?.map((p) => p.metadata.name), ['on-a']);
    const bad = await call('GET', '/api/v1/pods?fieldSelector=spec.nope%3Dx');
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.message), /field label not supported: spec\.nope/);

    const watch = await fetch(`${run.apiserverUrl}/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dnode-a&resourceVersion=${listed.body.metadata.resourceVersion}&timeoutSeconds=5`);
    const reader = watch.body?.getReader();
    assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod('late', 'node-a'))).status, 201);
    const { value } = (await reader?.read()) ?? { value: undefined };
    const first = JSON.parse(new TextDecoder().decode(value).split('\n')[0] as string) as { type: string; object: Obj };
    assert.deepEqual([first.type, first.object.metadata.name], ['ADDED', 'late']);
    await reader?.cancel();
  });

  it('prints pods as kubectl does (Init:n/m, waiting reasons, Terminating) and sends one-row Tables on a Table watch', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'printed' }, spec: { nodeName: 'node-a', initContainers: [{ name: 'init', image: 'busybox:1.36' }], containers: [{ name: 'c', image: 'nginx:1.27' }] } };
    const created = await call('POST', '/api/v1/namespaces/default/pods', pod);
    assert.equal(created.status, 201);
    const watch = await fetch(`${run.apiserverUrl}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${created.body.metadata.resourceVersion}&timeoutSeconds=5`, { headers: { Accept: TABLE_ACCEPT } });
    const reader = watch.body?.getReader();
    const row = async (status: Record<string, unknown>): Promise<unknown[]> => {
      const current = (await call('GET', '/api/v1/namespaces/default/pods/printed')).body;
      assert.equal((await call('PUT', '/api/v1/namespaces/default/pods/printed/status', { ...current, status })).status, 200);
      return (await call('GET', '/api/v1/namespaces/default/pods/printed', undefined, 'application/json', TABLE_ACCEPT)).body.rows?.[0]?.cells ?? [];
    };
    assert.equal((await row({ phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: { running: {} } }] }))[2], 'Init:0/1');
    const { value } = (await reader?.read()) ?? { value: undefined };
    const event = JSON.parse(new TextDecoder().decode(value).split('\n')[0] as string) as { type: string; object: { kind: string; rows: Array<{ cells: unknown[] }> } };
    assert.deepEqual([event.type, event.object.kind, event.object.rows[0]?.cells[2]], ['MODIFIED', 'Table', 'Init:0/1']);
    await reader?.cancel();
    const initialized = [{ type: 'Initialized', status: 'True' }];
    const done = { name: 'init', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
    assert.equal((await row({ phase: 'Pending', conditions: initialized, initContainerStatuses: [done], containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }))[2], 'ContainerCreating');
    const running = await row({ phase: 'Running', conditions: initialized, initContainerStatuses: [done], containerStatuses: [{ name: 'c', ready: true, restartCount: 2, state: { running: {} } }] });
    assert.deepEqual([running[1], running[2], running[3]], ['1/1', 'Running', '2']);
    assert.equal((await call('DELETE', '/api/v1/namespaces/default/pods/printed')).status, 200);
    const terminating = (await call('GET', '/api/v1/namespaces/default/pods/printed', undefined, 'application/json', TABLE_ACCEPT)).body.rows?.[0]?.cells ?? [];
    assert.equal(terminating[2], 'Terminating');
  });
});
