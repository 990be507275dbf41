import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { startControlPlane } from '../helpers/control-plane-run';
import { assertMatchesGolden, renderSpanShape } from '../helpers/span-shape';
import type { ControlPlaneRun } from '../helpers/control-plane-run';

/*
 * Golden shapes: test/fixtures/golden-traces/control-plane/*.txt. After an intended change regenerate with
 *   npm run build && UPDATE_GOLDEN=1 node --test dist/test/e2e/control-plane-traces.test.js
 * and review the fixture diff.
 */

/** What kubectl v1.32 sends (seen with `kubectl -v=8` against apiserver-sim). */
const KUBECTL_USER_AGENT = 'kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07';
const KUBECTL_TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const SUPER_ADMIN_TOKEN = 'super-admin-token-for-tests';
const INCOMING_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING_SPAN_ID = '00f067aa0ba902b7';

function podManifest(name: string) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } };
}

function children(spans: FlatSpan[], parent: FlatSpan): FlatSpan[] {
  return spans.filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);
}

function only(spans: FlatSpan[], what: string, pred: (s: FlatSpan) => boolean): FlatSpan {
  const found = spans.filter(pred);
  assert.equal(found.length, 1, `expected one ${what}, found ${found.length}: ${found.map((s) => s.name).join(', ')}`);
  return found[0] as FlatSpan;
}

/** Waits until the trace of the request with this Audit-Id has a SERVER span on etcd under every etcd CLIENT span. */
async function traceOfAuditId(run: ControlPlaneRun, auditId: string, etcdCalls: number): Promise<FlatSpan[]> {
  return run.sink.index.waitFor((index) => {
    const server = index.spans().find((s) => s.kind === 'SERVER' && s.service === 'apiserver' && s.attributes['audit-id'] === auditId);
    if (!server) return undefined;
    const trace = index.trace(server.traceId) ?? [];
    const clients = trace.filter((s) => s.kind === 'CLIENT' && s.name.startsWith('etcdserverpb.'));
    const servers = trace.filter((s) => s.kind === 'SERVER' && s.service === 'etcd');
    const httpEnded = trace.some((s) => s.spanId === server.spanId);
    return httpEnded && clients.length >= etcdCalls && servers.length >= etcdCalls ? trace : undefined;
  }, 15_000);
}

