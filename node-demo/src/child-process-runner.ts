import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { EXIT_WITH_PARENT_ENV } from '../../cli-kit/src';

export interface RunningProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still there; resolves when it is gone. Idempotent. */
  stop(graceMs?: number): Promise<number | string>;
  /** The last lines the process wrote to stdout or stderr (at most OUTPUT_TAIL_LINES), oldest first. */
  outputTail(): string[];
  /** Calls `listener` with each whole line the process writes from now on; returns an unsubscribe function. */
  onLine(listener: (line: string) => void): () => void;
}

/** Lines of output kept in memory per child, so a failure can be shown on screen and not only in the log. */
export const OUTPUT_TAIL_LINES = 20;

/**
 * Starts one of our Node entry points as a child process, its stdout/stderr appended to `logPath`.
 * Children are always reaped: `stop()` escalates to SIGKILL, so nothing outlives the caller; and each child
 * is told to exit if this process dies without stopping it (cli-kit parent-watch).
 */
export function startNodeProcess(name: string, script: string, args: string[], logPath: string, env: NodeJS.ProcessEnv = process.env): RunningProcess {
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(process.execPath, [script, ...args], { env: { ...env, [EXIT_WITH_PARENT_ENV]: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let partial = '';
  const keep = (chunk: Buffer): void => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const listener of listeners) for (const line of lines) listener(line);
    tail.push(...lines);
    if (tail.length > OUTPUT_TAIL_LINES) tail.splice(0, tail.length - OUTPUT_TAIL_LINES);
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.pipe(log, { end: false });
    stream?.on('data', keep);
  }
  const exited = new Promise<number | string>((resolve) => {
    // 'close' comes after 'exit' once stdout and stderr are drained, so the tail is complete; the log file is
    // once its stream has finished writing, so a caller may read it as soon as this resolves.
    child.once('close', (code, signal) => {
      log.end(() => resolve(code ?? signal ?? 'unknown'));
    });
    child.once('error', () => resolve('spawn-error'));
  });
  let stopping: Promise<number | string> | undefined;
  return {
    name,
    child,
    exited,
    outputTail: () => (partial === '' ? [...tail] : [...tail, partial].slice(-OUTPUT_TAIL_LINES)),
    onLine: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
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
