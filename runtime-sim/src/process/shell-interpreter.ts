/**
 * Runs a parsed script (./shell-syntax.ts) as a generator of effects (./process-effects.ts): the
 * shell's own builtins (exit, cd, export, unset, set -e, trap, wait, exec, shift, break, continue,
 * eval) are here; programs come from ./simulated-programs.ts.
 *
 * Semantics that decide what a container does, as POSIX sh (and dash/busybox ash) behave:
 *  - a script's status is its last command's; `exit` with no operand keeps it; `set -e` exits on a
 *    failing command outside conditions;
 *  - the last simple command of a `sh -c` script is exec'd (dash and ash replace the shell with it),
 *    so that program becomes PID 1 and receives the stop signal itself (see `pid1`);
 *  - `trap HANDLER TERM` runs HANDLER after the foreground command ends, or at once while the shell
 *    is in `wait`; without a trap the shell, as PID 1 of its container, ignores SIGTERM;
 *  - `cmd &` runs in the background (a copy of the shell variables, the same filesystem);
 *  - a loop that runs MAX_SPIN_ITERATIONS times without time passing is a busy loop: it blocks.
 * Simplifications (documented in the README): unquoted expansions are not field-split ("$@" is); glob
 * patterns stay literal; `A=1 cmd` sets A for the rest of the script.
 */
import { resolvePath } from './container-filesystem';
import type { CommandRun, Effect, Io, MachineContext, Resume, SimulatedSignal, Sink } from './process-effects';
import { writeTo } from './process-effects';
import { findProgram } from './simulated-programs';
import { parseScript, UnsupportedScriptError, type AndOr, type Command, type CommandList, type Pipeline, type SimpleCommand, type Word } from './shell-syntax';
import { VAR_MARK } from './shell-tokens';

/** Loop iterations at one instant before the loop counts as a busy loop. */
export const MAX_SPIN_ITERATIONS = 100;

/** Exit status of a command killed by a signal: 128 + signal number (SIGTERM 15). */
const SIGTERM_STATUS = 143;

/** Who receives a signal sent to the container: the shell itself, or the program it exec'd. */
export type Pid1 = { readonly kind: 'shell' } | { readonly kind: 'program'; readonly program: string; readonly known: boolean };

class ShellExit {
  constructor(readonly status: number) {}
}

class LoopControl {
  constructor(
    readonly kind: 'break' | 'continue',
    public levels: number,
  ) {}
}

export interface ShellOptions {
  /** $0 and the name in the shell's own messages ("sh", "bash", "ash"). */
  readonly shellName: string;
  /** $1... of `sh -c SCRIPT NAME ARG...` ($0 is NAME when given). */
  readonly positional: readonly string[];
  /** `sh -e`: exit on the first failing command. */
  readonly errexit?: boolean;
}

export class Shell {
  private status = 0;
  private errexit = false;
  private spin = 0;
  private readonly traps = new Map<SimulatedSignal, string>();
  private positional: string[];
  /** The program this shell exec'd, if any (then it, not the shell, gets signals). */
  pid1: Pid1 = { kind: 'shell' };

  constructor(
    readonly machine: MachineContext,
    private readonly options: ShellOptions,
  ) {
    this.positional = [...options.positional];
    this.errexit = options.errexit ?? false;
  }

  /** How the shell takes SIGTERM: a trap handler runs, or it is ignored (PID 1 has no default action). */
  hasTrap(signal: SimulatedSignal): boolean {
    const handler = this.traps.get(signal);
    return handler !== undefined && handler !== '';
  }

  /** Runs a whole script; `tailExec` marks the last simple command as exec'd (sh -c). */
  *run(script: CommandList, io: Io, tailExec: boolean): CommandRun {
    try {
      return yield* this.list(script, io, tailExec, false);
    } catch (err) {
      if (err instanceof ShellExit) return err.status;
      if (err instanceof LoopControl) return this.status;
      throw err;
    }
  }

  // ---- effects -------------------------------------------------------------------------------

