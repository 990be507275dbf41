/**
 * The collector misbehaving under a running node (kubelet-sim and runtime-sim, CRI-O persona, every trace
 * sampled in both), through a proxy in front of the receiver (test/helpers/collector-proxy.ts):
 *  - flapping: down and up three times; CRI latency while it is down stays what it was while it was up,
 *    export resumes each time, and every span is accounted for (exported, failed or dropped), at exit and on
 *    both processes' /metrics;
 *  - slow: every byte the exporters send reaches the collector 1.5 s late; CRI latency unchanged, nothing
 *    lost, shutdown on time;
 *  - taking connections and never answering, with a small batch queue (OTEL_BSP_MAX_QUEUE_SIZE=16): the queue
 *    never holds more than its capacity, the rest is dropped and counted: memory is bounded by the queue.
 * CRI latency is measured apart from the spans (which may be lost while the collector is away): runtime-sim's
 * as the round trip of a Version call the test makes every 100 ms, the kubelet's from its own
 * kubelet_runtime_operations_duration_seconds (the relist's list_podsandbox and list_containers) scraped every
 * second; each compared with the collector-healthy baseline of the same run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { startTraceSink, type FlatSpan, type TraceSink } from '../../trace-sink/src';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';
import { createRuntimeServiceClient } from '../../cri-proto/src/load-cri';
import { CollectorProxy } from '../helpers/collector-proxy';
import { freePort } from '../helpers/free-port';
import { sleeperPod, startKubeletSim, startRuntimeSim, writeNodeFiles } from '../helpers/node-processes';

interface Window { fromMs: number; toMs: number }

interface ExitCounts { exported: number; lost: number; dropped: number; ended: number }

interface FaultRun {
  spans: FlatSpan[];
  log: string;
  /** Collector healthy, after the pods started. */
  baseline: Window;
  /** Collector away or slow. */
  faulty: Window[];
  kubelet: ExitCounts;
  runtime: ExitCounts;
  kubeletExit: number | string;
  runtimeExit: number | string;
  /** From the end of the kubelet's --duration to its exit; from SIGTERM to runtime-sim's exit. */
  kubeletShutdownMs: number;
  runtimeShutdownMs: number;
  /** The last scrape of each process's /metrics before it stopped. */
  kubeletMetrics: string;
  runtimeMetrics: string;
  /** Largest queue size seen in any scrape, per process. */
  maxQueued: { kubelet: number; runtime: number };
  /** The test's Version round trips to runtime-sim. */
  probes: Array<{ atMs: number; rttMs: number }>;
  /** The kubelet's relist CRI time so far (seconds, calls), at each scrape. */
  kubeletCri: Array<{ atMs: number; sumS: number; count: number }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `name{labels} value` from a Prometheus text exposition. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no ${name} in\n${text}`);
  return Number(line.slice(name.length + 1));
}

function exitCounts(log: string, prefix: string): ExitCounts {
  const line = log.split('\n').find((l) => l.startsWith(prefix) && l.includes('spansExported='));
  assert.ok(line, `no exit line starting ${prefix}:\n${log}`);
  const count = (name: string): number => Number(new RegExp(`${name}=(\\d+)`).exec(line)![1]);
  return { exported: count('spansExported'), lost: count('spansLost'), dropped: count('spansDropped'), ended: count('spansEnded') };
}

/**
 * Runs a node for `durationMs` exporting through a proxy to a receiver; `script` drives the proxy and returns
 * the baseline and faulty windows (absolute times). Both processes' /metrics are scraped every second.
 */
async function runNode(durationMs: number, script: (proxy: CollectorProxy, startMs: number) => Promise<{ baseline: Window; faulty: Window[] }>, env: NodeJS.ProcessEnv = {}): Promise<FaultRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'collector-fault-e2e-'));
  const sink: TraceSink = await startTraceSink({ listen: '127.0.0.1:0' });
  const [host, port] = sink.address.split(':');
  const proxy = new CollectorProxy({ host: host!, port: Number(port) });
  await proxy.up();
  const processes: RunningProcess[] = [];
  let scraping = true;
  try {
    const files = writeNodeFiles(workDir, {
      pods: { 'a.yaml': sleeperPod('a'), 'b.yaml': sleeperPod('b'), 'c.yaml': sleeperPod('c') },
      collector: proxy.address,
      samplingRatePerMillion: 1_000_000,
    });
    const runtimeMetricsPort = await freePort();
    const runtime = await startRuntimeSim(files, {
      collector: proxy.address, samplingRatePerMillion: 1_000_000,
      extraArgs: ['--enable-metrics', '--metrics-port', String(runtimeMetricsPort)], env: { ...process.env, ...env },
    });
    processes.push(runtime);
    const kubeletPort = await freePort();
    const kubelet = await startKubeletSim(files, ['--duration', `${durationMs}ms`], env, kubeletPort);
    processes.push(kubelet);
    const startMs = Date.now();

    const metrics = { kubelet: '', runtime: '' };
    const maxQueued = { kubelet: 0, runtime: 0 };
    const kubeletCri: FaultRun['kubeletCri'] = [];
    const scraper = (async () => {
      while (scraping) {
        await sleep(1_000);
        for (const [who, url] of [['kubelet', `http://127.0.0.1:${kubeletPort}/metrics`], ['runtime', `http://127.0.0.1:${runtimeMetricsPort}/metrics`]] as const) {
          try {
            const text = await (await fetch(url, { signal: AbortSignal.timeout(2_000) })).text();
            if (!text.includes('_spans_ended_total')) continue;
            metrics[who] = text;
            maxQueued[who] = Math.max(maxQueued[who], sample(text, `${who}_sim_span_queue_size`));
            if (who === 'kubelet' && text.includes(`${RELIST_OPS[0]}_sum{`)) kubeletCri.push({ atMs: Date.now(), ...relistTime(text) });
          } catch {
            // the process is stopping
          }
        }
      }
    })();
    const probes: FaultRun['probes'] = [];
    const client = createRuntimeServiceClient(`unix://${files.socketPath}`);
    const prober = (async () => {
      while (scraping) {
        const t0 = performance.now();
        await new Promise<void>((resolve) => client.Version({ version: 'v1' }, { deadline: Date.now() + 5_000 }, () => resolve()));
        probes.push({ atMs: Date.now(), rttMs: performance.now() - t0 });
        await sleep(100);
      }
    })();
    const windows = await script(proxy, startMs);
    const kubeletExit = await kubelet.exited;
    const kubeletShutdownMs = Date.now() - (startMs + durationMs);
    scraping = false;
    await Promise.all([scraper, prober]);
    client.close();
    const stopAt = Date.now();
    const runtimeExit = await runtime.stop(20_000);
    const runtimeShutdownMs = Date.now() - stopAt;
    const log = readFileSync(files.logPath, 'utf8');
    return {
      spans: sink.index.spans(), log, ...windows,
      kubelet: exitCounts(log, 'kubelet-sim: syncPod'), runtime: exitCounts(log, 'runtime-sim: spansExported'),
      kubeletExit, runtimeExit, kubeletShutdownMs, runtimeShutdownMs,
      kubeletMetrics: metrics.kubelet, runtimeMetrics: metrics.runtime, maxQueued, probes, kubeletCri,
    };
  } finally {
    scraping = false;
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await proxy.close();
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const RELIST_OPS = ['kubelet_runtime_operations_duration_seconds', 'list_podsandbox', 'list_containers'] as const;

/** The kubelet's time in the relist's two CRI calls so far: histogram sums and counts of both. */
function relistTime(text: string): { sumS: number; count: number } {
  let sumS = 0;
  let count = 0;
  for (const op of RELIST_OPS.slice(1)) {
    sumS += sample(text, `${RELIST_OPS[0]}_sum{operation_type="${op}"}`);
    count += sample(text, `${RELIST_OPS[0]}_count{operation_type="${op}"}`);
  }
  return { sumS, count };
}

const inWindow = (atMs: number, w: Window): boolean => atMs >= w.fromMs && atMs < w.toMs;
const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))]!;

