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
 * Without those annotations a small table of commands answers (basename of argv[0]):
 *   true / false            exit 0 / 1
 *   echo ARGS...            ARGS joined by spaces, newline, exit 0
 *   hostname                the pod's hostname, exit 0
 *   cat /etc/hostname       the pod's hostname; any other path: empty output, exit 0 (the simulated
 *                           filesystem has every file a probe asks for, and they are empty)
 *   sleep N                 runs N seconds (Go durations "500ms" also accepted), exit 0
 *   sh|bash|ash -c SCRIPT   SCRIPT "exit N" exits N, "sleep N" sleeps, "echo X" prints X, a bare
 *                           table command runs as above; anything else exits 0 with no output
 * Any other program is "not found" in the image, and each runtime reports that its own way (persona).
 */
import { parseGoDurationNs } from './go-duration';
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

export type ExecOutcome =
  | {
      readonly kind: 'exited';
      readonly exitCode: number;
      readonly stdout: string;
      readonly stderr: string;
      /** How long the command runs on the runtime's clock. */
      readonly durationNs: bigint;
    }
  /** argv[0] is not an executable in the image (or argv is empty). */
  | { readonly kind: 'not-found'; readonly program: string };

export interface ExecContext {
  readonly sandboxAnnotations: Annotations;
  readonly containerAnnotations: Annotations;
  readonly containerName: string;
  /** PodSandboxConfig.hostname ("" = the pod name, as the runtimes default it). */
  readonly hostname: string;
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

/** `sleep` arguments: seconds as in coreutils ("5", "0.5") or a Go duration ("500ms"). */
function sleepNs(arg: string | undefined): bigint {
  if (arg === undefined) return 0n;
  if (/^\d+(\.\d+)?$/.test(arg)) return BigInt(Math.round(Number(arg) * 1e9));
  return parseGoDurationNs(arg) ?? 0n;
}

const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'ash', 'dash']);

function basename(program: string): string {
  const slash = program.lastIndexOf('/');
  return slash === -1 ? program : program.slice(slash + 1);
}

function runTable(argv: readonly string[], ctx: ExecContext, depth: number): ExecOutcome {
  const program = argv[0] ?? '';
  const args = argv.slice(1);
  const hostLine = `${ctx.hostname}\n`;
  switch (basename(program)) {
    case 'true':
      return exited(0);
    case 'false':
      return exited(1);
    case 'echo':
      return exited(0, `${args.join(' ')}\n`);
    case 'hostname':
      return exited(0, hostLine);
    case 'cat':
      return exited(0, args.length === 1 && args[0] === '/etc/hostname' ? hostLine : '');
    case 'sleep':
      return exited(0, '', '', sleepNs(args[0]));
    default:
      break;
  }
  if (SHELLS.has(basename(program)) && args[0] === '-c' && depth === 0) {
    const script = (args[1] ?? '').trim();
    const exit = /^exit\s+(\d{1,3})$/.exec(script);
    if (exit !== null) return exited(Number(exit[1]) & 0xff);
    const words = script.split(/\s+/).filter((w) => w !== '');
    if (words.length > 0 && ['true', 'false', 'echo', 'hostname', 'cat', 'sleep'].includes(words[0]!)) {
      return runTable(words, ctx, depth + 1);
    }
    return exited(0);
  }
  return { kind: 'not-found', program };
}

/** The outcome of running `argv` in the container described by `ctx`. Throws INVALID_ARGUMENT on a bad annotation. */
export function execOutcome(argv: readonly string[], ctx: ExecContext): ExecOutcome {
  const annotated = fromAnnotations(ctx);
  if (annotated !== undefined) return annotated;
  if (argv.length === 0) return { kind: 'not-found', program: '' };
  return runTable(argv, ctx, 0);
}
