import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { FlatSpan } from '../../trace-sink/src';
import { kubeRoot, PROTOBUF_MAGIC } from '../../control-plane/apiserver-sim/src/serializer/kube-protobuf';
import { startControlPlane } from '../helpers/control-plane-run';
import type { ControlPlaneRun } from '../helpers/control-plane-run';

const run$ = promisify(execFile);
const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'kube-protobuf');
const PROTOBUF = 'application/vnd.kubernetes.protobuf';
/** Headers kubectl 1.33 sent with the captured body (test/fixtures/kube-protobuf/README.md). */
const KUBECTL_133_HEADERS = { 'Content-Type': PROTOBUF, Accept: `${PROTOBUF},application/json`, 'User-Agent': 'kubectl.1.33/v1.33.1 (linux/amd64) kubernetes/8adc0f0' };

/** client-go's protobuf framing of one object: magic, runtime.Unknown{typeMeta, raw}. */
function frame(apiVersion: string, kind: string, messageName: string, value: Record<string, unknown>): Buffer {
  const raw = kubeRoot().lookupType(messageName).encode(value).finish();
  const unknown = kubeRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown').encode({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' }).finish();
  return Buffer.concat([PROTOBUF_MAGIC, unknown]);
}

/** The "Create" span of the request with this Audit-Id, once its SERVER span has ended. */
async function createSpanOf(run: ControlPlaneRun, auditId: string): Promise<FlatSpan> {
  return run.sink.index.waitFor((index) => {
    const server = index.spans().find((s) => s.kind === 'SERVER' && s.service === 'apiserver' && s.attributes['audit-id'] === auditId);
    return server ? index.trace(server.traceId)?.find((s) => s.name === 'Create') : undefined;
  }, 15_000);
}

describe('apiserver-sim with Kubernetes protobuf request bodies', () => {
  let run: ControlPlaneRun;
  before(async () => {
    run = await startControlPlane();
  });
  after(async () => {
    await run?.stop();
  });
  const post = (url: string, headers: Record<string, string>, body: Buffer | string) => fetch(run.apiserverUrl + url, { method: 'POST', headers, body });

  it('creates the namespace from the exact bytes kubectl 1.33 sends, with the same Create span as a JSON body', async () => {
    const body = fs.readFileSync(path.join(FIXTURES, 'kubectl-1.33-create-namespace.bin'));
    const res = await post('/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict', KUBECTL_133_HEADERS, body);
    assert.equal(res.status, 201, await res.clone().text());
    const ns = (await res.json()) as { kind: string; metadata: { name: string; uid?: string }; status: { phase: string } };
    assert.equal(ns.kind, 'Namespace');
    assert.equal(ns.metadata.name, 'cap');
    assert.match(String(ns.metadata.uid), /^[0-9a-f-]{36}$/);
    assert.equal(ns.status.phase, 'Active');
    const viaJson = await post('/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict', { ...KUBECTL_133_HEADERS, 'Content-Type': 'application/json' }, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cap-json' } }));
    assert.equal(viaJson.status, 201);
    const proto = await createSpanOf(run, res.headers.get('audit-id') ?? '');
    const json = await createSpanOf(run, viaJson.headers.get('audit-id') ?? '');
    assert.deepEqual(proto.events.map((e) => e.name), ['limitedReadBody succeeded', 'About to convert to expected version', 'Conversion done', 'About to store object in database', 'Write to database call succeeded', 'About to write a response', 'Writing http response done']);
    assert.deepEqual(proto.events.map((e) => e.name), json.events.map((e) => e.name));
    assert.equal(proto.events[0]?.attributes['len'], 54);
    assert.deepEqual(Object.keys(proto.attributes).sort(), Object.keys(json.attributes).sort());
    assert.equal(proto.attributes['accept'], `${PROTOBUF},application/json`);
  });

  it('creates a pod and deletes it with protobuf DeleteOptions', async () => {
    const pod = frame('v1', 'Pod', 'k8s.io.api.core.v1.Pod', {
      metadata: { name: 'web', labels: { run: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: { requests: { cpu: { string: '100m' } } } }] },
    });
    const created = await post('/api/v1/namespaces/default/pods', KUBECTL_133_HEADERS, pod);
    assert.equal(created.status, 201, await created.clone().text());
    const got = (await created.json()) as { spec: { containers: Array<{ ports: Array<{ containerPort: number }>; resources: unknown }> }; metadata: { labels: unknown } };
    assert.deepEqual(got.metadata.labels, { run: 'web' });
    assert.deepEqual(got.spec.containers[0]?.resources, { requests: { cpu: '100m' } });
    assert.equal(got.spec.containers[0]?.ports[0]?.containerPort, 80);
    const del = await fetch(`${run.apiserverUrl}/api/v1/namespaces/default/pods/web`, {
      method: 'DELETE', headers: KUBECTL_133_HEADERS,
      body: frame('v1', 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', { gracePeriodSeconds: 0 }),
    });
    assert.equal(del.status, 200, await del.clone().text());
    assert.equal((await fetch(`${run.apiserverUrl}/api/v1/namespaces/default/pods/web`)).status, 404);
  });

  it('answers 400 with a Status naming an unknown field number, and 415 for a media type it cannot decode', async () => {
    const body = Buffer.concat([fs.readFileSync(path.join(FIXTURES, 'kubectl-1.33-create-namespace.bin'))]);
    // Make the Unknown's raw one byte longer and append field 99 (varint) to the Namespace: 0x98 0x06 0x00.
    const raw = body.subarray(4 + 2 + 15 + 2, 4 + 2 + 15 + 2 + 27);
    const unknown = kubeRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown').encode({ typeMeta: { apiVersion: 'v1', kind: 'Namespace' }, raw: Buffer.concat([raw, Buffer.from([0x98, 0x06, 0x00])]) }).finish();
    const res = await post('/api/v1/namespaces', KUBECTL_133_HEADERS, Buffer.concat([PROTOBUF_MAGIC, unknown]));
    assert.equal(res.status, 400);
    const status = (await res.json()) as { kind: string; reason: string; message: string };
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.message, 'Namespace in version "v1" cannot be handled as a Namespace: Namespace: field number 99 (wire type 0) is not a field of k8s.io.api.core.v1.Namespace known to apiserver-sim');
    const cbor = await post('/api/v1/namespaces', { 'Content-Type': 'application/cbor' }, Buffer.from([0xa0]));
    assert.equal(cbor.status, 415);
    assert.match(((await cbor.json()) as { message: string }).message, /accepted media types include: application\/json, application\/vnd\.kubernetes\.protobuf$/);
  });
});

