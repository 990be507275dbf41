import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageReference, REFERENCE_ERROR } from '../../../runtime-sim/src/state/image-reference';

const D = 'sha256:' + 'ab'.repeat(32);

describe('parseImageReference', () => {
  const normalised: Array<[string, string]> = [
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['library/nginx', 'docker.io/library/nginx:latest'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis:7'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/library/nginx:latest', 'docker.io/library/nginx:latest'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/team/app:v1', 'localhost:5000/team/app:v1'],
    [`nginx@${D}`, `docker.io/library/nginx@${D}`],
    [`nginx:1.27@${D}`, `docker.io/library/nginx@${D}`],
    ['quay.io/prometheus/node-exporter:v1.8.2', 'quay.io/prometheus/node-exporter:v1.8.2'],
  ];
  for (const [input, expected] of normalised) {
    it(`normalises ${input} to ${expected}`, () => {
      const parsed = parseImageReference(input);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
      assert.equal(parsed.ref.normalized, expected);
    });
  }

  const invalid: Array<[string, string]> = [
    ['', REFERENCE_ERROR.FORMAT],
    ['Nginx', REFERENCE_ERROR.UPPERCASE],
    ['nginx:', REFERENCE_ERROR.FORMAT],
    ['nginx@sha256:abc', REFERENCE_ERROR.DIGEST],
    ['ngi nx', REFERENCE_ERROR.FORMAT],
    ['-nginx', REFERENCE_ERROR.FORMAT],
  ];
  for (const [input, error] of invalid) {
    it(`rejects ${JSON.stringify(input)} with "${error}"`, () => {
      const parsed = parseImageReference(input);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.equal(parsed.error, error);
    });
  }
});
