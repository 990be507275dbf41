import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageSpec, ImageStatusResponse__Output, PodSandboxConfig } from '../../../cri-proto/src/types';
import type { ImageService } from '../../../kubelet-sim/src/cri/runtime-service';
import { ImageManager } from '../../../kubelet-sim/src/images/image-manager';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import { flush } from '../fixtures';

const SANDBOX: PodSandboxConfig = { metadata: { name: 'web', namespace: 'default', uid: 'uid-web', attempt: 0 } };

/** An image service whose pulls wait until the test releases them; it records every call in order. */
class HeldPulls implements Pick<ImageService, 'imageStatus' | 'pullImage'> {
  readonly calls: string[] = [];
  private readonly held: Array<{ image: string; release: () => void }> = [];
  private readonly pulled = new Set<string>();
  inFlight = 0;
  maxInFlight = 0;

  async imageStatus(spec: ImageSpec): Promise<ImageStatusResponse__Output> {
    this.calls.push(`ImageStatus ${spec.image}`);
    return { image: this.pulled.has(spec.image ?? '') ? ({ id: `sha256:${spec.image}`, size: '100' } as ImageStatusResponse__Output['image']) : null, info: {} };
  }

  async pullImage(spec: ImageSpec): Promise<string> {
    const image = spec.image ?? '';
    this.calls.push(`PullImage ${image}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((release) => this.held.push({ image, release }));
    this.inFlight--;
    this.pulled.add(image);
    return `sha256:${image}`;
  }

  heldImages(): string[] {
    return this.held.map((h) => h.image);
  }

  /** Lets the oldest held pull finish. */
  releaseOldest(): void {
    this.held.shift()?.release();
  }
}

function manager(options: { serializeImagePulls: boolean; maxParallelImagePulls: number }): { images: HeldPulls; m: ImageManager } {
  const images = new HeldPulls();
  return { images, m: new ImageManager(images as unknown as ImageService, options, new FakeClock()) };
}

const IMAGES = ['a:1', 'b:1', 'c:1', 'd:1'];

async function pullAll(m: ImageManager): Promise<Array<Promise<string>>> {
  const pulls = IMAGES.map((image, i) => m.ensureImageExists(`pod-${i}`, image, 'IfNotPresent', SANDBOX, {}));
  await flush();
  return pulls;
}

describe('ImageManager pullers (pkg/kubelet/images/puller.go)', () => {
  it('serial puller (serializeImagePulls true): one PullImage at a time, in arrival order', async () => {
    const { images, m } = manager({ serializeImagePulls: true, maxParallelImagePulls: 0 });
    const pulls = await pullAll(m);
    assert.deepEqual(images.heldImages(), ['a:1']);
    assert.deepEqual(m.pullQueue(), { active: 1, waiting: 3 });
    for (let i = 0; i < IMAGES.length; i++) {
      images.releaseOldest();
      await flush();
    }
    assert.deepEqual(await Promise.all(pulls), IMAGES.map((i) => `sha256:${i}`));
    assert.equal(images.maxInFlight, 1);
    assert.deepEqual(images.calls.filter((c) => c.startsWith('PullImage')), IMAGES.map((i) => `PullImage ${i}`));
  });

  it('parallel puller with maxParallelImagePulls 2: two at once, the third starts when one ends', async () => {
    const { images, m } = manager({ serializeImagePulls: false, maxParallelImagePulls: 2 });
    const pulls = await pullAll(m);
    assert.deepEqual(images.heldImages(), ['a:1', 'b:1']);
    images.releaseOldest();
    await flush();
    assert.deepEqual(images.heldImages(), ['b:1', 'c:1']);
    images.releaseOldest();
    images.releaseOldest();
    await flush();
    images.releaseOldest();
    await Promise.all(pulls);
    assert.equal(images.maxInFlight, 2);
  });

  it('parallel puller without a limit: every pull at once', async () => {
    const { images, m } = manager({ serializeImagePulls: false, maxParallelImagePulls: 0 });
    const pulls = await pullAll(m);
    assert.deepEqual(images.heldImages(), IMAGES);
    for (let i = 0; i < IMAGES.length; i++) images.releaseOldest();
    await Promise.all(pulls);
  });

  it('asks ImageStatus for the size after a successful pull, inside the pull slot (GetImageSize)', async () => {
    const { images, m } = manager({ serializeImagePulls: true, maxParallelImagePulls: 0 });
    const first = m.ensureImageExists('p1', 'a:1', 'IfNotPresent', SANDBOX, {});
    const second = m.ensureImageExists('p2', 'b:1', 'IfNotPresent', SANDBOX, {});
    await flush();
    images.releaseOldest();
    await flush();
    images.releaseOldest();
    await Promise.all([first, second]);
    assert.deepEqual(images.calls, ['ImageStatus a:1', 'ImageStatus b:1', 'PullImage a:1', 'ImageStatus a:1', 'PullImage b:1', 'ImageStatus b:1']);
  });
});
