import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { socketInUseMessage } from '../../../runtime-sim/src/cli/socket-in-use-message';
import { tempSocket } from '../../helpers/temp-socket';

const MAIN = path.resolve(__dirname, '../../../runtime-sim/src/main.js');
const EXIT_DEADLINE_MS = 15_000;

/** Runs runtime-sim to its exit; kills it if it is still running after the deadline. */
function runRuntimeSim(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('socketInUseMessage', () => {
  it('says a real runtime serves the default socket and names --listen when the address was not given', () => {
    const line = socketInUseMessage({ listen: 'unix:///run/containerd/containerd.sock', listenFrom: 'default', persona: 'containerd' }, 'ignored');
    assert.match(line, /^refusing to start: a real container runtime \(containerd\?\) is serving unix:\/\/\/run\/containerd\/containerd\.sock, the containerd persona's default socket/);
    assert.match(line, /Pass --listen with a free path, e\.g\. --listen unix:\/\/\/tmp\/runtime-sim\.sock$/);
  });

  it('names where a chosen address came from and keeps the reason', () => {
    const reason = 'another process is serving /tmp/a.sock; stop it or choose another socket with --listen';
    assert.equal(
      socketInUseMessage({ listen: 'unix:///tmp/a.sock', listenFrom: 'flag', persona: 'crio' }, reason),
      `cannot serve CRI on unix:///tmp/a.sock (--listen): ${reason}`,
    );
    assert.match(socketInUseMessage({ listen: 'unix:///tmp/a.sock', listenFrom: 'config', persona: 'crio' }, reason), /\(the listen address of --config\)/);
  });

  describe('runtime-sim main', () => {
    it('exits 1 without touching a socket another process serves', async () => {
      const socket = tempSocket();
      const other = net.createServer((conn) => conn.end());
      await new Promise<void>((resolve) => other.listen(socket.path, resolve));
      try {
        const { code, stderr } = await runRuntimeSim(['--persona', 'crio', '--listen', socket.listen]);
        assert.equal(code, 1, stderr);
        assert.match(stderr, new RegExp(`runtime-sim: cannot serve CRI on ${socket.listen} \\(--listen\\): another process is serving ${socket.path}; stop it or choose another socket with --listen`));
        await new Promise<void>((resolve, reject) => net.connect(socket.path).once('connect', function (this: net.Socket) {
          this.destroy();
          resolve();
        }).once('error', reject));
      } finally {
        await new Promise((resolve) => other.close(resolve));
        socket.cleanup();
      }
    });
  });
});
