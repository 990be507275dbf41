import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { RuntimeState } from '../../../runtime-sim/src/state/runtime-state';
import { decodeSnapshotText, encodeSnapshot, parseStateSnapshot } from '../../../runtime-sim/src/state/state-snapshot';
import { loadStateSnapshot, STATE_FILE_NAME, StateFileError, StateStore } from '../../../runtime-sim/src/state/state-store';
import { assertConsistent, newHarness, podWithContainer, SECOND_NS } from './fixtures';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'state-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('state snapshot', () => {
  it('round-trips every record, so a restored state lists the same things and keeps its invariants', () => {
    const h = newHarness('crio');
    const running = podWithContainer(h);
    const snapshot = parseStateSnapshot(decodeSnapshotText(encodeSnapshot(h.state.exportSnapshot())), 'crio');
    const restored = new RuntimeState({ persona: 'crio', clock: h.clock, seed: 42, restore: snapshot });
    assert.deepEqual(restored.listPodSandboxes(), h.state.listPodSandboxes());
    assert.deepEqual(restored.listContainers(), h.state.listContainers());
    assert.deepEqual(restored.listImages(), h.state.listImages());
    assertConsistent(restored);
    assert.equal(restored.containerStatus(running.containerId).state, 'CONTAINER_RUNNING');
    // Allocators continue: the next id is the one the original state would have drawn.
    const nextOriginal = h.state.runPodSandbox({ config: { metadata: { name: 'n', namespace: 'd', uid: 'u' } } }).podSandboxId;
    const nextRestored = restored.runPodSandbox({ config: { metadata: { name: 'n', namespace: 'd', uid: 'u' } } }).podSandboxId;
    assert.equal(nextRestored, nextOriginal);
  });

  it('resumes a running container\'s exit from its persisted start time', () => {
    const h = newHarness('containerd');
    const { containerId } = podWithContainer(h, {
      pod: { metadata: { name: 'job', namespace: 'default', uid: 'uid-job' }, annotations: { 'sim.cri.io/exit-after': '10s', 'sim.cri.io/exit-code': '3' } },
    });
    const startedAt = h.state.containerStatus(containerId).startedAtNs;
    const snapshot = h.state.exportSnapshot();
    h.clock.advanceNs(60n * SECOND_NS); // runtime-sim was down for a minute
    const restored = new RuntimeState({ persona: 'containerd', clock: h.clock, seed: 42, restore: snapshot });
    const status = restored.containerStatus(containerId);
    assert.deepEqual([status.state, status.exitCode, status.finishedAtNs], ['CONTAINER_EXITED', 3, startedAt + 10n * SECOND_NS]);
  });

  it('refuses a file for the other persona, of another version, or with a broken record, naming the path', () => {
    const text = encodeSnapshot(newHarness('crio').state.exportSnapshot());
    assert.throws(() => parseStateSnapshot(decodeSnapshotText(text), 'containerd'), /^StateSnapshotError: persona: is "crio" but runtime-sim runs as "containerd"; start it with --persona crio/);
    const future = JSON.parse(text);
    future.version = 2;
    assert.throws(() => parseStateSnapshot(decodeSnapshotText(JSON.stringify(future)), 'crio'), /version: is 2; this runtime-sim reads version 1 only/);
    const h = newHarness('crio');
    podWithContainer(h);
    const broken = JSON.parse(encodeSnapshot(h.state.exportSnapshot()));
    broken.containers[0].podSandboxId = 'gone';
    assert.throws(() => parseStateSnapshot(decodeSnapshotText(JSON.stringify(broken)), 'crio'), /containers\[0\]\.podSandboxId: names sandbox "gone", which is not in the file/);
    delete broken.sandboxes[0].createdAtNs;
    assert.throws(() => parseStateSnapshot(decodeSnapshotText(JSON.stringify(broken)), 'crio'), /sandboxes\[0\]\.createdAtNs: is missing/);
  });
});

describe('StateStore', () => {
  it('creates the directory, writes atomically on change only, and loads what it wrote', () => {
    const dir = path.join(tempDir(), 'nested', 'state');
    assert.equal(loadStateSnapshot(dir, 'crio'), undefined, 'no file yet');
    const h = newHarness('crio');
    const deferred: (() => void)[] = [];
    const store = new StateStore({ dir, snapshot: () => h.state.exportSnapshot(), defer: (fn) => deferred.push(fn) });
    store.flush();
    assert.equal(store.writeCount, 1);
    store.flush();
    assert.equal(store.writeCount, 1, 'unchanged records are not rewritten');
    podWithContainer(h);
    store.markDirty();
    store.markDirty();
    assert.equal(deferred.length, 1, 'a burst of changes schedules one save');
    deferred.shift()!();
    assert.equal(store.writeCount, 2);
    assert.deepEqual(fs.readdirSync(dir), [STATE_FILE_NAME], 'no temp file is left behind');
    const loaded = loadStateSnapshot(dir, 'crio')!;
    assert.equal(loaded.containers.length, 1);
    store.close();
    store.close();
  });

  it('saves a change on the next turn, then at most once per interval, and always on close', async () => {
    const dir = tempDir();
    const h = newHarness('crio');
    const store = new StateStore({ dir, snapshot: () => h.state.exportSnapshot(), minIntervalMs: 80 });
    store.markDirty();
    await new Promise((r) => setImmediate(r));
    assert.equal(store.writeCount, 1, 'the first change is saved on the next turn');
    podWithContainer(h);
    store.markDirty();
    await new Promise((r) => setImmediate(r));
    assert.equal(store.writeCount, 1, 'a change right after a save waits for the interval');
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(store.writeCount, 2, 'and is saved when it ends');
    assert.equal(loadStateSnapshot(dir, 'crio')!.containers.length, 1);
    h.state.removePodSandbox(h.state.listPodSandboxes()[0]!.id);
    store.markDirty();
    store.close();
    assert.equal(store.writeCount, 3, 'close writes the final copy at once');
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(store.writeCount, 3, 'nothing after close');
  });

  it('refuses a corrupt file with an error naming it and the fix, and leaves it untouched', () => {
    const dir = tempDir();
    const file = path.join(dir, STATE_FILE_NAME);
    fs.writeFileSync(file, '{"kind": "runtime-sim-state", "version": 1,');
    assert.throws(
      () => loadStateSnapshot(dir, 'crio'),
      (err: Error) => {
        assert.ok(err instanceof StateFileError);
        assert.match(err.message, new RegExp(`^state file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is unusable: \\(file\\): is not valid JSON`));
        assert.match(err.message, /move it away to start empty, or point --state-dir at another directory$/);
        return true;
      },
    );
    assert.equal(fs.readFileSync(file, 'utf8'), '{"kind": "runtime-sim-state", "version": 1,');
    const notDir = path.join(dir, 'plain-file');
    fs.writeFileSync(notDir, '');
    assert.throws(() => loadStateSnapshot(notDir, 'crio'), /--state-dir .*plain-file exists and is not a directory/);
  });

  it('reports a failed write and keeps running', () => {
    const dir = tempDir();
    const errors: Error[] = [];
    const h = newHarness('crio');
    const store = new StateStore({
      dir,
      snapshot: () => h.state.exportSnapshot(),
      onError: (e) => errors.push(e),
      fs: { ...fs, openSync: () => { throw new Error('ENOSPC: no space left on device'); } } as never,
    });
    store.flush();
    assert.equal(store.failedWrites, 1);
    assert.match(errors[0]!.message, /^cannot write state file .*runtime-state\.json: ENOSPC/);
  });
});
