import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { PERSONAS } from '../../../runtime-sim/src/state/persona';
import { DEFAULT_PAUSE_IMAGE } from '../../../runtime-sim/src/state/runtime-state';
import { assertCriError, containerConfig, createReq, newHarness, podConfig, podWithContainer, runPod } from './fixtures';

describe('RuntimeState images', () => {
  describe('PullImage', () => {
    it('[containerd] normalises the name and returns the image id as image_ref', () => {
      const h = newHarness('containerd');
      const { imageRef, image } = h.state.pullImage({ image: 'nginx' });
      assert.match(imageRef, /^sha256:[0-9a-f]{64}$/);
      assert.equal(imageRef, image.id);
      assert.deepEqual(image.repoTags, ['docker.io/library/nginx:latest']);
      assert.match(image.repoDigests[0]!, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    });

    it('[crio] returns the repo digest as image_ref and a bare hex id', () => {
      const h = newHarness('crio');
      const { imageRef, image } = h.state.pullImage({ image: 'nginx:1.27' });
      // CRI-O lists the index and the platform manifest digests and answers with the platform one.
      assert.ok(image.repoDigests.includes(imageRef));
      assert.equal(image.repoDigests.length, 2);
      assert.match(imageRef, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
      assert.match(image.id, /^[0-9a-f]{64}$/);
    });

    for (const persona of PERSONAS) {
      it(`[${persona}] is deterministic: same name, same id and size; sizes are realistic`, () => {
        const a = newHarness(persona).state.pullImage({ image: 'example.com/team/app:v1' }).image;
        const b = newHarness(persona).state.pullImage({ image: 'example.com/team/app:v1' }).image;
        assert.equal(a.id, b.id);
        assert.equal(a.sizeBytes, b.sizeBytes);
        assert.ok(a.sizeBytes >= 3_000_000 && a.sizeBytes <= 400_000_000, `size ${a.sizeBytes}`);
        const nginx = newHarness(persona).state.pullImage({ image: 'nginx' }).image;
        // containerd reports the compressed content, CRI-O the unpacked layers (runtime-sim/images/default-catalog.yaml).
        const [lo, hi] = persona === 'containerd' ? [60_000_000, 90_000_000] : [150_000_000, 250_000_000];
        assert.ok(nginx.sizeBytes > lo && nginx.sizeBytes < hi, `nginx size ${nginx.sizeBytes}`);
      });

      it(`[${persona}] pulling twice keeps one image and refreshes last-used`, () => {
        const h = newHarness(persona);
        const first = h.state.pullImage({ image: 'nginx' }).image;
        h.clock.advanceMs(1000);
        const second = h.state.pullImage({ image: 'docker.io/library/nginx:latest' }).image;
        assert.equal(first.id, second.id);
        assert.ok(second.lastUsedNs > first.lastUsedNs);
        assert.equal(h.state.listImages().length, 2); // pause + nginx
      });

      it(`[${persona}] finds an image pulled by digest under that digest`, () => {
        const h = newHarness(persona);
        const digest = 'sha256:' + '1'.repeat(64);
        const { image } = h.state.pullImage({ image: `nginx@${digest}` });
        assert.deepEqual(image.repoTags, []);
        assert.deepEqual(image.repoDigests, [`docker.io/library/nginx@${digest}`]);
        assert.equal(h.state.imageStatus(`docker.io/library/nginx@${digest}`)?.id, image.id);
      });
    }

    it('[containerd] refuses an invalid reference', () => {
      assertCriError(
        () => newHarness('containerd').state.pullImage({ image: 'Nginx' }),
        GRPC_STATUS.UNKNOWN,
        'failed to parse image reference "Nginx": invalid reference format: repository name must be lowercase',
      );
    });

    it('[containerd] answers NOT_FOUND for an image the registry does not have (missing-images annotation)', () => {
      const h = newHarness('containerd');
      assertCriError(
        () => h.state.pullImage({ image: 'nosuch:1', sandboxAnnotations: { 'sim.cri.io/missing-images': 'busybox, nosuch:1' } }),
        GRPC_STATUS.NOT_FOUND,
        'failed to pull and unpack image "docker.io/library/nosuch:1": failed to resolve reference "docker.io/library/nosuch:1": docker.io/library/nosuch:1: not found',
      );
    });

    it('[crio] fails an unpullable image with the registry text', () => {
      const h = newHarness('crio', { unpullableImages: ['quay.io/x/y:2'] });
      assertCriError(
        () => h.state.pullImage({ image: 'quay.io/x/y:2' }),
        GRPC_STATUS.UNKNOWN,
        'initializing source docker://quay.io/x/y:2: reading manifest 2 in quay.io/x/y: manifest unknown',
      );
    });
  });

  describe('ImageStatus', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] finds an image by name, id and id prefix; null when missing`, () => {
        const h = newHarness(persona);
        const { image } = h.state.pullImage({ image: 'busybox:1.36' });
        assert.equal(h.state.imageStatus('busybox:1.36')?.id, image.id);
        assert.equal(h.state.imageStatus('docker.io/library/busybox:1.36')?.id, image.id);
        assert.equal(h.state.imageStatus(image.id)?.id, image.id);
        const hex = image.id.replace('sha256:', '');
        assert.equal(h.state.imageStatus(hex.slice(0, 12))?.id, image.id);
        assert.equal(h.state.imageStatus('busybox:latest'), null);
        assert.equal(h.state.imageStatus(''), null);
      });

      it(`[${persona}] has the pause image pinned from the start`, () => {
        const pause = newHarness(persona).state.imageStatus(DEFAULT_PAUSE_IMAGE);
        assert.ok(pause);
        assert.equal(pause.pinned, true);
      });
    }
  });

  describe('ListImages', () => {
    it('[crio] honours the image filter', () => {
      const h = newHarness('crio');
      h.state.pullImage({ image: 'nginx' });
      assert.equal(h.state.listImages('nginx').length, 1);
      assert.equal(h.state.listImages('redis').length, 0);
    });

    it('[containerd] ignores the image filter', () => {
      const h = newHarness('containerd');
      h.state.pullImage({ image: 'nginx' });
      assert.equal(h.state.listImages('redis').length, 2);
    });
  });

  describe('RemoveImage', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] removes an unused image and succeeds when it is already gone`, () => {
        const h = newHarness(persona);
        const { image } = h.state.pullImage({ image: 'nginx' });
        h.state.removeImage('nginx');
        assert.equal(h.state.imageStatus(image.id), null);
        h.state.removeImage('nginx');
        h.state.removeImage(image.id);
      });
    }

    it('[crio] refuses to delete an image a container uses', () => {
      const h = newHarness('crio');
      const { containerId } = podWithContainer(h, { start: false });
      assertCriError(
        () => h.state.removeImage('nginx'),
        GRPC_STATUS.UNKNOWN,
        `delete image: image used by ${containerId}: image is in use by a container`,
      );
      h.state.removeContainer(containerId);
      h.state.removeImage('nginx');
      assert.equal(h.state.imageStatus('nginx'), null);
    });

    it('[crio] removes an image pulled by digest, by that digest', () => {
      const h = newHarness('crio');
      const digest = 'sha256:' + '2'.repeat(64);
      const { image } = h.state.pullImage({ image: `nginx@${digest}` });
      assert.equal(image.repoTags.length, 0);
      h.state.removeImage(`nginx@${digest}`);
      assert.equal(h.state.imageStatus(image.id), null);
    });

    it('[crio] rejects an empty image', () => {
      assertCriError(() => newHarness('crio').state.removeImage(''), GRPC_STATUS.UNKNOWN, 'no image specified');
    });

    it('[containerd] removes an image in use; the container then reports the id as image_ref', () => {
      const h = newHarness('containerd');
      const { containerId } = podWithContainer(h);
      const imageId = h.state.containerStatus(containerId).imageId;
      h.state.removeImage('nginx');
      assert.equal(h.state.imageStatus('nginx'), null);
      const c = h.state.containerStatus(containerId);
      assert.equal(c.imageRef, imageId);
      assert.equal(c.image.image, 'docker.io/library/nginx:latest');
    });
  });

  describe('ImageFsInfo', () => {
    it('[containerd] reports the overlayfs snapshotter with the sum of image sizes', () => {
      const h = newHarness('containerd');
      const a = h.state.pullImage({ image: 'nginx' }).image;
      const info = h.state.imageFsInfo();
      const pause = h.state.imageStatus(DEFAULT_PAUSE_IMAGE)!;
      assert.equal(info.imageFilesystems.length, 1);
      assert.equal(info.containerFilesystems.length, 0);
      const fs = info.imageFilesystems[0]!;
      assert.equal(fs.mountpoint, '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs');
      assert.equal(fs.usedBytes, a.sizeBytes + pause.sizeBytes);
      assert.equal(fs.inodesUsed, a.inodes + pause.inodes);
      assert.equal(fs.timestampNs, h.clock.nowNs());
    });

    it('[crio] reports overlay-images and overlay-containers', () => {
      const h = newHarness('crio');
      const pod = podConfig();
      const sandboxId = runPod(h.state, pod);
      h.state.pullImage({ image: 'nginx' });
      h.state.createContainer(createReq(sandboxId, pod, containerConfig()));
      const info = h.state.imageFsInfo();
      assert.equal(info.imageFilesystems[0]!.mountpoint, '/var/lib/containers/storage/overlay-images');
      assert.equal(info.containerFilesystems[0]!.mountpoint, '/var/lib/containers/storage/overlay-containers');
      assert.ok(info.containerFilesystems[0]!.usedBytes > 0);
    });
  });
});
