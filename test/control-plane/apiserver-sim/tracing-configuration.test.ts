import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  apiServerTracingEnabled,
  decodeTracingConfiguration,
  readTracingConfiguration,
  formatFieldErrors,
  validateTracingConfiguration,
} from '../../../control-plane/apiserver-sim/src/config/tracing-configuration';
import { apiserverId, base32NoPadding } from '../../../control-plane/apiserver-sim/src/tracing/apiserver-tracing';

const doc = (apiVersion: string, extra = '') => `apiVersion: ${apiVersion}\nkind: TracingConfiguration\n${extra}`;

describe('decodeTracingConfiguration', () => {
  it('accepts each apiserver.config.k8s.io version from the Kubernetes minor that added it', () => {
    assert.deepEqual(decodeTracingConfiguration(doc('apiserver.config.k8s.io/v1alpha1', 'samplingRatePerMillion: 10\n'), 22), { samplingRatePerMillion: 10 });
    assert.deepEqual(decodeTracingConfiguration(doc('apiserver.config.k8s.io/v1beta1', 'endpoint: 127.0.0.1:4317\n'), 27), { endpoint: '127.0.0.1:4317' });
    assert.deepEqual(decodeTracingConfiguration(doc('apiserver.config.k8s.io/v1'), 34), {});
  });

  it('refuses a version the emulated Kubernetes does not have yet, naming the ones it has', () => {
    assert.throws(() => decodeTracingConfiguration(doc('apiserver.config.k8s.io/v1'), 33), {
      message: 'no kind "TracingConfiguration" is registered for version "apiserver.config.k8s.io/v1" in scheme (kind TracingConfiguration of apiserver.config.k8s.io/v1alpha1, apiserver.config.k8s.io/v1beta1 in Kubernetes 1.33)',
    });
  });

  it('refuses unknown fields strictly and a rate that is not an int32', () => {
    assert.throws(() => decodeTracingConfiguration(doc('apiserver.config.k8s.io/v1', 'samplingRate: 5\n'), 34), /strict decoding error: unknown field "samplingRate"/);
    assert.throws(() => decodeTracingConfiguration(doc('apiserver.config.k8s.io/v1', 'samplingRatePerMillion: "all"\n'), 34), /samplingRatePerMillion of type int32/);
  });
});

describe('validateTracingConfiguration', () => {
  it('reports component-base messages with the apiserver\'s nil field path', () => {
    assert.equal(formatFieldErrors(validateTracingConfiguration({ samplingRatePerMillion: -1 })), 'samplingRatePerMillion: Invalid value: -1: sampling rate must be positive');
    assert.equal(
      formatFieldErrors(validateTracingConfiguration({ samplingRatePerMillion: 1_000_001 })),
      'samplingRatePerMillion: Invalid value: 1000001: sampling rate per million must be less than or equal to one million',
    );
    assert.equal(
      formatFieldErrors(validateTracingConfiguration({ endpoint: 'dn%2s://localhost:4317' })),
      'endpoint: Invalid value: "dn%2s://localhost:4317": parse "dn%2s://localhost:4317": first path segment in URL cannot contain colon',
    );
    assert.equal(
      formatFieldErrors(validateTracingConfiguration({ endpoint: 'http://localhost:4317' })),
      'endpoint: Invalid value: "http://localhost:4317": unsupported scheme: http.  Options are none, dns, unix, or unix-abstract.  See https://github.com/grpc/grpc/blob/master/doc/naming.md',
    );
    assert.deepEqual(validateTracingConfiguration({ endpoint: 'localhost:4317', samplingRatePerMillion: 1_000_000 }), []);
    assert.deepEqual(validateTracingConfiguration({ endpoint: 'unix:///run/otel.sock' }), []);
  });
});

describe('apiServerTracingEnabled', () => {
  it('follows the gate: alpha off by default before 1.27, beta on, GA locked on from 1.34', () => {
    assert.deepEqual(apiServerTracingEnabled(26, undefined), { enabled: false });
    assert.deepEqual(apiServerTracingEnabled(26, true), { enabled: true });
    assert.deepEqual(apiServerTracingEnabled(27, undefined), { enabled: true });
    assert.deepEqual(apiServerTracingEnabled(33, false), { enabled: false });
    assert.deepEqual(apiServerTracingEnabled(34, false), { error: 'cannot set feature gate APIServerTracing to false, feature is locked to true' });
  });
});

describe('apiserverId', () => {
  it('is apiserver- and 26 lower-case base32 characters, the same for the same host', () => {
    assert.match(apiserverId('node-a'), /^apiserver-[a-z2-7]{26}$/);
    assert.equal(apiserverId('node-a'), apiserverId('node-a'));
    assert.notEqual(apiserverId('node-a'), apiserverId('node-b'));
  });

  it('encodes base32 as Go does without padding (RFC 4648 vectors)', () => {
    assert.equal(base32NoPadding(Buffer.from('f')), 'MY');
    assert.equal(base32NoPadding(Buffer.from('foobar')), 'MZXW6YTBOI');
  });
});

describe('configs/control-plane/apiserver-tracing.yaml', () => {
  it('reads and validates as Kubernetes 1.34 reads it, tracing every request to 127.0.0.1:4317', () => {
    const file = join(__dirname, '..', '..', '..', '..', 'configs', 'control-plane', 'apiserver-tracing.yaml');
    const config = readTracingConfiguration(file, 34);
    assert.deepEqual(config, { endpoint: '127.0.0.1:4317', samplingRatePerMillion: 1_000_000 });
    assert.deepEqual(validateTracingConfiguration(config), []);
  });
});
