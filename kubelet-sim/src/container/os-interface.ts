/**
 * The file operations the kubelet does itself around the runtime (pkg/kubelet/container/os.go
 * OSInterface): pod and container log directories are created by the kubelet before RunPodSandbox and
 * CreateContainer, and removed by it with the container (log manager Clean) and in container GC.
 * Injected, so unit tests use FakeOS and never touch the host's /var/log/pods.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface OSInterface {
  /** mkdir -p with `mode` for the directories it creates. */
  mkdirAll(dir: string, mode: number): void;
  /** rm -rf; a missing path is not an error. */
  removeAll(target: string): void;
  /** Removes one file; a missing file is not an error. */
  remove(file: string): void;
  /** Names in `dir`; a missing directory has none. */
  readDir(dir: string): string[];
}

/** The host's filesystem. */
export const REAL_OS: OSInterface = {
  mkdirAll: (dir, mode) => void fs.mkdirSync(dir, { recursive: true, mode }),
  removeAll: (target) => fs.rmSync(target, { recursive: true, force: true }),
  remove: (file) => fs.rmSync(file, { force: true }),
  readDir: (dir) => {
    try {
      return fs.readdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  },
};

/** In memory: directories and files as paths (upstream has containertest.FakeOS for the same purpose). */
export class FakeOS implements OSInterface {
  readonly dirs = new Map<string, number>();
  readonly files = new Set<string>();
  /** Makes mkdirAll fail under this prefix (e.g. a read-only /var/log). */
  failMkdirUnder: string | undefined;

  mkdirAll(dir: string, mode: number): void {
    if (this.failMkdirUnder !== undefined && dir.startsWith(this.failMkdirUnder)) {
      throw Object.assign(new Error(`mkdir ${dir}: permission denied`), { code: 'EACCES' });
    }
    for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) if (!this.dirs.has(d)) this.dirs.set(d, mode);
  }

  removeAll(target: string): void {
    for (const d of [...this.dirs.keys()]) if (d === target || d.startsWith(`${target}/`)) this.dirs.delete(d);
    for (const f of [...this.files]) if (f === target || f.startsWith(`${target}/`)) this.files.delete(f);
  }

  remove(file: string): void {
    this.files.delete(file);
  }

  readDir(dir: string): string[] {
    const names = new Set<string>();
    for (const p of [...this.dirs.keys(), ...this.files]) {
      if (path.dirname(p) === dir) names.add(path.basename(p));
    }
    return [...names].sort();
  }
}