/** Mean kubelet relist call time (ms) over the scrape intervals that lie inside the windows. */
function kubeletMeanMs(run: FaultRun, windows: Window[]): { meanMs: number; calls: number } {
  let sumS = 0;
  let count = 0;
  for (let i = 1; i < run.kubeletCri.length; i++) {
    const [a, b] = [run.kubeletCri[i - 1]!, run.kubeletCri[i]!];
    if (!windows.some((w) => inWindow(a.atMs, w) && b.atMs <= w.toMs)) continue;
    sumS += b.sumS - a.sumS;
    count += b.count - a.count;
  }
  return { meanMs: count === 0 ? NaN : (sumS / count) * 1000, calls: count };
}

/**
 * CRI latency while the collector misbehaved against the baseline of the same run: at most three times the
 * baseline's plus 15 ms (a loaded 2-core machine jitters by that much on its own).
 */
function assertLatencyKept(run: FaultRun, t: { diagnostic(msg: string): void }): void {
  const base = run.probes.filter((p) => inWindow(p.atMs, run.baseline)).map((p) => p.rttMs);
  const faulty = run.probes.filter((p) => run.faulty.some((w) => inWindow(p.atMs, w))).map((p) => p.rttMs);
  // A probe every 100 ms gives ~50 in the 6 s baseline; a loaded CI machine has given as few as 19. A p90 of 12
  // or more still compares; fewer means the machine, not the collector, set the pace.
  assert.ok(base.length >= 12 && faulty.length >= 12, `${base.length} baseline and ${faulty.length} faulty round trips`);
  const [b, f] = [p90(base), p90(faulty)];
  t.diagnostic(`runtime-sim Version round trip p90: ${b.toFixed(2)} ms collector healthy (${base.length} calls), ${f.toFixed(2)} ms collector away or slow (${faulty.length})`);
  assert.ok(f <= 3 * b + 15, `runtime-sim round trip p90 ${f.toFixed(2)} ms while the collector misbehaved, ${b.toFixed(2)} ms before`);
  const kb = kubeletMeanMs(run, [run.baseline]);
  const kf = kubeletMeanMs(run, run.faulty);
  t.diagnostic(`kubelet relist CRI calls, mean: ${kb.meanMs.toFixed(2)} ms collector healthy (${kb.calls} calls), ${kf.meanMs.toFixed(2)} ms collector away or slow (${kf.calls})`);
  assert.ok(kb.calls >= 4 && kf.calls >= 4, `${kb.calls} baseline and ${kf.calls} faulty kubelet relist calls between scrapes`);
  assert.ok(kf.meanMs <= 3 * kb.meanMs + 15, `kubelet relist call mean ${kf.meanMs.toFixed(2)} ms while the collector misbehaved, ${kb.meanMs.toFixed(2)} ms before`);
}

