/**
 * `node dist/test/bench/export-loop-blocking.bench.js`: how long one process's event loop is held by exporting
 * spans, with the OTLP exporter on the main thread ("in-thread", as before cri-proto/src/tracing/export-worker)
 * and on the export worker ("worker"). Both arms go through CountingSpanExporter (Go span flags, turn-taking)
 * to OTLP/gRPC, to a collector in a child process that answers every Export without decoding it, so the only
 * work in this process is the export. Batches are 512 CRI-O-like SERVER spans (attributes, two message
 * events), one every `--gap-ms`, as the batch span processor hands them over in a burst; the spans are made
 * before the measured window. Arms alternate round by round; the loop delay is perf_hooks.monitorEventLoopDelay
 * at 1 ms resolution over each round. The "none" arm makes the same batches and timers and exports nothing:
 * the delay the machine's scheduler and the garbage collector cause without any export.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import yargs from 'yargs';
import { buildOtlpExporter } from '../../cri-proto/src/tracing/export-worker/otlp-exporter-spec';
import { EXPORT_CHUNK_SPANS, WorkerSpanExporter } from '../../cri-proto/src/tracing/export-worker/worker-span-exporter';
import { CountingSpanExporter } from '../../cri-proto/src/tracing/otlp-grpc-exporter';
import { median, renderTable } from './bench-stats';

const BATCH_SPANS = 512;

/** A collector that reads each request and answers an empty ExportTraceServiceResponse. */
const NULL_COLLECTOR = `
const grpc = require('@grpc/grpc-js');
const raw = (b) => b;
const server = new grpc.Server();
server.addService({ Export: { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', requestStream: false, responseStream: false,
  requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } }, { Export: (_call, cb) => cb(null, Buffer.alloc(0)) });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => { if (err) throw err; console.log(port); });
`;

function crioLikeBatch(provider: BasicTracerProvider, memory: InMemorySpanExporter, n: number): ReadableSpan[] {
  memory.reset();
  const tracer = provider.getTracer('go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc', '0.60.0');
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan('runtime.v1.RuntimeService/CreateContainer', {
      kind: SpanKind.SERVER,
      attributes: { 'rpc.system': 'grpc', 'rpc.service': 'runtime.v1.RuntimeService', 'rpc.method': 'CreateContainer', 'network.peer.address': '/var/run/crio/crio.sock', 'rpc.grpc.status_code': 0, 'container.id': i.toString(16).padStart(64, '0') },
    });
    span.addEvent('message', { 'message.type': 'RECEIVED', 'message.id': 1, 'message.uncompressed_size': 812 });
    span.addEvent('message', { 'message.type': 'SENT', 'message.id': 1, 'message.uncompressed_size': 66 });
    span.end();
  }
  return memory.getFinishedSpans();
}

async function main(): Promise<void> {
  const argv = await yargs(process.argv.slice(2))
    .option('rounds', { type: 'number', default: 3, describe: 'rounds per arm (alternating)' })
    .option('batches', { type: 'number', default: 20, describe: `batches of ${BATCH_SPANS} spans exported per round` })
    .option('chunk-spans', { type: 'number', default: EXPORT_CHUNK_SPANS, describe: 'spans per postMessage to the worker' })
    .option('gap-ms', { type: 'number', default: 50, describe: 'time between handing over batches' })
    .strict()
    .parse();

  const collector = spawn(process.execPath, ['-e', NULL_COLLECTOR], { stdio: ['ignore', 'pipe', 'inherit'], cwd: __dirname });
  const port = await new Promise<string>((resolve, reject) => {
    collector.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    collector.once('exit', (code) => reject(new Error(`null collector exited ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'crio', 'host.name': 'bench-node' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const arms: Record<string, () => SpanExporter> = {
    'in-thread': () => new CountingSpanExporter(buildOtlpExporter({ protocol: 'grpc', url }), url, () => undefined),
    worker: () => new CountingSpanExporter(new WorkerSpanExporter({ protocol: 'grpc', url }, { chunkSpans: argv['chunk-spans'] }), url, () => undefined),
  };
  const results: Record<string, { p99: number; max: number; msPerBatch: number }[]> = { 'in-thread': [], worker: [], 'none (floor)': [] };
  const loadBefore = loadavg()[0]!;
  for (let round = 0; round < argv.rounds; round++) {
    for (const arm of round % 2 === 0 ? ['in-thread', 'worker', 'none (floor)'] : ['none (floor)', 'worker', 'in-thread']) {
      const batches = Array.from({ length: argv.batches + 2 }, () => crioLikeBatch(provider, memory, BATCH_SPANS));
      const exporter = arms[arm]?.();
      const exportOne = (spans: ReadableSpan[]): Promise<void> =>
        exporter === undefined ? Promise.resolve() : new Promise((resolve, reject) => exporter.export(spans, (r) => (r.code === 0 ? resolve() : reject(r.error))));
      await exportOne(batches[0]!); // warm: channel or worker up
      await exportOne(batches[1]!);
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      const started = process.hrtime.bigint();
      const sent: Promise<void>[] = [];
      for (let i = 2; i < batches.length; i++) {
        sent.push(exportOne(batches[i]!));
        await new Promise((resolve) => setTimeout(resolve, argv['gap-ms']));
      }
      await Promise.all(sent);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      histogram.disable();
      await exporter?.shutdown();
      results[arm]!.push({ p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6, msPerBatch: wallMs / argv.batches });
      process.stderr.write(`bench: round ${round + 1} ${arm}: loop delay p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms, max ${(histogram.max / 1e6).toFixed(1)} ms\n`);
    }
  }
  collector.kill();
  process.stdout.write(`\nEvent-loop delay while exporting ${argv.batches} batches of ${BATCH_SPANS} spans, one every ${argv['gap-ms']} ms, over OTLP/gRPC (medians over ${argv.rounds} rounds; worst round's max in brackets)\n\n`);
  process.stdout.write(renderTable(
    ['exporter', 'loop delay p99 ms', 'loop delay max ms', 'wall ms per batch'],
    Object.entries(results).map(([arm, rows]) => [arm, median(rows.map((r) => r.p99)).toFixed(1), `${median(rows.map((r) => r.max)).toFixed(1)} (${Math.max(...rows.map((r) => r.max)).toFixed(1)})`, median(rows.map((r) => r.msPerBatch)).toFixed(1)]),
  ) + '\n');
  process.stdout.write(`\nnode ${process.version}, ${cpus().length} CPUs, load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}.\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
