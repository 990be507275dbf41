/**
 * A container's main process on the runtime's clock: the shell (or program) of ./shell-interpreter.ts
 * plus its background jobs, stepped lazily. advanceTo(t) runs every job up to instant t, in time order,
 * and never further, so the filesystem and the output are what they would be at t. Output is cut into
 * lines per stream (a line is logged when its newline is written; a trailing partial line when the
 * process exits), each stamped with the instant it was completed.
 *
 * Signals: the runtime sends SIGTERM on StopContainer. PID 1 of a container has no default signal
 * action, so a shell without a trap ignores it, and so does an exec'd `sleep`/`tail`; a server
 * (a program the model does not know) exits on it. See deliverTerm().
 */
import { ContainerFilesystem } from './container-filesystem';
import type { BlockReason, CommandRun, Effect, MachineContext, Resume, Userland } from './process-effects';
import { interpretArgv, type ProcessScript } from './process-args';
import { Shell } from './shell-interpreter';
import { UnsupportedScriptError } from './shell-syntax';

export interface ProcessLine {
  readonly atNs: bigint;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface ProcessEnvironment {
  readonly env: ReadonlyMap<string, string>;
  readonly workingDir: string;
  readonly userland: Userland;
  readonly user: { readonly uid: number; readonly name: string };
  readonly fs: ContainerFilesystem;
}

interface Job {
  readonly run: CommandRun;
  clockNs: bigint;
  /** When the job next runs; null while blocked or waiting. */
  wakeNs: bigint | null;
  resume: Resume | undefined;
  waiting: boolean;
  blocked: { readonly reason: BlockReason; readonly program: string } | null;
  done: boolean;
}

/** Longest line a stream buffers before it is logged without its newline (as a partial record). */
const MAX_PENDING_LINE_BYTES = 16 * 1024;

export class ContainerProcess {
  private readonly jobs: Job[] = [];
  private readonly shell: Shell | undefined;
  private readonly output: ProcessLine[] = [];
  private readonly partial = { stdout: '', stderr: '' };
  private exitInfo: { readonly atNs: bigint; readonly status: number } | null = null;
  /** The instant of the job being stepped (what `date` prints). */
  private currentNs = 0n;
  /** Why the process cannot be simulated (it then runs until stopped), if so. */
  readonly unsupportedReason: string | null;

  constructor(
    readonly argv: readonly string[],
    startNs: bigint,
    environment: ProcessEnvironment,
  ) {
    const script: ProcessScript = interpretArgv(argv);
    if (script.kind === 'unsupported') {
      this.unsupportedReason = script.reason;
      this.shell = undefined;
      return;
    }
    this.unsupportedReason = null;
    const vars = new Map(environment.env);
    this.currentNs = startNs;
    const machine: MachineContext = {
      fs: environment.fs,
      userland: environment.userland,
      cwd: environment.workingDir === '' ? '/' : environment.workingDir,
      vars,
      unknownProgram: 'server',
      nowNs: () => this.currentNs,
      user: environment.user,
    };
    this.shell = new Shell(machine, { shellName: script.shellName, positional: script.positional, errexit: script.errexit });
    this.addJob(this.shell.run(script.script, { stdout: { kind: 'fd', fd: 1 }, stderr: { kind: 'fd', fd: 2 }, stdin: '' }, script.tailExec), startNs);
  }

  /** The exit of the process (its own, or by a handled signal), once advanceTo has reached it. */
  get exit(): { readonly atNs: bigint; readonly status: number } | null {
    return this.exitInfo;
  }

  /** What the main job is blocked on (a server, `sleep infinity`, a busy loop), if it is. */
  get blockedOn(): { readonly reason: BlockReason; readonly program: string } | null {
    return this.jobs[0]?.blocked ?? null;
  }

  /** The earliest instant a job runs again, or null when nothing will happen without a signal. */
  nextWakeNs(): bigint | null {
    if (this.exitInfo !== null) return null;
    let next: bigint | null = null;
    for (const job of this.jobs) {
      if (!job.done && job.wakeNs !== null && (next === null || job.wakeNs < next)) next = job.wakeNs;
    }
    return next;
  }

  /** Runs every job up to `nowNs`, in time order. */
  advanceTo(nowNs: bigint): void {
    for (;;) {
      if (this.exitInfo !== null) return;
      let pick: Job | undefined;
      for (const job of this.jobs) {
        if (job.done || job.wakeNs === null || job.wakeNs > nowNs) continue;
        if (pick === undefined || job.wakeNs < pick.wakeNs!) pick = job;
      }
      if (pick === undefined) return;
      pick.clockNs = pick.wakeNs!;
      pick.wakeNs = null;
      const resume = pick.resume;
      pick.resume = undefined;
      this.step(pick, resume);
    }
  }

