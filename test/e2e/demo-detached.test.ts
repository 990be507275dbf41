// `nohup node dist/node-demo/src/main.js … &` from a script that then exits: the demo is re-parented to init
// and must keep its runtime-sim and kubelet-sim running until its --duration or a signal (its children watch
// only their parent, the demo: cli-kit parent-watch.ts). A shell starts the demo and exits once both children
// are up, as a user's script would; the children must outlive the shell, and go with the demo.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PARENT_CHECK_PERIOD_MS } from '../../cli-kit/src';
import { descendants, hasExited } from '../helpers/process-tree';

const DEMO = resolve(__dirname, '..', '..', 'node-demo/src/main.js');

async function waitFor(predicate: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a demo started in the background from a shell that exits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-detached-'));
  let demoPid: number | undefined;
  after(() => {
    if (demoPid !== undefined && !hasExited(demoPid)) {
      for (const p of descendants(demoPid)) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
      try { process.kill(demoPid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its runtime-sim and kubelet-sim after the shell is gone, and stops them on SIGTERM', async () => {
    const log = join(dir, 'demo.log');
    const go = join(dir, 'go');
    // Not through npm: a user's shell (npm test sets npm_command, which would make the demo itself watch the shell).
    const env = { ...process.env };
    delete env.npm_command;
    const script = `"${process.execPath}" "${DEMO}" --duration 60s --listen 127.0.0.1:0 --http-listen '' --out "${join(dir, 'spans.jsonl')}" ` +
      `> "${log}" 2>&1 < /dev/null & echo $!; while [ ! -e "${go}" ]; do sleep 0.05; done`;
    const shell = spawn('sh', ['-c', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    shell.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const shellExited = new Promise<void>((r) => shell.on('exit', () => r()));
    await waitFor(() => /^\d+\n/.test(out), 10_000, () => 'the demo pid');
    demoPid = Number(out.trim());
    const logText = (): string => (existsSync(log) ? readFileSync(log, 'utf8') : '');
    await waitFor(() => logText().includes('kubelet-sim HTTP'), 60_000, () => `the kubelet to be up:\n${logText()}`);
    const children = descendants(demoPid).filter((p) => /runtime-sim|kubelet-sim/.test(p.cmdline));
    assert.equal(children.length, 2, children.map((c) => c.cmdline).join('\n'));

    writeFileSync(go, '');
    await shellExited;
    // Several parent checks later, the demo (now init's) and both children still run.
    await new Promise((r) => setTimeout(r, 4 * PARENT_CHECK_PERIOD_MS));
    assert.equal(hasExited(demoPid), false, logText());
    for (const c of children) assert.equal(hasExited(c.pid), false, `${c.cmdline} exited after the shell did:\n${logText()}`);
    assert.doesNotMatch(logText(), /exited with/);

    process.kill(demoPid, 'SIGTERM');
    await waitFor(() => hasExited(demoPid as number) && children.every((c) => hasExited(c.pid)), 30_000, () => `the demo and its children to stop:\n${logText()}`);
    assert.match(logText(), /stopping \(flushing spans\)/);
  });
});
