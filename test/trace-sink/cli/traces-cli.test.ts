// The traces command as a user runs it, over a real run's spans file (test/fixtures/trace-files).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/simulated-node';

const BIN = join(REPO_ROOT, 'dist/trace-sink/src/traces-main.js');
const FIXTURE = join(REPO_ROOT, 'test/fixtures/trace-files/crio-node-run.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'traces-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function traces(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('traces CLI', () => {
  it('list: every trace of the run, filtered and sorted', () => {
    const all = traces('list', '-f', FIXTURE, '--limit', '0');
    assert.equal(all.code, 0, all.err);
    assert.match(all.out, /20 of 20 traces match \(343 spans/);
    const syncs = traces('list', '-f', FIXTURE, '--name', 'syncPod', '--pod', 'default/web-sim-node', '--sort', 'duration', '--json');
    const rows = syncs.out.trim().split('\n').map((l) => JSON.parse(l) as { rootName: string; pod: string; durationMs: number });
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((r) => r.rootName === 'syncPod' && r.pod === 'default/web-sim-node'));
    assert.deepEqual(rows.map((r) => r.durationMs), [...rows.map((r) => r.durationMs)].sort((a, b) => b - a));
  });

  it('show: a pod\'s first syncPod trace as a tree with time bars, kubelet and runtime interleaved', () => {
    const r = traces('show', 'default/web-sim-node', '-f', FIXTURE);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.match(lines[0]!, /^Trace [0-9a-f]{32} \(its first syncPod; \d+ more: traces list --pod default\/web-sim-node\): \d+ spans, services crio, kubelet/);
    assert.match(r.out, /│█+ *│ +\+0\.0ms syncPod \[kubelet\] INTERNAL [\d.]+ms k8s\.pod=default\/web-sim-node k8s\.pod\.update_type=create/);
    assert.match(r.out, /├─ runtime\.v1\.RuntimeService\/RunPodSandbox \[kubelet\] CLIENT/);
    assert.match(r.out, /│  └─ runtime\.v1\.RuntimeService\/RunPodSandbox \[crio\] SERVER/);
    assert.doesNotMatch(r.out, /\u001b\[/);
    const id = /^Trace ([0-9a-f]{32})/.exec(lines[0]!)![1]!;
    const byId = traces('show', id.toUpperCase(), '-f', FIXTURE, '--attributes');
    assert.equal(byId.code, 0, byId.err);
    assert.match(byId.out, /k8s\.pod\.uid=/);
    assert.match(byId.out, /event \+[\d.]+ms message message\.compressed_size=/);
  });

  it('startup: every static pod with its breakdown, percentiles and the slowest named', () => {
    const r = traces('startup', '-f', FIXTURE);
    assert.equal(r.code, 0, r.err);
    for (const pod of ['default/web-sim-node', 'default/flaky-worker-sim-node', 'monitoring/node-exporter-sim-node']) assert.match(r.out, new RegExp(pod));
    assert.match(r.out, /Across 3 pods:/);
    assert.match(r.out, /migrate,nginx/);
    const json = JSON.parse(traces('startup', '-f', FIXTURE, '--json').out) as { completePods: number; pods: { pod: string; totalMs: number; breakdown: Record<string, number> }[] };
    assert.equal(json.completePods, 3);
    // In this --model realistic run web's nginx pull waited behind flaky-worker's 9.8 s pull (serialized pulls).
    const web = json.pods.find((p) => p.pod === 'default/web-sim-node')!;
    assert.ok(web.breakdown.pullQueueMs! > 5_000, JSON.stringify(web.breakdown));
    for (const pod of json.pods) {
      const sum = Object.values(pod.breakdown).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - pod.totalMs) < 1e-6, `${pod.pod}: parts ${sum} vs total ${pod.totalMs}`);
    }
  });

  it('export --format chrome: a Trace Event JSON file with one X event per span', () => {
    const out = join(dir, 'chrome.json');
    const r = traces('export', '--format', 'chrome', '-f', FIXTURE, '--out', out);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { ph: string }[] };
    assert.equal(doc.traceEvents.filter((e) => e.ph === 'X').length, 343);
    assert.match(r.err, /open it in ui\.perfetto\.dev/);
  });

  it('skips malformed lines with their numbers and goes on', () => {
    const file = join(dir, 'damaged.jsonl');
    const good = readFileSync(FIXTURE, 'utf8').split('\n')[0]!;
    writeFileSync(file, [good, '{"resourceSpans":[', good.slice(0, 50), good].join('\n'));
    const r = traces('list', '-f', file);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /damaged\.jsonl:2: skipped: not valid JSON/);
    assert.match(r.err, /damaged\.jsonl:3: skipped: not valid JSON/);
  });

  it('exits 1 with one line naming the flag for bad input', () => {
    const cases: [string[], RegExp][] = [
      [['list', '-f', join(dir, 'nope.jsonl')], /--file .*nope\.jsonl: no such file/],
      [['list', '-f', FIXTURE, '--sort', 'size'], /invalid --sort: "size": sort by one of start, duration, spans, errors/],
      [['list', '-f', FIXTURE, '--min-duration', 'fast'], /invalid --min-duration: "fast" is not a duration/],
      [['list', '-f', FIXTURE, '--since', 'yesterday'], /invalid --since: "yesterday" is not an RFC 3339 instant/],
      [['show', 'nothing', '-f', FIXTURE], /"nothing" is neither a trace id/],
      [['show', 'default/nosuch', '-f', FIXTURE], /no syncPod span for pod default\/nosuch/],
      [['export', '--format', 'otlp', '-f', FIXTURE], /invalid --format: "otlp"/],
      [['frobnicate'], /Unknown argument: frobnicate|unknown command/],
    ];
    for (const [args, message] of cases) {
      const r = traces(...args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.err, message, args.join(' '));
    }
  });

  it('--help lists the commands with examples', () => {
    const r = traces('--help');
    assert.equal(r.code, 0);
    for (const c of ['list', 'show', 'startup', 'export']) assert.match(r.out, new RegExp(`traces ${c}`));
    assert.match(r.out, /Examples:/);
  });
});