  private *effect(e: Effect): Generator<Effect, Resume | undefined, Resume | undefined> {
    if (e.kind === 'sleep') this.spin = 0;
    const resume = yield e;
    if (resume?.signal !== undefined) yield* this.runTrap(resume.signal);
    return resume;
  }

  /** Forwards a program's effects, so trapped signals are handled between them. */
  private *drive(run: CommandRun): CommandRun {
    let next = run.next();
    while (!next.done) {
      const resume = yield* this.effect(next.value);
      next = run.next(resume);
    }
    return next.value;
  }

  private *runTrap(signal: SimulatedSignal): Generator<Effect, void, Resume | undefined> {
    const handler = this.traps.get(signal);
    if (handler === undefined || handler === '') return;
    const saved = this.status;
    yield* this.list(parseScript(handler), { stdout: { kind: 'fd', fd: 1 }, stderr: { kind: 'fd', fd: 2 }, stdin: '' }, false, false);
    this.status = saved;
  }

  private *spinGuard(): Generator<Effect, void, Resume | undefined> {
    if (++this.spin <= MAX_SPIN_ITERATIONS) return;
    yield* this.effect({ kind: 'block', reason: 'busy loop', program: this.options.shellName });
  }

  // ---- structure -----------------------------------------------------------------------------

