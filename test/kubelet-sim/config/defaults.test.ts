import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyKubeletDefaults, resolveTracing, type KubeletConfiguration } from '../../../kubelet-sim/src/config';

const BASE: KubeletConfiguration = { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration' };

describe('defaults', () => {
  describe('applyKubeletDefaults', () => {
    it('fills every field with the kubelet v1beta1 default when the config sets nothing', () => {
      const c = applyKubeletDefaults(BASE);
      assert.equal(c.kubeletVersion, '1.34');
      assert.equal(c.tracing, null);
      assert.equal(c.kubeletTracingEnabled, true);
      assert.deepEqual(c.featureGates, {});
      assert.equal(c.containerRuntimeEndpoint, 'unix:///run/containerd/containerd.sock');
      assert.equal(c.imageServiceEndpoint, '');
      assert.equal(c.effectiveImageServiceEndpoint, 'unix:///run/containerd/containerd.sock');
      assert.equal(c.staticPodPath, '');
      assert.equal(c.podLogsDir, '/var/log/pods');
      assert.equal(c.syncFrequency, '1m0s');
      assert.equal(c.syncFrequencyMs, 60_000);
      assert.equal(c.fileCheckFrequency, '20s');
      assert.equal(c.fileCheckFrequencyMs, 20_000);
      assert.equal(c.httpCheckFrequency, '20s');
      assert.equal(c.httpCheckFrequencyMs, 20_000);
      assert.equal(c.runtimeRequestTimeout, '2m0s');
      assert.equal(c.runtimeRequestTimeoutMs, 120_000);
      assert.equal(c.nodeStatusUpdateFrequency, '10s');
      assert.equal(c.nodeStatusUpdateFrequencyMs, 10_000);
      assert.equal(c.nodeStatusReportFrequency, '5m0s');
      assert.equal(c.nodeStatusReportFrequencyMs, 300_000);
      assert.equal(c.imageGCHighThresholdPercent, 85);
      assert.equal(c.imageGCLowThresholdPercent, 80);
      assert.equal(c.imageMinimumGCAge, '2m0s');
      assert.equal(c.imageMinimumGCAgeMs, 120_000);
      assert.equal(c.imageMaximumGCAge, '0s');
      assert.equal(c.imageMaximumGCAgeMs, 0);
      assert.equal(c.serializeImagePulls, true);
      assert.equal(c.maxParallelImagePulls, null);
      assert.equal(c.registryPullQPS, 5);
      assert.equal(c.registryBurst, 10);
      assert.equal(c.maxPods, 110);
      assert.equal(c.port, 10250);
      assert.equal(c.readOnlyPort, 0);
      assert.equal(c.healthzPort, 10248);
      assert.equal(c.healthzBindAddress, '127.0.0.1');
      assert.equal(c.address, '0.0.0.0');
      assert.equal(c.cgroupRoot, '');
      assert.equal(c.cgroupsPerQOS, true);
      assert.equal(c.cgroupDriver, 'cgroupfs');
      assert.equal(c.containerLogMaxSize, '10Mi');
      assert.equal(c.containerLogMaxFiles, 5);
      assert.equal(c.containerLogMaxWorkers, 1);
      assert.equal(c.containerLogMonitorInterval, '10s');
      assert.equal(c.containerLogMonitorIntervalMs, 10_000);
      assert.equal(c.shutdownGracePeriod, '0s');
      assert.equal(c.shutdownGracePeriodMs, 0);
      assert.equal(c.shutdownGracePeriodCriticalPods, '0s');
      assert.deepEqual(c.enforceNodeAllocatable, ['pods']);
    });

    it('defaults containerLogMonitorInterval only when absent or null (a *metav1.Duration): an explicit 0s stays', () => {
      assert.equal(applyKubeletDefaults({ ...BASE, containerLogMonitorInterval: null }).containerLogMonitorIntervalMs, 10_000);
      assert.equal(applyKubeletDefaults({ ...BASE, containerLogMonitorInterval: '0s' }).containerLogMonitorIntervalMs, 0);
      assert.equal(applyKubeletDefaults({ ...BASE, containerLogMonitorInterval: '1m' }).containerLogMonitorInterval, '1m');
    });

    it('keeps the original duration text and converts it to milliseconds when a duration is set', () => {
      const c = applyKubeletDefaults({ ...BASE, syncFrequency: '90s', runtimeRequestTimeout: '2h45m' });
      assert.equal(c.syncFrequency, '90s');
      assert.equal(c.syncFrequencyMs, 90_000);
      assert.equal(c.runtimeRequestTimeout, '2h45m');
      assert.equal(c.runtimeRequestTimeoutMs, 9_900_000);
    });

    it('replaces a zero duration with the default like the kubelet does', () => {
      const c = applyKubeletDefaults({ ...BASE, syncFrequency: '0s', imageMinimumGCAge: '0' });
      assert.equal(c.syncFrequency, '1m0s');
      assert.equal(c.imageMinimumGCAge, '2m0s');
    });

    it('keeps explicit zero values of pointer fields and defaults zero values of plain fields', () => {
      const c = applyKubeletDefaults({ ...BASE, registryPullQPS: 0, healthzPort: 0, registryBurst: 0, port: 0, maxPods: 0 });
      assert.equal(c.registryPullQPS, 0);
      assert.equal(c.healthzPort, 0);
      assert.equal(c.registryBurst, 10);
      assert.equal(c.port, 10250);
      assert.equal(c.maxPods, 110);
    });

    it('defaults serializeImagePulls to false when maxParallelImagePulls is at least 2', () => {
      assert.equal(applyKubeletDefaults({ ...BASE, maxParallelImagePulls: 2 }).serializeImagePulls, false);
      assert.equal(applyKubeletDefaults({ ...BASE, maxParallelImagePulls: 1 }).serializeImagePulls, true);
      assert.equal(applyKubeletDefaults({ ...BASE, maxParallelImagePulls: 5, serializeImagePulls: true }).serializeImagePulls, true);
    });

    it('uses an explicitly set update frequency as the report frequency when the report frequency is unset', () => {
      const c = applyKubeletDefaults({ ...BASE, nodeStatusUpdateFrequency: '4s' });
      assert.equal(c.nodeStatusUpdateFrequency, '4s');
      assert.equal(c.nodeStatusReportFrequency, '4s');
    });

    it('uses imageServiceEndpoint as the effective image endpoint when it is set', () => {
      const c = applyKubeletDefaults({ ...BASE, imageServiceEndpoint: 'unix:///run/img.sock' });
      assert.equal(c.effectiveImageServiceEndpoint, 'unix:///run/img.sock');
    });

    it('reports the KubeletTracing gate as disabled by default when emulating 1.26 (alpha)', () => {
      assert.equal(applyKubeletDefaults(BASE, { kubeletVersion: '1.26' }).kubeletTracingEnabled, false);
      assert.equal(applyKubeletDefaults(BASE, { kubeletVersion: '1.27' }).kubeletTracingEnabled, true);
      assert.equal(
        applyKubeletDefaults({ ...BASE, featureGates: { KubeletTracing: true } }, { kubeletVersion: '1.25' }).kubeletTracingEnabled,
        true,
      );
    });
  });

  describe('resolveTracing', () => {
    it('returns null when the tracing block is absent', () => {
      assert.equal(resolveTracing(undefined), null);
      assert.equal(resolveTracing(null), null);
    });

    it('uses the OTLP default endpoint and a zero rate when the block is empty', () => {
      assert.deepEqual(resolveTracing({}), {
        endpoint: 'localhost:4317',
        endpointConfigured: false,
        samplingRatePerMillion: 0,
        samplingRateConfigured: false,
      });
    });

    it('keeps configured values when they are set', () => {
      assert.deepEqual(resolveTracing({ endpoint: 'unix:///otel.sock', samplingRatePerMillion: 0 }), {
        endpoint: 'unix:///otel.sock',
        endpointConfigured: true,
        samplingRatePerMillion: 0,
        samplingRateConfigured: true,
      });
    });
  });
});
