/**
 * What a command run by ExecSync "does" inside a simulated container. Behaviour is data:
 *
 * Annotations (read per ./scoped-annotation.ts; when any is present it applies to every exec of that
 * container, whatever the command):
 *   sim.cri.io/exec-exit-code   integer 0..255, the exit code. Default 0.
 *   sim.cri.io/exec-stdout      text written to stdout (a trailing newline is kept as given).
 *   sim.cri.io/exec-stderr      text written to stderr.
 *   sim.cri.io/exec-duration    Go duration the command runs. Default "0s". With ExecSync's timeout
 *                               > 0 and a duration >= timeout the command is killed at the timeout.
 *
 * Without those annotations the command runs through the command model (../process/exec-command.ts):
 * the same shell subset and programs as the container's own command, on the container's files, so
 * `echo hello`, `sh -c 'echo hello'` and `cat /tmp/healthy` answer as in a real container. A program the
 * model does not know is "not found" in the image, and each runtime reports that its own way (persona).
 */
import { runExecCommand, type ExecCommandOutcome, type ExecEnvironment } from '../process/exec-command';
import {
  parseDurationAnnotation,
  parseExitCodeAnnotation,
  readScopedAnnotation,
  type Annotations,
} from './scoped-annotation';

/** Annotation keys of the exec model (see the file comment). */
export const EXEC_ANNOTATION = {
  EXIT_CODE: 'sim.cri.io/exec-exit-code',
  STDOUT: 'sim.cri.io/exec-stdout',
  STDERR: 'sim.cri.io/exec-stderr',
  DURATION: 'sim.cri.io/exec-duration',
} as const;

/** What the caller sees: the command's exit (duration on the runtime's clock), or a program the image lacks. */
export type ExecOutcome = Extract<ExecCommandOutcome, { readonly kind: 'exited' | 'not-found' }>;

export interface ExecContext {
  readonly sandboxAnnotations: Annotations;
  readonly containerAnnotations: Annotations;
  readonly containerName: string;
  /** The container's env, working dir, user and files. */
  readonly environment: ExecEnvironment;
  /** The runtime's clock now. */
  readonly nowNs: bigint;
  /** How long the command may run (the call's timeout, or a bound when it has none). */
  readonly limitNs: bigint;
}

function exited(exitCode: number, stdout = '', stderr = '', durationNs = 0n): ExecOutcome {
  return { kind: 'exited', exitCode, stdout, stderr, durationNs };
}

function fromAnnotations(ctx: ExecContext): ExecOutcome | undefined {
  const get = (key: string) => readScopedAnnotation(key, ctx.sandboxAnnotations, ctx.containerAnnotations, ctx.containerName);
  const exitCode = get(EXEC_ANNOTATION.EXIT_CODE);
  const stdout = get(EXEC_ANNOTATION.STDOUT);
  const stderr = get(EXEC_ANNOTATION.STDERR);
  const duration = get(EXEC_ANNOTATION.DURATION);
  if (exitCode === undefined && stdout === undefined && stderr === undefined && duration === undefined) return undefined;
  return exited(
    exitCode === undefined ? 0 : parseExitCodeAnnotation(exitCode),
    stdout?.value ?? '',
    stderr?.value ?? '',
    duration === undefined ? 0n : parseDurationAnnotation(duration),
  );
}

/**
 * The outcome of running `argv` in the container described by `ctx`. Throws INVALID_ARGUMENT on a bad
 * annotation. A command still running at `limitNs` reports that duration (the caller's timeout decides);
 * a script outside the subset exits 0 with no output.
 */
export function execOutcome(argv: readonly string[], ctx: ExecContext): ExecOutcome {
  const annotated = fromAnnotations(ctx);
  if (annotated !== undefined) return annotated;
  const outcome = runExecCommand(argv, ctx.environment, ctx.nowNs, ctx.limitNs);
  switch (outcome.kind) {
    case 'exited':
      return exited(outcome.exitCode, outcome.stdout, outcome.stderr, outcome.durationNs);
    case 'runs-past-limit':
      return exited(0, outcome.stdout, outcome.stderr, ctx.limitNs);
    case 'not-found':
      return outcome;
    case 'unsupported':
      return exited(0);
  }
}
