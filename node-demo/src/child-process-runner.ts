import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface RunningProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still there; resolves when it is gone. Idempotent. */
  stop(graceMs?: number): Promise<number | string>;
}

/**
 * Starts one of our Node entry points as a child process, its stdout/stderr appended to `logPath`.
 * Children are always reaped: `stop()` escalates to SIGKILL, so nothing outlives the caller.
 */
export function startNodeProcess(name: string, script: string, args: string[], logPath: string, env: NodeJS.ProcessEnv = process.env): RunningProcess {
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      log.end();
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', () => resolve('spawn-error'));
  });
  let stopping: Promise<number | string> | undefined;
  return {
    name,
    child,
    exited,
    stop: (graceMs = 10_000) =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const result = await exited;
          clearTimeout(timer);
          return result;
        }
        return exited;
      })()),
  };
}
