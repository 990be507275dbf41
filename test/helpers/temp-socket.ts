/**
 * Unique unix socket paths for tests, under os.tmpdir() in a fresh directory (kept short: unix
 * socket paths are limited to 107 bytes). cleanup() removes the directory and anything left in it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TempSocket {
  /** Absolute socket path. */
  readonly path: string;
  /** `unix://` + path, the form the CRI servers and clients take. */
  readonly listen: string;
  readonly dir: string;
  cleanup(): void;
}

export function tempSocket(name = 'cri.sock', prefix = 'sim-'): TempSocket {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const socketPath = path.join(dir, name);
  return {
    path: socketPath,
    listen: `unix://${socketPath}`,
    dir,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
