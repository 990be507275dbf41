import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register } from 'prom-client';
import type { RuntimePod } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import { goExponentialBuckets, KubeletMetrics, KUBELET_METRIC, RUNTIME_OPERATIONS_DURATION_BUCKETS } from '../../../kubelet-sim/src/metrics/kubelet-metrics';
import { PodStartDurationRecorder } from '../../../kubelet-sim/src/metrics/pod-start-duration';
import { recordRunningPodsAndContainers } from '../../../kubelet-sim/src/metrics/running-pod-metrics';
import { CONFIG_ANNOTATION } from '../../../kubelet-sim/src/pod-sources/static-pod-source';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import { containerStatus, makePod, podStatus, readySandbox } from '../fixtures';

describe('KubeletMetrics', () => {
  it('exposes the kubelet names, types and label names in its own registry, not the global one', async () => {
    const metrics = new KubeletMetrics();
    metrics.runtimeOperations.inc({ operation_type: 'version' });
    metrics.runningContainers.set({ container_state: 'running' }, 2);
    const text = await metrics.exposition();
    assert.match(text, /^# TYPE kubelet_runtime_operations_total counter$/m);
    assert.match(text, /^kubelet_runtime_operations_total\{operation_type="version"\} 1$/m);
    assert.match(text, /^# HELP kubelet_runtime_operations_total \[ALPHA\] /m);
    assert.match(text, /^# TYPE kubelet_pod_start_duration_seconds histogram$/m);
    assert.match(text, /^# TYPE kubelet_pleg_relist_duration_seconds histogram$/m);
    assert.match(text, /^# TYPE kubelet_running_pods gauge$/m);
    assert.match(text, /^kubelet_running_containers\{container_state="running"\} 2$/m);
    assert.equal(register.getSingleMetric(KUBELET_METRIC.RUNTIME_OPERATIONS_TOTAL), undefined, 'nothing in prom-client\'s default registry');
    new KubeletMetrics(); // a second kubelet in the same process does not clash
  });

  it('uses metrics.go bucket boundaries', async () => {
    assert.deepEqual(goExponentialBuckets(0.005, 2.5, 3), [0.005, 0.0125, 0.03125]);
    assert.equal(RUNTIME_OPERATIONS_DURATION_BUCKETS.length, 14);
    const metrics = new KubeletMetrics();
    metrics.runtimeOperationsDuration.observe({ operation_type: 'status' }, 0.01);
    metrics.podStartDuration.observe(1.5);
    metrics.plegRelistDuration.observe(0.003);
    const text = await metrics.exposition();
    assert.match(text, /kubelet_runtime_operations_duration_seconds_bucket\{le="745.0580596923828",operation_type="status"\} 1/);
    assert.match(text, /kubelet_pod_start_duration_seconds_bucket\{le="3600"\} 1/);
    assert.match(text, /kubelet_pod_start_duration_seconds_bucket\{le="1"\} 0/);
    assert.match(text, /kubelet_pleg_relist_duration_seconds_bucket\{le="0.005"\} 1/);
  });
});

describe('recordRunningPodsAndContainers', () => {
  const pod = (uid: string, sandbox: 'running' | 'exited', containers: Array<'running' | 'exited' | 'created'>): RuntimePod => ({
    uid,
    name: uid,
    namespace: 'default',
    sandboxes: [{ id: `${uid}-s`, state: sandbox, createdAtMs: 0 }],
    containers: containers.map((state, i) => ({ id: `${uid}-c${i}`, name: `c${i}`, sandboxId: `${uid}-s`, state, createdAtMs: 0, imageRef: '' })),
  });

  it('counts pods with a running sandbox and containers per state', async () => {
    const metrics = new KubeletMetrics();
    recordRunningPodsAndContainers(metrics, [pod('a', 'running', ['running', 'exited']), pod('b', 'exited', ['exited']), pod('c', 'running', ['created'])]);
    const text = await metrics.exposition();
    assert.match(text, /^kubelet_running_pods 2$/m);
    assert.match(text, /^kubelet_running_containers\{container_state="running"\} 1$/m);
    assert.match(text, /^kubelet_running_containers\{container_state="exited"\} 2$/m);
    assert.match(text, /^kubelet_running_containers\{container_state="created"\} 1$/m);
  });

  it('leaves a state nobody is in any more at its last value, as upstream', async () => {
    const metrics = new KubeletMetrics();
    recordRunningPodsAndContainers(metrics, [pod('a', 'running', ['created'])]);
    recordRunningPodsAndContainers(metrics, [pod('a', 'running', ['running'])]);
    const text = await metrics.exposition();
    assert.match(text, /^kubelet_running_containers\{container_state="created"\} 1$/m);
    assert.match(text, /^kubelet_running_containers\{container_state="running"\} 1$/m);
  });
});

describe('PodStartDurationRecorder', () => {
  const seenAt = Date.parse('2025-01-02T03:04:05.000Z');
  const pod = makePod({ annotations: { [CONFIG_ANNOTATION.SEEN]: new Date(seenAt).toISOString() } });

  async function observations(metrics: KubeletMetrics): Promise<{ count: number; sum: number }> {
    const values = (await metrics.podStartDuration.get()).values;
    return {
      count: values.find((v) => v.metricName === 'kubelet_pod_start_duration_seconds_count')?.value ?? 0,
      sum: values.find((v) => v.metricName === 'kubelet_pod_start_duration_seconds_sum')?.value ?? 0,
    };
  }

  it('observes on the first sync and when the phase goes Pending → Running, not on later syncs', async () => {
    const clock = new FakeClock(seenAt + 500);
    const metrics = new KubeletMetrics();
    const recorder = new PodStartDurationRecorder(metrics, clock);
    recorder.observeSync(pod, podStatus([], [], pod)); // first sync: Pending, no status yet
    assert.deepEqual(await observations(metrics), { count: 1, sum: 0.5 });
    clock.step(1_000);
    recorder.observeSync(pod, podStatus([readySandbox()], [containerStatus('app', 'running')], pod));
    assert.deepEqual(await observations(metrics), { count: 2, sum: 2 });
    clock.step(60_000);
    recorder.observeSync(pod, podStatus([readySandbox()], [containerStatus('app', 'running')], pod));
    assert.equal((await observations(metrics)).count, 2, 'a resync of a running pod is not a start');
  });

  it('starts over for a pod it was told to forget', async () => {
    const metrics = new KubeletMetrics();
    const recorder = new PodStartDurationRecorder(metrics, new FakeClock(seenAt));
    recorder.observeSync(pod, podStatus([], [], pod));
    recorder.forget(pod.metadata.uid);
    recorder.observeSync(pod, podStatus([], [], pod));
    assert.equal((await observations(metrics)).count, 2);
  });

  describe('observeSpanPipeline', () => {
    it('reads the span counts at each scrape and exposes them under emulator-only names', async () => {
      const metrics = new KubeletMetrics();
      let counts = { ended: 14, exported: 10, failed: 2, dropped: 0, queued: 2, queueCapacity: 2048 };
      metrics.observeSpanPipeline(() => counts);
      let text = await metrics.exposition();
      assert.match(text, /^# TYPE kubelet_sim_spans_ended_total counter$/m);
      assert.match(text, /^kubelet_sim_spans_ended_total 14$/m);
      assert.match(text, /^kubelet_sim_spans_exported_total\{result="ok"\} 10$/m);
      assert.match(text, /^kubelet_sim_spans_exported_total\{result="failed"\} 2$/m);
      counts = { ended: 40, exported: 25, failed: 9, dropped: 3, queued: 3, queueCapacity: 2048 };
      text = await metrics.exposition();
      assert.match(text, /^kubelet_sim_spans_ended_total 40$/m);
      assert.match(text, /^kubelet_sim_spans_exported_total\{result="ok"\} 25$/m);
      assert.match(text, /^kubelet_sim_spans_exported_total\{result="failed"\} 9$/m);
      assert.match(text, /^kubelet_sim_spans_dropped_total 3$/m);
      assert.match(text, /^kubelet_sim_span_queue_size 3$/m);
      assert.match(text, /^kubelet_sim_span_queue_capacity 2048$/m);
    });
  });
});
