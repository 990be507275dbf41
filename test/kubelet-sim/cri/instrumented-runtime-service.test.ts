import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { InstrumentedRuntimeService, RUNTIME_OPERATION } from '../../../kubelet-sim/src/cri/instrumented-runtime-service';
import { CriCallError } from '../../../kubelet-sim/src/cri/runtime-service';
import { generatePodSandboxConfig } from '../../../kubelet-sim/src/kuberuntime/sandbox-config';
import { KubeletMetrics, KUBELET_METRIC } from '../../../kubelet-sim/src/metrics/kubelet-metrics';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import type { Clock } from '../../../kubelet-sim/src/util/clock';
import { FakeRuntimeService, GRPC_CODE } from '../../helpers/fake-runtime-service';
import { MANAGER_OPTIONS, makePod } from '../fixtures';

/** The value of one sample of a metric, by its labels (undefined when absent). */
async function sample(metrics: KubeletMetrics, name: string, labels: Record<string, string>, suffix = ''): Promise<number | undefined> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  // Counters and gauges leave metricName unset; histogram samples name their series (_bucket, _sum, _count).
  const found = metric?.values.find((v) => ((v as { metricName?: string }).metricName ?? name) === `${name}${suffix}` && Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return found?.value;
}

/** A clock that moves 250 ms each time it is read, so every call lasts 0.25 s. */
class SteppingClock implements Clock {
  private now = 0;
  nowMs(): number {
    const t = this.now;
    this.now += 250;
    return t;
  }
}

describe('InstrumentedRuntimeService', () => {
  let fake: FakeRuntimeService;
  let metrics: KubeletMetrics;
  let runtime: InstrumentedRuntimeService;

  beforeEach(() => {
    fake = new FakeRuntimeService({ clock: new FakeClock() });
    metrics = new KubeletMetrics();
    runtime = new InstrumentedRuntimeService(fake, metrics, new SteppingClock());
  });

  it('uses the operation_type values instrumented_services.go spells', () => {
    assert.equal(RUNTIME_OPERATION.RUN_PODSANDBOX, 'run_podsandbox');
    assert.equal(RUNTIME_OPERATION.PODSANDBOX_STATUS, 'podsandbox_status');
    assert.equal(RUNTIME_OPERATION.LIST_PODSANDBOX, 'list_podsandbox');
    assert.equal(RUNTIME_OPERATION.PULL_IMAGE, 'pull_image');
    assert.equal(RUNTIME_OPERATION.IMAGE_FS_INFO, 'image_fs_info');
  });

  it('passes a call through unchanged and counts and times it once', async () => {
    const config = generatePodSandboxConfig(makePod(), 0, MANAGER_OPTIONS);
    const id = await runtime.runPodSandbox(config, 'runc');
    assert.equal(fake.sandboxes()[0].id, id, 'the id the runtime returned');
    assert.deepEqual(fake.callNames(), ['RunPodSandbox']);
    assert.equal(await sample(metrics, KUBELET_METRIC.RUNTIME_OPERATIONS_TOTAL, { operation_type: 'run_podsandbox' }), 1);
    assert.equal(await sample(metrics, KUBELET_METRIC.RUNTIME_OPERATIONS_DURATION_SECONDS, { operation_type: 'run_podsandbox' }, '_count'), 1);
    assert.equal(await sample(metrics, KUBELET_METRIC.RUNTIME_OPERATIONS_DURATION_SECONDS, { operation_type: 'run_podsandbox' }, '_sum'), 0.25);
    assert.equal(await sample(metrics, KUBELET_METRIC.RUNTIME_OPERATIONS_ERRORS_TOTAL, { operation_type: 'run_podsandbox' }), undefined, 'no error sample');
    assert.equal(await sample(metrics, KUBELET_METRIC.RUN_PODSANDBOX_DURATION_SECONDS, { runtime_handler: 'runc' }, '_count'), 1);
  });

  it('counts a failed call as an operation and an error, and rethrows the same error', async () => {
    fake.failNext('PullImage', GRPC_CODE.UNAVAILABLE, 'registry down');
    const config = generatePodSandboxConfig(makePod(), 0, MANAGER_OPTIONS);
    await assert.rejects(runtime.pullImage({ image: 'busybox:1.36' }, config), (err: unknown) => err instanceof CriCallError && err.details === 'registry down');
    assert.equal(await sample(metrics, KUBELET_METRIC.RUNTIME_OPERATIONS_TOTAL, { operation_type: 'pull_image' }), 1);
    assert.equal(await sample(metrics, KUBELET_METRIC.RUNTIME_OPERATIONS_ERRORS_TOTAL, { operation_type: 'pull_image' }), 1);
    assert.equal(await sample(metrics, KUBELET_METRIC.RUNTIME_OPERATIONS_DURATION_SECONDS, { operation_type: 'pull_image' }, '_count'), 1);
  });

  it('counts a failed RunPodSandbox per runtime handler too', async () => {
    fake.failNext('RunPodSandbox', GRPC_CODE.INTERNAL, 'no network');
    await assert.rejects(runtime.runPodSandbox(generatePodSandboxConfig(makePod(), 0, MANAGER_OPTIONS), ''));
    assert.equal(await sample(metrics, KUBELET_METRIC.RUN_PODSANDBOX_ERRORS_TOTAL, { runtime_handler: '' }), 1);
    assert.equal(await sample(metrics, KUBELET_METRIC.RUNTIME_OPERATIONS_ERRORS_TOTAL, { operation_type: 'run_podsandbox' }), 1);
  });

  it('labels each CRI method with its own operation', async () => {
    await runtime.version('0.1.0');
    await runtime.status(false);
    await runtime.listPodSandbox();
    await runtime.listContainers();
    await runtime.listImages();
    await runtime.imageFsInfo();
    for (const op of ['version', 'status', 'list_podsandbox', 'list_containers', 'list_images', 'image_fs_info']) {
      assert.equal(await sample(metrics, KUBELET_METRIC.RUNTIME_OPERATIONS_TOTAL, { operation_type: op }), 1, op);
    }
  });
});
