/**
 * runtime-sim's span counters on a metrics server where its persona serves metrics: CRI-O with
 * `--enable-metrics` on `/metrics` (metrics_port), containerd with config.toml `[metrics] address` on
 * `/v1/metrics`. The counts scraped match what the collector received and the exit line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createRuntimeServiceClient } from '../../cri-proto/src/load-cri';
import { startNodeProcess, type RunningProcess } from '../../node-demo/src/child-process-runner';
import { runtimeExportSetup } from '../../node-demo/src/runtime-export-setup';
import { startTraceSink, type TraceSink } from '../../trace-sink/src';
import { freePort } from '../helpers/free-port';
import { waitForFile } from '../helpers/wait-for-file';

const DIST = join(__dirname, '..', '..');
const CALLS = 20;

/** `name{labels} value` from a Prometheus text exposition; undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

interface MetricsRun {
  first: string;
  settled: string;
  notFound: number;
  received: number;
  log: string;
  exit: number | string;
}

async function scrapeRuntime(persona: 'crio' | 'containerd'): Promise<MetricsRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'runtime-metrics-e2e-'));
  const sink: TraceSink = await startTraceSink({ listen: '127.0.0.1:0' });
  let runtime: RunningProcess | undefined;
  try {
    const port = await freePort();
    const socket = join(workDir, 'runtime.sock');
    const logPath = join(workDir, 'runtime.log');
    const setup = runtimeExportSetup(persona, undefined, sink.address, workDir, 1_000_000);
    let metricsArgs: string[];
    let path: string;
    if (persona === 'crio') {
      metricsArgs = ['--enable-metrics', '--metrics-port', String(port)];
      path = '/metrics';
    } else {
      const config = join(workDir, 'config.toml');
      writeFileSync(config, `version = 3\n[metrics]\naddress = "127.0.0.1:${port}"\n`);
      metricsArgs = ['--config', config];
      path = '/v1/metrics';
    }
    runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'),
      ['--persona', persona, '--listen', `unix://${socket}`, ...setup.args, ...metricsArgs], logPath, setup.env);
    await waitForFile(socket, 10_000);
    const url = `http://127.0.0.1:${port}${path}`;
    const scrape = async (): Promise<string> => (await fetch(url)).text();
    const first = await scrape();

    const client = createRuntimeServiceClient(`unix://${socket}`);
    for (let i = 0; i < CALLS; i++) {
      await new Promise<void>((resolve, reject) => client.Version({ version: 'v1' }, (err) => (err ? reject(err) : resolve())));
    }
    client.close();
    // The batch processor exports every 5 s: wait until the scrape says everything ended was exported.
    let settled = await scrape();
    const by = Date.now() + 15_000;
    while (Date.now() < by) {
      const ended = sample(settled, 'runtime_sim_spans_ended_total') ?? 0;
      if (ended >= CALLS && sample(settled, 'runtime_sim_spans_exported_total{result="ok"}') === ended) break;
      await new Promise((r) => setTimeout(r, 250));
      settled = await scrape();
    }
    const notFound = (await fetch(`http://127.0.0.1:${port}/nothing-here`)).status;
    const exit = await runtime.stop(10_000);
    const service = persona === 'crio' ? 'crio' : 'containerd';
    return { first, settled, notFound, received: sink.index.spans().filter((s) => s.service === service).length, log: readFileSync(logPath, 'utf8'), exit };
  } finally {
    await runtime?.stop(5_000);
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

for (const persona of ['crio', 'containerd'] as const) {
  describe(`runtime-sim's metrics server, ${persona} persona`, () => {
    let run: MetricsRun;
    before(async () => {
      run = await scrapeRuntime(persona);
    });

    it('serves the span counters under runtime_sim_ names, with the queue\'s capacity, from the start', () => {
      assert.equal(sample(run.first, 'runtime_sim_span_queue_capacity'), 2048, run.first);
      assert.equal(sample(run.first, 'runtime_sim_spans_dropped_total'), 0);
      assert.match(run.first, /^# HELP runtime_sim_spans_ended_total Sampled spans this runtime-sim process ended/m);
      assert.equal(run.notFound, 404);
    });

    it('counts what it ended and exported, which is what the collector received and what the exit line says', () => {
      const ended = sample(run.settled, 'runtime_sim_spans_ended_total') ?? 0;
      assert.ok(ended >= CALLS, `ended ${ended} spans for ${CALLS} calls`);
      assert.equal(sample(run.settled, 'runtime_sim_spans_exported_total{result="ok"}'), ended);
      assert.equal(sample(run.settled, 'runtime_sim_spans_exported_total{result="failed"}'), 0);
      assert.equal(sample(run.settled, 'runtime_sim_span_queue_size'), 0);
      assert.equal(run.received, ended);
      assert.match(run.log, new RegExp(`spansExported=${ended} spansLost=0 spansDropped=0`));
      assert.equal(run.exit, 0, run.log);
    });

    if (persona === 'crio') {
      it('says where it serves, as CRI-O does', () => {
        assert.match(run.log, /runtime-sim: Serving metrics on http:\/\/127\.0\.0\.1:\d+\/metrics using HTTP/);
      });
    }
  });
}