/** Every span accounted for: the collector holds each span the process says it exported, and no other. */
function assertAccounted(run: FaultRun, service: 'kubelet' | 'crio', counts: ExitCounts): void {
  const unique = new Set(run.spans.filter((s) => s.service === service).map((s) => s.spanId)).size;
  assert.equal(counts.ended, counts.exported + counts.lost + counts.dropped, `${service}: ended ${counts.ended} ≠ exported + lost + dropped`);
  // A request the collector took whose answer was cut off counts as failed and may be sent again: the
  // collector then holds spans counted lost, never fewer than those counted exported.
  assert.ok(unique >= counts.exported && unique <= counts.exported + counts.lost, `${service}: collector holds ${unique} distinct spans; exported ${counts.exported}, lost ${counts.lost}`);
}

describe('a collector that goes down and comes back three times', () => {
  let run: FaultRun;
  before(async () => {
    run = await runNode(28_000, async (proxy, startMs) => {
      const at = (ms: number): Promise<void> => sleep(Math.max(0, startMs + ms - Date.now()));
      const faulty: Window[] = [];
      await at(10_000);
      for (let i = 0; i < 3; i++) {
        const down = Date.now();
        await proxy.down();
        await at(10_000 + i * 5_000 + 2_500);
        await proxy.up();
        faulty.push({ fromMs: down, toMs: Date.now() });
        await at(10_000 + (i + 1) * 5_000);
      }
      return { baseline: { fromMs: startMs + 4_000, toMs: startMs + 10_000 }, faulty };
    });
  });

  it('keeps both processes running; both exit 0', () => {
    assert.equal(run.kubeletExit, 0, run.log);
    assert.equal(run.runtimeExit, 0, run.log);
  });

  it('keeps CRI latency as it was while the collector was up', (t) => assertLatencyKept(run, t));

  it('resumes export after each outage: spans made after the last return arrive', () => {
    const back = run.faulty.at(-1)!.toMs;
    for (const service of ['kubelet', 'crio']) {
      assert.ok(run.spans.some((s) => s.service === service && s.startTimeMs > back), `no ${service} span made after the collector came back`);
    }
  });

  it('accounts for every span at exit (ended = exported + lost + dropped) and on /metrics', () => {
    assertAccounted(run, 'kubelet', run.kubelet);
    assertAccounted(run, 'crio', run.runtime);
    for (const [who, text, exit] of [['kubelet', run.kubeletMetrics, run.kubelet], ['runtime', run.runtimeMetrics, run.runtime]] as const) {
      const scraped = {
        ended: sample(text, `${who}_sim_spans_ended_total`),
        exported: sample(text, `${who}_sim_spans_exported_total{result="ok"}`),
        lost: sample(text, `${who}_sim_spans_exported_total{result="failed"}`),
        dropped: sample(text, `${who}_sim_spans_dropped_total`),
      };
      // The last scrape came before the final flush: no count is above the exit line's.
      for (const key of ['ended', 'exported', 'lost', 'dropped'] as const) assert.ok(scraped[key] <= exit[key], `${who} ${key}: scraped ${scraped[key]}, exit ${exit[key]}`);
      assert.ok(scraped.exported > 0, `${who}: nothing exported by the last scrape`);
    }
  });
});

