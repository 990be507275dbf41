/**
 * Vocabulary shared by the shell interpreter, the simulated programs and the process scheduler: what a
 * running command asks of the simulated machine (effects), and the I/O plumbing of one command.
 *
 * A command runs as a generator: it yields effects and gets a Resume back. Time passes only through
 * `sleep`; output is written through `write`; `block` is a foreground command that never ends by
 * itself (a server, `sleep infinity`, `tail -f`). The scheduler (./container-process.ts) decides when
 * each effect completes on the runtime's clock.
 */
import type { ContainerFilesystem } from './container-filesystem';

/** The signal the runtimes send first on StopContainer (or the image's STOPSIGNAL, not simulated). */
export type SimulatedSignal = 'TERM';

export type BlockReason = 'server' | 'sleep infinity' | 'tail -f' | 'busy loop' | 'wait';

export type Effect =
  | { readonly kind: 'sleep'; readonly ns: bigint }
  | { readonly kind: 'block'; readonly reason: BlockReason; readonly program: string }
  | { readonly kind: 'write'; readonly fd: 1 | 2; readonly text: string }
  | { readonly kind: 'spawn'; readonly job: CommandRun }
  | { readonly kind: 'wait' };

/** What the scheduler hands back when an effect completes; `signal` when a trapped signal interrupted or followed it. */
export interface Resume {
  readonly signal?: SimulatedSignal;
}

/** A running command: yields effects, returns its exit status. */
export type CommandRun = Generator<Effect, number, Resume | undefined>;

/** Where a command's output goes. */
export type Sink =
  | { readonly kind: 'fd'; readonly fd: 1 | 2 }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'null' }
  | { readonly kind: 'buffer'; readonly chunks: string[] };

export interface Io {
  readonly stdout: Sink;
  readonly stderr: Sink;
  /** What the command reads; a container's main process has an empty stdin (CRI stdin=false). */
  readonly stdin: string;
}

/**
 * The image's userland: busybox (busybox, alpine: ash as sh, no bash), gnu (Debian/Ubuntu-based: a
 * shell, bash and coreutils), or none (distroless and scratch images: no shell and no tools).
 */
export type Userland = 'busybox' | 'gnu' | 'none';

/** What a program needs from the machine it runs on. */
export interface MachineContext {
  readonly fs: ContainerFilesystem;
  readonly userland: Userland;
  /** Current working directory (WORKDIR, then `cd`). */
  cwd: string;
  readonly vars: Map<string, string>;
  /**
   * What an unknown program does: in the main process it is the container's server and runs until
   * stopped; in an exec (probes, `crictl exec`) it is not found, as the runtimes report.
   */
  readonly unknownProgram: 'server' | 'not-found';
  /** The runtime's clock at the current instant of this command (for `date`). */
  nowNs(): bigint;
  /** The user the process runs as (image USER), for `id`/`whoami`. */
  readonly user: { readonly uid: number; readonly name: string };
}

/** Writes to a sink: yields for fds, mutates the filesystem or a buffer otherwise. */
export function* writeTo(sink: Sink, text: string, machine: MachineContext): Generator<Effect, void, Resume | undefined> {
  if (text === '') return;
  switch (sink.kind) {
    case 'fd':
      yield { kind: 'write', fd: sink.fd, text };
      return;
    case 'file':
      machine.fs.write(sink.path, text, true);
      return;
    case 'buffer':
      sink.chunks.push(text);
      return;
    case 'null':
      return;
  }
}
