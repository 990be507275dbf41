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

  it('exits 1 naming the flag on a bad value, as the other commands', () => {
    const run = spawnSync(process.execPath, [MAIN, '--listen', 'nowhere'], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /invalid --listen: "nowhere" is not host:port/);
    const interval = spawnSync(process.execPath, [MAIN, '--summary-interval', 'soon'], { encoding: 'utf8' });
    assert.equal(interval.status, 1);
    assert.match(interval.stderr, /invalid --summary-interval/);
  });

  it('refuses a directory as --out in one line naming the flag', () => {
    const run = spawnSync(process.execPath, [MAIN, '--listen', '127.0.0.1:0', '--http-listen', '', '--out', dir], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `trace-sink: cannot append spans to ${dir} (--out): it is a directory; give a file in it, e.g. --out ${path.join(dir, 'spans.jsonl')}\n`);
  });

  it('refuses a repeated --listen in one line', () => {
    const run = spawnSync(process.execPath, [MAIN, '--listen', '127.0.0.1:0', '--listen', '127.0.0.1:1'], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^trace-sink: flag --listen was given 2 times \("127\.0\.0\.1:0", "127\.0\.0\.1:1"\): give it once\n/);
  });

  it('prints help with both listen flags and copy-pasteable examples', () => {
    const run = spawnSync(process.execPath, [MAIN, '-h'], { encoding: 'utf8' });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /--listen/);
    assert.match(run.stdout, /--http-listen/);
    assert.match(run.stdout, /--summary-interval/);
    assert.match(run.stdout, /\nExamples:\n[^]*\n  trace-sink --out \/tmp\/node-spans\.jsonl --summary-interval 10s\n/);
  });

  it('receives spans, and on SIGINT drains, prints the summary and exits 0', async () => {
    const out = path.join(dir, 'spans.jsonl');
    fs.writeFileSync(out, '{"resourceSpans":[]}\n'); // an earlier run's line: kept, and said so
    child = spawn(process.execPath, [MAIN, '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    assert.match(stdout, new RegExp(`appending OTLP JSON lines to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} after the 21 bytes already there from earlier runs`));
    assert.match(stdout, /listening for OTLP\/HTTP traces on 127\.0\.0\.1:\d+ \(POST http:\/\/127\.0\.0\.1:\d+\/v1\/traces/);

    const { error } = await rawExport(address, encodeExportRequest(RICH_REQUEST));
    assert.equal(error, null);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(stdout, /2 spans in 1 traces/);
    assert.match(stdout, /SERVICE\s+SPAN\s+COUNT/);
    assert.match(stdout, /crio\s+minimal\s+1/);
    assert.equal(fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).length, 2);
  });
});
