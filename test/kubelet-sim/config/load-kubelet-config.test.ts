import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  KubeletConfigError,
  loadKubeletConfigData,
  loadKubeletConfigFile,
} from '../../../kubelet-sim/src/config';

// Compiled tests live in dist/test/kubelet-sim/config; fixtures stay in the source tree.
const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/kubelet-config');
const fixture = (name: string): string => path.join(FIXTURES, name);

const HEADER = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';

/** Runs `fn`, asserting it throws a KubeletConfigError, and returns it. */
function configError(fn: () => unknown): KubeletConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KubeletConfigError, `expected KubeletConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a KubeletConfigError');
}

function loadFailed(file: string, cause: string): string {
  return `failed to load kubelet config file, path: ${file}, error: failed to load Kubelet config file ${file}, error ${cause}`;
}

describe('load-kubelet-config', () => {
  describe('loadKubeletConfigFile', () => {
    it('returns every configured value when given the full fixture', () => {
      const { config, warnings } = loadKubeletConfigFile(fixture('valid-full.yaml'));
      assert.deepEqual(warnings, ['Setting GA feature gate KubeletTracing=true. It will be removed in a future release.']);
      assert.deepEqual(config.tracing, {
        endpoint: '127.0.0.1:4317',
        endpointConfigured: true,
        samplingRatePerMillion: 1_000_000,
        samplingRateConfigured: true,
      });
      assert.equal(config.kubeletTracingEnabled, true);
      assert.equal(config.containerRuntimeEndpoint, 'unix:///run/runtime-sim/runtime-sim.sock');
      assert.equal(config.effectiveImageServiceEndpoint, 'unix:///run/runtime-sim/images.sock');
      assert.equal(config.staticPodPath, path.join(FIXTURES, 'manifests'));
      assert.equal(config.syncFrequency, '30s');
      assert.equal(config.syncFrequencyMs, 30_000);
      assert.equal(config.httpCheckFrequencyMs, 60_000);
      assert.equal(config.runtimeRequestTimeoutMs, 9_900_000);
      assert.equal(config.imageMaximumGCAgeMs, 168 * 3_600_000);
      assert.equal(config.serializeImagePulls, false);
      assert.equal(config.maxParallelImagePulls, 3);
      assert.equal(config.registryPullQPS, 0);
      assert.equal(config.healthzPort, 0);
      assert.equal(config.readOnlyPort, 10255);
      assert.equal(config.port, 10260);
      assert.equal(config.nodeStatusReportFrequency, '4s');
      assert.equal(config.cgroupDriver, 'systemd');
      assert.equal(config.shutdownGracePeriodMs, 30_000);
      assert.equal(config.sourcePath, fixture('valid-full.yaml'));
    });

    it('returns kubelet defaults when given the minimal fixture', () => {
      const { config, warnings } = loadKubeletConfigFile(fixture('minimal.yaml'));
      assert.deepEqual(warnings, []);
      assert.equal(config.tracing, null);
      assert.equal(config.syncFrequency, '1m0s');
      assert.equal(config.port, 10250);
      assert.equal(config.containerRuntimeEndpoint, 'unix:///run/containerd/containerd.sock');
    });

    it('defaults the tracing endpoint and rate when the tracing block is empty', () => {
      const { config } = loadKubeletConfigFile(fixture('tracing-empty-block.yaml'));
      assert.equal(config.tracing?.endpoint, 'localhost:4317');
      assert.equal(config.tracing?.samplingRatePerMillion, 0);
    });

    it('reads JSON config files too', () => {
      const { config } = loadKubeletConfigFile(fixture('valid.json'));
      assert.equal(config.tracing?.samplingRatePerMillion, 100);
      assert.equal(config.syncFrequencyMs, 90_000);
      assert.equal(config.staticPodPath, '/etc/kubernetes/manifests');
    });

    it('throws the validation error naming the field when the sampling rate is negative', () => {
      const file = fixture('invalid-rate.yaml');
      const e = configError(() => loadKubeletConfigFile(file));
      assert.equal(e.stage, 'validate');
      assert.equal(
        e.message,
        'failed to validate kubelet configuration, error: tracing.samplingRatePerMillion: Invalid value: -1: sampling rate must be positive, path: ' + file,
      );
      assert.deepEqual(e.fieldErrors, [
        { field: 'tracing.samplingRatePerMillion', type: 'Invalid', value: -1, detail: 'sampling rate must be positive' },
      ]);
    });

    it('throws the Go url.Parse error when the endpoint is invalid', () => {
      const e = configError(() => loadKubeletConfigFile(fixture('invalid-endpoint.yaml')));
      assert.equal(e.fieldErrors.length, 1);
      assert.equal(
        e.kubeletMessage.split(', path: ')[0],
        'failed to validate kubelet configuration, error: tracing.endpoint: Invalid value: "dn%2s://localhost:4317": ' +
          'parse "dn%2s://localhost:4317": first path segment in URL cannot contain colon',
      );
    });

    it('lists every field in one bracketed aggregate when several fields are invalid', () => {
      const file = fixture('image-gc-invalid.yaml');
      const e = configError(() => loadKubeletConfigFile(file));
      assert.deepEqual(e.fieldErrors.map((f) => f.field), [
        'imageGCHighThresholdPercent',
        'registryBurst',
        'registryPullQPS',
      ]);
      assert.equal(
        e.message,
        'failed to validate kubelet configuration, error: [' +
          'invalid configuration: imageGCHighThresholdPercent (--image-gc-high-threshold) 101 must be between 0 and 100, inclusive, ' +
          'invalid configuration: registryBurst (--registry-burst) -1 must not be a negative number, ' +
          'invalid configuration: registryPullQPS (--registry-qps) -1 must not be a negative number], path: ' + file,
      );
    });

    it('returns a strict-decoding warning, not an error, when the file has unknown fields', () => {
      const { config, warnings } = loadKubeletConfigFile(fixture('unknown-field.yaml'));
      assert.deepEqual(warnings, [
        '"Using lenient decoding as strict decoding failed" err="strict decoding error: unknown field \\"foo\\", unknown field \\"tracing.samplingRate\\""',
      ]);
      assert.equal(config.tracing?.endpoint, 'localhost:4317');
      assert.equal(config.tracing?.samplingRateConfigured, false);
    });

    it('throws the scheme decode error when the kind is wrong', () => {
      const file = fixture('wrong-kind.yaml');
      const e = configError(() => loadKubeletConfigFile(file));
      assert.equal(e.stage, 'decode');
      assert.equal(
        e.message,
        loadFailed(file, 'failed to decode: no kind "KubeletConfig" is registered for version ' +
          '"kubelet.config.k8s.io/v1beta1" in scheme "pkg/kubelet/apis/config/scheme/scheme.go:33"'),
      );
    });

    it('throws the defaulting panic when KubeletTracing=false is set on 1.34 (gate locked)', () => {
      const file = fixture('gate-off-with-tracing.yaml');
      const e = configError(() => loadKubeletConfigFile(file));
      assert.equal(e.stage, 'defaults');
      assert.equal(e.goPanic, true);
      assert.equal(
        e.kubeletMessage,
        'failed to merge global and in-flight KubeletConfiguration while setting defaults, error: ' +
          'cannot set feature gate KubeletTracing to false, feature is locked to true',
      );
      assert.equal(e.message, `panic: ${e.kubeletMessage} (kubelet config file ${file})`);
      assert.deepEqual(e.fieldErrors.map((f) => [f.field, f.type]), [['featureGates.KubeletTracing', 'Forbidden']]);
    });

    it('throws the tracing-with-gate-off validation error when emulating 1.33', () => {
      const e = configError(() => loadKubeletConfigFile(fixture('gate-off-with-tracing.yaml'), { kubeletVersion: '1.33' }));
      assert.equal(e.stage, 'validate');
      assert.deepEqual(e.fieldErrors.map((f) => f.text), [
        'invalid configuration: tracing should not be configured if KubeletTracing feature flag is disabled.',
      ]);
    });

    it('throws the server.go feature-gate error for a locked gate when emulating 1.31', () => {
      const e = configError(() =>
        loadKubeletConfigData(`${HEADER}featureGates:\n  DevicePluginCDIDevices: false\n`, { path: '/k.yaml', kubeletVersion: '1.31' }),
      );
      assert.equal(e.stage, 'featureGates');
      assert.equal(e.goPanic, false);
      assert.equal(
        e.kubeletMessage,
        'failed to set feature gates from initial flags-based config: cannot set feature gate DevicePluginCDIDevices to false, feature is locked to true',
      );
    });

    it('throws the decode error naming the field when a value has the wrong type', () => {
      const file = fixture('type-mismatch.yaml');
      const e = configError(() => loadKubeletConfigFile(file));
      assert.equal(
        e.message,
        loadFailed(file, 'failed to decode: json: cannot unmarshal string into Go struct field KubeletConfiguration.maxPods of type int32'),
      );
      assert.equal(e.fieldErrors[0].field, 'maxPods');
    });

    it("throws Go's ParseDuration error when a duration is invalid", () => {
      const file = fixture('bad-duration.yaml');
      const e = configError(() => loadKubeletConfigFile(file));
      assert.equal(e.kubeletMessage, loadFailed(file, 'failed to decode: time: unknown unit "d" in duration "1d"'));
      assert.equal(e.fieldErrors[0].field, 'syncFrequency');
    });

    it('names the duration field and the fix after the kubelet text, which names neither', () => {
      const file = fixture('bad-duration.yaml');
      const e = configError(() => loadKubeletConfigFile(file));
      assert.equal(
        e.message,
        loadFailed(file, 'failed to decode: time: unknown unit "d" in duration "1d"') +
          ' (field syncFrequency: give a Go duration string such as "30s", "1m" or "1h30m" (units ns, us, ms, s, m, h))',
      );
    });

    it('throws the read error naming the path when the file is missing', () => {
      const file = fixture('does-not-exist.yaml');
      const e = configError(() => loadKubeletConfigFile(file));
      assert.equal(e.stage, 'read');
      assert.equal(
        e.message,
        loadFailed(file, `failed to read kubelet config file "${file}", error: open ${file}: no such file or directory`),
      );
    });

    it('throws the empty-file error when the file is empty', () => {
      const file = fixture('empty.yaml');
      const e = configError(() => loadKubeletConfigFile(file));
      assert.equal(e.message, loadFailed(file, `kubelet config file "${file}" was empty`));
    });

    it('resolves a relative path argument against the working directory', () => {
      const rel = path.relative(process.cwd(), fixture('minimal.yaml'));
      assert.equal(loadKubeletConfigFile(rel).config.sourcePath, fixture('minimal.yaml'));
    });
  });

  describe('loadKubeletConfigData', () => {
    const load = (body: string, kubeletVersion?: string) =>
      loadKubeletConfigData(HEADER + body, { path: '/etc/kubernetes/kubelet.yaml', kubeletVersion });

    it('decodes YAML 1.1 booleans like the kubelet (yes/on)', () => {
      const { config } = load('serializeImagePulls: no\ncgroupsPerQOS: on\n');
      assert.equal(config.serializeImagePulls, false);
      assert.equal(config.cgroupsPerQOS, true);
    });

    it('warns about duplicate keys with the yaml.v2 text and keeps the last value', () => {
      const { config, warnings } = load('port: 1\nport: 2\n');
      assert.equal(config.port, 2);
      assert.deepEqual(warnings, [
        '"Using lenient decoding as strict decoding failed" err="strict decoding error: yaml: unmarshal errors:\\n  line 4: key \\"port\\" already set in map"',
      ]);
    });

    it('orders unknown-field warnings alphabetically like YAMLToJSON does', () => {
      const { warnings } = load('zeta: 1\nalpha: 2\n');
      assert.match(warnings[0], /unknown field \\"alpha\\", unknown field \\"zeta\\"/);
    });

    it('treats a field newer than the emulated release as unknown', () => {
      const { config, warnings } = load('imageMaximumGCAge: 1h\n', '1.28');
      assert.equal(config.imageMaximumGCAgeMs, 0);
      assert.match(warnings[0], /unknown field \\"imageMaximumGCAge\\"/);
    });

    it('throws time: invalid duration "" when a duration is null', () => {
      const e = configError(() => load('syncFrequency:\n'));
      assert.match(e.kubeletMessage, /error failed to decode: time: invalid duration ""$/);
    });

    it('throws the metav1.Duration type error when a duration is a number', () => {
      const e = configError(() => load('syncFrequency: 60\n'));
      assert.match(e.kubeletMessage, /failed to decode: json: cannot unmarshal number into Go value of type string$/);
      assert.match(e.message, /Go value of type string \(field syncFrequency: give a Go duration string/);
    });

    it('throws with the nested struct name when a tracing field has the wrong type', () => {
      const e = configError(() => load('tracing:\n  samplingRatePerMillion: lots\n'));
      assert.match(
        e.message,
        /json: cannot unmarshal string into Go struct field TracingConfiguration\.tracing\.samplingRatePerMillion of type int32$/,
      );
    });

    it('throws the int32 overflow error with the number', () => {
      const e = configError(() => load('maxPods: 3000000000\n'));
      assert.match(e.message, /cannot unmarshal number 3000000000 into Go struct field KubeletConfiguration\.maxPods of type int32$/);
    });

    it('throws the missing-apiVersion error quoting the file contents', () => {
      const e = configError(() => loadKubeletConfigData('kind: KubeletConfiguration\n', { path: '/k.yaml' }));
      assert.equal(e.message, loadFailed('/k.yaml', "failed to decode: Object 'apiVersion' is missing in 'kind: KubeletConfiguration\n'"));
    });

    it('throws the cast error when another kubelet.config.k8s.io kind is given', () => {
      const e = configError(() =>
        loadKubeletConfigData('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: CredentialProviderConfig\n', { path: '/k.yaml' }),
      );
      assert.equal(
        e.message,
        loadFailed('/k.yaml', 'failed to cast object to KubeletConfiguration, unexpected type: kubelet.config.k8s.io/v1beta1, Kind=CredentialProviderConfig'),
      );
    });

    it('throws the panic text for an unknown feature gate on 1.34', () => {
      const e = configError(() => load('featureGates:\n  NoSuchGate: true\n'));
      assert.equal(
        e.kubeletMessage,
        'failed to merge global and in-flight KubeletConfiguration while setting defaults, error: unrecognized feature gate: NoSuchGate',
      );
    });

    it('rejects an unsupported kubeletVersion', () => {
      assert.throws(() => load('', '1.24'), RangeError);
      assert.throws(() => load('', '1.35'), RangeError);
    });
  });
});