describe('a slow collector (everything the exporters send arrives 1.5 s late)', () => {
  let run: FaultRun;
  before(async () => {
    run = await runNode(19_000, async (proxy, startMs) => {
      await sleep(Math.max(0, startMs + 10_000 - Date.now()));
      proxy.setDelayMs(1_500);
      return { baseline: { fromMs: startMs + 4_000, toMs: startMs + 10_000 }, faulty: [{ fromMs: Date.now(), toMs: startMs + 19_000 }] };
    });
  });

  it('keeps CRI latency as it was', (t) => assertLatencyKept(run, t));

  it('loses nothing: what each process exported is what the collector holds', () => {
    for (const [service, counts] of [['kubelet', run.kubelet], ['crio', run.runtime]] as const) {
      assert.deepEqual([counts.lost, counts.dropped], [0, 0], `${service} lost or dropped spans`);
      assertAccounted(run, service, counts);
    }
  });

  it('shuts down on time: within the export timeout (10 s) of its end', (t) => {
    t.diagnostic(`kubelet-sim exited ${run.kubeletShutdownMs} ms after its --duration, runtime-sim ${run.runtimeShutdownMs} ms after SIGTERM`);
    assert.equal(run.kubeletExit, 0, run.log);
    assert.equal(run.runtimeExit, 0, run.log);
    assert.ok(run.kubeletShutdownMs < 10_000 + 6_000 && run.runtimeShutdownMs < 10_000 + 6_000);
  });
});

describe('a collector that takes connections and never answers, with a batch queue of 16 spans', () => {
  const QUEUE = 16;
  let run: FaultRun;
  before(async () => {
    run = await runNode(12_000, async (proxy, startMs) => {
      proxy.setDelayMs(Infinity);
      return { baseline: { fromMs: startMs, toMs: startMs }, faulty: [] };
    }, { OTEL_BSP_MAX_QUEUE_SIZE: String(QUEUE), OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '8' });
  });

  it('never queues more than the queue holds, and counts what it drops, on /metrics and at exit', (t) => {
    t.diagnostic(`largest queue seen: kubelet ${run.maxQueued.kubelet}, runtime ${run.maxQueued.runtime}; dropped: kubelet ${run.kubelet.dropped}, runtime ${run.runtime.dropped}`);
    for (const [who, counts] of [['kubelet', run.kubelet], ['runtime', run.runtime]] as const) {
      const text = who === 'kubelet' ? run.kubeletMetrics : run.runtimeMetrics;
      assert.equal(sample(text, `${who}_sim_span_queue_capacity`), QUEUE);
      assert.ok(run.maxQueued[who] <= QUEUE, `${who}: ${run.maxQueued[who]} spans queued`);
      assert.ok(sample(text, `${who}_sim_spans_dropped_total`) > 0, `${who}: nothing dropped by the last scrape`);
      assert.equal(counts.exported, 0);
      assert.ok(counts.dropped > 0, `${who} dropped ${counts.dropped}`);
      assert.equal(counts.ended, counts.exported + counts.lost + counts.dropped, `${who}: ended ${counts.ended} ≠ exported + lost + dropped\n${run.log.split('\n').filter((l) => /export|spansExported|Shutting|SIGTERM/.test(l)).join('\n')}`);
    }
    assert.equal(run.kubeletExit, 0, run.log);
    assert.equal(run.runtimeExit, 0, run.log);
  });
});
