/**
 * configs/fleet-shards/fleet-shards.yaml, the fleet as Kubernetes workloads: every object validates against
 * the Kubernetes schema (kubernetes-models), the embedded KubeletConfiguration and static pods load with
 * kubelet-sim's own loaders, and both containers' arguments parse with the sims' own flag parsers, naming
 * the same nodes and sockets.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { parseKubeletSimArgs } from '../../kubelet-sim/src/cli/kubelet-sim-args';
import { loadKubeletConfigFile } from '../../kubelet-sim/src/config';
import { readStaticPods } from '../../kubelet-sim/src/pod-sources/static-pod-source';
import { parseRuntimeSimArgs } from '../../runtime-sim/src/cli/runtime-sim-args';
import { REPO_ROOT } from '../helpers/simulated-node';

const MANIFEST = join(REPO_ROOT, 'configs', 'fleet-shards', 'fleet-shards.yaml');
/** A pod name as the Deployment's ReplicaSet makes them. */
const POD_NAME = 'kubelet-cri-fleet-7c9d5f8b6d-x2k4q';

function objects(): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(MANIFEST, 'utf8')).map((doc) => {
    assert.deepEqual(doc.errors, []);
    return doc.toJS() as Record<string, unknown>;
  });
}

function byKindAndName(kind: string, name: string): Record<string, unknown> {
  const found = objects().find((o) => o.kind === kind && (o.metadata as { name: string }).name === name);
  assert.ok(found, `${kind}/${name} in ${MANIFEST}`);
  return found;
}

/** The container's args with $(VAR) expanded as the kubelet expands them from the container's env. */
function containerArgs(deployment: Deployment, name: string): string[] {
  const container = deployment.spec!.template.spec!.containers.find((c) => c.name === name);
  assert.ok(container, `container ${name}`);
  const env = new Map((container.env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath === 'metadata.name' ? POD_NAME : e.value ?? '']));
  return (container.args ?? []).map((a) => a.replace(/\$\(([A-Z_]+)\)/g, (_, v: string) => env.get(v) ?? `$(${v})`));
}

describe('configs/fleet-shards/fleet-shards.yaml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-shards-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('holds two ConfigMaps and a Deployment, each valid against the Kubernetes schema', () => {
    const kinds = objects().map((o) => `${String(o.kind)}/${(o.metadata as { name: string }).name}`);
    assert.deepEqual(kinds, ['ConfigMap/kubelet-cri-fleet-config', 'ConfigMap/kubelet-cri-fleet-pods', 'Deployment/kubelet-cri-fleet']);
    for (const o of objects()) {
      const model = o.kind === 'Deployment' ? new Deployment(o as never) : new ConfigMap(o as never);
      assert.doesNotThrow(() => model.validate(), `${String(o.kind)} does not validate`);
    }
  });

  it('is checked for real: a broken Deployment fails the schema', () => {
    const broken = structuredClone(byKindAndName('Deployment', 'kubelet-cri-fleet')) as { spec: { replicas: unknown } };
    broken.spec.replicas = 'four';
    assert.throws(() => new Deployment(broken as never).validate());
  });

  it('embeds a KubeletConfiguration that loads, tracing to the Collector at 100 per million', () => {
    const data = (byKindAndName('ConfigMap', 'kubelet-cri-fleet-config').data as Record<string, string>)['kubelet-config.yaml'];
    writeFileSync(join(dir, 'kubelet-config.yaml'), data);
    const { config, warnings } = loadKubeletConfigFile(join(dir, 'kubelet-config.yaml'));
    assert.deepEqual(warnings, []);
    assert.equal(config.tracing?.samplingRatePerMillion, 100);
    assert.equal(config.tracing?.endpoint, 'otel-collector.observability.svc.cluster.local:4317');
    assert.equal(config.staticPodPath, '/etc/kubelet-sim/pods');
  });

  it('embeds static pods that validate', () => {
    const podDir = join(dir, 'pods');
    mkdirSync(podDir);
    const pods = byKindAndName('ConfigMap', 'kubelet-cri-fleet-pods').data as Record<string, string>;
    for (const [file, text] of Object.entries(pods)) writeFileSync(join(podDir, file), text);
    const snapshot = readStaticPods(podDir, `${POD_NAME}-0001`, 0);
    assert.deepEqual(snapshot.errors.map((e) => e.message), []);
    assert.equal(snapshot.pods.length, Object.keys(pods).length);
  });

  it('runs runtime-sim and kubelet-sim with the same nodes (named after the pod) on the same sockets', () => {
    const deployment = new Deployment(byKindAndName('Deployment', 'kubelet-cri-fleet') as never);
    const runtime = parseRuntimeSimArgs(containerArgs(deployment, 'runtime-sim'), {});
    const kubelet = parseKubeletSimArgs(containerArgs(deployment, 'kubelet-sim'));
    assert.equal(runtime.fleet?.nodeNames.length, 50);
    assert.deepEqual(kubelet.fleet?.nodeNames, runtime.fleet?.nodeNames);
    assert.equal(kubelet.fleet?.nodeNames[0], `${POD_NAME}-0001`);
    assert.equal(kubelet.containerRuntimeEndpoint, runtime.listen);
    assert.equal(runtime.enableTracing, true);
    assert.equal(runtime.tracingEndpoint, 'otel-collector.observability.svc.cluster.local:4317');
  });
});
