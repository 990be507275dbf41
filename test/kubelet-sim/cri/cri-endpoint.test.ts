import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CriEndpointError, criDialTarget, resolveCriEndpoints } from '../../../kubelet-sim/src/cri/cri-endpoint';

function refusal(value: string, field = 'containerRuntimeEndpoint'): CriEndpointError {
  try {
    criDialTarget({ field, value });
  } catch (e) {
    assert.ok(e instanceof CriEndpointError, `expected CriEndpointError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${value} to be refused`);
}

describe('cri-endpoint', () => {
  describe('criDialTarget', () => {
    it('keeps a unix:// endpoint as the grpc-js target', () => {
      assert.equal(criDialTarget({ field: 'containerRuntimeEndpoint', value: 'unix:///run/containerd/containerd.sock' }), 'unix:///run/containerd/containerd.sock');
    });

    it('dials a schemeless path as a unix socket, as the fallback protocol does', () => {
      assert.equal(criDialTarget({ field: 'containerRuntimeEndpoint', value: '/var/run/crio/crio.sock' }), 'unix:///var/run/crio/crio.sock');
    });

    it('takes the path, not the host, of unix://host/path', () => {
      assert.equal(criDialTarget({ field: 'containerRuntimeEndpoint', value: 'unix://ignored/tmp/rt.sock' }), 'unix:///tmp/rt.sock');
    });

    it('refuses tcp:// with the kubelet text, naming the field, the value and the fix', () => {
      const e = refusal('tcp://127.0.0.1:1234');
      assert.equal(e.kubeletMessage, 'failed to run Kubelet: only support unix socket endpoint');
      assert.match(e.message, /^failed to run Kubelet: only support unix socket endpoint \(field containerRuntimeEndpoint "tcp:\/\/127\.0\.0\.1:1234": .*give unix:\/\/\/path/);
    });

    it('refuses an unknown scheme as not supported', () => {
      assert.equal(refusal('npipe:////./pipe/containerd').kubeletMessage, 'failed to run Kubelet: protocol "npipe" not supported');
      assert.equal(refusal('localhost:1234').kubeletMessage, 'failed to run Kubelet: protocol "localhost" not supported');
    });

    it('refuses a unix endpoint without a path', () => {
      assert.match(refusal('unix:relative.sock').kubeletMessage, /missing address/);
      assert.match(refusal('unix://relative.sock').kubeletMessage, /missing address/);
    });
  });

  describe('resolveCriEndpoints', () => {
    it('lets the flag override the config and the image service follow it', () => {
      const targets = resolveCriEndpoints({ containerRuntimeEndpoint: 'unix:///a.sock', imageServiceEndpoint: '' }, 'unix:///b.sock');
      assert.deepEqual(targets, { runtime: 'unix:///b.sock', image: 'unix:///b.sock' });
    });

    it('keeps a configured imageServiceEndpoint apart', () => {
      const targets = resolveCriEndpoints({ containerRuntimeEndpoint: 'unix:///a.sock', imageServiceEndpoint: 'unix:///img.sock' }, undefined);
      assert.deepEqual(targets, { runtime: 'unix:///a.sock', image: 'unix:///img.sock' });
    });

    it('names the flag when the flag is the bad endpoint, and imageServiceEndpoint when that one is', () => {
      assert.throws(() => resolveCriEndpoints({ containerRuntimeEndpoint: 'unix:///a.sock', imageServiceEndpoint: '' }, 'tcp://x:1'), /field --container-runtime-endpoint "tcp:\/\/x:1"/);
      assert.throws(() => resolveCriEndpoints({ containerRuntimeEndpoint: 'unix:///a.sock', imageServiceEndpoint: 'tcp://x:1' }, undefined), /field imageServiceEndpoint "tcp:\/\/x:1"/);
    });
  });
});
