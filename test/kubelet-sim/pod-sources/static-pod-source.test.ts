import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../../kubelet-sim/src/container/pod';
import { CONFIG_ANNOTATION, diffPods, readStaticPods } from '../../../kubelet-sim/src/pod-sources/static-pod-source';
import { makePod } from '../fixtures';

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

function manifest(name: string, image = 'nginx:1.27', extra = ''): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${extra}spec:\n  containers:\n  - name: app\n    image: ${image}\n`;
}

describe('readStaticPods', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubelet-sim-static-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh sub-directory per scenario, so files of one test do not leak into another. */
  function scenario(name: string, files: Record<string, string>): string {
    const d = join(dir, name);
    mkdirSync(d);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(d, file), text);
    return d;
  }

  describe('a directory with one manifest', () => {
    it('names the pod <name>-<nodeName>, with the node name lowercased', () => {
      const d = scenario('naming', { 'web.yaml': manifest('web') });
      const { pods, errors } = readStaticPods(d, 'Node-A', NOW);
      assert.deepEqual(errors, []);
      assert.deepEqual(pods.map((p) => p.metadata.name), ['web-node-a']);
    });

    it('sets the config source, hash and seen annotations, keeping the manifest\'s own', () => {
      const d = scenario('annotations', { 'web.yaml': manifest('web', 'nginx:1.27', '  annotations:\n    team: blue\n') });
      const [pod] = readStaticPods(d, 'node-a', NOW).pods;
      assert.deepEqual(pod.metadata.annotations, {
        team: 'blue',
        [CONFIG_ANNOTATION.SOURCE]: 'file',
        [CONFIG_ANNOTATION.HASH]: pod.metadata.uid,
        [CONFIG_ANNOTATION.SEEN]: '2025-01-02T03:04:05.678Z',
      });
    });

    it('derives a 32-hex-digit UID that is stable for the same file read again', () => {
      const d = scenario('stable', { 'web.yaml': manifest('web') });
      const first = readStaticPods(d, 'node-a', NOW).pods[0].metadata.uid;
      const second = readStaticPods(d, 'node-a', NOW + 60_000).pods[0].metadata.uid;
      assert.match(first, /^[0-9a-f]{32}$/);
      assert.equal(second, first);
    });

    it('derives a new UID when the manifest changes', () => {
      const d = scenario('changed', { 'web.yaml': manifest('web') });
      const before = readStaticPods(d, 'node-a', NOW).pods[0].metadata.uid;
      writeFileSync(join(d, 'web.yaml'), manifest('web', 'nginx:1.28'));
      const afterEdit = readStaticPods(d, 'node-a', NOW).pods[0].metadata.uid;
      assert.notEqual(afterEdit, before);
    });

    it('derives a different UID on another node and for the same manifest in another file', () => {
      const d = scenario('per-node', { 'a.yaml': manifest('web'), 'b.yaml': manifest('web') });
      const onA = readStaticPods(d, 'node-a', NOW).pods.map((p) => p.metadata.uid);
      const onB = readStaticPods(d, 'node-b', NOW).pods.map((p) => p.metadata.uid);
      assert.notEqual(onA[0], onA[1], 'the file path is part of the UID');
      assert.notEqual(onA[0], onB[0], 'the node name is part of the UID');
    });

    it('keeps a UID the manifest sets itself', () => {
      const d = scenario('own-uid', { 'web.yaml': manifest('web', 'nginx:1', '  uid: my-own-uid\n') });
      assert.equal(readStaticPods(d, 'node-a', NOW).pods[0].metadata.uid, 'my-own-uid');
    });

    it('gives two pods of one multi-document file distinct UIDs', () => {
      const d = scenario('multi-doc', { 'pods.yaml': `${manifest('one')}---\n${manifest('two')}` });
      const { pods } = readStaticPods(d, 'node-a', NOW);
      assert.deepEqual(pods.map((p) => p.metadata.name), ['one-node-a', 'two-node-a']);
      assert.notEqual(pods[0].metadata.uid, pods[1].metadata.uid);
    });
  });

  describe('a directory with a broken file', () => {
    it('reports the broken file by path while the other files still produce pods', () => {
      const d = scenario('broken', { 'a.yaml': manifest('alpha'), 'b.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: beta\nspec:\n  containers:\n  - name: app\n', 'c.yaml': manifest('gamma') });
      const { pods, errors } = readStaticPods(d, 'node-a', NOW);
      assert.deepEqual(pods.map((p) => p.metadata.name), ['alpha-node-a', 'gamma-node-a']);
      assert.equal(errors.length, 1);
      assert.ok(errors[0].source.startsWith(join(d, 'b.yaml')), errors[0].source);
      assert.match(errors[0].message, /spec\.containers\[0\]\.image: Required value/);
    });

    it('reports unparsable YAML the same way', () => {
      const d = scenario('bad-yaml', { 'bad.yaml': 'kind: Pod\n  : : [', 'ok.yaml': manifest('ok') });
      const { pods, errors } = readStaticPods(d, 'node-a', NOW);
      assert.deepEqual(pods.map((p) => p.metadata.name), ['ok-node-a']);
      assert.equal(errors.length, 1);
      assert.ok(errors[0].source.startsWith(join(d, 'bad.yaml')));
    });
  });

  describe('what is not a manifest', () => {
    it('ignores hidden files, even broken ones, and sub-directories', () => {
      const d = scenario('hidden', { '.web.yaml.swp': 'garbage: [', '.hidden.yaml': manifest('hidden'), 'web.yaml': manifest('web') });
      mkdirSync(join(d, 'nested'));
      writeFileSync(join(d, 'nested', 'inner.yaml'), manifest('inner'));
      const { pods, errors } = readStaticPods(d, 'node-a', NOW);
      assert.deepEqual(errors, []);
      assert.deepEqual(pods.map((p) => p.metadata.name), ['web-node-a']);
    });

    it('reports a missing directory as one staticPodPath error', () => {
      const { pods, errors } = readStaticPods(join(dir, 'does-not-exist'), 'node-a', NOW);
      assert.deepEqual(pods, []);
      assert.equal(errors.length, 1);
      assert.equal(errors[0].errors[0].field, 'staticPodPath');
    });

    it('reads files in name order', () => {
      const d = scenario('order', { 'z.yaml': manifest('zulu'), 'a.yaml': manifest('alpha'), 'm.json': JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mike' }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } }) });
      assert.deepEqual(readStaticPods(d, 'n', NOW).pods.map((p) => p.metadata.name), ['alpha-n', 'mike-n', 'zulu-n']);
    });
  });
});

describe('diffPods', () => {
  const a = makePod({ name: 'a', uid: 'uid-a' });
  const b = makePod({ name: 'b', uid: 'uid-b' });
  const c = makePod({ name: 'c', uid: 'uid-c' });
  const byUid = (...pods: Pod[]) => new Map(pods.map((p) => [p.metadata.uid, p]));

  it('ADDs every pod of the first snapshot', () => {
    assert.deepEqual(diffPods(new Map(), [a, b]), [{ op: 'ADD', pod: a }, { op: 'ADD', pod: b }]);
  });

  it('ADDs new UIDs and DELETEs vanished ones, leaving unchanged pods alone', () => {
    assert.deepEqual(diffPods(byUid(a, b), [b, c]), [{ op: 'ADD', pod: c }, { op: 'DELETE', pod: a }]);
  });

  it('reports nothing when the snapshot is unchanged', () => {
    assert.deepEqual(diffPods(byUid(a, b), [a, b]), []);
  });

  it('DELETEs the old pod (from the previous map) when a manifest edit changes the UID', () => {
    const edited = makePod({ name: 'a', uid: 'uid-a2' });
    assert.deepEqual(diffPods(byUid(a), [edited]), [{ op: 'ADD', pod: edited }, { op: 'DELETE', pod: a }]);
  });
});
