import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../../kubelet-sim/src/container/pod';
import { CONFIG_ANNOTATION, diffPods, POD_OPERATION, readStaticPods } from '../../../kubelet-sim/src/pod-sources/static-pod-source';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import { makePod } from '../fixtures';

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

function manifest(name: string, image = 'nginx:1.27', extraMetadata = ''): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${extraMetadata}spec:\n  containers:\n  - name: app\n    image: ${image}\n`;
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
      const { pods, errors, hasUpdate } = readStaticPods(d, 'Node-A', NOW);
      assert.deepEqual(errors, []);
      assert.equal(hasUpdate, true);
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

    it('keeps the UID when only comments or key order change', () => {
      const d = scenario('cosmetic', { 'web.yaml': manifest('web') });
      const before = readStaticPods(d, 'node-a', NOW).pods[0].metadata.uid;
      writeFileSync(join(d, 'web.yaml'), `# edited\nkind: Pod\napiVersion: v1\nmetadata:\n  name: web\nspec:\n  containers:\n  - image: nginx:1.27\n    name: app\n`);
      assert.equal(readStaticPods(d, 'node-a', NOW).pods[0].metadata.uid, before);
    });

    it('derives a new UID when the manifest changes, labels included', () => {
      const d = scenario('changed', { 'web.yaml': manifest('web') });
      const before = readStaticPods(d, 'node-a', NOW).pods[0].metadata.uid;
      writeFileSync(join(d, 'web.yaml'), manifest('web', 'nginx:1.28'));
      const afterImage = readStaticPods(d, 'node-a', NOW).pods[0].metadata.uid;
      writeFileSync(join(d, 'web.yaml'), manifest('web', 'nginx:1.28', '  labels:\n    tier: edge\n'));
      const afterLabel = readStaticPods(d, 'node-a', NOW).pods[0].metadata.uid;
      assert.equal(new Set([before, afterImage, afterLabel]).size, 3);
    });

    it('derives a different UID on another node and for the same manifest in another file', () => {
      const d = scenario('per-node', { 'a.yaml': manifest('web', 'nginx:1', '  namespace: a\n'), 'b.yaml': manifest('web', 'nginx:1', '  namespace: b\n') });
      const onA = readStaticPods(d, 'node-a', NOW).pods.map((p) => p.metadata.uid);
      const onB = readStaticPods(d, 'node-b', NOW).pods.map((p) => p.metadata.uid);
      assert.notEqual(onA[0], onA[1]);
      assert.notEqual(onA[0], onB[0], 'the node name is part of the UID');
    });

    it('keeps a UID the manifest sets itself', () => {
      const d = scenario('own-uid', { 'web.yaml': manifest('web', 'nginx:1', '  uid: my-own-uid\n') });
      assert.equal(readStaticPods(d, 'node-a', NOW).pods[0].metadata.uid, 'my-own-uid');
    });

    it('runs only the first pod of a multi-document file and warns about the rest', () => {
      const d = scenario('multi-doc', { 'pods.yaml': `${manifest('one')}---\n${manifest('two')}` });
      const { pods, warnings, errors } = readStaticPods(d, 'node-a', NOW);
      assert.deepEqual(pods.map((p) => p.metadata.name), ['one-node-a']);
      assert.deepEqual(errors, []);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /reads only the first, 1 ignored/);
    });
  });

  describe('a directory with a broken file', () => {
    it('reports the broken file by path and field while the other files still produce pods', () => {
      const d = scenario('broken', { 'a.yaml': manifest('alpha'), 'b.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: beta\nspec:\n  containers:\n  - name: app\n', 'c.yaml': manifest('gamma') });
      const { pods, errors } = readStaticPods(d, 'node-a', NOW);
      assert.deepEqual(pods.map((p) => p.metadata.name), ['alpha-node-a', 'gamma-node-a']);
      assert.equal(errors.length, 1);
      assert.equal(errors[0].source, join(d, 'b.yaml'));
      assert.match(errors[0].message, new RegExp(`^${join(d, 'b.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: spec\\.containers\\[0\\]\\.image: Required value`));
    });

    it('reports unparsable YAML the same way', () => {
      const d = scenario('bad-yaml', { 'bad.yaml': 'kind: Pod\n  : : [', 'ok.yaml': manifest('ok') });
      const { pods, errors } = readStaticPods(d, 'node-a', NOW);
      assert.deepEqual(pods.map((p) => p.metadata.name), ['ok-node-a']);
      assert.equal(errors.length, 1);
      assert.equal(errors[0].source, join(d, 'bad.yaml'));
    });
  });

  describe('what is not a manifest', () => {
    it('ignores hidden files, even broken ones, and warns about sub-directories', () => {
      const d = scenario('hidden', { '.web.yaml.swp': 'garbage: [', '.hidden.yaml': manifest('hidden'), 'web.yaml': manifest('web') });
      mkdirSync(join(d, 'nested'));
      writeFileSync(join(d, 'nested', 'inner.yaml'), manifest('inner'));
      const { pods, errors, warnings } = readStaticPods(d, 'node-a', NOW);
      assert.deepEqual(errors, []);
      assert.deepEqual(pods.map((p) => p.metadata.name), ['web-node-a']);
      assert.deepEqual(warnings, [`Provided manifest path is a directory, not recursing into manifest path path="${join(d, 'nested')}"`]);
    });

    it('sends an empty set for a missing path (every static pod goes) and reports it', () => {
      const { pods, errors, hasUpdate } = readStaticPods(join(dir, 'does-not-exist'), 'node-a', NOW);
      assert.equal(hasUpdate, true);
      assert.deepEqual(pods, []);
      assert.equal(errors.length, 1);
      assert.match(errors[0].message, /path does not exist, ignoring/);
    });

    it('reads a staticPodPath that is a single file', () => {
      const d = scenario('single-file', { 'only.yaml': manifest('only') });
      assert.deepEqual(readStaticPods(join(d, 'only.yaml'), 'n', NOW).pods.map((p) => p.metadata.name), ['only-n']);
    });

    it('reads files in name order, and of two files defining one pod keeps the later (kubernetes#136962)', () => {
      const d = scenario('order', { 'z.yaml': manifest('zulu'), 'a.yaml': manifest('alpha'), 'm.json': JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mike' }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } }), 'a.yaml.bak': manifest('alpha', 'nginx:0.9') });
      const { pods, warnings } = readStaticPods(d, 'n', NOW);
      assert.deepEqual(pods.map((p) => [p.metadata.name, p.spec.containers[0].image]), [['alpha-n', 'nginx:0.9'], ['mike-n', 'nginx:1'], ['zulu-n', 'nginx:1.27']]);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /default\/alpha-n is defined by both/);
    });
  });

  describe('successive listings merged by diffPods (file.go listConfig every fileCheckFrequency + config.go merge)', () => {
    it('ADDs a new file, REMOVEs the old UID and ADDs the new one on an edit, REMOVEs a broken or deleted file', () => {
      const clock = new FakeClock(NOW);
      const d = scenario('lifecycle', { 'web.yaml': manifest('web') });
      const known = new Map<string, Pod>();
      const list = (): Array<[string, string]> => {
        const updates = diffPods(known, readStaticPods(d, 'node-a', clock.nowMs()).pods);
        for (const u of updates) {
          if (u.op === POD_OPERATION.REMOVE) known.delete(u.pod.metadata.uid);
          else known.set(u.pod.metadata.uid, u.pod);
        }
        clock.step(20_000); // fileCheckFrequency
        return updates.map((u) => [u.op, u.pod.metadata.name]);
      };

      assert.deepEqual(list(), [['ADD', 'web-node-a']]);
      assert.deepEqual(list(), [], 'an unchanged directory changes nothing');
      writeFileSync(join(d, 'api.yaml'), manifest('api'));
      assert.deepEqual(list(), [['ADD', 'api-node-a']]);
      const oldUid = [...known.values()].find((p) => p.metadata.name === 'web-node-a')!.metadata.uid;
      writeFileSync(join(d, 'web.yaml'), manifest('web', 'nginx:1.28'));
      assert.deepEqual(list(), [['REMOVE', 'web-node-a'], ['ADD', 'web-node-a']]);
      assert.ok(!known.has(oldUid));
      writeFileSync(join(d, 'api.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec: {}\n');
      assert.deepEqual(list(), [['REMOVE', 'api-node-a']], 'a manifest that no longer validates takes its pod away');
      unlinkSync(join(d, 'web.yaml'));
      assert.deepEqual(list(), [['REMOVE', 'web-node-a']]);
    });

    it('UPDATEs in place when the manifest pins its UID and only labels or annotations change', () => {
      const d = scenario('pinned', { 'web.yaml': manifest('web', 'nginx:1', '  uid: pinned\n  labels:\n    v: "1"\n') });
      const first = readStaticPods(d, 'node-a', NOW).pods;
      const known = new Map(first.map((p) => [p.metadata.uid, p]));
      writeFileSync(join(d, 'web.yaml'), manifest('web', 'nginx:1', '  uid: pinned\n  labels:\n    v: "2"\n  annotations:\n    note: changed\n'));
      const updates = diffPods(known, readStaticPods(d, 'node-a', NOW + 20_000).pods);
      assert.deepEqual(updates.map((u) => u.op), ['UPDATE']);
      assert.deepEqual(updates[0].pod.metadata.labels, { v: '2' });
      assert.equal(updates[0].pod.metadata.annotations.note, 'changed');
      assert.equal(updates[0].pod.metadata.annotations[CONFIG_ANNOTATION.SEEN], '2025-01-02T03:04:05.678Z', 'first-seen time kept');
    });
  });
});

