import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { BackgroundLoopSettings } from '../../kubelet-sim/src/background-loop-settings';
import { DEFAULT_BACKGROUND_LOOP_SETTINGS } from '../../kubelet-sim/src/background-loop-settings';
import { kubeletSettings } from './fixtures';
import { InstrumentedRuntimeService } from '../../kubelet-sim/src/cri/instrumented-runtime-service';
import type { KubeletSettings } from '../../kubelet-sim/src/kubelet';
import { KUBELET_LOOP, Kubelet, LOOP_NAME, SYNC_LOOP_BACKOFF } from '../../kubelet-sim/src/kubelet';
import { KubeletMetrics } from '../../kubelet-sim/src/metrics/kubelet-metrics';
import type { FsEvent } from '../../kubelet-sim/src/pod-sources/file-source';
import { FakeClock } from '../../kubelet-sim/src/util/clock';
import type { Logger } from '../../kubelet-sim/src/util/logger';
import { FakeLoops } from '../helpers/fake-loops';
import { FakeRuntimeService, GRPC_CODE } from '../helpers/fake-runtime-service';

/*
 * The kubelet's background CRI traffic (kubelet.go Run, initializeModules, initializeRuntimeDependentModules,
 * cmd/kubelet/app/server.go): start-up calls in order, then each loop at its upstream period, every call a
 * root CLIENT span. Loops run on a FakeClock through FakeLoops: nothing sleeps.
 */