  /** Output lines completed up to `nowNs`, removed from the process. */
  takeLines(nowNs: bigint): ProcessLine[] {
    let n = 0;
    while (n < this.output.length && this.output[n]!.atNs <= nowNs) n++;
    return n === 0 ? [] : this.output.splice(0, n);
  }

  /** The earliest pending output instant (output is produced ahead of time only after a signal). */
  nextOutputNs(): bigint | null {
    return this.output.length === 0 ? null : this.output[0]!.atNs;
  }

  /**
   * SIGTERM at `atNs` (advanceTo(atNs) must have run). 'exits': a server PID 1 ends now (status 0);
   * 'trapped': the shell's trap handler will run (after the foreground command, or now if in `wait`);
   * 'ignored': PID 1 has no handler.
   */
  deliverTerm(atNs: bigint): 'exits' | 'trapped' | 'ignored' {
    if (this.shell === undefined || this.exitInfo !== null) return 'ignored';
    const pid1 = this.shell.pid1;
    if (pid1.kind === 'program') {
      if (pid1.known) return 'ignored';
      this.finish(atNs, 0);
      return 'exits';
    }
    if (!this.shell.hasTrap('TERM')) return 'ignored';
    const main = this.jobs[0]!;
    if (main.waiting) {
      main.waiting = false;
      main.wakeNs = atNs;
      main.resume = { signal: 'TERM' };
    } else if (main.blocked === null) {
      main.resume = { signal: 'TERM' };
    }
    return 'trapped';
  }

  /** SIGKILL: everything ends at `atNs`; pending output after it is dropped. */
  kill(atNs: bigint): void {
    this.flushPartial(atNs);
    for (let i = this.output.length - 1; i >= 0; i--) if (this.output[i]!.atNs > atNs) this.output.splice(i, 1);
    this.exitInfo ??= { atNs, status: 137 };
    for (const job of this.jobs) job.done = true;
  }

  // ---- internals -------------------------------------------------------------------------------

  private addJob(run: CommandRun, atNs: bigint): Job {
    const job: Job = { run, clockNs: atNs, wakeNs: atNs, resume: undefined, waiting: false, blocked: null, done: false };
    this.jobs.push(job);
    return job;
  }

  private step(job: Job, firstResume: Resume | undefined): void {
    let resume = firstResume;
    this.currentNs = job.clockNs;
    for (;;) {
      let next: IteratorResult<Effect, number>;
      try {
        next = job.run.next(resume);
      } catch (err) {
        if (!(err instanceof UnsupportedScriptError)) throw err;
        // e.g. `eval` of text outside the subset: the shell is stuck as far as the model knows.
        job.blocked = { reason: 'server', program: `unsupported: ${err.message}` };
        return;
      }
      resume = undefined;
      if (next.done) {
        job.done = true;
        if (job === this.jobs[0]) this.finish(job.clockNs, next.value);
        else this.wakeWaiter(job.clockNs);
        return;
      }
      const effect = next.value;
      switch (effect.kind) {
        case 'write':
          this.append(effect.fd === 1 ? 'stdout' : 'stderr', effect.text, job.clockNs);
          continue;
        case 'spawn':
          this.addJob(effect.job, job.clockNs);
          continue;
        case 'sleep':
          job.wakeNs = job.clockNs + effect.ns;
          return;
        case 'block':
          job.blocked = { reason: effect.reason, program: effect.program };
          return;
        case 'wait':
          if (this.jobs.every((j) => j === job || j.done)) continue;
          job.waiting = true;
          return;
      }
    }
  }

  private wakeWaiter(atNs: bigint): void {
    for (const job of this.jobs) {
      if (job.waiting && this.jobs.every((j) => j === job || j.done)) {
        job.waiting = false;
        job.wakeNs = atNs;
      }
    }
  }

  private finish(atNs: bigint, status: number): void {
    if (this.exitInfo !== null) return;
    this.flushPartial(atNs);
    this.exitInfo = { atNs, status };
    for (const job of this.jobs) job.done = true;
  }

  private append(stream: 'stdout' | 'stderr', text: string, atNs: bigint): void {
    const pending = this.partial[stream] + text;
    const lines = pending.split('\n');
    this.partial[stream] = lines.pop()!;
    for (const line of lines) this.output.push({ atNs, stream, text: line });
    if (this.partial[stream].length > MAX_PENDING_LINE_BYTES) {
      this.output.push({ atNs, stream, text: this.partial[stream] });
      this.partial[stream] = '';
    }
  }

  private flushPartial(atNs: bigint): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.output.push({ atNs, stream, text: this.partial[stream] });
      this.partial[stream] = '';
    }
  }
}

export { UnsupportedScriptError };
