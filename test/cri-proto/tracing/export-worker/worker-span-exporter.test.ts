import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode, TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { buildOtlpExporter, type OtlpExporterSpec } from '../../../../cri-proto/src/tracing/export-worker/otlp-exporter-spec';
import { WorkerSpanExporter } from '../../../../cri-proto/src/tracing/export-worker/worker-span-exporter';
import { withGoSpanFlags } from '../../../../cri-proto/src/tracing/otlp-grpc-exporter';
import { otlpProtobufTypes } from '../../../../trace-sink/src/proto/protobuf-types';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** Spans of two nodes' providers (two resources, one with a schema URL), several scopes, every field the OTLP transform reads. */
function sampleSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const providers = [
    new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'kubelet', 'host.name': 'node-0001' }), spanProcessors: [new SimpleSpanProcessor(memory)] }),
    new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'crio', 'host.name': 'node-0001', 'process.pid': 4242 }, { schemaUrl: 'https://opentelemetry.io/schemas/1.12.0' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    }),
  ];
  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
    traceState: new TraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
  });
  for (let i = 0; i < 23; i++) {
    const provider = providers[i % 2]!;
    const tracer = i % 3 === 0 ? provider.getTracer('go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc', '0.60.0') : provider.getTracer(`scope-${i % 4}`, undefined, { schemaUrl: i % 4 === 1 ? 'https://opentelemetry.io/schemas/1.17.0' : undefined });
    const span = tracer.startSpan(
      `runtime.v1.RuntimeService/Method${i}`,
      {
        kind: i % 5 as SpanKind,
        startTime: [1_700_000_000 + i, 123_456_789],
        attributes: { 'rpc.system': 'grpc', 'rpc.grpc.status_code': i, ratio: i / 7, ok: i % 2 === 0, 'k8s.pod.names': [`pod-${i}`, 'other'] },
        links: i % 4 === 0 ? [{ context: trace.getSpanContext(remoteParent)!, attributes: { 'link.n': i } }] : [],
      },
      i % 2 === 0 ? remoteParent : ROOT_CONTEXT,
    );
    span.addEvent('message', { 'message.type': 'SENT', 'message.id': 1, 'message.uncompressed_size': 100 + i }, [1_700_000_000 + i, 200_000_000]);
    if (i % 3 === 0) span.addEvent('no attributes', [1_700_000_000 + i, 300_000_000]);
    if (i % 6 === 1) span.setStatus({ code: SpanStatusCode.ERROR, message: `rpc error: code = NotFound desc = pod ${i}` });
    if (i % 6 === 2) span.setStatus({ code: SpanStatusCode.OK });
    span.end([1_700_000_001 + i, 5]);
  }
  return memory.getFinishedSpans().map(withGoSpanFlags);
}

interface Capture {
  readonly spec: OtlpExporterSpec;
  readonly bodies: Buffer[];
  close(): Promise<void>;
}

