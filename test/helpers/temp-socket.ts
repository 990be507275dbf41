/**
 * Unique unix socket paths for tests, under os.tmpdir() in a fresh directory (kept short: unix
 * socket paths are limited to 107 bytes). cleanup() removes the directory and anything left in it.
 */
import { execFileSync } from 'node:child_process';
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

/** Leaves a stale socket file at `socketPath`, as a server killed without cleanup does (a child listens, then SIGKILLs itself). */
export function leaveStaleSocket(socketPath: string): void {
  try {
    execFileSync(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
  } catch {
    // killed by SIGKILL, as intended
  }
  if (!fs.lstatSync(socketPath).isSocket()) throw new Error(`expected a stale socket file at ${socketPath}`);
}
