import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultImageCatalog, imageUser, ImageCatalogError, parseImageCatalog } from '../../../runtime-sim/src/model/image-catalog';

describe('image catalog', () => {
  describe('imageUser (ImageStatus uid / username from the config User)', () => {
    const cases: [string, number | null, string][] = [
      ['', null, ''],
      ['65535:65535', 65535, ''],
      ['1000', 1000, ''],
      ['nginx', null, 'nginx'],
      ['nonroot:nonroot', null, 'nonroot'],
      ['0', 0, ''],
    ];
    for (const [user, uid, username] of cases) {
      it(`reads ${JSON.stringify(user)}`, () => assert.deepEqual(imageUser(user), { uid, username }));
    }
  });

  describe('the built-in catalog', () => {
    it('gives tags of one image one id, and tags of other images other ids', () => {
      const c = defaultImageCatalog();
      const a = c.describe('docker.io/library/nginx', '1.27', 1);
      const b = c.describe('docker.io/library/nginx', 'latest', 1);
      const alpine = c.describe('docker.io/library/nginx', 'alpine', 1);
      assert.equal(a.configDigestHex, b.configDigestHex);
      assert.equal(a.manifestDigestHex, b.manifestDigestHex);
      assert.notEqual(a.configDigestHex, alpine.configDigestHex);
      assert.deepEqual(a.config.entrypoint, ['/docker-entrypoint.sh']);
      assert.deepEqual(a.config.cmd, ['nginx', '-g', 'daemon off;']);
    });

    it('gives an unlisted tag of a listed repository that repository config, and an unknown image a server entrypoint', () => {
      const c = defaultImageCatalog();
      assert.deepEqual(c.describe('docker.io/library/nginx', '1.25', 1).config.cmd, ['nginx', '-g', 'daemon off;']);
      const unknown = c.describe('example.com/team/app', 'v1', 1);
      assert.deepEqual(unknown.config.entrypoint, ['/usr/local/bin/app']);
      assert.deepEqual(c.describe('example.com/team/app', 'v1', 1), unknown);
    });
  });

  describe('parsing', () => {
    const bad: [string, RegExp][] = [
      ['images: 3', /cat\.yaml: expected a top-level "images:" list/],
      ['images:\n  - tags: [nginx]\n', /images\[0\]\.sizeBytes must be a positive integer/],
      ['images:\n  - tags: [Nginx]\n    sizeBytes: 1\n', /images\[0\]\.tags\[0\] "Nginx" is not a tagged image reference/],
      ['images:\n  - tags: [nginx]\n    sizeBytes: 1\n    id: abc\n', /images\[0\]\.id must be "sha256:"/],
      ['images:\n  - tags: [nginx]\n    sizeBytes: 1\n    config: {env: [NOEQUALS]}\n', /images\[0\]\.config\.env\[0\] "NOEQUALS" is not KEY=value/],
      ['images:\n  - tags: [nginx]\n    sizeBytes: 1\n    userland: windows\n', /images\[0\]\.userland must be "gnu", "busybox" or "none"/],
    ];
    for (const [text, message] of bad) {
      it(`names the file, entry and field: ${message.source}`, () => {
        assert.throws(() => parseImageCatalog(text, 'cat.yaml'), (err: unknown) => err instanceof ImageCatalogError && message.test(err.message));
      });
    }

    it('uses a given id for every tag of the entry', () => {
      const id = `sha256:${'a'.repeat(64)}`;
      const c = parseImageCatalog(`images:\n  - tags: [app:1, app:latest]\n    sizeBytes: 10\n    id: "${id}"\n`, 'cat.yaml');
      assert.equal(c.describe('docker.io/library/app', 'latest', 7).configDigestHex, 'a'.repeat(64));
      assert.equal(c.size, 1);
    });
  });
});
