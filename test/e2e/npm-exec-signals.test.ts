// `npx runtime-sim ... & kill $!` must stop the simulator. npm exec runs a bin through `sh -c` and forwards
// SIGTERM only to that shell, so the serving process has to notice that its parent is gone (cli-kit
// parent-watch). Each command is started exactly that way, through npm exec of a local bin, and the npm
// process is killed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT_WITH_PARENT_ENV } from '../../cli-kit/src';
import { freePort } from '../helpers/free-port';
import { descendants, hasExited } from '../helpers/process-tree';

/** The compiled tree this test runs from. */
const DIST = resolve(__dirname, '..', '..');
const BINS = {
  'runtime-sim': join(DIST, 'runtime-sim/src/main.js'),
  'kubelet-sim': join(DIST, 'kubelet-sim/src/main.js'),
  'trace-sink': join(DIST, 'trace-sink/src/main.js'),
} as const;

/** npm itself: the npm-cli.js that runs `npm test`, else the `npm` on PATH. */
function npmCommand(): { file: string; prefix: string[] } {
  const cli = process.env.npm_execpath;
  return cli && cli.endsWith('.js') ? { file: process.execPath, prefix: [cli] } : { file: 'npm', prefix: [] };
}

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('killing the npm exec (npx) process stops the command it started', () => {
  let project: string;
  const started: ChildProcess[] = [];
  const servers: number[] = [];

  before(() => {
    // A project whose node_modules/.bin holds our bins, so npm exec runs them without installing anything.
    project = mkdtempSync(join(tmpdir(), 'npm-exec-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'npm-exec-probe', version: '1.0.0', private: true }));
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    for (const [name, target] of Object.entries(BINS)) symlinkSync(target, join(project, 'node_modules', '.bin', name));
    writeFileSync(join(project, 'kubelet.yaml'), `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\npodLogsDir: ${join(project, 'pod-logs')}\n`);
  });

  after(() => {
    for (const pid of servers) if (!hasExited(pid)) process.kill(pid, 'SIGKILL');
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(project, { recursive: true, force: true });
  });

  const cases: Array<{ bin: keyof typeof BINS; signal?: NodeJS.Signals; args: () => Promise<string[]>; ready: RegExp }> = [
    { bin: 'runtime-sim', args: async () => ['--listen', `unix://${join(project, 'rs.sock')}`], ready: /serving CRI v1/ },
    { bin: 'trace-sink', args: async () => ['--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--out', ''], ready: /not writing a file/ },
    // kill -9 leaves npm's `sh -c` alive and waiting: the grandparent's disappearance is what tells.
    { bin: 'trace-sink', signal: 'SIGKILL', args: async () => ['--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--out', ''], ready: /not writing a file/ },
    {
      bin: 'kubelet-sim',
      args: async () => ['--config', join(project, 'kubelet.yaml'), '--container-runtime-endpoint', `unix://${join(project, 'none.sock')}`, '--port', String(await freePort()), '--healthz-port', '0', '--hostname-override', 'probe', '--duration', '60s'],
      ready: /Kubelet HTTP servers/,
    },
  ];

  for (const { bin, signal = 'SIGTERM', args, ready } of cases) {
    it(`${bin}: the serving process exits when npm exec gets ${signal}`, async () => {
      const npm = npmCommand();
      const env = { ...process.env };
      delete env[EXIT_WITH_PARENT_ENV];
      const child = spawn(npm.file, [...npm.prefix, 'exec', '--offline', '--', bin, ...(await args())], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
      started.push(child);
      let output = '';
      child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      await waitFor(() => ready.test(output), 20_000, `${bin} to start: ${output}`);

      // npm exec → sh -c → node <bin>: the serving process is a grandchild of the npm process.
      const server = descendants(child.pid!).find((p) => p.cmdline.includes(`.bin/${bin}`) && !p.cmdline.startsWith('sh '));
      assert.ok(server, `no ${bin} process under npm exec ${child.pid}`);
      servers.push(server.pid);

      child.kill(signal);
      await waitFor(() => hasExited(server.pid), 8_000, `${bin} (pid ${server.pid}) to exit after npm exec was killed; output: ${output}`);
      assert.match(output, /parent process \d+ exited/);
    });
  }
});
