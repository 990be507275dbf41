/**
 * The programs the command model runs, by basename: what each prints, how long it takes and its exit
 * status, with the messages of the image's userland (busybox in busybox/alpine images, GNU coreutils
 * elsewhere). Shell builtins that change the shell itself (exit, cd, export, set, trap, wait, exec)
 * live in ./shell-interpreter.ts.
 *
 * Programs not listed here and not in SILENT_UTILITIES are "unknown": in the main process they are the
 * container's server (they block until stopped); in an exec they are not found.
 */
import { resolvePath } from './container-filesystem';
import { writeTo, type CommandRun, type Io, type MachineContext } from './process-effects';

export type Program = (args: readonly string[], io: Io, machine: MachineContext) => CommandRun;

/** Utilities whose output the model does not simulate: they succeed at once and print nothing. */
export const SILENT_UTILITIES: ReadonlySet<string> = new Set([
  'chmod', 'chown', 'chgrp', 'cp', 'mv', 'ln', 'sync', 'nslookup', 'dig', 'wget', 'curl', 'umask', 'ulimit',
]);

const NS_PER_SECOND = 1_000_000_000;
const SLEEP_UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** GNU/busybox sleep operands: NUMBER[smhd], summed; `inf`/`infinity` never ends. undefined = invalid. */
export function parseSleepOperands(args: readonly string[]): bigint | 'infinity' | undefined {
  if (args.length === 0) return undefined;
  let total = 0n;
  for (const arg of args) {
    if (/^inf(inity)?$/i.test(arg)) return 'infinity';
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
    if (m === null) return undefined;
    total += BigInt(Math.round(Number(m[1]) * SLEEP_UNITS[m[2]!]! * NS_PER_SECOND));
  }
  return total;
}

function messages(machine: MachineContext) {
  const busybox = machine.userland === 'busybox';
  return {
    cannotOpen: (prog: string, file: string) =>
      busybox ? `${prog}: can't open '${file}': No such file or directory\n` : `${prog}: ${file}: No such file or directory\n`,
    cannotRemove: (file: string) =>
      busybox ? `rm: can't remove '${file}': No such file or directory\n` : `rm: cannot remove '${file}': No such file or directory\n`,
    invalidSleep: (arg: string) => (busybox ? `sleep: invalid number '${arg}'\n` : `sleep: invalid time interval '${arg}'\n`),
    missingOperand: (prog: string) => `${prog}: missing operand\n`,
  };
}

function* fail(io: Io, machine: MachineContext, text: string, status = 1): CommandRun {
  yield* writeTo(io.stderr, text, machine);
  return status;
}

function* print(io: Io, machine: MachineContext, text: string): CommandRun {
  yield* writeTo(io.stdout, text, machine);
  return 0;
}

const ECHO_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', '\\': '\\', a: '\x07', b: '\b', r: '\r', v: '\v', f: '\f', e: '\x1b' };

function interpretEscapes(text: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\' || i === text.length - 1) {
      out += ch;
      continue;
    }
    const next = text[++i]!;
    if (next === 'c') return { text: out, stop: true };
    out += ECHO_ESCAPES[next] ?? `\\${next}`;
  }
  return { text: out, stop: false };
}

