/**
 * What a container runs: its argv from ContainerConfig.command/args and the image's Entrypoint/Cmd,
 * and how the command model reads that argv.
 *
 * argv follows the rule both runtimes took from Docker (containerd internal/cri/opts/spec_opts.go
 * WithProcessArgs; CRI-O internal/factory/container setupContainerCommand-equivalent): a command
 * replaces the image Entrypoint and drops its Cmd; args replace Cmd; both empty is an error.
 */
import type { Userland } from './process-effects';
import { argvAsScript, parseScript, UnsupportedScriptError, type CommandList } from './shell-syntax';
import { findProgram } from './simulated-programs';

export interface ImageProcessDefaults {
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
}

/** The process argv, or undefined when neither the container nor the image names a command. */
export function resolveProcessArgs(
  command: readonly string[],
  args: readonly string[],
  image: ImageProcessDefaults,
): string[] | undefined {
  let cmd = [...command];
  let rest = [...args];
  if (cmd.length === 0) {
    if (rest.length === 0) rest = [...image.cmd];
    // An Entrypoint of [""] is Docker's "reset the entrypoint".
    if (!(image.entrypoint.length === 1 && image.entrypoint[0] === '')) cmd = [...image.entrypoint];
  }
  const argv = [...cmd, ...rest];
  return argv.length === 0 ? undefined : argv;
}

const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);

/** The shells each userland ships (busybox has ash as sh; Debian-based images have dash as sh and bash). */
const SHELLS_BY_USERLAND: Readonly<Record<Userland, ReadonlySet<string>>> = {
  busybox: new Set(['sh', 'ash', 'busybox']),
  gnu: new Set(['sh', 'bash', 'dash']),
  none: new Set(),
};

/** Whether `program` is a program of an image with this userland (for exec's "not found"). */
export function isInImage(program: string, userland: Userland): boolean {
  const name = basename(program);
  if (SHELLS.has(name) || name === 'busybox') return SHELLS_BY_USERLAND[userland].has(name);
  return userland !== 'none' && findProgram(name) !== undefined;
}

/** How the command model runs an argv. */
export type ProcessScript =
  | {
      readonly kind: 'script';
      readonly script: CommandList;
      /** `sh -c SCRIPT [NAME ARG...]`: $0 and the positional parameters. */
      readonly positional: readonly string[];
      readonly shellName: string;
      /** The last simple command is exec'd (true for `sh -c` and for a direct program). */
      readonly tailExec: boolean;
      /** `sh -ec`: errexit from the start. */
      readonly errexit: boolean;
      /** The argv is a program run directly, not a shell. */
      readonly direct: boolean;
    }
  | { readonly kind: 'unsupported'; readonly reason: string };

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * `sh -c SCRIPT` (and `bash -ec`, `/bin/ash -c` ...) runs SCRIPT; a bare shell reads its stdin, which is
 * empty in a container without stdin, and exits 0; `sh FILE` runs a script from the image, which the
 * model cannot read; any other argv runs that program directly.
 */
export function interpretArgv(argv: readonly string[]): ProcessScript {
  const shellName = basename(argv[0] ?? '');
  if (SHELLS.has(shellName) || shellName === 'busybox') {
    const offset = shellName === 'busybox' && SHELLS.has(argv[1] ?? '') ? 1 : 0;
    const name = offset === 1 ? argv[1]! : shellName;
    const flags = argv[1 + offset];
    if (shellName !== 'busybox' || offset === 1) {
      if (flags === undefined) return { kind: 'script', script: parseScript(''), positional: [name], shellName: name, tailExec: true, errexit: false, direct: false };
      if (/^-[a-z]*c[a-z]*$/.test(flags)) {
        const text = argv[2 + offset] ?? '';
        try {
          return {
            kind: 'script',
            script: parseScript(text),
            positional: argv.length > 3 + offset ? argv.slice(3 + offset) : [name],
            shellName: name,
            tailExec: true,
            errexit: flags.includes('e'),
            direct: false,
          };
        } catch (err) {
          if (err instanceof UnsupportedScriptError) return { kind: 'unsupported', reason: err.message };
          throw err;
        }
      }
      if (!flags.startsWith('-')) return { kind: 'unsupported', reason: `the script file ${flags} comes from the image and cannot be read` };
    }
  }
  return { kind: 'script', script: argvAsScript(argv), positional: [shellName], shellName: 'sh', tailExec: true, errexit: false, direct: true };
}
