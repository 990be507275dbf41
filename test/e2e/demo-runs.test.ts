// `npm start` as a new user runs it: a runtime-sim that cannot start stops the demo at once with its own
// message on screen and exit 1; a good run never takes longer than --duration (plus a little for the process
// to exit) and starts both receivers, so containerd 2.x exports over OTLP/HTTP, its default.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const DEMO = resolve(__dirname, '..', '..', 'node-demo/src/main.js');

interface DemoRun {
  status: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

function runDemo(args: string[]): Promise<DemoRun> {
  const started = Date.now();
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [DEMO, '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(killer);
      resolveRun({ status, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-runs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [flag, value, message] of [
    ['--persona-version', '2.1', /^ {2}Error: invalid value "2\.1" for --persona-version: crio versions supported: 1\.33, 1\.32$/m],
    ['--model', 'nosuch', /^ {2}Error: --model: nosuch: .*fast, realistic, chaos/m],
  ] as const) {
    it(`stops at once with runtime-sim's own error for ${flag} ${value}, exit 1`, async () => {
      const run = await runDemo([flag, value, '--duration', '20s', '--out', join(dir, 'fail.jsonl')]);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /node-demo: runtime-sim exited with 1 at start:\n/);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stdout, /No complete pod startup trace/);
      assert.ok(run.elapsedMs < 8_000, `took ${run.elapsedMs} ms`);
    });
  }

  it('runs within --duration, receives containerd 2.x spans over OTLP/HTTP and appends to the spans file', async () => {
    const out = join(dir, 'spans.jsonl');
    writeFileSync(out, '{"resourceSpans":[]}\n');
    const run = await runDemo(['--persona', 'containerd', '--duration', '7s', '--out', out]);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.elapsedMs < 7_000 + 3_000, `took ${run.elapsedMs} ms for --duration 7s`);
    assert.match(run.stderr, /OTLP receiver on 127\.0\.0\.1:\d+ \(gRPC\) and 127\.0\.0\.1:\d+ \(HTTP\)/);
    for (const [, seconds] of run.stderr.matchAll(/\b(\d+)s\/7s\b/g)) assert.ok(Number(seconds) <= 7, `progress past --duration: ${seconds}s/7s`);
    assert.match(run.stdout, /appended after 21 bytes from earlier runs/);
    const services = new Set(
      readFileSync(out, 'utf8').split('\n').filter(Boolean).slice(1)
        .flatMap((l) => (JSON.parse(l) as { resourceSpans: Array<{ resource: { attributes?: Array<{ key: string; value: { stringValue?: string } }> } }> }).resourceSpans)
        .map((rs) => rs.resource.attributes?.find((a) => a.key === 'service.name')?.value.stringValue),
    );
    assert.ok(services.has('containerd'), `services: ${[...services].join(', ')}`);
    assert.ok(services.has('kubelet'), `services: ${[...services].join(', ')}`);
    // It ends with `traces startup` over this run and the report next to the spans file.
    assert.match(run.stdout, /Pod startup: first syncPod to all containers started \(\d+ pods/);
    // containerd 2.x names each container in its CreateContainer span (container.name).
    assert.match(run.stdout, /^monitoring\/node-exporter-sim-node +sim-node +[\d.]+ms .* node-exporter$/m);
    assert.match(run.stdout, /^default\/flaky-worker-sim-node +sim-node +[\d.]+ms .* worker$/m);
    assert.match(run.stdout, new RegExp(`Report \\(one HTML file, works offline\\): ${join(dir, 'report.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /<script type="application\/json" id="report-data">/);
  });
});
