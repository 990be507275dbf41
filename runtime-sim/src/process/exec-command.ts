/**
 * A command run by ExecSync or Exec inside a running container, through the same command model as the
 * container's main process: same shell subset, same programs, same filesystem. Differences: its output
 * goes back to the caller instead of the log; an unknown program is "not found" (the runtimes report
 * that their own way); it runs to completion at once, its duration summed from its `sleep`s, and a
 * command that never ends (a server, `sleep infinity`, an endless loop) runs until the caller's timeout.
 */
import type { ProcessEnvironment } from './container-process';
import type { Effect, MachineContext } from './process-effects';
import { interpretArgv, isInImage } from './process-args';
import { Shell } from './shell-interpreter';
import { UnsupportedScriptError } from './shell-syntax';

export type ExecCommandOutcome =
  | {
      readonly kind: 'exited';
      readonly exitCode: number;
      readonly stdout: string;
      readonly stderr: string;
      /** How long the command runs on the runtime's clock. */
      readonly durationNs: bigint;
    }
  /** Still running when `limitNs` of simulated time had passed (or forever). */
  | { readonly kind: 'runs-past-limit'; readonly stdout: string; readonly stderr: string }
  /** argv[0] is not a program of the image (or argv is empty). */
  | { readonly kind: 'not-found'; readonly program: string }
  /** A shell script outside the simulated subset. */
  | { readonly kind: 'unsupported'; readonly reason: string };

/** An exec runs in the container's own environment. */
export type ExecEnvironment = ProcessEnvironment;

/** At most this many effects per exec: a guard against scripts that print without end. */
const MAX_EXEC_STEPS = 100_000;

export function runExecCommand(argv: readonly string[], environment: ExecEnvironment, startNs: bigint, limitNs: bigint): ExecCommandOutcome {
  if (argv.length === 0) return { kind: 'not-found', program: '' };
  const script = interpretArgv(argv);
  if (script.kind === 'unsupported') return { kind: 'unsupported', reason: script.reason };
  if (!isInImage(argv[0]!, environment.userland)) return { kind: 'not-found', program: argv[0]! };

  let elapsed = 0n;
  const machine: MachineContext = {
    fs: environment.fs,
    userland: environment.userland,
    cwd: environment.workingDir === '' ? '/' : environment.workingDir,
    vars: new Map(environment.env),
    unknownProgram: 'not-found',
    nowNs: () => startNs + elapsed,
    user: environment.user,
  };
  const shell = new Shell(machine, { shellName: script.shellName, positional: script.positional, errexit: script.errexit });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const run = shell.run(script.script, { stdout: { kind: 'buffer', chunks: stdout }, stderr: { kind: 'buffer', chunks: stderr }, stdin: '' }, false);
  const pastLimit = () => ({ kind: 'runs-past-limit' as const, stdout: stdout.join(''), stderr: stderr.join('') });
  for (let steps = 0; steps < MAX_EXEC_STEPS; steps++) {
    let next: IteratorResult<Effect, number>;
    try {
      next = run.next();
    } catch (err) {
      if (err instanceof UnsupportedScriptError) return { kind: 'unsupported', reason: err.message };
      throw err;
    }
    if (next.done) return { kind: 'exited', exitCode: next.value, stdout: stdout.join(''), stderr: stderr.join(''), durationNs: elapsed };
    const effect = next.value;
    if (effect.kind === 'sleep') {
      elapsed += effect.ns;
      if (elapsed >= limitNs) return pastLimit();
    } else if (effect.kind === 'block') {
      return pastLimit();
    } else if (effect.kind === 'write') {
      (effect.fd === 1 ? stdout : stderr).push(effect.text);
    }
    // 'spawn': background jobs of an exec end with it; 'wait' has nothing to wait for.
  }
  return pastLimit();
}
