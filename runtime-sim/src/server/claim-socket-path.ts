/**
 * Claiming a unix socket path before listening on it. A socket file some process still answers on is
 * never taken over (runtime-sim would otherwise unlink a live containerd's or CRI-O's socket, serve in
 * its place, and delete the file on exit); a stale one, left by a process that died without cleaning
 * up, is removed. Whether a socket is live is measured by connecting to it: a live listener accepts,
 * a stale file refuses (ECONNREFUSED).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** Longest unix socket path Linux accepts (sizeof(sun_path) - 1). */
export const UNIX_SOCKET_PATH_MAX_BYTES = 107;

/** How long the liveness probe waits for a connection to be accepted or refused. */
export const SOCKET_PROBE_TIMEOUT_MS = 1000;

/** What answers at a socket path. */
export type SocketProbeResult = 'absent' | 'stale' | 'live';

/** Some live process serves the socket path; nothing was changed. */
export class SocketInUseError extends Error {
  override readonly name = 'SocketInUseError';
  constructor(readonly socketPath: string) {
    super(`another process is serving ${socketPath}; stop it or choose another socket with --listen`);
  }
}

/**
 * Connects to `socketPath` once: `live` if something accepts (or the listener is too busy to accept,
 * EAGAIN, or the probe times out), `stale` if the file refuses connections, `absent` if there is no
 * file. Any other failure (say EACCES) is thrown: the path cannot be judged.
 */
export function probeSocket(socketPath: string, timeoutMs = SOCKET_PROBE_TIMEOUT_MS): Promise<SocketProbeResult> {
  return new Promise((resolve, reject) => {
    const probe = net.connect(socketPath);
    const settle = (result: SocketProbeResult | Error): void => {
      clearTimeout(timer);
      probe.removeAllListeners();
      probe.on('error', () => undefined);
      probe.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => settle('live'), timeoutMs);
    timer.unref();
    probe.once('connect', () => settle('live'));
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') settle('stale');
      else if (err.code === 'ENOENT') settle('absent');
      else if (err.code === 'EAGAIN') settle('live');
      else settle(new Error(`cannot tell whether ${socketPath} is in use: ${err.code ?? err.message}`));
    });
  });
}

/**
 * Checks the path (length, directory, what exists there) and makes it free to listen on: nothing there,
 * or a stale socket (removed). Throws SocketInUseError if a process answers there, and a message
 * naming the problem for a path that cannot be a socket.
 */
export async function claimSocketPath(socketPath: string, probeTimeoutMs = SOCKET_PROBE_TIMEOUT_MS): Promise<void> {
  if (Buffer.byteLength(socketPath) > UNIX_SOCKET_PATH_MAX_BYTES) {
    throw new Error(
      `socket path ${socketPath} is ${Buffer.byteLength(socketPath)} bytes; unix socket paths are limited to ${UNIX_SOCKET_PATH_MAX_BYTES}`,
    );
  }
  const dir = path.dirname(socketPath);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    throw new Error(`directory ${dir} for socket ${socketPath} does not exist; create it first`);
  }
  if (!dirStat.isDirectory()) throw new Error(`${dir} (parent of socket ${socketPath}) is not a directory`);
  let existing: fs.Stats;
  try {
    existing = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!existing.isSocket()) {
    throw new Error(`${socketPath} exists and is not a socket; refusing to replace it`);
  }
  const found = await probeSocket(socketPath, probeTimeoutMs);
  if (found === 'live') throw new SocketInUseError(socketPath);
  if (found === 'stale') {
    try {
      fs.unlinkSync(socketPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
