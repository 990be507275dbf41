import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { decodeKubeProtobuf, kubeRoot, PROTOBUF_MAGIC, ProtobufDecodeError } from '../../../control-plane/apiserver-sim/src/serializer/kube-protobuf';

const FIXTURES = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'kube-protobuf');

/** Frame a message as client-go's protobuf serializer does: magic, then runtime.Unknown{typeMeta, raw}. */
function frame(apiVersion: string, kind: string, messageName: string, value: Record<string, unknown>, extra: Buffer = Buffer.alloc(0)): Buffer {
  const raw = Buffer.concat([Buffer.from(kubeRoot().lookupType(messageName).encode(value).finish()), extra]);
  const unknown = kubeRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown').encode({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' }).finish();
  return Buffer.concat([PROTOBUF_MAGIC, unknown]);
}

describe('decodeKubeProtobuf', () => {
  it('decodes the body kubectl 1.33 sends for `kubectl create namespace cap` to the JSON-shaped Namespace', () => {
    const body = fs.readFileSync(path.join(FIXTURES, 'kubectl-1.33-create-namespace.bin'));
    assert.equal(body.length, 54);
    const { apiVersion, kind, object } = decodeKubeProtobuf(body);
    assert.equal(apiVersion, 'v1');
    assert.equal(kind, 'Namespace');
    // gogo writes every non-pointer field (empty strings, generation 0, a zero creationTimestamp): all left out.
    assert.deepEqual(object, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cap' }, spec: {}, status: {} });
  });

  it('decodes a Pod with IntOrString, Quantity, Time, maps and pointer zeros as the JSON path would have them', () => {
    const pod = {
      metadata: { name: 'web', namespace: 'default', labels: { run: 'web' }, creationTimestamp: { seconds: 1764806400, nanos: 0 }, generation: 0 },
      spec: {
        containers: [{
          name: 'web', image: 'nginx:1.27', args: ['-g', 'daemon off;'],
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'A', value: '1' }],
          resources: { limits: { cpu: { string: '500m' }, memory: { string: '128Mi' } } },
          livenessProbe: { handler: { httpGet: { path: '/', port: { type: 1, strVal: 'http' } } }, periodSeconds: 0 },
          readinessProbe: { handler: { tcpSocket: { port: { type: 0, intVal: 80 } } } },
          securityContext: { privileged: false, runAsUser: 0 },
        }],
        restartPolicy: 'Always', terminationGracePeriodSeconds: 0, dnsPolicy: 'ClusterFirst', nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'k', operator: 'Exists', tolerationSeconds: 30 }],
      },
    };
    const { object } = decodeKubeProtobuf(frame('v1', 'Pod', 'k8s.io.api.core.v1.Pod', pod));
    assert.deepEqual(object, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', labels: { run: 'web' }, creationTimestamp: '2025-12-04T00:00:00Z' },
      spec: {
        containers: [{
          name: 'web', image: 'nginx:1.27', args: ['-g', 'daemon off;'],
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'A', value: '1' }],
          resources: { limits: { cpu: '500m', memory: '128Mi' } },
          livenessProbe: { handler: { httpGet: { path: '/', port: 'http' } } },
          readinessProbe: { handler: { tcpSocket: { port: 80 } } },
          securityContext: { privileged: false, runAsUser: 0 },
        }],
        restartPolicy: 'Always', terminationGracePeriodSeconds: 0, dnsPolicy: 'ClusterFirst', nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'k', operator: 'Exists', tolerationSeconds: 30 }],
      },
    });
  });

  it('decodes a Lease with MicroTime at microsecond precision and DeleteOptions with a zero grace period kept', () => {
    const lease = decodeKubeProtobuf(frame('coordination.k8s.io/v1', 'Lease', 'k8s.io.api.coordination.v1.Lease', {
      metadata: { name: 'n1', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: { seconds: 1764806400, nanos: 123456789 } },
    }));
    assert.deepEqual(lease.object.spec, { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2025-12-04T00:00:00.123456Z' });
    const del = decodeKubeProtobuf(frame('v1', 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', { gracePeriodSeconds: 0, preconditions: { uid: 'u-1' }, propagationPolicy: 'Background' }));
    assert.deepEqual(del.object, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'u-1' }, propagationPolicy: 'Background' });
  });

  it('rejects a field number the schema does not know, naming it and where it was, instead of dropping it', () => {
    // field 99, varint 1, appended to the Pod's bytes
    const body = frame('v1', 'Pod', 'k8s.io.api.core.v1.Pod', { metadata: { name: 'web' } }, Buffer.from([0x98, 0x06, 0x01]));
    assert.throws(() => decodeKubeProtobuf(body), (err: Error) => err instanceof ProtobufDecodeError && /Pod: field number 99 \(wire type 0\) is not a field of k8s\.io\.api\.core\.v1\.Pod/.test(err.message));
    const nested = frame('v1', 'Pod', 'k8s.io.api.core.v1.Pod', { metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    const inContainer = frame('v1', 'Pod', 'k8s.io.api.core.v1.Pod', { metadata: { name: 'web' } }, Buffer.from([0x12, 0x07, 0x12, 0x05, 0xd2, 0x02, 0x02, 0x6f, 0x6b]));
    assert.doesNotThrow(() => decodeKubeProtobuf(nested));
    assert.throws(() => decodeKubeProtobuf(inContainer), /Pod\.spec\.containers: field number 42 \(wire type 2\) is not a field of k8s\.io\.api\.core\.v1\.Container/);
  });

  it('rejects a body without the k8s\\0 prefix, a truncated body and a kind it does not serve', () => {
    assert.throws(() => decodeKubeProtobuf(Buffer.from('{"kind":"Pod"}')), /does not appear to be a protobuf message, expected prefix \[107 56 115 0\]/);
    const body = fs.readFileSync(path.join(FIXTURES, 'kubectl-1.33-create-namespace.bin'));
    assert.throws(() => decodeKubeProtobuf(body.subarray(0, 30)), ProtobufDecodeError);
    assert.throws(() => decodeKubeProtobuf(frame('apps/v1', 'Deployment', 'k8s.io.api.core.v1.Pod', {})), /no kind "Deployment" is registered for version "apps\/v1"/);
  });
});
