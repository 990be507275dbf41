import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerFilesystem } from '../../../runtime-sim/src/process/container-filesystem';
import { ContainerProcess, type ProcessEnvironment } from '../../../runtime-sim/src/process/container-process';
import { runExecCommand } from '../../../runtime-sim/src/process/exec-command';
import { interpretArgv, resolveProcessArgs } from '../../../runtime-sim/src/process/process-args';
import { MAX_SPIN_ITERATIONS } from '../../../runtime-sim/src/process/shell-interpreter';
import { parseScript, UnsupportedScriptError } from '../../../runtime-sim/src/process/shell-syntax';

const S = 1_000_000_000n;
const T0 = 1_795_341_600n * S;

function environment(overrides: Partial<ProcessEnvironment> = {}): ProcessEnvironment {
  return {
    env: new Map([['PATH', '/usr/bin:/bin'], ['HOSTNAME', 'web-1'], ['GREETING', 'hi there']]),
    workingDir: '',
    userland: 'busybox',
    user: { uid: 0, name: 'root' },
    fs: new ContainerFilesystem({ hostname: 'web-1' }),
    ...overrides,
  };
}

interface Observed {
  exit: { atS: number; status: number } | null;
  lines: string[];
  blockedOn: string | null;
}

/** Runs the process for `horizonS` seconds of simulated time; lines as "<seconds> <stream> <text>". */
function observe(argv: readonly string[], horizonS = 3600, env = environment()): Observed {
  const p = new ContainerProcess(argv, T0, env);
  p.advanceTo(T0 + BigInt(horizonS) * S);
  const lines = p.takeLines(T0 + BigInt(horizonS) * S).map((l) => `${Number(l.atNs - T0) / 1e9} ${l.stream} ${l.text}`);
  const exit = p.exit === null ? null : { atS: Number(p.exit.atNs - T0) / 1e9, status: p.exit.status };
  return { exit, lines, blockedOn: p.blockedOn?.reason ?? (p.unsupportedReason === null ? null : 'unsupported') };
}

const sh = (script: string): string[] => ['sh', '-c', script];

