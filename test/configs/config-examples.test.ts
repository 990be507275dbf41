/**
 * Every file in configs/ is a working example (configs/README.md): each loads clean with the loader the
 * README points it at, and every file there is listed in configs/README.md.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { loadKubeletConfigFile } from '../../kubelet-sim/src/config';
import { readStaticPods } from '../../kubelet-sim/src/pod-sources/static-pod-source';
import { loadRuntimeConfigFile } from '../../runtime-sim/src/config/runtime-config-file';
import { loadRuntimeModel } from '../../runtime-sim/src/model/load-runtime-model';
import { REPO_ROOT } from '../helpers/simulated-node';

const CONFIGS = join(REPO_ROOT, 'configs');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('configs/', () => {
  it('lists every example file in configs/README.md', () => {
    const readme = readFileSync(join(CONFIGS, 'README.md'), 'utf8');
    const unlisted = filesUnder(CONFIGS).map((f) => relative(CONFIGS, f)).filter((f) => f !== 'README.md' && !readme.includes(`\`${f}\``));
    assert.deepEqual(unlisted, []);
  });

  it('kubelet-config.yaml loads with tracing on and a static pod path', () => {
    const { config } = loadKubeletConfigFile(join(CONFIGS, 'kubelet-config.yaml'));
    assert.ok(config.tracing, 'tracing block');
    assert.equal(config.tracing.samplingRatePerMillion, 1_000_000);
    assert.ok(config.staticPodPath);
  });

  it('every pod in pods/ validates', () => {
    const snapshot = readStaticPods(join(CONFIGS, 'pods'), 'example-node', 0);
    assert.deepEqual(snapshot.errors.map((e) => e.message), []);
    assert.equal(snapshot.pods.length, readdirSync(join(CONFIGS, 'pods')).length);
  });

  it('runtime/crio.conf loads for the crio persona', () => {
    const file = loadRuntimeConfigFile(join(CONFIGS, 'runtime', 'crio.conf'), 'crio');
    assert.equal(file.listen, 'unix:///tmp/runtime-sim-crio.sock');
  });

  it('runtime/containerd-1.6.toml loads for the containerd persona with its 1.6 tracing tables', () => {
    const file = loadRuntimeConfigFile(join(CONFIGS, 'runtime', 'containerd-1.6.toml'), 'containerd');
    assert.equal(file.listen, 'unix:///tmp/runtime-sim-containerd.sock');
    assert.equal(file.containerdTracing?.endpoint, '127.0.0.1:4317');
    assert.equal(file.containerdTracing?.samplingRatio, 1);
  });

  it('real-crio/kubelet-config.yaml runs the example pods with cgroupfs against /tmp/real-crio/crio.sock', () => {
    const { config, warnings } = loadKubeletConfigFile(join(CONFIGS, 'real-crio', 'kubelet-config.yaml'));
    assert.deepEqual(warnings, []);
    assert.equal(config.containerRuntimeEndpoint, 'unix:///tmp/real-crio/crio.sock');
    assert.equal(config.cgroupDriver, 'cgroupfs');
    assert.equal(config.staticPodPath, join(CONFIGS, 'pods'));
    assert.equal(config.podLogsDir, '/tmp/real-crio/pod-logs');
    assert.equal(config.tracing?.endpoint, '127.0.0.1:4317');
  });

  it('real-crio/crio.conf is a CRI-O config the crio persona reads too', () => {
    assert.doesNotThrow(() => loadRuntimeConfigFile(join(CONFIGS, 'real-crio', 'crio.conf'), 'crio'));
    const text = readFileSync(join(CONFIGS, 'real-crio', 'crio.conf'), 'utf8');
    assert.match(text, /^cgroup_manager = "cgroupfs"$/m);
    assert.match(text, /^conmon_cgroup = "pod"$/m);
  });

  it('real-crio/10-crio-sim.conflist keeps pods on a local bridge: no gateway, no masquerade, no routes', () => {
    const conf = JSON.parse(readFileSync(join(CONFIGS, 'real-crio', '10-crio-sim.conflist'), 'utf8')) as {
      plugins: Array<{ type: string; isGateway?: boolean; ipMasq?: boolean; ipam?: { routes?: unknown[]; ranges?: Array<Array<{ subnet: string; gateway?: string }>> } }>;
    };
    assert.deepEqual(conf.plugins.map((p) => p.type), ['bridge']);
    const bridge = conf.plugins[0]!;
    assert.equal(bridge.isGateway, false);
    assert.equal(bridge.ipMasq, false);
    assert.equal(bridge.ipam?.routes, undefined);
    assert.deepEqual(bridge.ipam?.ranges, [[{ subnet: '10.199.77.0/24' }]]);
  });

  for (const model of readdirSync(join(CONFIGS, 'models'))) {
    it(`models/${model} loads with at least one rule`, () => {
      assert.ok(loadRuntimeModel(join(CONFIGS, 'models', model)).rules.length > 0);
    });
  }
});