const NODE = 'node-a';
const WEB_YAML = (image: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
spec:
  containers:
    - name: app
      image: ${image}
`;

describe('Kubelet background loops', () => {
  let provider: NodeTracerProvider;
  let dir: string;
  let clock: FakeClock;
  let fake: FakeRuntimeService;
  let loops: FakeLoops;
  let slept: number[];
  let watchEvents: ((e: FsEvent) => void) | undefined;
  let watchedPath: string | undefined;
  let errors: string[];
  let kubelet: Kubelet | undefined;

  before(() => {
    // A registered provider brings the async context manager, so the active span is tracked across awaits.
    provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
    provider.register();
  });
  after(async () => provider.shutdown());

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubelet-background-'));
    writeFileSync(join(dir, 'web.yaml'), WEB_YAML('docker.io/library/nginx:1.27'));
    clock = new FakeClock();
    fake = new FakeRuntimeService({ clock });
    loops = new FakeLoops(clock);
    slept = [];
    watchEvents = undefined;
    watchedPath = undefined;
    errors = [];
    kubelet = undefined;
  });

  afterEach(async () => {
    if (kubelet) {
      kubelet.podCache.updateTime(Number.MAX_SAFE_INTEGER);
      await kubelet.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function settings(background: Partial<BackgroundLoopSettings> = {}): KubeletSettings {
    return kubeletSettings({
      nodeName: NODE,
      staticPodPath: dir,
      background: { ...DEFAULT_BACKGROUND_LOOP_SETTINGS, containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock', ...background },
    });
  }

  function makeKubelet(s: KubeletSettings = settings(), runtime: ConstructorParameters<typeof Kubelet>[1] = fake, metrics?: KubeletMetrics): Kubelet {
    const log: Logger = { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) };
    kubelet = new Kubelet(s, runtime, (scope) => provider.getTracer(scope), clock, log, metrics, {
      loops,
      sleep: async (ms) => {
        slept.push(ms);
        clock.step(ms);
      },
      watchManifests: (path, onEvent) => {
        watchedPath = path;
        watchEvents = onEvent;
        return { close: () => undefined };
      },
    });
    return kubelet;
  }

  describe('start', () => {
    it('asks, in order: Version with an empty request, ImageFsInfo, RuntimeConfig three times, Version "0.1.0"', async () => {
      await makeKubelet().start();
      assert.deepEqual(fake.calls.map((c) => [c.method, c.args]), [
        ['Version', [undefined]],
        ['ImageFsInfo', []],
        ['RuntimeConfig', []],
        ['RuntimeConfig', []],
        ['RuntimeConfig', []],
        ['Version', ['0.1.0']],
      ]);
    });

    it('takes the cgroup driver from RuntimeConfig (KubeletCgroupDriverFromCRI)', async () => {
      const s = settings();
      await makeKubelet(s).start();
      assert.equal(s.cgroupDriver, 'systemd');
    });

    it('keeps the configured cgroup driver after one UNIMPLEMENTED answer (containerd 1.6)', async () => {
      fake.failAlways('RuntimeConfig', GRPC_CODE.UNIMPLEMENTED, 'unknown method RuntimeConfig for service runtime.v1.RuntimeService');
      const s = settings();
      await makeKubelet(s).start();
      assert.equal(fake.callsOf('RuntimeConfig').length, 1);
      assert.equal(s.cgroupDriver, 'cgroupfs');
    });

    it('retries RuntimeConfig 2 s after any other error', async () => {
      fake.failNext('RuntimeConfig', GRPC_CODE.UNAVAILABLE, 'starting');
      await makeKubelet().start();
      assert.deepEqual(slept, [2_000]);
      assert.equal(fake.callsOf('RuntimeConfig').length, 3);
    });

    it('fails when every RuntimeConfig attempt failed', async () => {
      fake.failAlways('RuntimeConfig', GRPC_CODE.UNAVAILABLE, 'starting');
      await assert.rejects(makeKubelet().start(), /starting/);
      assert.deepEqual(slept, [2_000, 2_000, 2_000]);
    });

    it('asks no RuntimeConfig with KubeletCgroupDriverFromCRI off (before 1.31)', async () => {
      await makeKubelet(settings({ kubeletCgroupDriverFromCRI: false })).start();
      assert.deepEqual(fake.callNames(), ['Version', 'ImageFsInfo', 'Version']);
    });

    it('names the endpoint when the connection check fails', async () => {
      fake.failNext('Version', GRPC_CODE.UNAVAILABLE, 'connection refused');
      await assert.rejects(makeKubelet().start(), /validate CRI v1 runtime API for endpoint "unix:\/\/\/run\/containerd\/containerd.sock": .*connection refused/);
    });
  });

  describe('loops', () => {
    it('registers each loop with its upstream period', async () => {
      const k = makeKubelet();
      await k.start();
      await loops.runDue();
      assert.deepEqual(Object.fromEntries(loops.registered()), {
        [LOOP_NAME.CONTAINER_GC]: 60_000,
        [LOOP_NAME.IMAGE_GC]: 300_000,
        [LOOP_NAME.IMAGE_DETECT]: 300_000,
        [LOOP_NAME.IMAGE_CACHE]: 30_000,
        [LOOP_NAME.RUNTIME_STATUS]: 5_000,
        [LOOP_NAME.PLEG]: 1_000,
        [LOOP_NAME.FILE_SOURCE]: 20_000,
        [LOOP_NAME.SYNC]: 1_000,
        [LOOP_NAME.HOUSEKEEPING]: 2_000,
        [LOOP_NAME.EVICTION]: 10_000,
        [LOOP_NAME.CONTAINER_LOG]: 10_000,
      });
    });

    it('backs the sync loop off 100 ms, 200 ms, … 5 s while the runtime is unhealthy, and resets it once healthy (syncLoop)', async () => {
      // Status fails from the start: runtimeErrors() holds "container runtime status check may not have completed yet".
      fake.failAlways('Status', GRPC_CODE.UNAVAILABLE, 'runtime down');
      await makeKubelet().start();
      await loops.advance(20_000);
      const skips = loops.runTimes(LOOP_NAME.SYNC);
      const gaps = skips.slice(1).map((t, i) => t - skips[i]);
      assert.deepEqual(gaps.slice(0, 8), [100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
      assert.ok(gaps.every((g) => g <= SYNC_LOOP_BACKOFF.MAX_MS));
      const skipLines = errors.filter((m) => m.startsWith('"Skipping pod synchronization" err="container runtime status check may not have completed yet"'));
      assert.equal(skipLines.length, skips.length, 'one line per skipped iteration');
      assert.ok(skips.length < 20, `${skips.length} skipped iterations in 20 s (a fixed 1 s tick would make 20)`);

      fake.clearFailures('Status');
      await loops.advance(15_000); // the Status pass at 25 s succeeds; the next look finds the loop healthy
      const runs = loops.runTimes(LOOP_NAME.SYNC);
      const skipped = errors.filter((m) => m.includes('Skipping pod synchronization')).length;
      const healthy = runs.slice(skipped); // every run before the first healthy one logged exactly one line
      assert.ok(healthy.length >= 3, `${healthy.length} healthy iterations`);
      assert.ok(healthy[0] >= 25_000 && healthy[0] - runs[skipped - 1] <= SYNC_LOOP_BACKOFF.MAX_MS, `first healthy look at ${healthy[0]} ms`);
      assert.deepEqual(healthy.slice(1).map((t, i) => t - healthy[i]), healthy.slice(1).map(() => KUBELET_LOOP.SYNC_TICK_MS));
    });

    it('runs them at their periods over a minute', async () => {
      await makeKubelet().start();
      await loops.advance(60_000);
      const every = (periodMs: number, fromMs = 0): number[] => Array.from({ length: Math.floor((60_000 - fromMs) / periodMs) + 1 }, (_, i) => fromMs + i * periodMs);
      assert.deepEqual(loops.runTimes(LOOP_NAME.IMAGE_CACHE), [0, 30_000, 60_000]);
      assert.deepEqual(loops.runTimes(LOOP_NAME.IMAGE_DETECT), [0]);
      assert.deepEqual(loops.runTimes(LOOP_NAME.RUNTIME_STATUS), every(5_000));
      assert.deepEqual(loops.runTimes(LOOP_NAME.EVICTION), every(10_000));
      assert.deepEqual(loops.runTimes(LOOP_NAME.CONTAINER_LOG), every(10_000));
      assert.deepEqual(loops.runTimes(LOOP_NAME.HOUSEKEEPING), every(2_000, 2_000));
      assert.deepEqual(loops.runTimes(LOOP_NAME.FILE_SOURCE), [0, 20_000, 40_000, 60_000]);
      assert.deepEqual(fake.callsOf('ListContainerStats').length, 7, 'one ListContainerStats per eviction pass');
    });

    it('runs at once: GC, image detection and cache, then Status, whose success starts the eviction and log managers', async () => {
      await makeKubelet().start();
      fake.clearCalls();
      await loops.runDue();
      const first = loops.runs.map((r) => r.name);
      assert.deepEqual(first.slice(0, 5), [LOOP_NAME.CONTAINER_GC, LOOP_NAME.IMAGE_GC, LOOP_NAME.IMAGE_DETECT, LOOP_NAME.IMAGE_CACHE, LOOP_NAME.RUNTIME_STATUS]);
      assert.ok(first.indexOf(LOOP_NAME.EVICTION) > first.indexOf(LOOP_NAME.RUNTIME_STATUS));
      assert.ok(first.includes(LOOP_NAME.CONTAINER_LOG));
    });

    it('starts the eviction and log managers only after a Status with RuntimeReady', async () => {
      fake.failNext('Status', GRPC_CODE.UNAVAILABLE, 'starting');
      await makeKubelet().start();
      await loops.advance(4_000);
      assert.equal(loops.registered().has(LOOP_NAME.EVICTION), false);
      assert.equal(fake.callsOf('ListContainerStats').length, 0);
      await loops.advance(1_000);
      assert.deepEqual(loops.runTimes(LOOP_NAME.EVICTION), [5_000]);
      assert.deepEqual(loops.runTimes(LOOP_NAME.CONTAINER_LOG), [5_000]);
    });

    it('runs no log rotation loop with a negative containerLogMaxSize (the stub log manager)', async () => {
      await makeKubelet(settings({ containerLogMaxSizeBytes: -1 })).start();
      await loops.advance(20_000);
      assert.equal(loops.registered().has(LOOP_NAME.CONTAINER_LOG), false);
      assert.ok(loops.registered().has(LOOP_NAME.EVICTION));
    });

    it('asks the image cache and detection calls with the filters kuberuntime sends: ListImages, ListPodSandbox (nil), ListContainers ({})', async () => {
      const k = makeKubelet();
      await k.start();
      fake.clearCalls();
      await loops.runDue();
      const imageCalls = fake.calls.filter((c) => c.activeSpanName === undefined).map((c) => [c.method, c.args]);
      // detectImages (ListImages, GetPods(all)), then the cache's ListImages, then Status.
      assert.deepEqual(imageCalls.slice(0, 5), [['ListImages', []], ['ListPodSandbox', []], ['ListContainers', [{}]], ['ListImages', []], ['Status', [false]]]);
    });

    it('makes every background CRI call with no active span: each is a root CLIENT span', async () => {
      const outer = provider.getTracer('test');
      await outer.startActiveSpan('caller', async (span) => {
        await makeKubelet().start();
        await loops.advance(30_000);
        span.end();
      });
      const spanNames = new Set(fake.calls.map((c) => c.activeSpanName));
      assert.ok(!spanNames.has('caller'), fake.calls.filter((c) => c.activeSpanName === 'caller').map((c) => c.method).join(', '));
      const background = ['Version', 'ImageFsInfo', 'RuntimeConfig', 'Status', 'ListContainerStats', 'ListImages'];
      for (const call of fake.calls.filter((c) => background.includes(c.method) && c.activeSpanName !== 'Images/GarbageCollect')) {
        assert.equal(call.activeSpanName, undefined, `${call.method} under ${call.activeSpanName}`);
      }
      assert.equal(trace.getActiveSpan(), undefined);
    });

    it('counts only kuberuntime\'s calls in kubelet_runtime_operations_total, not the remote service\'s (start-up checks, CRI stats, log manager)', async () => {
      const metrics = new KubeletMetrics();
      await makeKubelet(settings(), new InstrumentedRuntimeService(fake, metrics, clock), metrics).start();
      await loops.runDue();
      const counted = Object.fromEntries((await metrics.runtimeOperations.get()).values.map((v) => [v.labels.operation_type, v.value]));
      assert.equal(counted.version, 1, 'only Version "0.1.0"');
      assert.equal(counted.status, 1);
      assert.equal(counted.list_container_stats, undefined);
      assert.equal(counted.image_fs_info, undefined, 'ImageFsInfo goes through the CRI stats provider and the connection check');
      assert.ok(fake.callsOf('ListContainerStats').length === 1 && fake.callsOf('ImageFsInfo').length > 1);
    });

    it('asks ImageFsInfo for the eviction summary and no container stats with the cAdvisor provider (CRI-O socket)', async () => {
      await makeKubelet(settings({ statsProvider: 'cadvisor' })).start();
      await loops.runDue();
      fake.clearCalls();
      await loops.advance(10_000);
      const eviction = fake.calls.filter((c) => ['ImageFsInfo', 'ListContainerStats', 'ListPodSandboxStats'].includes(c.method));
      assert.deepEqual(eviction.map((c) => c.method), ['ImageFsInfo']);
    });
  });

  describe('the file source watch', () => {
    it('watches staticPodPath after the first listing', async () => {
      await makeKubelet().start();
      await loops.runDue();
      assert.equal(watchedPath, dir);
      assert.deepEqual(kubelet!.managedPods().map((p) => p.metadata.name), ['web-node-a']);
    });

    it('hands a new manifest to the pod workers at its watch event, before the next listing', async () => {
      await makeKubelet().start();
      await loops.runDue();
      const file = join(dir, 'db.yaml');
      writeFileSync(file, WEB_YAML('docker.io/library/redis:7').replace('name: web', 'name: db'));
      watchEvents!({ op: 'create', name: file });
      assert.deepEqual(kubelet!.managedPods().map((p) => p.metadata.name).sort(), ['db-node-a', 'web-node-a']);
    });

    it('replaces an edited manifest\'s pod (new UID) and drops a removed one at their events', async () => {
      await makeKubelet().start();
      await loops.runDue();
      const file = join(dir, 'web.yaml');
      const before = kubelet!.managedPods()[0].metadata.uid;
      writeFileSync(file, WEB_YAML('docker.io/library/nginx:1.28'));
      watchEvents!({ op: 'write', name: file });
      const edited = kubelet!.managedPods();
      assert.equal(edited.length, 1);
      assert.notEqual(edited[0].metadata.uid, before);
      rmSync(file);
      watchEvents!({ op: 'remove', name: file });
      assert.deepEqual(kubelet!.managedPods(), []);
    });

    it('keeps the pod of a manifest that fails to parse at a watch event (the next listing drops it), and ignores dot files', async () => {
      await makeKubelet().start();
      await loops.runDue();
      const file = join(dir, 'web.yaml');
      writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: app}]}\n');
      watchEvents!({ op: 'write', name: file });
      assert.equal(kubelet!.managedPods().length, 1);
      assert.match(errors.join('\n'), /Unable to process watch event.*can't process config file/);
      writeFileSync(join(dir, '.web.yaml.swp'), 'junk');
      watchEvents!({ op: 'create', name: join(dir, '.web.yaml.swp') });
      await loops.advance(20_000);
      assert.deepEqual(kubelet!.managedPods(), []);
    });
  });
});
