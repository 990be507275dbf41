// `npm start -- --nodes N` as a user runs it: the launcher starts the fleet, prints progress, a per-node table
// and the fleet's totals, with every node's spans received, and nothing lost, dropped or made outside a node.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseDemoArgs } from '../../node-demo/src/demo-args';

const DEMO = resolve(__dirname, '..', '..', 'node-demo/src/main.js');

function runDemo(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [DEMO, '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(killer);
      resolveRun({ status, stdout, stderr });
    });
  });
}

describe('npm start -- --nodes N (the fleet launcher)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-demo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs 3 nodes with 2 pods each and prints progress, the per-node table and the fleet totals', async () => {
    const run = await runDemo(['--nodes', '3', '--pods-per-node', '2', '--sampling-rate-per-million', '1000000', '--duration', '12s', '--out', join(dir, 'spans.jsonl')]);
    // The launcher keeps its work directory (logs, per-node table) for the user; the test removes it.
    const workDir = /^Sim logs: (.+)\/sims\.log$/m.exec(run.stdout)?.[1];
    if (workDir !== undefined && workDir.includes('kubelet-cri-fleet-')) rmSync(workDir, { recursive: true, force: true });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /node-demo: fleet of 3 nodes \(node-0001 … node-0003\), 2 pods each/);
    assert.match(run.stderr, /node-demo: \d+s\/12s {2}pods (\d+|\?) {2}cpu \d+\.\d\d cores {2}rss \d+ MB {2}spans received \d+/);
    for (const node of ['node-0001', 'node-0002', 'node-0003']) {
      // pods, syncPod, kubelet spans, runtime spans, spans received: every node traced on both sides.
      assert.match(run.stdout, new RegExp(`^${node} +2 +\\d+ +[1-9]\\d* +[1-9]\\d* +[1-9]\\d*$`, 'm'), run.stdout);
    }
    assert.match(run.stdout, /^Fleet: 3 nodes, 6 pods at the end \(2 per node\)/m);
    assert.match(run.stdout, /^ {2}CPU \(both processes\), cores: whole run \d+\.\d+ total, \d+\.\d+ per node; steady \(second half\) \d+\.\d+ total/m);
    assert.match(run.stdout, /^ {2}RSS \(both processes\), peak: \d+ MB total, \d+\.\d MB per node$/m);
    assert.match(run.stdout, /^ {2}spans received: [1-9]\d* \(\d+\.\d\/s\), OTLP payload [1-9]\d* bytes/m);
    assert.match(run.stdout, /^ {2}PLEG relist interval: whole run p50 \d+ms, p99 \d+ms/m);
    assert.match(run.stdout, /^ {2}spans: kubelet exported [1-9]\d* lost 0 dropped 0; runtime exported [1-9]\d* lost 0 dropped 0; outside any node 0$/m);
  });

  it('runs 4 nodes as 2 shards (process pairs), numbering on across them, and reports one fleet', async () => {
    const run = await runDemo(['--nodes', '4', '--shards', '2', '--pods-per-node', '2', '--sampling-rate-per-million', '1000000', '--duration', '12s', '--out', join(dir, 'shards.jsonl')]);
    const workDir = /^Sim logs: (\S+)\/sims-shard-1\.log, /m.exec(run.stdout)?.[1];
    if (workDir !== undefined && workDir.includes('kubelet-cri-fleet-')) rmSync(workDir, { recursive: true, force: true });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /node-demo: fleet of 4 nodes \(node-0001 … node-0004\), 2 pods each, in 2 runtime-sim \+ kubelet-sim pairs \(node-0001 … node-0002, node-0003 … node-0004\)/);
    for (const node of ['node-0001', 'node-0002', 'node-0003', 'node-0004']) {
      // Each node once, traced on both sides and received under its own host.name: no shard reused a name.
      assert.match(run.stdout, new RegExp(`^${node} +2 +\\d+ +[1-9]\\d* +[1-9]\\d* +[1-9]\\d*$`, 'm'), run.stdout);
    }
    assert.match(run.stdout, /^Fleet: 4 nodes, 8 pods at the end \(2 per node\)/m);
    assert.match(run.stdout, /^ {2}CPU \(all 4 processes\), cores: whole run \d+\.\d+ total/m);
    assert.match(run.stdout, /^ {2}PLEG relist interval: whole run p50 \d+ms, p99 \d+ms, max \d+ms \([1-9]\d* relists\)/m);
    assert.match(run.stdout, /^ {2}shard 1 \(node-0001 … node-0002\): pods 4, steady relist p50 \d+ms, p99 \d+ms, max \d+ms$/m);
    assert.match(run.stdout, /^ {2}shard 2 \(node-0003 … node-0004\): pods 4, steady relist p50 \d+ms, p99 \d+ms, max \d+ms$/m);
    assert.match(run.stdout, /^ {2}spans: kubelet exported [1-9]\d* lost 0 dropped 0; runtime exported [1-9]\d* lost 0 dropped 0; outside any node 0$/m);
  });

  it('refuses fleet flags it cannot use, naming the flag', () => {
    assert.throws(() => parseDemoArgs(['--pods-per-node', '5'], dir), { message: '--pods-per-node needs --nodes: give --nodes N (1 for a single node)' });
    assert.throws(() => parseDemoArgs(['--nodes', '2', '--pods-per-node', '0'], dir), { message: 'invalid value "0" for --pods-per-node: give a whole number from 1 to 110' });
    assert.throws(() => parseDemoArgs(['--nodes', '0'], dir), /"--nodes" flag: give a whole number of nodes from 1 to 1000/);
    assert.throws(() => parseDemoArgs(['--shards', '2'], dir), { message: '--shards needs --nodes: give --nodes N to split N nodes into shards' });
    assert.throws(() => parseDemoArgs(['--nodes', '2', '--shards', '3'], dir), { message: 'invalid value "3" for --shards: at most one shard per node (--nodes 2)' });
    assert.throws(() => parseDemoArgs(['--nodes', '50', '--shards', '17'], dir), { message: 'invalid value "17" for --shards: give a whole number from 1 to 16' });
    assert.equal(parseDemoArgs(['--nodes', '50'], dir).shards, 1);
    assert.throws(() => parseDemoArgs(['--sampling-rate-per-million', '2000000'], dir), { message: 'invalid value "2000000" for --sampling-rate-per-million: give a whole number from 0 to 1000000' });
    assert.throws(() => parseDemoArgs(['--trace-kubelet-proxy'], dir), { message: '--trace-kubelet-proxy is an apiserver-sim flag: give --control-plane too' });
    assert.equal(parseDemoArgs(['--control-plane'], dir).traceKubeletProxy, false);
    assert.equal(parseDemoArgs(['--control-plane', '--trace-kubelet-proxy'], dir).traceKubeletProxy, true);
  });
});
