// The five commands as a new user meets them: --version, -h with Examples that survive 80 columns, and bad
// flags or config values answered by one line naming the flag or field (no stack trace), all with exit 1.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT_CODE, MAX_EXAMPLE_LINE } from '../../cli-kit/src';

const DIST = resolve(__dirname, '..', '..');
const COMMANDS = {
  'kubelet-sim': join(DIST, 'kubelet-sim/src/main.js'),
  'runtime-sim': join(DIST, 'runtime-sim/src/main.js'),
  'trace-sink': join(DIST, 'trace-sink/src/main.js'),
  traces: join(DIST, 'trace-sink/src/traces-main.js'),
  'npm start': join(DIST, 'node-demo/src/main.js'),
} as const;

function run(command: keyof typeof COMMANDS, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [COMMANDS[command], ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('command-line conventions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-conventions-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const command of Object.keys(COMMANDS) as Array<keyof typeof COMMANDS>) {
    describe(command, () => {
      it('prints its version with --version and exits 0', () => {
        const r = run(command, ['--version']);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^${command} \\d+\\.\\d+\\.\\d+ \\(kubelet-cri-tracing-emulator; .+\\)\\n$`));
      });

      it('prints help with -h, with an Examples section whose commands are not wrapped', () => {
        const r = run(command, ['-h']);
        assert.equal(r.status, 0, r.stderr);
        const examples = r.stdout.slice(r.stdout.indexOf('\nExamples:\n'));
        assert.ok(examples.length > 12, r.stdout);
        const commandLines = examples.split('\n').filter((l) => /^ {2}\S/.test(l) && !l.startsWith('  #'));
        assert.ok(commandLines.length >= 2, examples);
        for (const line of examples.split('\n')) assert.ok(line.length <= MAX_EXAMPLE_LINE + 2, `too long to survive 80 columns: ${line}`);
        // Every example is the command itself, written out in full (after any environment variables).
        for (const line of commandLines) assert.ok(line.includes(command) || /^ {2}[A-Z_]+=\S+ \\$/.test(line), line);
      });
    });
  }

  describe('bad flags and values: exit 1 with one line naming the flag or field', () => {
    const cases: Array<[keyof typeof COMMANDS, () => string[], RegExp]> = [
      ['kubelet-sim', () => ['--config', 'configs/kubelet-config.yaml', '--kubelet-version', '1.20'], /^Error: invalid argument "1\.20" for "--kubelet-version" flag: supported releases are 1\.25–1\.34/],
      ['kubelet-sim', () => ['--config', 'configs/kubelet-config.yaml', '--duration', '-5s'], /^Error: invalid argument "-5s" for "--duration" flag: must be greater than 0/],
      ['kubelet-sim', () => ['--config', 'a.yaml', '--config', 'b.yaml'], /^Error: flag --config was given 2 times/],
      ['kubelet-sim', () => ['--config', configWith(dir, 'empty', '""')], /^E\d{4} [\d:.]+ +\d+ main\.ts:\d+\] "command failed" err="failed to validate kubelet configuration, error: tracing\.endpoint: Invalid value: "": empty endpoint/],
      ['kubelet-sim', () => ['--config', configWith(dir, 'port', '"127.0.0.1:99999"')], /tracing\.endpoint: Invalid value: "127\.0\.0\.1:99999": port 99999 is out of range/],
      ['kubelet-sim', () => ['--config', 'configs/kubelet-config.yaml', '--nosuch'], /^Error: Unknown argument: nosuch/],
      ['runtime-sim', () => ['--seed', 'abc', '--listen', `unix://${join(dir, 'rs.sock')}`], /^Error: invalid value "abc" for --seed: must be a whole number/],
      ['runtime-sim', () => ['--listen', 'unix:///a.sock', '--listen', 'unix:///b.sock'], /^Error: flag --listen was given 2 times/],
      ['runtime-sim', () => ['--nosuch'], /^Error: Unknown argument: nosuch/],
      ['trace-sink', () => ['--out', dir, '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0'], /^trace-sink: cannot append spans to .* \(--out\): it is a directory/],
      ['trace-sink', () => ['--summary-interval', '-5s'], /^trace-sink: invalid --summary-interval: "-5s" is not a duration/],
      ['trace-sink', () => ['--nosuch'], /^trace-sink: Unknown argument: nosuch/],
      ['traces', () => ['list', '--file', join(dir, 'none.jsonl')], /^traces: --file .*none\.jsonl: no such file; give the spans file/],
      ['traces', () => ['list', '--limit', '-5'], /^traces: invalid --limit: "-5" is not a whole number/],
      ['traces', () => ['list', '--nosuch'], /^traces: Unknown argument: nosuch/],
      ['npm start', () => ['--config', '/nonexistent.yaml'], /^Error: --config \/nonexistent\.yaml: no such file; give a KubeletConfiguration file/],
      ['npm start', () => ['--listen', '127.0.0.1:0', '--listen', '127.0.0.1:1'], /^Error: flag --listen was given 2 times/],
      ['npm start', () => ['--duration', '-5s'], /^Error: --duration: "-5s" is not a duration/],
      ['npm start', () => ['--seed', 'abc'], /^Error: Unknown argument: seed/],
    ];
    for (const [command, args, message] of cases) {
      it(`${command} ${args().join(' ')}`, () => {
        const r = run(command, args());
        assert.equal(r.status, EXIT_CODE.BAD_USAGE, r.stderr);
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
        assert.ok(r.stderr.split('\n').filter(Boolean).length <= 2, r.stderr);
      });
    }
  });
});

/** A KubeletConfiguration whose tracing endpoint is `endpointYaml`. */
function configWith(dir: string, name: string, endpointYaml: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ntracing:\n  endpoint: ${endpointYaml}\n`);
  return file;
}
