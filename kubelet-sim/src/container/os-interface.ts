/**
 * The file operations the kubelet does itself around the runtime (pkg/kubelet/container/os.go
 * OSInterface): pod and container log directories are created by the kubelet before RunPodSandbox and
 * CreateContainer, and removed by it with the container (log manager Clean) and in container GC; the
 * container log manager stats, renames, compresses and removes log files when it rotates them.
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
  /** Size and permission bits of a file, or undefined when it does not exist (os.IsNotExist). */
  stat(file: string): { size: number; mode: number } | undefined;
  /** Renames a file, replacing `to` if it exists. */
  rename(from: string, to: string): void;
  readFile(file: string): Buffer;
  /** Creates or truncates `file` (O_WRONLY|O_CREATE|O_TRUNC) with `mode` and writes `data`. */
  writeFile(file: string, data: Buffer, mode: number): void;
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
  stat: (file) => {
    try {
      const st = fs.statSync(file);
      return { size: st.size, mode: st.mode & 0o7777 };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  },
  rename: (from, to) => fs.renameSync(from, to),
  readFile: (file) => fs.readFileSync(file),
  writeFile: (file, data, mode) => fs.writeFileSync(file, data, { mode }),
};

/** In memory: directories and files as paths (upstream has containertest.FakeOS for the same purpose). */
export class FakeOS implements OSInterface {
  readonly dirs = new Map<string, number>();
  readonly files = new Set<string>();
  /** Content of files written through the interface (a file only in `files` is empty). */
  readonly contents = new Map<string, Buffer>();
  readonly modes = new Map<string, number>();
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
    for (const f of [...this.files]) if (f === target || f.startsWith(`${target}/`)) this.remove(f);
  }

  remove(file: string): void {
    this.files.delete(file);
    this.contents.delete(file);
    this.modes.delete(file);
  }

  readDir(dir: string): string[] {
    const names = new Set<string>();
    for (const p of [...this.dirs.keys(), ...this.files]) {
      if (path.dirname(p) === dir) names.add(path.basename(p));
    }
    return [...names].sort();
  }

  stat(file: string): { size: number; mode: number } | undefined {
    if (!this.files.has(file)) return undefined;
    return { size: this.contents.get(file)?.length ?? 0, mode: this.modes.get(file) ?? 0o640 };
  }

  rename(from: string, to: string): void {
    if (!this.files.has(from)) throw Object.assign(new Error(`rename ${from} ${to}: no such file or directory`), { code: 'ENOENT' });
    const data = this.contents.get(from);
    const mode = this.modes.get(from);
    this.remove(from);
    this.files.add(to);
    if (data !== undefined) this.contents.set(to, data);
    if (mode !== undefined) this.modes.set(to, mode);
  }

  readFile(file: string): Buffer {
    if (!this.files.has(file)) throw Object.assign(new Error(`open ${file}: no such file or directory`), { code: 'ENOENT' });
    return this.contents.get(file) ?? Buffer.alloc(0);
  }

  writeFile(file: string, data: Buffer, mode: number): void {
    this.files.add(file);
    this.contents.set(file, Buffer.from(data));
    this.modes.set(file, mode);
  }

  /** Test helper: a file with `data` (a string or a size in bytes). */
  putFile(file: string, data: string | number): void {
    this.writeFile(file, typeof data === 'number' ? Buffer.alloc(data, 'x') : Buffer.from(data), 0o640);
  }
}
