import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { Pod } from '../../kubelet-sim/src/container/pod';
import { emptyPodStatus } from '../../kubelet-sim/src/container/pod-status';
import { ImageManager } from '../../kubelet-sim/src/images/image-manager';
import type { KubeletSettings } from '../../kubelet-sim/src/kubelet';
import { Kubelet } from '../../kubelet-sim/src/kubelet';
import { KubeRuntimeManager } from '../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import { KubeletMetrics } from '../../kubelet-sim/src/metrics/kubelet-metrics';
import { readStaticPods } from '../../kubelet-sim/src/pod-sources/static-pod-source';
import { FakeClock } from '../../kubelet-sim/src/util/clock';
import type { Logger } from '../../kubelet-sim/src/util/logger';
import { FakeRuntimeService, GRPC_CODE } from '../helpers/fake-runtime-service';
import { flush, kubeletSettings, MANAGER_OPTIONS } from './fixtures';

/*
 * Housekeeping after a kubelet restart on a runtime that kept the previous run's pods (kubelet.go
 * syncLoopIteration housekeeping case, kubelet_pods.go HandlePodCleanups, SyncTerminatingRuntimePod,
 * kuberuntime_gc.go): the static pod whose manifest is still there is kept, the other one is an orphan.
 */

const NODE = 'node-a';
const KEEP_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: keep
  namespace: default
spec:
  initContainers:
    - name: migrate
      image: docker.io/library/busybox:1.37
  containers:
    - name: app
      image: docker.io/library/nginx:1.27
`;
const GONE_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: gone
  namespace: kube-system
spec:
  terminationGracePeriodSeconds: 30
  containers:
    - name: agent
      image: docker.io/library/redis:7
`;

const SILENT: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A fake runtime that also notes whether a span was active when each CRI call came in. */
class SpanAwareRuntime extends FakeRuntimeService {
  readonly activeSpanAt: Array<{ method: string; spanName: string | undefined }> = [];
  private note(method: string): void {
    const span = trace.getActiveSpan() as unknown as { name?: string } | undefined;
    this.activeSpanAt.push({ method, spanName: span?.name });
  }
  override async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.note('StopContainer');
    return super.stopContainer(id, timeoutSeconds);
  }
  override async stopPodSandbox(id: string): Promise<void> {
    this.note('StopPodSandbox');
    return super.stopPodSandbox(id);
  }
  override async listPodSandbox(...args: Parameters<FakeRuntimeService['listPodSandbox']>): ReturnType<FakeRuntimeService['listPodSandbox']> {
    this.note('ListPodSandbox');
    return super.listPodSandbox(...args);
  }
}

