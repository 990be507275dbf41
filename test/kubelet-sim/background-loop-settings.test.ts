import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backgroundLoopSettings, parseContainerLogMaxSize } from '../../kubelet-sim/src/background-loop-settings';
import { applyKubeletDefaults } from '../../kubelet-sim/src/config';
import type { KubeletConfiguration } from '../../kubelet-sim/src/config';
import { parseQuantity, QUANTITY_ERROR } from '../../kubelet-sim/src/config/quantity';

const BASE: KubeletConfiguration = { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration' };

describe('backgroundLoopSettings', () => {
  it('resolves the 1.34 defaults: 10Mi logs, 5 files, 1 worker every 10s, CRI stats for containerd, RuntimeConfig on', () => {
    const s = backgroundLoopSettings(applyKubeletDefaults(BASE), 'unix:///run/containerd/containerd.sock');
    assert.deepEqual(s, {
      containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
      containerLogMaxSizeBytes: 10 * 1024 * 1024,
      containerLogMaxFiles: 5,
      containerLogMaxWorkers: 1,
      containerLogMonitorIntervalMs: 10_000,
      statsProvider: 'cri',
      podAndContainerStatsFromCRI: false,
      kubeletSeparateDiskGC: true,
      kubeletCgroupDriverFromCRI: true,
    });
  });

  it('uses the cAdvisor stats provider on CRI-O\'s socket unless PodAndContainerStatsFromCRI is on', () => {
    assert.equal(backgroundLoopSettings(applyKubeletDefaults(BASE), 'unix:///var/run/crio/crio.sock').statsProvider, 'cadvisor');
    const gated = backgroundLoopSettings(applyKubeletDefaults({ ...BASE, featureGates: { PodAndContainerStatsFromCRI: true } }), 'unix:///var/run/crio/crio.sock');
    assert.equal(gated.statsProvider, 'cri');
    assert.equal(gated.podAndContainerStatsFromCRI, true);
  });

  it('follows the gates at the emulated release (KubeletCgroupDriverFromCRI is alpha, off, at 1.30)', () => {
    const s = backgroundLoopSettings(applyKubeletDefaults(BASE, { kubeletVersion: '1.30' }), 'unix:///run/containerd/containerd.sock');
    assert.equal(s.kubeletCgroupDriverFromCRI, false);
    assert.equal(s.kubeletSeparateDiskGC, false);
  });
});

describe('parseContainerLogMaxSize (container_log_manager.go parseMaxSize)', () => {
  it('reads binary, decimal and exponent quantities as bytes', () => {
    assert.equal(parseContainerLogMaxSize('10Mi'), 10_485_760);
    assert.equal(parseContainerLogMaxSize('1Ki'), 1024);
    assert.equal(parseContainerLogMaxSize('5M'), 5_000_000);
    assert.equal(parseContainerLogMaxSize('1e3'), 1000);
    assert.equal(parseContainerLogMaxSize('-1'), -1);
  });

  it('fails as NewMainKubelet does for a malformed or fractional size', () => {
    assert.throws(() => parseContainerLogMaxSize('10mM'), {
      kubeletMessage: `failed to run Kubelet: failed to create kubelet: failed to initialize container log manager: failed to parse container log max size "10mM": ${QUANTITY_ERROR.SUFFIX}`,
      field: 'containerLogMaxSize "10mM"',
    });
    assert.throws(() => parseContainerLogMaxSize('10MB'), /quantities must match the regular expression/);
    assert.throws(() => parseContainerLogMaxSize('0.5'), /invalid max log size/);
  });

  it('parseQuantity keeps the sign and fraction', () => {
    assert.equal(parseQuantity('+1.5Ki'), 1536);
    assert.equal(parseQuantity('500m'), 0.5);
  });
});