/** printf FORMAT [ARG...]: %s %b %c %d %i %u %x %X %o %f %e %g %%, flags/width/precision; the format repeats while args remain. */
function formatPrintf(format: string, args: readonly string[]): string {
  let out = '';
  let index = 0;
  const spec = /%([-+ 0#]*)(\d*)(?:\.(\d+))?([sbcdiuxXofeg%])/g;
  do {
    let consumed = false;
    const rendered = format.replace(spec, (_m, flags: string, width: string, precision: string | undefined, conv: string) => {
      if (conv === '%') return '%';
      const arg = args[index++] ?? '';
      consumed = true;
      let text: string;
      const num = Number(arg === '' ? 0 : arg);
      switch (conv) {
        case 's':
          text = precision === undefined ? arg : arg.slice(0, Number(precision));
          break;
        case 'b':
          text = interpretEscapes(arg).text;
          break;
        case 'c':
          text = arg.slice(0, 1);
          break;
        case 'd':
        case 'i':
        case 'u':
          text = String(Math.trunc(Number.isFinite(num) ? num : 0));
          break;
        case 'x':
        case 'X':
          text = Math.trunc(num).toString(16);
          if (conv === 'X') text = text.toUpperCase();
          break;
        case 'o':
          text = Math.trunc(num).toString(8);
          break;
        case 'e':
          text = num.toExponential(precision === undefined ? 6 : Number(precision));
          break;
        default:
          text = num.toFixed(precision === undefined ? 6 : Number(precision));
      }
      const w = width === '' ? 0 : Number(width);
      if (text.length < w) text = flags.includes('-') ? text.padEnd(w) : text.padStart(w, flags.includes('0') && conv !== 's' ? '0' : ' ');
      return text;
    });
    out += interpretEscapes(rendered).text;
    if (!consumed) break;
  } while (index < args.length);
  return out;
}

/** `date` with no operands: e.g. "Thu Dec  4 04:26:24 UTC 2026" (the node runs in UTC). */
export function formatDate(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

function operands(args: readonly string[]): { flags: Set<string>; rest: string[] } {
  const flags = new Set<string>();
  const rest: string[] = [];
  let done = false;
  for (const a of args) {
    if (!done && a === '--') done = true;
    else if (!done && /^-[A-Za-z]+$/.test(a)) for (const f of a.slice(1)) flags.add(f);
    else rest.push(a);
  }
  return { flags, rest };
}

function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `test` / `[` expressions: unary file and string tests, binary string and integer comparisons, `!`. */
export function evaluateTest(args: readonly string[], machine: MachineContext): number {
  const path = (p: string) => resolvePath(p, machine.cwd);
  const ev = (a: readonly string[]): boolean | undefined => {
    if (a.length === 0) return false;
    if (a[0] === '!' ) {
      const inner = ev(a.slice(1));
      return inner === undefined ? undefined : !inner;
    }
    if (a.length === 1) return a[0] !== '';
    if (a.length === 2) {
      const [op, v] = a as [string, string];
      switch (op) {
        case '-e': case '-r': case '-w': case '-x': return machine.fs.exists(path(v));
        case '-f': return machine.fs.isFile(path(v));
        case '-d': return machine.fs.isDirectory(path(v));
        case '-s': return (machine.fs.read(path(v)) ?? '') !== '';
        case '-z': return v === '';
        case '-n': return v !== '';
        default: return undefined;
      }
    }
    if (a.length === 3) {
      const [l, op, r] = a as [string, string, string];
      const li = Number(l);
      const ri = Number(r);
      switch (op) {
        case '=': case '==': return l === r;
        case '!=': return l !== r;
        case '-eq': return li === ri;
        case '-ne': return li !== ri;
        case '-lt': return li < ri;
        case '-le': return li <= ri;
        case '-gt': return li > ri;
        case '-ge': return li >= ri;
        default: return undefined;
      }
    }
    return undefined;
  };
  const result = ev(args);
  return result === undefined ? 2 : result ? 0 : 1;
}

const PROGRAMS: Readonly<Record<string, Program>> = {
  true: function* () {
    return 0;
  },
  false: function* () {
    return 1;
  },
  echo: function* (args, io, machine) {
    let newline = true;
    let escapes = false;
    let i = 0;
    for (; i < args.length && /^-[neE]+$/.test(args[i]!); i++) {
      for (const f of args[i]!.slice(1)) {
        if (f === 'n') newline = false;
        else if (f === 'e') escapes = true;
        else escapes = false;
      }
    }
    let text = args.slice(i).join(' ');
    if (escapes) {
      const r = interpretEscapes(text);
      text = r.text;
      if (r.stop) newline = false;
    }
    return yield* print(io, machine, newline ? `${text}\n` : text);
  },
  printf: function* (args, io, machine) {
    if (args.length === 0) return yield* fail(io, machine, 'printf: usage: printf format [arguments]\n', 2);
    return yield* print(io, machine, formatPrintf(args[0]!, args.slice(1)));
  },
  sleep: function* (args, io, machine) {
    const duration = parseSleepOperands(args);
    if (duration === undefined) {
      return yield* fail(io, machine, args.length === 0 ? messages(machine).missingOperand('sleep') : messages(machine).invalidSleep(args.find((a) => parseSleepOperands([a]) === undefined) ?? ''));
    }
    if (duration === 'infinity') yield { kind: 'block', reason: 'sleep infinity', program: 'sleep' };
    else yield { kind: 'sleep', ns: duration };
    return 0;
  },
  cat: function* (args, io, machine) {
    const { rest } = operands(args);
    if (rest.length === 0) return yield* print(io, machine, io.stdin);
    let status = 0;
    for (const file of rest) {
      if (file === '-') {
        yield* writeTo(io.stdout, io.stdin, machine);
        continue;
      }
      const content = machine.fs.read(resolvePath(file, machine.cwd));
      if (content === undefined) {
        yield* writeTo(io.stderr, messages(machine).cannotOpen('cat', file), machine);
        status = 1;
      } else yield* writeTo(io.stdout, content, machine);
    }
    return status;
  },
  touch: function* (args, io, machine) {
    const { rest } = operands(args);
    if (rest.length === 0) return yield* fail(io, machine, messages(machine).missingOperand('touch'));
    for (const file of rest) {
      const p = resolvePath(file, machine.cwd);
      if (!machine.fs.isFile(p)) machine.fs.write(p, '', false);
    }
    return 0;
  },
  rm: function* (args, io, machine) {
    const { flags, rest } = operands(args);
    if (rest.length === 0) return flags.has('f') ? 0 : yield* fail(io, machine, messages(machine).missingOperand('rm'));
    let status = 0;
    for (const file of rest) {
      if (!machine.fs.remove(resolvePath(file, machine.cwd)) && !flags.has('f')) {
        yield* writeTo(io.stderr, messages(machine).cannotRemove(file), machine);
        status = 1;
      }
    }
    return status;
  },
  mkdir: function* (args, io, machine) {
    const { rest } = operands(args);
    if (rest.length === 0) return yield* fail(io, machine, messages(machine).missingOperand('mkdir'));
    for (const dir of rest) machine.fs.makeDirectory(resolvePath(dir, machine.cwd));
    return 0;
  },
  ls: function* (args, io, machine) {
    const { rest } = operands(args);
    const dir = resolvePath(rest[0] ?? '.', machine.cwd);
    if (machine.fs.isFile(dir)) return yield* print(io, machine, `${rest[0]}\n`);
    if (!machine.fs.isDirectory(dir)) return yield* fail(io, machine, `ls: cannot access '${rest[0]}': No such file or directory\n`, 2);
    const names = new Set<string>();
    const prefix = dir === '/' ? '/' : `${dir}/`;
    // Files the container created; the image's own tree is not modelled.
    for (const candidate of ['/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/passwd']) {
      if (candidate.startsWith(prefix)) names.add(candidate.slice(prefix.length).split('/')[0]!);
    }
    return yield* print(io, machine, [...names].sort().map((n) => `${n}\n`).join(''));
  },
  test: function* (args, _io, machine) {
    return evaluateTest(args, machine);
  },
  '[': function* (args, io, machine) {
    if (args[args.length - 1] !== ']') return yield* fail(io, machine, '[: missing ]\n', 2);
    return evaluateTest(args.slice(0, -1), machine);
  },
  hostname: function* (_args, io, machine) {
    return yield* print(io, machine, machine.fs.read('/etc/hostname') ?? '\n');
  },
  env: function* (_args, io, machine) {
    return yield* print(io, machine, [...machine.vars].map(([k, v]) => `${k}=${v}\n`).join(''));
  },
  printenv: function* (args, io, machine) {
    if (args.length === 0) return yield* print(io, machine, [...machine.vars].map(([k, v]) => `${k}=${v}\n`).join(''));
    const value = machine.vars.get(args[0]!);
    return value === undefined ? 1 : yield* print(io, machine, `${value}\n`);
  },
  pwd: function* (_args, io, machine) {
    return yield* print(io, machine, `${machine.cwd}\n`);
  },
  date: function* (_args, io, machine) {
    return yield* print(io, machine, `${formatDate(machine.nowNs())}\n`);
  },
  id: function* (_args, io, machine) {
    const { uid, name } = machine.user;
    return yield* print(io, machine, `uid=${uid}(${name}) gid=${uid}(${name}) groups=${uid}(${name})\n`);
  },
  whoami: function* (_args, io, machine) {
    return yield* print(io, machine, `${machine.user.name}\n`);
  },
  uname: function* (args, io, machine) {
    return yield* print(io, machine, args.includes('-a') ? 'Linux simulated-node 6.1.0 #1 SMP x86_64 GNU/Linux\n' : 'Linux\n');
  },
  tail: function* (args, io, machine) {
    const { flags, rest } = operands(args.filter((a, i) => !(a === '-n' || args[i - 1] === '-n')));
    if (flags.has('f') || flags.has('F')) {
      yield { kind: 'block', reason: 'tail -f', program: 'tail' };
      return 0;
    }
    const nIndex = args.indexOf('-n');
    const count = nIndex >= 0 ? Number(args[nIndex + 1] ?? 10) : 10;
    const text = rest.length === 0 ? io.stdin : machine.fs.read(resolvePath(rest[0]!, machine.cwd));
    if (text === undefined) return yield* fail(io, machine, messages(machine).cannotOpen('tail', rest[0]!));
    const lines = linesOf(text);
    return yield* print(io, machine, lines.slice(Math.max(0, lines.length - count)).map((l) => `${l}\n`).join(''));
  },
  head: function* (args, io, machine) {
    const nIndex = args.indexOf('-n');
    const count = nIndex >= 0 ? Number(args[nIndex + 1] ?? 10) : 10;
    const files = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '-n');
    const text = files.length === 0 ? io.stdin : machine.fs.read(resolvePath(files[0]!, machine.cwd));
    if (text === undefined) return yield* fail(io, machine, messages(machine).cannotOpen('head', files[0]!));
    return yield* print(io, machine, linesOf(text).slice(0, count).map((l) => `${l}\n`).join(''));
  },
  tee: function* (args, io, machine) {
    const { flags, rest } = operands(args);
    for (const file of rest) machine.fs.write(resolvePath(file, machine.cwd), io.stdin, flags.has('a'));
    return yield* print(io, machine, io.stdin);
  },
  grep: function* (args, io, machine) {
    const { flags, rest } = operands(args);
    if (rest.length === 0) return yield* fail(io, machine, 'grep: no pattern given\n', 2);
    let pattern: RegExp;
    try {
      pattern = new RegExp(rest[0]!, flags.has('i') ? 'i' : '');
    } catch {
      return yield* fail(io, machine, `grep: invalid pattern '${rest[0]}'\n`, 2);
    }
    let text = io.stdin;
    if (rest.length > 1) {
      const content = machine.fs.read(resolvePath(rest[1]!, machine.cwd));
      if (content === undefined) return yield* fail(io, machine, `grep: ${rest[1]}: No such file or directory\n`, 2);
      text = content;
    }
    const matched = linesOf(text).filter((l) => pattern.test(l) !== flags.has('v'));
    if (!flags.has('q')) yield* writeTo(io.stdout, matched.map((l) => `${l}\n`).join(''), machine);
    return matched.length > 0 ? 0 : 1;
  },
};

/** The program for `name` (a path's basename counts), or undefined when the model does not know it. */
export function findProgram(name: string): Program | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const program = PROGRAMS[base];
  if (program !== undefined) return program;
  if (SILENT_UTILITIES.has(base)) return PROGRAMS.true;
  return undefined;
}

/** Basenames of every program the model runs (for docs and tests). */
export const SIMULATED_PROGRAMS: readonly string[] = Object.keys(PROGRAMS);