describe('command model', () => {
  describe('scripts: exit code, duration, output', () => {
    const cases: { script: string; exit: Observed['exit']; lines: string[] }[] = [
      { script: 'echo migrating; sleep 1', exit: { atS: 1, status: 0 }, lines: ['0 stdout migrating'] },
      { script: 'sleep 5; exit 3', exit: { atS: 5, status: 3 }, lines: [] },
      { script: 'echo hello', exit: { atS: 0, status: 0 }, lines: ['0 stdout hello'] },
      { script: 'true && echo yes || echo no', exit: { atS: 0, status: 0 }, lines: ['0 stdout yes'] },
      { script: 'false && echo yes || echo no', exit: { atS: 0, status: 0 }, lines: ['0 stdout no'] },
      { script: 'false', exit: { atS: 0, status: 1 }, lines: [] },
      { script: 'cat /missing', exit: { atS: 0, status: 1 }, lines: ["0 stderr cat: can't open '/missing': No such file or directory"] },
      { script: 'echo "$GREETING from $HOSTNAME"; echo ${UNSET:-fallback}', exit: { atS: 0, status: 0 }, lines: ['0 stdout hi there from web-1', '0 stdout fallback'] },
      { script: 'echo one\nsleep 2\necho two >&2\nexit 4', exit: { atS: 2, status: 4 }, lines: ['0 stdout one', '2 stderr two'] },
      { script: 'for i in 1 2 3; do echo tick $i; sleep 1; done', exit: { atS: 3, status: 0 }, lines: ['0 stdout tick 1', '1 stdout tick 2', '2 stdout tick 3'] },
      { script: 'touch /tmp/ready; if [ -f /tmp/ready ]; then echo ok; else echo missing; fi', exit: { atS: 0, status: 0 }, lines: ['0 stdout ok'] },
      { script: 'echo saved > /tmp/f; cat /tmp/f; rm /tmp/f; cat /tmp/f', exit: { atS: 0, status: 1 }, lines: ['0 stdout saved', "0 stderr cat: can't open '/tmp/f': No such file or directory"] },
      { script: 'set -e; echo a; false; echo never', exit: { atS: 0, status: 1 }, lines: ['0 stdout a'] },
      { script: 'printf "%s=%d\\n" a 1 b 2; printf "no newline"', exit: { atS: 0, status: 0 }, lines: ['0 stdout a=1', '0 stdout b=2', '0 stdout no newline'] },
      { script: 'sleep 1.5 && echo done', exit: { atS: 1.5, status: 0 }, lines: ['1.5 stdout done'] },
      { script: 'n=0; until [ $n -eq 2 ]; do echo $n; n=2; done', exit: { atS: 0, status: 0 }, lines: ['0 stdout 0'] },
      { script: 'echo hidden > /dev/null; echo shown 2>/dev/null', exit: { atS: 0, status: 0 }, lines: ['0 stdout shown'] },
      { script: 'echo a | grep -q a && echo matched', exit: { atS: 0, status: 0 }, lines: ['0 stdout matched'] },
      { script: 'sleep 2 & echo started; wait; echo all done', exit: { atS: 2, status: 0 }, lines: ['0 stdout started', '2 stdout all done'] },
      { script: '# comment only\n  \n', exit: { atS: 0, status: 0 }, lines: [] },
      { script: 'sleep abc', exit: { atS: 0, status: 1 }, lines: ["0 stderr sleep: invalid number 'abc'"] },
    ];
    for (const c of cases) {
      it(`runs ${JSON.stringify(c.script)}`, () => {
        const seen = observe(sh(c.script));
        assert.deepEqual(seen.exit, c.exit);
        assert.deepEqual(seen.lines, c.lines);
      });
    }
  });

  describe('processes that do not end by themselves', () => {
    it('treats an unknown program as a long-running server', () => {
      const seen = observe(['nginx', '-g', 'daemon off;']);
      assert.equal(seen.exit, null);
      assert.equal(seen.blockedOn, 'server');
    });

    it('keeps looping while-true scripts and their output on the clock', () => {
      const seen = observe(sh('while true; do echo tick; sleep 5; done'), 12);
      assert.equal(seen.exit, null);
      assert.deepEqual(seen.lines, ['0 stdout tick', '5 stdout tick', '10 stdout tick']);
    });

    it('stops a loop that never lets time pass after MAX_SPIN_ITERATIONS iterations', () => {
      const seen = observe(sh('while true; do echo spin; done'));
      assert.equal(seen.exit, null);
      assert.equal(seen.blockedOn, 'busy loop');
      assert.equal(seen.lines.length, MAX_SPIN_ITERATIONS);
    });

    it('blocks on sleep infinity and tail -f', () => {
      assert.equal(observe(sh('echo up; sleep infinity')).blockedOn, 'sleep infinity');
      assert.equal(observe(['tail', '-f', '/dev/null']).blockedOn, 'tail -f');
    });

    it('runs scripts outside the subset until stopped, saying why', () => {
      const p = new ContainerProcess(sh('echo $(date)'), T0, environment());
      assert.match(p.unsupportedReason ?? '', /command substitution/);
      assert.equal(p.nextWakeNs(), null);
    });
  });

  describe('SIGTERM as PID 1 receives it', () => {
    const term = (argv: string[], atS: number, horizonS = 3600) => {
      const p = new ContainerProcess(argv, T0, environment());
      p.advanceTo(T0 + BigInt(atS) * S);
      const disposition = p.deliverTerm(T0 + BigInt(atS) * S);
      p.advanceTo(T0 + BigInt(horizonS) * S);
      return { disposition, exit: p.exit, lines: p.takeLines(T0 + BigInt(horizonS) * S).map((l) => l.text) };
    };

    it('a server exec-ed by the shell exits at once', () => {
      const r = term(sh('echo starting; exec my-server --port 8080'), 3);
      assert.equal(r.disposition, 'exits');
      assert.deepEqual(r.exit, { atNs: T0 + 3n * S, status: 0 });
    });

    it('the last command of sh -c is exec-ed too (dash/ash)', () => {
      assert.equal(term(sh('echo starting; my-server'), 3).disposition, 'exits');
    });

    it('a shell without a trap, and a bare sleep, ignore it', () => {
      assert.equal(term(sh('my-server; echo after'), 3).disposition, 'ignored');
      assert.equal(term(['sleep', '3600'], 3).disposition, 'ignored');
    });

    it('a trap runs after the foreground sleep, or at once in wait', () => {
      const afterSleep = term(sh("trap 'echo bye; exit 0' TERM; while true; do sleep 10; done"), 3);
      assert.equal(afterSleep.disposition, 'trapped');
      assert.deepEqual(afterSleep.exit, { atNs: T0 + 10n * S, status: 0 });
      assert.deepEqual(afterSleep.lines, ['bye']);
      const inWait = term(sh("trap 'exit 7' TERM; sleep infinity & wait"), 3);
      assert.deepEqual(inWait.exit, { atNs: T0 + 3n * S, status: 7 });
    });
  });

  describe('exec (ExecSync/Exec)', () => {
    const exec = (argv: string[], env = environment(), limitS = 10) => runExecCommand(argv, env, T0, BigInt(limitS) * S);

    it('runs echo directly and through sh -c', () => {
      assert.deepEqual(exec(['echo', 'hello']), { kind: 'exited', exitCode: 0, stdout: 'hello\n', stderr: '', durationNs: 0n });
      assert.deepEqual(exec(sh('echo hello')), { kind: 'exited', exitCode: 0, stdout: 'hello\n', stderr: '', durationNs: 0n });
    });

    it('sees the files the main process made (the classic liveness probe)', () => {
      const env = environment();
      const main = new ContainerProcess(sh('touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600'), T0, env);
      main.advanceTo(T0 + 10n * S);
      assert.equal((exec(['cat', '/tmp/healthy'], env) as { exitCode: number }).exitCode, 0);
      main.advanceTo(T0 + 40n * S);
      const failed = exec(['cat', '/tmp/healthy'], env);
      assert.equal(failed.kind === 'exited' && failed.exitCode, 1);
    });

    it('reports unknown programs as not found, and inside a shell as status 127', () => {
      assert.deepEqual(exec(['redis-cli', 'ping']), { kind: 'not-found', program: 'redis-cli' });
      assert.deepEqual(exec(sh('redis-cli ping')), { kind: 'exited', exitCode: 127, stdout: '', stderr: 'sh: redis-cli: not found\n', durationNs: 0n });
    });

    it('runs past the limit when the command does not end in time', () => {
      assert.equal(exec(['sleep', '60']).kind, 'runs-past-limit');
      assert.deepEqual(exec(['sleep', '2']), { kind: 'exited', exitCode: 0, stdout: '', stderr: '', durationNs: 2n * S });
    });
  });

  describe('argv from the container and the image', () => {
    const image = { entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'] };
    it('follows the Docker rules', () => {
      assert.deepEqual(resolveProcessArgs([], [], image), ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']);
      assert.deepEqual(resolveProcessArgs([], ['nginx', '-T'], image), ['/docker-entrypoint.sh', 'nginx', '-T']);
      assert.deepEqual(resolveProcessArgs(['sh', '-c'], ['echo hi'], image), ['sh', '-c', 'echo hi']);
      assert.deepEqual(resolveProcessArgs([], [], { entrypoint: [''], cmd: ['sh'] }), ['sh']);
      assert.equal(resolveProcessArgs([], [], { entrypoint: [], cmd: [] }), undefined);
    });

    it('reads sh -c scripts with their positional parameters, and a bare shell exits at once', () => {
      const seen = observe(['sh', '-c', 'echo "$0 got $1 and $#"', 'name', 'first']);
      assert.deepEqual(seen.lines, ['0 stdout name got first and 1']);
      assert.deepEqual(observe(['sh']).exit, { atS: 0, status: 0 });
      assert.equal(interpretArgv(['sh', '/entrypoint.sh']).kind, 'unsupported');
    });
  });

  describe('parser', () => {
    for (const script of ['echo $(date)', 'f() { echo; }', 'case x in x) echo;; esac', 'cat <<EOF', '(echo a)', 'echo ${#X}']) {
      it(`refuses ${JSON.stringify(script)} with the construct named`, () => {
        assert.throws(() => parseScript(script), UnsupportedScriptError);
      });
    }
    it('joins quoted newlines and backslash continuations into one command', () => {
      assert.deepEqual(observe(sh('echo "a\nb"; echo c \\\n d')).lines, ['0 stdout a', '0 stdout b', '0 stdout c d']);
    });
  });
});