describe('readStaticPods on test/fixtures/static-pods-mixed', () => {
  // Compiled tests run from dist-*/test/..., fixtures stay in the source tree.
  const fixtures = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'static-pods-mixed');
  const { pods, errors, warnings } = readStaticPods(fixtures, 'node-a', NOW);

  it('runs the valid pods and the first pod of the two-document file', () => {
    assert.deepEqual(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ['kube-system/good-node-a', 'default/first-node-a']);
  });

  it('reports each broken file on one line as <file>: <field>: <problem and fix>', () => {
    assert.deepEqual(errors.map((e) => e.message), [
      `${join(fixtures, 'missing-image.yaml')}: spec.containers[1].image: Required value (set the image to run, e.g. image: nginx:1.27)`,
      `${join(fixtures, 'typos.yaml')}: metadata.annotations[prometheus.io/port]: Invalid value: 9100: must be a string (quote it in YAML); ` +
        'spec.restartPolicy: Unsupported value: "OnFailur": supported values: "Always", "Never", "OnFailure"; ' +
        'spec.terminationGracePeriodSeconds: Invalid value: -5: must be greater than or equal to 0',
    ]);
  });

  it('warns that the second document of two-pods.yaml is ignored', () => {
    assert.deepEqual(warnings, [`Manifest file holds more than one YAML document; the kubelet reads only the first, 1 ignored (use one file per pod) path="${join(fixtures, 'two-pods.yaml')}"`]);
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

  it('REMOVEs vanished UIDs before it ADDs new ones, leaving unchanged pods alone', () => {
    assert.deepEqual(diffPods(byUid(a, b), [b, c]), [{ op: 'REMOVE', pod: a }, { op: 'ADD', pod: c }]);
  });

  it('reports nothing when the snapshot is unchanged, even if the config.seen annotation differs', () => {
    const reread = { ...a, metadata: { ...a.metadata, annotations: { ...a.metadata.annotations, [CONFIG_ANNOTATION.SEEN]: 'later' } } };
    assert.deepEqual(diffPods(byUid(a, b), [reread, b]), []);
  });

  it('UPDATEs a known UID whose labels, annotations or spec changed', () => {
    const relabelled = makePod({ name: 'a', uid: 'uid-a', labels: { app: 'web', v: '2' } });
    const respecced = makePod({ name: 'b', uid: 'uid-b', terminationGracePeriodSeconds: 1 });
    assert.deepEqual(diffPods(byUid(a, b), [relabelled, respecced]).map((u) => [u.op, u.pod.metadata.uid]), [['UPDATE', 'uid-a'], ['UPDATE', 'uid-b']]);
  });
});
