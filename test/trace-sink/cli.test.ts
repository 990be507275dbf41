// The trace-sink CLI as users run it: flags, startup output, clean SIGINT.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rawExport } from '../helpers/otlp-raw-client';
import { encodeExportRequest, RICH_REQUEST } from './otlp-fixtures';

const MAIN = path.resolve(__dirname, '../../trace-sink/src/main.js');

describe('trace-sink CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-sink-cli-'));
  let child: ChildProcess | undefined;

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exits 2 naming the flag on a bad value', () => {
    const run = spawnSync(process.execPath, [MAIN, '--listen', 'nowhere'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /invalid --listen: "nowhere" is not host:port/);
    const interval = spawnSync(process.execPath, [MAIN, '--summary-interval', 'soon'], { encoding: 'utf8' });
    assert.equal(interval.status, 2);
    assert.match(interval.stderr, /invalid --summary-interval/);
  });

  it('prints help', () => {
    const run = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /--listen/);
    assert.match(run.stdout, /--summary-interval/);
  });

  it('receives spans, and on SIGINT drains, prints the summary and exits 0', async () => {
    const out = path.join(dir, 'spans.jsonl');
    child = spawn(process.execPath, [MAIN, '--listen', '127.0.0.1:0', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.setEncoding('utf8');
    const address = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: string) => {
        stdout += chunk;
        // Both startup lines are printed before any span can arrive.
        const match = /listening for OTLP\/gRPC traces on (\S+)[^]*appending OTLP JSON lines to .*\n/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`exited early with ${code}: ${stdout}`)));
    });
    assert.match(stdout, new RegExp(`appending OTLP JSON lines to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    const { error } = await rawExport(address, encodeExportRequest(RICH_REQUEST));
    assert.equal(error, null);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(stdout, /2 spans in 1 traces/);
    assert.match(stdout, /SERVICE\s+SPAN\s+COUNT/);
    assert.match(stdout, /crio\s+minimal\s+1/);
    assert.equal(fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).length, 1);
  });
});