async function captureHttp(): Promise<Capture> {
  const bodies: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { spec: { protocol: 'http/protobuf', url: `http://127.0.0.1:${port}/v1/traces` }, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function captureGrpc(): Promise<Capture> {
  const bodies: Buffer[] = [];
  const server = new grpc.Server();
  const raw = (b: Buffer): Buffer => b;
  server.addService(
    { Export: { path: EXPORT_PATH, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        bodies.push(call.request);
        callback(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { spec: { protocol: 'grpc', url: `http://127.0.0.1:${port}` }, bodies, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

const exportWith = (exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> => new Promise((resolve) => exporter.export(spans, resolve));
const decode = (body: Buffer): unknown => otlpProtobufTypes().exportTraceServiceRequest.toObject(otlpProtobufTypes().exportTraceServiceRequest.decode(body), { longs: String, bytes: String, defaults: true });

for (const [kind, capture] of [
  ['OTLP/gRPC', captureGrpc],
  ['OTLP http/protobuf', captureHttp],
] as const) {
  describe(`WorkerSpanExporter over ${kind}`, () => {
    let server: Capture;
    before(async () => (server = await capture()));
    after(() => server.close());

    it('sends the bytes the in-thread exporter sends for the same spans, in parts and across exports', async () => {
      const spans = sampleSpans();
      const inThread = buildOtlpExporter(server.spec);
      assert.equal((await exportWith(inThread, spans)).code, ExportResultCode.SUCCESS);
      assert.equal((await exportWith(inThread, spans.slice(5, 9))).code, ExportResultCode.SUCCESS);
      await inThread.shutdown();

      // Parts of 4 spans: resources and scopes first seen in a later part, and known ones in the second export.
      const worker = new WorkerSpanExporter(server.spec, { chunkSpans: 4 });
      assert.equal((await exportWith(worker, spans)).code, ExportResultCode.SUCCESS);
      assert.equal((await exportWith(worker, spans.slice(5, 9))).code, ExportResultCode.SUCCESS);
      await worker.shutdown();

      assert.equal(server.bodies.length, 4);
      const [threadFirst, threadSecond, workerFirst, workerSecond] = server.bodies as [Buffer, Buffer, Buffer, Buffer];
      assert.deepEqual(decode(workerFirst), decode(threadFirst));
      assert.deepEqual(decode(workerSecond), decode(threadSecond));
      assert.ok(workerFirst.equals(threadFirst), 'byte for byte');
      const request = decode(workerFirst) as { resourceSpans: { scopeSpans: { spans: { flags: number }[] }[] }[] };
      assert.equal(request.resourceSpans.length, 2);
      assert.deepEqual(new Set(request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((sp) => sp.flags)))), new Set([256, 768]), "otel-go's span flags");
    });
  });
}

/** A child process that exports one span through a WorkerSpanExporter and prints what happened; it never calls process.exit. */
function childExport(url: string, then: 'idle' | 'shutdown'): Promise<{ code: number | null; output: string; ms: number }> {
  const exporterModule = require.resolve('../../../../cri-proto/src/tracing/export-worker/worker-span-exporter');
  const script = `
    const { WorkerSpanExporter } = require(${JSON.stringify(exporterModule)});
    const exporter = new WorkerSpanExporter({ protocol: 'grpc', url: ${JSON.stringify(url)} });
    const span = { resource: { attributes: { 'service.name': 'kubelet' } }, instrumentationScope: { name: 's' }, spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0 }),
      name: 'n', kind: 0, startTime: [1, 0], endTime: [2, 0], attributes: {}, droppedAttributesCount: 0, events: [], droppedEventsCount: 0, status: { code: 0 }, links: [], droppedLinksCount: 0 };
    exporter.export([span], (result) => {
      console.log('exported ' + result.code);
      if (${JSON.stringify(then)} === 'shutdown') exporter.shutdown().then(() => console.log('shut down'));
    });`;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

describe('WorkerSpanExporter', () => {
  let server: Capture;
  before(async () => (server = await captureGrpc()));
  after(() => server.close());

  it('does not keep the process alive once its exports are done, shut down or not', async () => {
    const idle = await childExport(server.spec.url!, 'idle');
    assert.deepEqual({ code: idle.code, output: idle.output }, { code: 0, output: 'exported 0\n' }, 'exits by itself after the export');
    const shut = await childExport(server.spec.url!, 'shutdown');
    assert.deepEqual({ code: shut.code, output: shut.output }, { code: 0, output: 'exported 0\nshut down\n' }, 'runs the code after shutdown, then exits');
  });

  it('fails the export, and shuts down within the export timeout, when the collector never answers', async () => {
    const stalled = net.createServer(() => undefined); // accepts, never speaks HTTP/2
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const { port } = stalled.address() as net.AddressInfo;
    try {
      const exporter = new WorkerSpanExporter({ protocol: 'grpc', url: `http://127.0.0.1:${port}` }, { env: { ...process.env, OTEL_EXPORTER_OTLP_TIMEOUT: '300' } });
      const result = exportWith(exporter, sampleSpans());
      const started = Date.now();
      await exporter.shutdown();
      const took = Date.now() - started;
      assert.equal((await result).code, ExportResultCode.FAILED);
      assert.ok(took < 300 + 1000 + 1000, `shutdown took ${took} ms`);
      assert.equal((await exportWith(exporter, sampleSpans())).code, ExportResultCode.FAILED, 'exports after shutdown fail');
    } finally {
      stalled.close();
    }
  });

  it('rejects a chunk size that is not a positive integer, naming the option', () => {
    assert.throws(() => new WorkerSpanExporter({ protocol: 'grpc' }, { chunkSpans: 0 }), /chunkSpans: 0 is not a positive integer/);
  });
});
