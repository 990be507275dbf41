import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import type { ImageGCPolicy } from '../../../kubelet-sim/src/images/image-gc-manager';
import { ImageGCManager } from '../../../kubelet-sim/src/images/image-gc-manager';
import { ImageManager } from '../../../kubelet-sim/src/images/image-manager';
import { generateContainerConfig } from '../../../kubelet-sim/src/kuberuntime/container-config';
import { KubeRuntimeManager } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import { generatePodSandboxConfig } from '../../../kubelet-sim/src/kuberuntime/sandbox-config';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import { FakeRuntimeService, GRPC_CODE } from '../../helpers/fake-runtime-service';
import type { MemoryTracer } from '../fixtures';
import { container, MANAGER_OPTIONS, makePod, memoryTracer } from '../fixtures';

const MINUTE = 60_000;
const CAPACITY = 1_000;
/** The kubelet defaults: high 85 %, low 80 %, minimum age 2 minutes, no maximum age. */
const POLICY: ImageGCPolicy = { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 2 * MINUTE, maxAgeMs: 0 };

describe('ImageGCManager', () => {
  let clock: FakeClock;
  let fake: FakeRuntimeService;
  let manager: KubeRuntimeManager;
  let spans: MemoryTracer;
  let sandboxId: string;
  const pod = makePod({ name: 'user', uid: 'uid-user' });
  const sandboxConfig = generatePodSandboxConfig(pod, 0, MANAGER_OPTIONS);
  let attempt = 0;

  beforeEach(async () => {
    clock = new FakeClock();
    fake = new FakeRuntimeService({ clock });
    manager = new KubeRuntimeManager(fake, new ImageManager(fake, { serializeImagePulls: true, maxParallelImagePulls: 0 }, clock), MANAGER_OPTIONS, clock);
    spans = memoryTracer();
    sandboxId = await fake.runPodSandbox(sandboxConfig, '');
    attempt = 0;
  });

  function imageGC(policy: ImageGCPolicy = POLICY, capacity = CAPACITY): ImageGCManager {
    return new ImageGCManager(fake, manager, spans.tracer, clock, policy, capacity);
  }

  /** A container that uses the image (running or not, it counts as a use); returns the container id. */
  async function useImage(imageId: string): Promise<string> {
    const spec = container('app', { image: imageId });
    return fake.createContainer(sandboxId, generateContainerConfig(pod, spec, attempt++, imageId), sandboxConfig);
  }

  const removedImages = () => fake.callsOf('RemoveImage').map((c) => (c.args[0] as { image: string }).image);
  const present = () => new Set(fake.images().map((i) => i.id));

  describe('Start loops (image_gc_manager.go Start)', () => {
    it('detects images with ListImages, then GetPods(all): ListPodSandbox with no filter and ListContainers with an empty one, under no span', async () => {
      fake.clearCalls();
      await imageGC().monitorImages();
      assert.deepEqual(fake.calls.map((c) => [c.method, c.args, c.activeSpanName]), [
        ['ListImages', [], undefined],
        ['ListPodSandbox', [], undefined],
        ['ListContainers', [{}], undefined],
      ]);
      assert.deepEqual(spans.exporter.getFinishedSpans(), []);
    });

    it('refreshes the image list cache with one ListImages under no span', async () => {
      fake.addImage('a:1', { size: 100 });
      fake.clearCalls();
      const gc = imageGC();
      await gc.refreshImageCache();
      assert.deepEqual(fake.calls.map((c) => [c.method, c.activeSpanName]), [['ListImages', undefined]]);
      assert.deepEqual(gc.imageList().map((i) => i.repo_tags), [['a:1']]);
    });

    it('reads the image filesystem through the stats provider it is given (ImageFsStats)', async () => {
      let asked = 0;
      const gc = new ImageGCManager(fake, manager, spans.tracer, clock, POLICY, CAPACITY, { imageFsStats: async () => ({ imageFs: { usedBytes: (asked++, 0) } }) });
      fake.clearCalls();
      await gc.garbageCollect();
      assert.equal(asked, 1);
      assert.deepEqual(fake.callNames(), ['ListImages', 'ListPodSandbox', 'ListContainers']);
    });
  });

  it('runs each pass under one root INTERNAL span named Images/GarbageCollect', async () => {
    fake.addImage('a:1', { size: 100 });
    const gc = imageGC();
    await gc.garbageCollect();
    await gc.garbageCollect();
    const finished = spans.exporter.getFinishedSpans();
    assert.deepEqual(finished.map((s) => s.name), ['Images/GarbageCollect', 'Images/GarbageCollect']);
    assert.ok(finished.every((s) => s.kind === SpanKind.INTERNAL && s.parentSpanContext === undefined));
    assert.notEqual(finished[0].spanContext().traceId, finished[1].spanContext().traceId, 'each pass is its own trace');
  });

  it('removes nothing while usage is below the high threshold, after ListImages, the in-use listing and ImageFsInfo', async () => {
    fake.addImage('a:1', { size: 400 });
    fake.addImage('b:1', { size: 440 }); // 84 %
    fake.clearCalls();
    clock.step(10 * MINUTE);
    const gc = imageGC();
    assert.equal(await gc.garbageCollect(), undefined);
    clock.step(10 * MINUTE);
    assert.equal(await gc.garbageCollect(), undefined);
    assert.deepEqual(removedImages(), []);
    assert.deepEqual(fake.callNames().slice(0, 4), ['ListImages', 'ListPodSandbox', 'ListContainers', 'ImageFsInfo']);
  });

  it('starts collecting at exactly the high threshold', async () => {
    fake.addImage('a:1', { size: 400 });
    fake.addImage('b:1', { size: 450 }); // 85 %: free 200 − 150 = 50 bytes
    const gc = imageGC();
    await gc.garbageCollect();
    clock.step(3 * MINUTE);
    assert.equal(await gc.garbageCollect(), undefined);
    assert.equal(removedImages().length, 1, 'one image frees enough');
    assert.equal(present().size, 1);
  });

  it('removes least-recently-used unused images first, only down to the low threshold', async () => {
    const a = fake.addImage('a:1', { size: 100 });
    const b = fake.addImage('b:1', { size: 100 });
    const c = fake.addImage('c:1', { size: 100 });
    const gc = imageGC();
    const usesA = await useImage(a);
    const usesC = await useImage(c);
    await gc.garbageCollect(); // T0: a and c used now, b never used
    await fake.removeContainer(usesA);
    clock.step(MINUTE);
    await gc.garbageCollect(); // T0+1m: only c used
    await fake.removeContainer(usesC);
    clock.step(2 * MINUTE);
    fake.setImageFsBaseUsedBytes(700); // 100 %: free 1000 × 20 % − 0 = 200 bytes
    fake.clearCalls();

    assert.equal(await gc.garbageCollect(), undefined);
    assert.deepEqual(removedImages(), [b, a], 'never-used b, then a (last used before c)');
    assert.deepEqual(present(), new Set([c]));
  });

  it('never removes an image a container uses, however old, and returns the upstream error when it cannot free enough', async () => {
    const big = fake.addImage('big:1', { size: 500 });
    const small = fake.addImage('small:1', { size: 100 });
    await useImage(big);
    fake.setImageFsBaseUsedBytes(400); // 100 %: 200 bytes to free, only `small` (100) is eligible
    const gc = imageGC();
    await gc.garbageCollect();
    clock.step(3 * MINUTE);
    fake.clearCalls();
    const err = await gc.garbageCollect();
    assert.ok(err instanceof Error);
    assert.equal(err.message, 'Failed to garbage collect required amount of images. Attempted to free 200 bytes, but only found 100 bytes eligible to free.');
    assert.deepEqual(removedImages(), [small]);
    assert.ok(present().has(big));
  });

  it('counts an exited container as a use', async () => {
    const used = fake.addImage('used:1', { size: 900 });
    const id = await useImage(used);
    await fake.startContainer(id);
    fake.exitContainer(id, 0);
    const gc = imageGC();
    await gc.garbageCollect();
    clock.step(3 * MINUTE);
    await gc.garbageCollect();
    assert.deepEqual(removedImages(), []);
  });

  it('never removes a pinned image', async () => {
    const pinned = fake.addImage('registry.k8s.io/pause:3.10', { size: 900, pinned: true });
    const gc = imageGC();
    await gc.garbageCollect();
    clock.step(3 * MINUTE);
    const err = await gc.garbageCollect();
    assert.match(err?.message ?? '', /^Failed to garbage collect required amount of images\./);
    assert.ok(present().has(pinned));
  });

  it('spares images first seen less than minAge ago', async () => {
    fake.addImage('fresh:1', { size: 900 });
    const gc = imageGC();
    const first = await gc.garbageCollect();
    assert.equal(first?.message, 'Failed to garbage collect required amount of images. Attempted to free 100 bytes, but only found 0 bytes eligible to free.');
    clock.step(2 * MINUTE - 1);
    await gc.garbageCollect();
    assert.deepEqual(removedImages(), []);
    clock.step(1);
    assert.equal(await gc.garbageCollect(), undefined);
    assert.equal(removedImages().length, 1);
  });

  it('forgets an image that left the runtime, so it is new again when it comes back', async () => {
    const gc = imageGC();
    fake.addImage('x:1', { size: 900 });
    await gc.garbageCollect();
    await fake.removeImage({ image: 'x:1' });
    fake.clearCalls();
    clock.step(3 * MINUTE);
    await gc.garbageCollect();
    fake.addImage('x:1', { size: 900 });
    await gc.garbageCollect();
    assert.deepEqual(removedImages(), [], 'first seen again just now: younger than minAge');
  });

  it('removes an image unused for longer than maxAge even below the high threshold', async () => {
    const old = fake.addImage('old:1', { size: 10 });
    const containerId = await useImage(old);
    const gc = imageGC({ ...POLICY, maxAgeMs: 10 * MINUTE });
    await gc.garbageCollect();
    await fake.removeContainer(containerId);
    clock.step(10 * MINUTE);
    await gc.garbageCollect();
    assert.deepEqual(removedImages(), [], 'unused for exactly maxAge: kept');
    clock.step(1);
    await gc.garbageCollect();
    assert.deepEqual(removedImages(), [old]);
  });

  it('does not remove images by maxAge before maxAge has passed since GC began', async () => {
    fake.addImage('just-pulled:1', { size: 10 });
    const gc = imageGC({ ...POLICY, maxAgeMs: 10 * MINUTE });
    await gc.garbageCollect();
    assert.deepEqual(removedImages(), []);
  });

  it('goes on after a RemoveImage error and reports it with the amounts', async () => {
    const a = fake.addImage('a:1', { size: 300 });
    const b = fake.addImage('b:1', { size: 300 });
    fake.setImageFsBaseUsedBytes(400); // 100 %: 200 bytes to free
    const gc = imageGC();
    await gc.garbageCollect();
    clock.step(3 * MINUTE);
    fake.clearCalls();
    fake.failNext('RemoveImage', GRPC_CODE.FAILED_PRECONDITION, 'image is in use');
    const err = await gc.garbageCollect();
    assert.deepEqual(removedImages(), [a, b]);
    assert.equal(err?.message, 'wanted to free 200 bytes, but freed 300 bytes space with errors in image deletion: rpc error: code = FailedPrecondition desc = image is in use');
  });

  it('returns the upstream error for a zero capacity', async () => {
    const err = await imageGC(POLICY, 0).garbageCollect();
    assert.equal(err?.message, 'invalid capacity 0 on image filesystem');
  });

  it('returns a failed CRI call as the pass error, still ending its span', async () => {
    fake.failNext('ListImages', GRPC_CODE.UNAVAILABLE, 'connection refused');
    const err = await imageGC().garbageCollect();
    assert.equal(err?.message, 'rpc error: code = Unavailable desc = connection refused');
    assert.equal(spans.exporter.getFinishedSpans().length, 1);
  });
});