describe('control plane traces (etcd-sim + apiserver-sim + trace-sink)', () => {
  let run: ControlPlaneRun;

  before(async () => {
    run = await startControlPlane({ superAdminToken: SUPER_ADMIN_TOKEN });
  });
  after(async () => {
    await run?.stop();
  });

  const request = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(run.apiserverUrl + path, { ...init, headers: { 'User-Agent': KUBECTL_USER_AGENT, ...init.headers } });

  describe('kubectl create pod', () => {
    let created: { metadata: { name: string; resourceVersion: string; uid: string } };
    let trace: FlatSpan[];
    let auditId: string;

    before(async () => {
      const res = await request('/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict', {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', traceparent: `00-${INCOMING_TRACE_ID}-${INCOMING_SPAN_ID}-01` },
        body: JSON.stringify(podManifest('web')),
      });
      assert.equal(res.status, 201, await res.clone().text());
      created = (await res.json()) as typeof created;
      auditId = res.headers.get('audit-id') ?? '';
      assert.match(auditId, /^[0-9a-f-]{36}$/);
      trace = await traceOfAuditId(run, auditId, 1);
    });

    it('answers 201 with the stored pod, its resourceVersion the etcd revision of the write', async () => {
      const res = await request('/api/v1/namespaces/default/pods/web', { headers: { Accept: 'application/json' } });
      const got = (await res.json()) as typeof created;
      assert.equal(got.metadata.resourceVersion, created.metadata.resourceVersion);
      assert.equal(got.metadata.uid, created.metadata.uid);
      assert.ok(Number(created.metadata.resourceVersion) > 1);
    });

    it('makes the apiserver SERVER span a new root for an unprivileged user, with the incoming context as a link', () => {
      const server = only(trace, 'apiserver SERVER span', (s) => s.kind === 'SERVER' && s.service === 'apiserver');
      assert.equal(server.name, 'POST /api/v1/namespaces/{:namespace}/pods');
      assert.equal(server.parentSpanId, '');
      assert.notEqual(server.traceId, INCOMING_TRACE_ID);
      assert.deepEqual(server.links.map((l) => [l.traceId, l.spanId]), [[INCOMING_TRACE_ID, INCOMING_SPAN_ID]]);
      assert.equal(server.scope, 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp');
      assert.equal(server.attributes['http.method'], 'POST');
      assert.equal(server.attributes['http.status_code'], 201);
      assert.equal(server.attributes['http.target'], '/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict');
      assert.equal(server.attributes['user_agent.original'], KUBECTL_USER_AGENT);
      assert.equal(server.resource['service.name'], 'apiserver');
      assert.match(String(server.resource['service.instance.id']), /^apiserver-[a-z2-7]{26}$/);
    });

    it('nests the filter spans, Create and Create etcd3 under it, and the etcd Txn CLIENT span under Create etcd3', () => {
      const server = only(trace, 'SERVER', (s) => s.kind === 'SERVER' && s.service === 'apiserver');
      let parent = server;
      for (const name of ['audit', 'impersonation', 'priorityandfairness', 'authorization', 'Create']) {
        parent = only(children(trace, parent), name, (s) => s.name === name);
      }
      assert.equal(parent.attributes['verb'], 'POST');
      assert.equal(parent.attributes['resource'], 'pods');
      assert.equal(parent.attributes['namespace'], 'default');
      assert.equal(parent.attributes['audit-id'], auditId);
      const storage = only(children(trace, parent), 'Create etcd3', (s) => s.name === 'Create etcd3');
      assert.equal(storage.scope, 'k8s.io/component-base/tracing');
      assert.equal(storage.attributes['key'], '/pods/default/web');
      assert.deepEqual(storage.events.map((e) => e.name), ['About to Encode', 'Encode succeeded', 'TransformToStorage succeeded', 'Txn call succeeded', 'decode succeeded']);
      const client = only(children(trace, storage), 'etcd Txn CLIENT span', (s) => s.kind === 'CLIENT');
      assert.equal(client.name, 'etcdserverpb.KV/Txn');
      assert.equal(client.service, 'apiserver');
      assert.equal(client.scopeVersion, '0.60.0');
      assert.deepEqual(client.events.map((e) => [e.name, e.attributes['message.type']]), [['message', 'SENT'], ['message', 'RECEIVED']]);
      assert.equal(client.attributes['rpc.system'], 'grpc');
      assert.equal(client.attributes['rpc.service'], 'etcdserverpb.KV');
      assert.equal(client.attributes['rpc.method'], 'Txn');
    });

    it('matches the golden shape of a pod create (apiserver spans, etcd CLIENT and SERVER spans)', () => {
      const server = only(trace, 'SERVER', (s) => s.kind === 'SERVER' && s.service === 'apiserver');
      assertMatchesGolden('control-plane/pod-create', renderSpanShape(trace.filter((s) => s.traceId === server.traceId)));
    });

    it('has etcd-sim SERVER span as the child of the apiserver CLIENT span, in the same trace', () => {
      const client = only(trace, 'CLIENT', (s) => s.kind === 'CLIENT');
      const etcdServer = only(trace, 'etcd SERVER span', (s) => s.service === 'etcd');
      assert.equal(etcdServer.name, 'etcdserverpb.KV/Txn');
      assert.equal(etcdServer.kind, 'SERVER');
      assert.equal(etcdServer.parentSpanId, client.spanId);
      assert.equal(etcdServer.traceId, client.traceId);
      assert.equal(etcdServer.scopeVersion, '0.59.0');
      assert.equal(etcdServer.events.length, 0, 'etcd 3.6 sets no WithMessageEvents');
      assert.equal(etcdServer.resource['service.name'], 'etcd');
    });
  });

  describe('kubectl get pods (as=Table)', () => {
    it('answers a Table and traces List → List(recursive=true) etcd3 → KV/Range to etcd', async () => {
      const res = await request('/api/v1/namespaces/default/pods?limit=500', { headers: { Accept: KUBECTL_TABLE_ACCEPT } });
      assert.equal(res.status, 200);
      const table = (await res.json()) as { kind: string; apiVersion: string; metadata: { resourceVersion: string }; rows: Array<{ cells: unknown[] }>; columnDefinitions: Array<{ name: string }> };
      assert.equal(table.kind, 'Table');
      assert.equal(table.apiVersion, 'meta.k8s.io/v1');
      assert.deepEqual(table.columnDefinitions.slice(0, 5).map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
      assert.deepEqual(table.rows.map((r) => r.cells.slice(0, 3)), [['web', '0/1', 'Pending']]);
      const trace = await traceOfAuditId(run, res.headers.get('audit-id') ?? '', 1);
      const server = only(trace, 'SERVER', (s) => s.kind === 'SERVER' && s.service === 'apiserver');
      assert.equal(server.name, 'GET /api/v1/namespaces/{:namespace}/pods');
      const list = only(trace, 'List', (s) => s.name === 'List');
      assert.equal(list.attributes['verb'], 'LIST');
      assert.equal(list.attributes['accept'], KUBECTL_TABLE_ACCEPT);
      const storage = only(children(trace, list), 'List etcd3', (s) => s.name === 'List(recursive=true) etcd3');
      assert.equal(storage.attributes['limit'], 500);
      const client = only(children(trace, storage), 'Range CLIENT', (s) => s.name === 'etcdserverpb.KV/Range');
      only(children(trace, client), 'Range SERVER', (s) => s.service === 'etcd' && s.kind === 'SERVER');
      assertMatchesGolden('control-plane/pod-list-table', renderSpanShape(trace));
    });
  });

  describe('a system:masters user', () => {
    it('continues the incoming trace: the SERVER span is the child of the traceparent span', async () => {
      const res = await request('/api/v1/namespaces/default/pods/web', {
        headers: { Accept: 'application/json', Authorization: `Bearer ${SUPER_ADMIN_TOKEN}`, traceparent: `00-${INCOMING_TRACE_ID}-${INCOMING_SPAN_ID}-01` },
      });
      assert.equal(res.status, 200);
      const trace = await traceOfAuditId(run, res.headers.get('audit-id') ?? '', 1);
      const server = only(trace, 'SERVER', (s) => s.kind === 'SERVER' && s.service === 'apiserver');
      assert.equal(server.traceId, INCOMING_TRACE_ID);
      assert.equal(server.parentSpanId, INCOMING_SPAN_ID);
      assert.equal(server.links.length, 0);
      const range = only(trace, 'Range CLIENT', (s) => s.kind === 'CLIENT');
      assert.equal(range.name, 'etcdserverpb.KV/Range');
    });
  });

  describe('watch and delete', () => {
    it('streams ADDED and DELETED from the etcd watch, and answers 404 once the pod is gone', async () => {
      const list = (await (await request('/api/v1/namespaces/default/pods', { headers: { Accept: 'application/json' } })).json()) as { metadata: { resourceVersion: string } };
      const controller = new AbortController();
      const watch = await request(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=10`, {
        headers: { Accept: 'application/json' },
        signal: controller.signal,
      });
      assert.equal(watch.status, 200);
      const reader = watch.body!.getReader();
      const events: Array<{ type: string; object: { metadata: { name: string } } }> = [];
      let buffered = '';
      const readUntil = async (count: number): Promise<void> => {
        while (events.length < count) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`watch ended after ${events.length} events`);
          buffered += Buffer.from(value).toString();
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            events.push(JSON.parse(buffered.slice(0, nl)) as (typeof events)[number]);
            buffered = buffered.slice(nl + 1);
          }
        }
      };
      const created = await request('/api/v1/namespaces/default/pods', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(podManifest('watched')) });
      assert.equal(created.status, 201);
      await readUntil(1);
      const deleted = await request('/api/v1/namespaces/default/pods/watched', { method: 'DELETE', headers: { Accept: 'application/json' } });
      assert.equal(deleted.status, 200);
      await readUntil(2);
      controller.abort();
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'watched'], ['DELETED', 'watched']]);
      const gone = await request('/api/v1/namespaces/default/pods/watched', { headers: { Accept: 'application/json' } });
      assert.equal(gone.status, 404);
      assert.equal(((await gone.json()) as { message: string }).message, 'pods "watched" not found');
    });
  });

  describe('admission and validation', () => {
    it('refuses a pod in a namespace that does not exist with NotFound, and one without containers with Invalid', async () => {
      const missingNs = await request('/api/v1/namespaces/nowhere/pods', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(podManifest('p')) });
      assert.equal(missingNs.status, 404);
      assert.equal(((await missingNs.json()) as { message: string }).message, 'namespaces "nowhere" not found');
      const invalid = await request('/api/v1/namespaces/default/pods', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: { containers: [] } }),
      });
      assert.equal(invalid.status, 422);
      assert.equal(((await invalid.json()) as { message: string }).message, 'Pod "empty" is invalid: spec.containers: Required value');
    });
  });
});