/** kubectl 1.33 (its typed `create namespace` sends protobuf); KUBECTL_1_33 may point at another copy. */
const KUBECTL_133 = process.env.KUBECTL_1_33 ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const kubectlSkip = fs.existsSync(KUBECTL_133) ? false : `no kubectl 1.33 at ${KUBECTL_133} (set KUBECTL_1_33 to one, e.g. from https://dl.k8s.io/release/v1.33.0/bin/linux/amd64/kubectl) to run this test`;

describe('real kubectl 1.33 typed commands against apiserver-sim', { skip: kubectlSkip }, () => {
  let run: ControlPlaneRun;
  const k = (...args: string[]) => run$(KUBECTL_133, ['--kubeconfig', run.kubeconfig, ...args], { timeout: 30_000 });
  before(async () => {
    run = await startControlPlane();
  });
  after(async () => {
    await run?.stop();
  });

  it('kubectl create namespace, run, label and delete pod work end to end', async () => {
    assert.equal((await k('create', 'namespace', 'team-a')).stdout.trim(), 'namespace/team-a created');
    assert.equal((await k('run', 'web', '--image=nginx:1.27', '-n', 'team-a', '--labels=app=web', '--port=80')).stdout.trim(), 'pod/web created');
    const pod = JSON.parse((await k('get', 'pod', 'web', '-n', 'team-a', '-o', 'json')).stdout) as { metadata: { labels: unknown }; spec: { containers: Array<{ image: string }> } };
    assert.deepEqual(pod.metadata.labels, { app: 'web' });
    assert.equal(pod.spec.containers[0]?.image, 'nginx:1.27');
    assert.equal((await k('label', 'pod', 'web', '-n', 'team-a', 'tier=front')).stdout.trim(), 'pod/web labeled');
    assert.equal((await k('delete', 'pod', 'web', '-n', 'team-a', '--grace-period=0', '--force')).stdout.trim(), 'pod "web" force deleted');
    const server = await run.sink.index.waitFor((index) => index.spans().find((s) => s.kind === 'SERVER' && s.name === 'POST /api/v1/namespaces' && s.attributes['http.status_code'] === 201), 15_000);
    assert.match(String(server.attributes['user_agent.original']), /^kubectl(\.1\.33)?\/v1\.33\./);
  });
});