describe('Kubelet housekeeping after a restart on the same runtime', () => {
  let provider: NodeTracerProvider;
  let exporter: InMemorySpanExporter;
  let dir: string;
  let clock: FakeClock;
  let fake: SpanAwareRuntime;
  let metrics: KubeletMetrics;
  let kubelet: Kubelet;
  let keep: Pod;
  let gone: Pod;
  let errors: string[];

  before(() => {
    // A registered provider brings the async context manager, so the active span is tracked across awaits.
    exporter = new InMemorySpanExporter();
    provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
  });
  after(async () => provider.shutdown());

  beforeEach(async () => {
    exporter.reset();
    dir = mkdtempSync(join(tmpdir(), 'kubelet-housekeeping-'));
    writeFileSync(join(dir, 'keep.yaml'), KEEP_YAML);
    writeFileSync(join(dir, 'gone.yaml'), GONE_YAML);
    clock = new FakeClock();
    fake = new SpanAwareRuntime({ clock });
    // The previous kubelet run: both static pods started (keep's init container ran and exited, then app started).
    [gone, keep] = readStaticPods(dir, NODE, clock.nowMs()).pods;
    const previous = new KubeRuntimeManager(fake, new ImageManager(fake, { serializeImagePulls: true, maxParallelImagePulls: 0 }, clock), MANAGER_OPTIONS, clock);
    await previous.syncPod(keep, emptyPodStatus(keep.metadata.uid, keep.metadata.name, keep.metadata.namespace));
    fake.exitContainer(containerId('migrate'), 0);
    clock.step(1_000);
    await previous.syncPod(keep, await previous.getPodStatus(keep.metadata.uid, keep.metadata.name, keep.metadata.namespace));
    await previous.syncPod(gone, emptyPodStatus(gone.metadata.uid, gone.metadata.name, gone.metadata.namespace));
    rmSync(join(dir, 'gone.yaml'));
    clock.step(60_000);

    errors = [];
    metrics = new KubeletMetrics();
    const settings: KubeletSettings = kubeletSettings({ nodeName: NODE, staticPodPath: dir });
    const log: Logger = { ...SILENT, error: (m) => errors.push(m) };
    kubelet = new Kubelet(settings, fake, (scope) => provider.getTracer(scope), clock, log, metrics);
    fake.clearCalls();
  });

  afterEach(async () => {
    kubelet.podCache.updateTime(Number.MAX_SAFE_INTEGER);
    await kubelet.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function containerId(name: string, state = 'CONTAINER_RUNNING'): string {
    const found = fake.containers().find((c) => c.metadata?.name === name && (state === '' || c.state === state));
    assert.ok(found, `no ${state} container ${name}`);
    return found.id;
  }

  function sandboxOf(pod: Pod): string {
    const found = fake.sandboxes().find((s) => s.metadata?.uid === pod.metadata.uid);
    assert.ok(found, `no sandbox for ${pod.metadata.name}`);
    return found.id;
  }

  /** One PLEG relist by hand, a second later. */
  async function relist(): Promise<void> {
    clock.step(1_000);
    await kubelet.pleg.relist();
    await flush(10);
  }

  /** The file source lists keep.yaml, PLEG fills the cache, and the kept pod's first syncPod runs. */
  async function startKubelet(): Promise<void> {
    kubelet.readPodSource();
    await relist();
  }

  async function counter(c: KubeletMetrics['orphanedRuntimePods']): Promise<number> {
    return (await c.get()).values.reduce((sum, v) => sum + v.value, 0);
  }

  describe('before the file source has listed (sources not ready)', () => {
    it('skips housekeeping: no CRI call, nothing stopped', async () => {
      assert.equal(await kubelet.housekeeping(), false);
      await flush();
      assert.deepEqual(fake.callNames(), []);
      assert.equal(fake.containers().filter((c) => c.state === 'CONTAINER_RUNNING').length, 2);
    });

    it('lets container GC remove nothing of pods it does not know yet', async () => {
      fake.exitContainer(containerId('agent'), 1);
      await kubelet.garbageCollectContainers();
      assert.deepEqual(fake.callNames().filter((m) => m.startsWith('Remove')), []);
      assert.equal(fake.containers().length, 3);
    });
  });

  describe('once the file source has listed', () => {
    it('keeps the desired static pod, matched by its manifest UID: its syncPod changes nothing', async () => {
      await startKubelet();
      await kubelet.housekeeping();
      await flush();
      const mutating = ['RunPodSandbox', 'CreateContainer', 'StartContainer', 'StopContainer', 'StopPodSandbox', 'RemoveContainer', 'RemovePodSandbox'];
      const keepCalls = fake.calls.filter((c) => mutating.includes(c.method) && [containerId('app'), sandboxOf(keep)].includes(c.args[0] as string));
      assert.deepEqual(keepCalls, []);
      assert.deepEqual(exporter.getFinishedSpans().filter((s) => s.name === 'syncPod').map((s) => [s.attributes['k8s.pod.name'], s.attributes['k8s.pod.update_type']]), [['keep-node-a', 'create']]);
      assert.equal(fake.containers().find((c) => c.metadata?.name === 'app')?.state, 'CONTAINER_RUNNING');
    });

    it('lists ready sandboxes and running containers, then stops the orphan: StopContainer (2 s) per running container, then StopPodSandbox', async () => {
      await startKubelet();
      const agent = containerId('agent');
      fake.clearCalls();
      assert.equal(await kubelet.housekeeping(), true);
      await flush();
      assert.deepEqual(fake.calls.map((c) => [c.method, c.args]), [
        ['ListPodSandbox', [{ state: { state: 'SANDBOX_READY' } }]],
        ['ListContainers', [{ state: { state: 'CONTAINER_RUNNING' } }]],
        ['StopContainer', [agent, 2]],
        ['StopPodSandbox', [sandboxOf(gone)]],
      ]);
      assert.equal(fake.sandboxes().find((s) => s.id === sandboxOf(gone))?.state, 'SANDBOX_NOTREADY');
      assert.equal(await counter(metrics.orphanedRuntimePods), 1);
    });

    it('makes no span for SyncTerminatingRuntimePod: its CRI calls run with no active span, even when housekeeping is called inside one', async () => {
      await startKubelet();
      exporter.reset();
      fake.activeSpanAt.length = 0;
      await provider.getTracer('test').startActiveSpan('caller', async (span) => {
        await kubelet.housekeeping();
        await flush();
        span.end();
      });
      assert.deepEqual(fake.activeSpanAt, [
        { method: 'ListPodSandbox', spanName: undefined },
        { method: 'StopContainer', spanName: undefined },
        { method: 'StopPodSandbox', spanName: undefined },
      ]);
      assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), ['caller'], 'no syncTerminatingPod or other kubelet span');
    });

    it('hands each orphan over once: the next pass finds it stopped and stops nothing', async () => {
      await startKubelet();
      await kubelet.housekeeping();
      await flush();
      fake.clearCalls();
      clock.step(2_000);
      await kubelet.housekeeping();
      await flush();
      assert.deepEqual(fake.callNames(), ['ListPodSandbox', 'ListContainers']);
      assert.equal(await counter(metrics.orphanedRuntimePods), 1);
    });

    it('then container GC removes the orphan\'s container and sandbox, and keeps the desired pod\'s exited init container', async () => {
      await startKubelet();
      await kubelet.housekeeping();
      await flush();
      const agent = containerId('agent', '');
      const goneSandbox = sandboxOf(gone);
      const migrate = containerId('migrate', 'CONTAINER_EXITED');
      fake.clearCalls();
      await kubelet.garbageCollectContainers();
      assert.deepEqual(fake.calls.filter((c) => c.method.startsWith('Remove') || c.method === 'StopPodSandbox').map((c) => [c.method, c.args[0]]), [
        ['RemoveContainer', agent],
        ['StopPodSandbox', goneSandbox],
        ['RemovePodSandbox', goneSandbox],
      ]);
      assert.ok(fake.containers().some((c) => c.id === migrate), 'the kept pod keeps its last dead init container');
      assert.deepEqual(fake.sandboxes().map((s) => s.metadata?.uid), [keep.metadata.uid]);
    });

    it('retries a failed SyncTerminatingRuntimePod at the next housekeeping', async () => {
      await startKubelet();
      fake.failNext('StopContainer', GRPC_CODE.DEADLINE_EXCEEDED, 'context deadline exceeded');
      await kubelet.housekeeping();
      await flush();
      assert.equal(fake.sandboxes().find((s) => s.id === sandboxOf(gone))?.state, 'SANDBOX_NOTREADY', 'the sandbox is still stopped after the container failed');
      assert.ok(errors.some((e) => e.includes('context deadline exceeded')), errors.join('\n'));
      fake.clearCalls();
      clock.step(2_000);
      await kubelet.housekeeping();
      await flush();
      // SyncKnownPods hands the worker its last update again (the listing it was given first); the worker runs
      // alongside the pass's own listing, which finds nothing running and so hands over nothing new.
      assert.deepEqual(fake.callNames().sort(), ['ListContainers', 'ListPodSandbox', 'StopContainer', 'StopPodSandbox']);
      assert.equal(await counter(metrics.orphanedRuntimePods), 1);
    });

    it('ends the pass on a failed listing, logging it, and stops nothing', async () => {
      await startKubelet();
      fake.clearCalls();
      fake.failNext('ListPodSandbox', GRPC_CODE.UNAVAILABLE, 'connection refused');
      await kubelet.housekeeping();
      await flush();
      assert.deepEqual(fake.callNames(), ['ListPodSandbox']);
      assert.ok(errors.some((e) => e.startsWith('"Failed cleaning pods"')), errors.join('\n'));
    });

    it('restarts a static pod whose manifest came back with the same UID once its old worker has finished', async () => {
      await startKubelet();
      rmSync(join(dir, 'keep.yaml'));
      kubelet.readPodSource();
      for (let i = 0; i < 3; i++) await relist();
      writeFileSync(join(dir, 'keep.yaml'), KEEP_YAML);
      kubelet.readPodSource();
      await relist();
      const creates = (): number => exporter.getFinishedSpans().filter((s) => s.name === 'syncPod' && s.attributes['k8s.pod.update_type'] === 'create').length;
      assert.equal(creates(), 1, 'the create waits while the old worker is still known');
      await kubelet.housekeeping();
      await relist();
      assert.equal(creates(), 2);
      assert.deepEqual((await metrics.restartedPods.get()).values.map((v) => [v.labels.static, v.value]), [['true', 1]]);
    });
  });
});
