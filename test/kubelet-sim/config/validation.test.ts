import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyKubeletDefaults,
  renderFieldError,
  renderFieldErrors,
  validateKubeletConfiguration,
  validateTracingConfiguration,
  type KubeletConfiguration,
} from '../../../kubelet-sim/src/config';

const BASE: KubeletConfiguration = { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration' };

/** Rendered messages for a config (defaulted first), as the kubelet would print them. */
function messages(overrides: Partial<KubeletConfiguration>, kubeletVersion?: string): string[] {
  const cfg = applyKubeletDefaults({ ...BASE, ...overrides }, { kubeletVersion });
  return validateKubeletConfiguration(cfg).map(renderFieldError);
}

const UNSUPPORTED_SCHEME =
  '.  Options are none, dns, unix, or unix-abstract.  See https://github.com/grpc/grpc/blob/master/doc/naming.md';

describe('validation', () => {
  describe('validateTracingConfiguration', () => {
    it('returns no errors when tracing is not configured', () => {
      assert.deepEqual(validateTracingConfiguration(undefined), []);
      assert.deepEqual(validateTracingConfiguration(null), []);
      assert.deepEqual(validateTracingConfiguration({}), []);
    });

    it('reports a negative sampling rate with the component-base message', () => {
      const errs = validateTracingConfiguration({ samplingRatePerMillion: -1 });
      assert.deepEqual(errs.map(renderFieldError), [
        'tracing.samplingRatePerMillion: Invalid value: -1: sampling rate must be positive',
      ]);
      assert.deepEqual(errs[0], {
        field: 'tracing.samplingRatePerMillion',
        type: 'Invalid',
        value: -1,
        detail: 'sampling rate must be positive',
      });
    });

    it('reports a rate above one million', () => {
      assert.deepEqual(validateTracingConfiguration({ samplingRatePerMillion: 1_000_001 }).map(renderFieldError), [
        'tracing.samplingRatePerMillion: Invalid value: 1000001: sampling rate per million must be less than or equal to one million',
      ]);
    });

    it('accepts the rate bounds 0 and 1000000', () => {
      assert.deepEqual(validateTracingConfiguration({ samplingRatePerMillion: 0 }), []);
      assert.deepEqual(validateTracingConfiguration({ samplingRatePerMillion: 1_000_000 }), []);
    });

    it('reports the Go url.Parse error when the endpoint does not parse', () => {
      assert.deepEqual(validateTracingConfiguration({ endpoint: 'dn%2s://localhost:4317' }).map(renderFieldError), [
        'tracing.endpoint: Invalid value: "dn%2s://localhost:4317": parse "dn%2s://localhost:4317": first path segment in URL cannot contain colon',
      ]);
    });

    it('reports the dns://-prefixed value when an endpoint without "//" does not parse', () => {
      assert.deepEqual(validateTracingConfiguration({ endpoint: 'local%2shost:4317' }).map(renderFieldError), [
        'tracing.endpoint: Invalid value: "dns://local%2shost:4317": parse "dns://local%2shost:4317": invalid URL escape "%2s"',
      ]);
    });

    it('reports an unsupported scheme with two spaces after each period', () => {
      assert.deepEqual(validateTracingConfiguration({ endpoint: 'http://localhost:4317' }).map(renderFieldError), [
        `tracing.endpoint: Invalid value: "http://localhost:4317": unsupported scheme: http${UNSUPPORTED_SCHEME}`,
      ]);
    });

    it('accepts dns, unix and unix-abstract endpoints and bare host:port', () => {
      for (const endpoint of ['localhost:4317', '127.0.0.1:4317', 'dns:///otel:4317', 'unix:///run/otel.sock', 'unix-abstract://otel']) {
        assert.deepEqual(validateTracingConfiguration({ endpoint }), [], endpoint);
      }
    });

    it('reports both rate and endpoint problems in that order', () => {
      const errs = validateTracingConfiguration({ samplingRatePerMillion: -5, endpoint: 'https://x' });
      assert.deepEqual(errs.map((e) => e.field), ['tracing.samplingRatePerMillion', 'tracing.endpoint']);
    });
  });

  describe('validateKubeletConfiguration', () => {
    it('returns no errors when the config is all defaults', () => {
      assert.deepEqual(messages({}), []);
    });

    it('reports imageGCHighThresholdPercent out of range', () => {
      assert.deepEqual(messages({ imageGCHighThresholdPercent: 101 }), [
        'invalid configuration: imageGCHighThresholdPercent (--image-gc-high-threshold) 101 must be between 0 and 100, inclusive',
      ]);
    });

    it('reports imageGCLowThresholdPercent out of range and not below high', () => {
      assert.deepEqual(messages({ imageGCLowThresholdPercent: -1, imageGCHighThresholdPercent: -2 }), [
        'invalid configuration: imageGCHighThresholdPercent (--image-gc-high-threshold) -2 must be between 0 and 100, inclusive',
        'invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) -1 must be between 0 and 100, inclusive',
        'invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) -1 must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) -2',
      ]);
    });

    it('reports low >= high threshold', () => {
      assert.deepEqual(messages({ imageGCLowThresholdPercent: 85 }), [
        'invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) 85 must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) 85',
      ]);
    });

    it('reports negative image GC ages with Go duration formatting', () => {
      assert.deepEqual(messages({ imageMinimumGCAge: '-1m', imageMaximumGCAge: '-90s' }), [
        'invalid configuration: imageMinimumGCAge -1m0s must not be negative',
        'invalid configuration: imageMaximumGCAge -1m30s must not be negative',
      ]);
    });

    it('reports imageMaximumGCAge not greater than imageMinimumGCAge', () => {
      assert.deepEqual(messages({ imageMaximumGCAge: '1m' }), [
        'invalid configuration: imageMaximumGCAge 1m0s must be greater than imageMinimumGCAge 2m0s',
      ]);
    });

    it('requires the ImageMaximumGCAge gate when emulating 1.29 (alpha, off)', () => {
      assert.deepEqual(messages({ imageMaximumGCAge: '1h' }, '1.29'), [
        'invalid configuration: ImageMaximumGCAge feature gate is required for Kubelet configuration option imageMaximumGCAge',
      ]);
      assert.deepEqual(messages({ imageMaximumGCAge: '1h', featureGates: { ImageMaximumGCAge: true } }, '1.29'), []);
    });

    it('reports negative registryPullQPS and registryBurst', () => {
      assert.deepEqual(messages({ registryPullQPS: -1, registryBurst: -2 }), [
        'invalid configuration: registryBurst (--registry-burst) -2 must not be a negative number',
        'invalid configuration: registryPullQPS (--registry-qps) -1 must not be a negative number',
      ]);
    });

    it('reports maxParallelImagePulls below 1', () => {
      assert.deepEqual(messages({ maxParallelImagePulls: 0 }), [
        'invalid configuration: maxParallelImagePulls 0 must be a positive number',
      ]);
    });

    it('reports maxParallelImagePulls > 1 while serializeImagePulls is true', () => {
      assert.deepEqual(messages({ maxParallelImagePulls: 3, serializeImagePulls: true }), [
        'invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false',
      ]);
    });

    it('reports ports out of range', () => {
      assert.deepEqual(messages({ port: 70000, readOnlyPort: -1, healthzPort: 65536, maxPods: -1 }), [
        'invalid configuration: healthzPort (--healthz-port) 65536 must be between 1 and 65535, inclusive',
        'invalid configuration: maxPods (--max-pods) -1 must not be a negative number',
        'invalid configuration: port (--port) 70000 must be between 1 and 65535, inclusive',
        'invalid configuration: readOnlyPort (--read-only-port) -1 must be between 0 and 65535, inclusive',
      ]);
    });

    it('reports shutdownGracePeriod below one second', () => {
      assert.deepEqual(messages({ shutdownGracePeriod: '500ms' }), [
        'invalid configuration: shutdownGracePeriod 500ms must be either zero or otherwise >= 1 sec',
      ]);
    });

    it('reports shutdownGracePeriodCriticalPods larger than shutdownGracePeriod', () => {
      assert.deepEqual(messages({ shutdownGracePeriod: '10s', shutdownGracePeriodCriticalPods: '20s' }), [
        'invalid configuration: shutdownGracePeriodCriticalPods 20s must be <= shutdownGracePeriod 10s',
      ]);
    });

    it('reports cgroupsPerQOS=false while enforceNodeAllocatable defaults to ["pods"]', () => {
      assert.deepEqual(messages({ cgroupsPerQOS: false }), [
        'invalid configuration: cgroupsPerQOS (--cgroups-per-qos) must be set to true when "pods" contained in enforceNodeAllocatable (--enforce-node-allocatable)',
      ]);
      assert.deepEqual(messages({ cgroupsPerQOS: false, enforceNodeAllocatable: [] }), []);
    });

    it('reports containerLogMaxFiles <= 1', () => {
      assert.deepEqual(messages({ containerLogMaxFiles: 1 }), [
        'invalid configuration: containerLogMaxFiles must be greater than 1',
      ]);
    });

    it('reports containerLogMaxWorkers below 1 and a containerLogMonitorInterval below 3s', () => {
      assert.deepEqual(messages({ containerLogMaxWorkers: 0, containerLogMonitorInterval: '2s' }), [
        'invalid configuration: containerLogMaxWorkers must be greater than or equal to 1',
        'invalid configuration: containerLogMonitorInterval must be a positive time duration greater than or equal to 3s',
      ]);
      assert.deepEqual(messages({ containerLogMaxWorkers: 2, containerLogMonitorInterval: '3s' }), []);
    });

    it('refuses KubeletCgroupDriverFromCRI=false from 1.34, where the gate is GA and locked', () => {
      assert.match(messages({ featureGates: { KubeletCgroupDriverFromCRI: false } }).join('\n'), /KubeletCgroupDriverFromCRI/);
      assert.deepEqual(messages({ featureGates: { KubeletCgroupDriverFromCRI: false } }, '1.33'), []);
    });

    it('reports a relative, unnormalized or non-ASCII podLogsDir', () => {
      assert.deepEqual(messages({ podLogsDir: 'logs' }), [
        'invalid configuration: pod logs path "logs" must be absolute path',
      ]);
      assert.deepEqual(messages({ podLogsDir: '/var/log/pods/' }), [
        'invalid configuration: pod logs path "/var/log/pods/" must be normalized',
      ]);
      assert.deepEqual(messages({ podLogsDir: '/var/log/pödс' }), [
        'invalid configuration: pod logs path "/var/log/pödс" mut contains ASCII characters only',
      ]);
    });

    it('does not validate syncFrequency (the kubelet accepts negative values)', () => {
      assert.deepEqual(messages({ syncFrequency: '-1m' }), []);
    });

    it('validates tracing through component-base when emulating 1.34', () => {
      assert.deepEqual(messages({ tracing: { samplingRatePerMillion: -1 } }), [
        'tracing.samplingRatePerMillion: Invalid value: -1: sampling rate must be positive',
      ]);
    });

    it('reports tracing configured with the gate off when emulating 1.27–1.33', () => {
      assert.deepEqual(messages({ featureGates: { KubeletTracing: false }, tracing: { samplingRatePerMillion: 99999 } }, '1.33'), [
        'invalid configuration: tracing should not be configured if KubeletTracing feature flag is disabled.',
      ]);
    });

    it('skips tracing validation when the gate is off before 1.34 and tracing is unset', () => {
      assert.deepEqual(messages({ featureGates: { KubeletTracing: false } }, '1.30'), []);
    });

    it('reports tracing configured without enabling the alpha gate when emulating 1.25', () => {
      assert.deepEqual(messages({ tracing: {} }, '1.25'), [
        'invalid configuration: tracing should not be configured if KubeletTracing feature flag is disabled.',
      ]);
      assert.deepEqual(messages({ tracing: {}, featureGates: { KubeletTracing: true } }, '1.25'), []);
    });

    it('returns only the locked-gate error when KubeletTracing=false is set on 1.34', () => {
      assert.deepEqual(messages({ featureGates: { KubeletTracing: false }, tracing: {}, maxPods: -1 }), [
        'cannot set feature gate KubeletTracing to false, feature is locked to true',
      ]);
    });

    it('returns the unrecognized-gate error when a gate name is unknown', () => {
      const cfg = applyKubeletDefaults({ ...BASE, featureGates: { NoSuchGate: true } });
      const errs = validateKubeletConfiguration(cfg);
      assert.deepEqual(errs.map(renderFieldError), ['unrecognized feature gate: NoSuchGate']);
      assert.equal(errs[0].field, 'featureGates.NoSuchGate');
    });
  });

  describe('renderFieldErrors', () => {
    it('prints one error as itself and several as a bracketed, de-duplicated list', () => {
      const a = { field: 'tracing.samplingRatePerMillion', type: 'Invalid' as const, value: -1, detail: 'sampling rate must be positive' };
      const b = { field: 'x', type: 'Required' as const, value: '', detail: 'must be set' };
      assert.equal(renderFieldErrors([a]), 'tracing.samplingRatePerMillion: Invalid value: -1: sampling rate must be positive');
      assert.equal(
        renderFieldErrors([a, b, a]),
        '[tracing.samplingRatePerMillion: Invalid value: -1: sampling rate must be positive, x: Required value: must be set]',
      );
    });

    it('renders NotSupported and Forbidden like apimachinery', () => {
      assert.equal(
        renderFieldError({ field: 'f', type: 'NotSupported', value: 'x', detail: 'supported values: "a", "b"' }),
        'f: Unsupported value: "x": supported values: "a", "b"',
      );
      assert.equal(renderFieldError({ field: 'f', type: 'Forbidden', value: 'x', detail: 'nope' }), 'f: Forbidden: nope');
    });
  });

  describe('endpoints kubelet-sim cannot dial (its own check after component-base)', () => {
    it('refuses an empty endpoint and a port out of range in the kubelet field.Invalid form, with the fix', () => {
      assert.deepEqual(messages({ tracing: { endpoint: '' } }), [
        'tracing.endpoint: Invalid value: "": empty endpoint: set host:port such as 127.0.0.1:4317, or leave the field out for localhost:4317',
      ]);
      assert.deepEqual(messages({ tracing: { endpoint: '127.0.0.1:99999' } }), [
        'tracing.endpoint: Invalid value: "127.0.0.1:99999": port 99999 is out of range: use a port from 1 to 65535, e.g. 127.0.0.1:4317',
      ]);
      assert.deepEqual(messages({ tracing: { endpoint: 'dns:///otel:0' } }).length, 1);
    });

    it('leaves the upstream message alone when component-base already refuses the endpoint', () => {
      assert.deepEqual(messages({ tracing: { endpoint: 'http://localhost:4317' } }), [
        `tracing.endpoint: Invalid value: "http://localhost:4317": unsupported scheme: http${UNSUPPORTED_SCHEME}`,
      ]);
    });

    it('accepts what it can dial', () => {
      for (const endpoint of ['localhost:4317', '127.0.0.1:4317', 'dns:///otel:4317', 'unix:///run/otel.sock']) {
        assert.deepEqual(messages({ tracing: { endpoint } }), [], endpoint);
      }
    });
  });
});