  private *list(list: CommandList, io: Io, tail: boolean, inCondition: boolean): CommandRun {
    const items = list.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.background) {
        const child = new Shell({ ...this.machine, vars: new Map(this.machine.vars) }, this.options);
        yield* this.effect({ kind: 'spawn', job: child.run({ type: 'list', items: [{ andOr: item.andOr, background: false }] }, io, false) });
        this.status = 0;
        continue;
      }
      const failedFinal = yield* this.andOr(item.andOr, io, tail && i === items.length - 1, inCondition);
      if (failedFinal && this.errexit && !inCondition) throw new ShellExit(this.status);
    }
    return this.status;
  }

  /** Runs an and-or list; true when its last pipeline ran and failed (what `set -e` acts on). */
  private *andOr(andOr: AndOr, io: Io, tail: boolean, inCondition: boolean): Generator<Effect, boolean, Resume | undefined> {
    const last = andOr.rest.length;
    let status = yield* this.pipeline(andOr.first, io, tail && last === 0, inCondition || last > 0);
    let ranFinal = last === 0;
    for (let i = 0; i < last; i++) {
      const { op, pipeline } = andOr.rest[i]!;
      if ((op === '&&') !== (status === 0)) continue;
      const isFinal = i === last - 1;
      status = yield* this.pipeline(pipeline, io, tail && isFinal, inCondition || !isFinal);
      ranFinal = isFinal;
    }
    return ranFinal && status !== 0 && !andOr.first.negated;
  }

  private *pipeline(pipeline: Pipeline, io: Io, tail: boolean, inCondition: boolean): CommandRun {
    const commands = pipeline.commands;
    let stdin = io.stdin;
    let status = 0;
    for (let i = 0; i < commands.length; i++) {
      const isLast = i === commands.length - 1;
      const chunks: string[] = [];
      const stageIo: Io = { stdout: isLast ? io.stdout : { kind: 'buffer', chunks }, stderr: io.stderr, stdin };
      status = yield* this.command(commands[i]!, stageIo, tail && commands.length === 1 && !pipeline.negated, inCondition);
      stdin = chunks.join('');
    }
    if (pipeline.negated) status = status === 0 ? 1 : 0;
    this.status = status;
    return status;
  }

  private *command(command: Command, io: Io, tail: boolean, inCondition: boolean): CommandRun {
    switch (command.type) {
      case 'simple':
        return yield* this.simple(command, io, tail);
      case 'group':
        return yield* this.list(command.body, io, false, inCondition);
      case 'if': {
        for (const branch of command.branches) {
          const cond = yield* this.list(branch.condition, io, false, true);
          if (cond === 0) return yield* this.list(branch.body, io, false, inCondition);
        }
        this.status = command.otherwise === null ? 0 : yield* this.list(command.otherwise, io, false, inCondition);
        return this.status;
      }
      case 'while':
      case 'until': {
        let status = 0;
        for (;;) {
          yield* this.spinGuard();
          const cond = yield* this.list(command.condition, io, false, true);
          if ((command.type === 'while') !== (cond === 0)) break;
          const control = yield* this.loopBody(command.body, io, inCondition);
          status = this.status;
          if (control === 'break') break;
        }
        this.status = status;
        return status;
      }
      case 'for': {
        const items = command.items === null ? this.positional.slice(1) : this.expandWords(command.items);
        let status = 0;
        for (const item of items) {
          yield* this.spinGuard();
          this.machine.vars.set(command.name, item);
          const control = yield* this.loopBody(command.body, io, inCondition);
          status = this.status;
          if (control === 'break') break;
        }
        this.status = status;
        return status;
      }
    }
  }

  private *loopBody(body: CommandList, io: Io, inCondition: boolean): Generator<Effect, 'break' | 'continue' | undefined, Resume | undefined> {
    try {
      yield* this.list(body, io, false, inCondition);
      return undefined;
    } catch (err) {
      if (!(err instanceof LoopControl)) throw err;
      if (--err.levels > 0) throw err;
      return err.kind;
    }
  }

  // ---- simple commands -----------------------------------------------------------------------

  private *simple(command: SimpleCommand, io: Io, tail: boolean): CommandRun {
    for (const [name, value] of command.assignments) this.machine.vars.set(name, this.expand(value));
    const words = this.expandWords(command.words);
    const redirected = this.redirect(command, io);
    if (typeof redirected === 'string') {
      yield* writeTo(io.stderr, redirected, this.machine);
      this.status = 1;
      return 1;
    }
    if (words.length === 0) return (this.status = 0);
    const status = yield* this.invoke(words, redirected, tail);
    this.status = status;
    return status;
  }

  private *invoke(words: readonly string[], io: Io, tail: boolean): CommandRun {
    const [name, ...args] = words as [string, ...string[]];
    switch (name) {
      case 'exit': {
        const code = args[0] === undefined ? this.status : Number(args[0]);
        throw new ShellExit(Number.isInteger(code) ? ((code % 256) + 256) % 256 : 2);
      }
      case ':':
        return 0;
      case 'cd': {
        const target = resolvePath(args[0] ?? this.machine.vars.get('HOME') ?? '/', this.machine.cwd);
        if (!this.machine.fs.isDirectory(target)) {
          yield* writeTo(io.stderr, `${this.options.shellName}: cd: can't cd to ${args[0]}: No such file or directory\n`, this.machine);
          return 2;
        }
        this.machine.cwd = target;
        return 0;
      }
      case 'export':
        for (const a of args) {
          const eq = a.indexOf('=');
          if (eq > 0) this.machine.vars.set(a.slice(0, eq), a.slice(eq + 1));
        }
        return 0;
      case 'unset':
        for (const a of args) this.machine.vars.delete(a);
        return 0;
      case 'set':
        for (let i = 0; i < args.length; i++) {
          const a = args[i]!;
          if (a === '-o' && args[i + 1] === 'errexit') this.errexit = true;
          else if (a === '+o' && args[i + 1] === 'errexit') this.errexit = false;
          else if (/^-[a-z]+$/.test(a) && a.includes('e')) this.errexit = true;
          else if (/^\+[a-z]+$/.test(a) && a.includes('e')) this.errexit = false;
          else if (a === '--') {
            this.positional = [this.positional[0] ?? this.options.shellName, ...args.slice(i + 1)];
            break;
          }
        }
        return 0;
      case 'shift': {
        const n = args[0] === undefined ? 1 : Number(args[0]);
        this.positional = [this.positional[0] ?? '', ...this.positional.slice(1 + n)];
        return 0;
      }
      case 'trap': {
        if (args.length < 2) return 0;
        const [handler, ...signals] = args as [string, ...string[]];
        for (const sig of signals) {
          const name = sig.replace(/^SIG/, '');
          if (name !== 'TERM' && name !== '15') continue; // only SIGTERM is ever sent (StopContainer)
          if (handler === '-') this.traps.delete('TERM');
          else {
            if (handler !== '') parseScript(handler); // refuse an unsupported handler now, not at stop time
            this.traps.set('TERM', handler);
          }
        }
        return 0;
      }
      case 'wait': {
        const resume = yield* this.effect({ kind: 'wait' });
        return resume?.signal === undefined ? 0 : SIGTERM_STATUS;
      }
      case 'break':
      case 'continue':
        throw new LoopControl(name, Math.max(1, Number(args[0] ?? 1) || 1));
      case 'eval':
        return yield* this.list(parseScript(args.join(' ')), io, false, false);
      case 'exec': {
        if (args.length === 0) return 0;
        const status = yield* this.invoke(args, io, true);
        throw new ShellExit(status);
      }
      default:
        break;
    }
    const program = findProgram(name);
    if (tail) this.pid1 = { kind: 'program', program: name, known: program !== undefined };
    if (program !== undefined) return yield* this.drive(program(args, io, this.machine));
    if (this.machine.unknownProgram === 'server') {
      yield* this.effect({ kind: 'block', reason: 'server', program: name });
      return 0;
    }
    yield* writeTo(io.stderr, `${this.options.shellName}: ${name}: not found\n`, this.machine);
    return 127;
  }

  /** The command's I/O after its redirections, or the shell's error message. */
  private redirect(command: SimpleCommand, io: Io): Io | string {
    let { stdout, stderr, stdin } = io;
    for (const r of command.redirects) {
      const target = this.expand(r.target);
      if (r.op === '<') {
        const content = this.machine.fs.read(resolvePath(target, this.machine.cwd));
        if (content === undefined) return `${this.options.shellName}: can't open '${target}': No such file or directory\n`;
        stdin = content;
        continue;
      }
      let sink: Sink;
      if (r.op === '>&' && (target === '1' || target === '2')) sink = target === '1' ? stdout : stderr;
      else if (target === '/dev/null') sink = { kind: 'null' };
      else {
        const path = resolvePath(target, this.machine.cwd);
        if (r.op === '>' || r.op === '>&') this.machine.fs.write(path, '', false);
        else this.machine.fs.write(path, '', true);
        sink = { kind: 'file', path };
      }
      if (r.both) {
        stdout = sink;
        stderr = sink;
      } else if (r.fd === 2) stderr = sink;
      else if (r.fd === 1) stdout = sink;
    }
    return { stdout, stderr, stdin };
  }

  // ---- expansion -----------------------------------------------------------------------------

  private expandWords(words: readonly Word[]): string[] {
    const out: string[] = [];
    for (const w of words) {
      if (w === `${VAR_MARK}@${VAR_MARK}`) out.push(...this.positional.slice(1));
      else out.push(this.expand(w));
    }
    return out;
  }

  private expand(word: Word): string {
    if (!word.includes(VAR_MARK)) return word;
    const parts = word.split(VAR_MARK);
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) out += this.variable(parts[i]!) + (parts[i + 1] ?? '');
    return out;
  }

  private variable(expr: string): string {
    const named = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-=])([\s\S]*))?$/.exec(expr);
    if (named !== null) {
      const [, name, colon, op, fallback] = named as unknown as [string, string, string | undefined, string | undefined, string | undefined];
      const value = this.machine.vars.get(name);
      if (op === undefined) return value ?? '';
      const missing = colon === ':' ? value === undefined || value === '' : value === undefined;
      if (!missing) return value!;
      if (op === '=') this.machine.vars.set(name, fallback ?? '');
      return fallback ?? '';
    }
    if (/^[0-9]$/.test(expr)) return this.positional[Number(expr)] ?? '';
    switch (expr) {
      case '#':
        return String(Math.max(0, this.positional.length - 1));
      case '?':
        return String(this.status);
      case '@':
      case '*':
        return this.positional.slice(1).join(' ');
      case '$':
        return '1';
      default:
        return '';
    }
  }
}

export { UnsupportedScriptError };
