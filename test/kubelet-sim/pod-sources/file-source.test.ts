import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Pod } from '../../../kubelet-sim/src/container/pod';
import type { FsEvent } from '../../../kubelet-sim/src/pod-sources/file-source';
import { POD_EVENT_TYPE, StaticPodFileSource, watchWithFsWatch } from '../../../kubelet-sim/src/pod-sources/file-source';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import type { Logger } from '../../../kubelet-sim/src/util/logger';

/* pkg/kubelet/config/file.go and file_linux.go: the store behind the file source, fed by listings and watch events. */

const manifest = (name: string, image = 'docker.io/library/nginx:1.27'): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n  containers:\n    - name: app\n      image: ${image}\n`;

describe('StaticPodFileSource', () => {
  let dir: string;
  let sets: string[][];
  let errors: string[];
  let watched: string[];
  let source: StaticPodFileSource;
  let emit: (e: FsEvent) => void;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'file-source-'));
    sets = [];
    errors = [];
    watched = [];
    const log: Logger = { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) };
    source = new StaticPodFileSource(dir, 'node-a', new FakeClock(), log, (pods: Pod[]) => sets.push(pods.map((p) => p.metadata.name).sort()), (path, onEvent) => {
      watched.push(path);
      emit = onEvent;
      return { close: () => undefined };
    });
  });
  afterEach(() => {
    source.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the whole store after a listing', () => {
    writeFileSync(join(dir, 'a.yaml'), manifest('a'));
    writeFileSync(join(dir, 'b.yaml'), manifest('b'));
    source.listConfig();
    assert.deepEqual(sets, [['a-node-a', 'b-node-a']]);
  });

  it('adds, replaces and deletes one file\'s pod at its watch event, sending the store each time', () => {
    writeFileSync(join(dir, 'a.yaml'), manifest('a'));
    source.listConfig();
    writeFileSync(join(dir, 'b.yaml'), manifest('b'));
    source.consumeWatchEvent({ fileName: join(dir, 'b.yaml'), eventType: POD_EVENT_TYPE.ADD });
    source.consumeWatchEvent({ fileName: join(dir, 'a.yaml'), eventType: POD_EVENT_TYPE.DELETE });
    assert.deepEqual(sets, [['a-node-a'], ['a-node-a', 'b-node-a'], ['b-node-a']]);
  });

  it('ignores the deletion of a file it never read', () => {
    source.consumeWatchEvent({ fileName: join(dir, 'unknown.yaml'), eventType: POD_EVENT_TYPE.DELETE });
    assert.deepEqual(sets, []);
  });

  it('starts watching at once when the path exists, and maps fsnotify operations to pod events, dot files ignored', () => {
    source.startWatch();
    assert.deepEqual(watched, [dir]);
    writeFileSync(join(dir, 'a.yaml'), manifest('a'));
    emit({ op: 'create', name: join(dir, 'a.yaml') });
    emit({ op: 'chmod', name: join(dir, 'a.yaml') });
    emit({ op: 'create', name: join(dir, '.a.yaml.swp') });
    emit({ op: 'rename', name: join(dir, 'a.yaml') });
    assert.deepEqual(sets, [['a-node-a'], ['a-node-a'], []]);
  });

  it('does not watch a path that does not exist yet (retried every second)', () => {
    rmSync(dir, { recursive: true, force: true });
    source.startWatch();
    assert.deepEqual(watched, []);
  });
});

describe('watchWithFsWatch', () => {
  it('reports a new manifest in the watched directory as a create of its full path (the host\'s inotify)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-watch-'));
    try {
      const file = join(dir, 'new.yaml');
      const seen = new Promise<FsEvent>((resolve, reject) => {
        // The watcher is not persistent (it never keeps a kubelet alive): this guard keeps the test's event loop up.
        const guard = setTimeout(() => reject(new Error('no inotify event within 5 s')), 5_000);
        const watcher = watchWithFsWatch(dir, (e) => {
          if (e.name === file) {
            clearTimeout(guard);
            watcher.close();
            resolve(e);
          }
        }, reject);
        writeFileSync(file, manifest('new'));
      });
      const event = await seen;
      assert.equal(event.name, file);
      assert.ok(event.op === 'create' || event.op === 'write', event.op);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
