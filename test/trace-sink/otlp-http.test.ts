// OTLP/HTTP beside OTLP/gRPC: real exporters post to /v1/traces, and malformed requests get the answers the
// Collector's OTLP receiver gives (receiver/otlpreceiver otlphttp.go, config/confighttp).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as protobuf from 'protobufjs';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ListenError, startTraceSink, type TraceSink } from '../../trace-sink/src/index';
import { encodeExportRequest, RICH_REQUEST, RICH_REQUEST_JSON, TRACE_ID } from './otlp-fixtures';

/** google.rpc.Status, to read protobuf error bodies independently of the code under test. */
const STATUS = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(STATUS);

interface Answer {
  status: number;
  contentType: string | null;
  body: Buffer;
}

async function post(sink: TraceSink, body: Buffer | string, headers: Record<string, string>, opts: { method?: string; path?: string } = {}): Promise<Answer> {
  const res = await fetch(`http://${sink.httpAddress}${opts.path ?? '/v1/traces'}`, { method: opts.method ?? 'POST', headers, body: opts.method === 'GET' ? undefined : body });
  return { status: res.status, contentType: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

function exportThrough(exporter: SpanExporter, serviceName: string): Promise<void> {
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': serviceName }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test-scope', '1.0.0');
  const parent = tracer.startSpan('syncPod', { attributes: { 'k8s.pod.name': 'web' } });
  tracer.startSpan('runtime.v1.RuntimeService/RunPodSandbox', { kind: SpanKind.SERVER }, trace.setSpan(context.active(), parent)).end();
  parent.end();
  return provider.forceFlush().then(() => provider.shutdown());
}

describe('trace-sink OTLP/HTTP receiver', () => {
  let dir: string;
  let sink: TraceSink;
  const lines = (): string[] => fs.readFileSync(sink.outPath!, 'utf8').split('\n').filter((l) => l !== '');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-sink-http-'));
    sink = await startTraceSink({ listen: '127.0.0.1:0', httpListen: '127.0.0.1:0', outPath: path.join(dir, 'spans.jsonl') });
  });

  after(async () => {
    await sink?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('with real OpenTelemetry exporters', () => {
    it('receives spans from the OTLP/HTTP protobuf exporter (containerd 2.x default protocol)', async () => {
      await exportThrough(new ProtoExporter({ url: `http://${sink.httpAddress}/v1/traces` }), 'containerd');
      await sink.index.waitFor((ix) => (ix.spansByService().get('containerd')?.length ?? 0) >= 2, 5_000);
      const spans = sink.index.spansByService().get('containerd')!;
      assert.deepEqual(spans.map((s) => s.name).sort(), ['runtime.v1.RuntimeService/RunPodSandbox', 'syncPod']);
      assert.equal(new Set(spans.map((s) => s.traceId)).size, 1);
    });

    it('receives spans from the OTLP/HTTP JSON exporter', async () => {
      await exportThrough(new JsonExporter({ url: `http://${sink.httpAddress}/v1/traces` }), 'json-client');
      await sink.index.waitFor((ix) => (ix.spansByService().get('json-client')?.length ?? 0) >= 2, 5_000);
      const child = sink.index.spansByService().get('json-client')!.find((s) => s.parentSpanId !== '')!;
      assert.equal(child.kind, 'SERVER');
    });
  });

  describe('answers as the Collector does', () => {
    it('stores a protobuf request as the gRPC path does and answers 200 with an empty ExportTraceServiceResponse', async () => {
      const before = lines().length;
      const res = await post(sink, encodeExportRequest(RICH_REQUEST), { 'Content-Type': 'application/x-protobuf' });
      assert.equal(res.status, 200);
      assert.equal(res.contentType, 'application/x-protobuf');
      assert.equal(res.body.length, 0);
      assert.equal(lines()[before], RICH_REQUEST_JSON);
    });

    it('reads OTLP JSON (hex ids, string int64s, camelCase) into the same line, and answers {"partialSuccess":{}}', async () => {
      const before = lines().length;
      const res = await post(sink, RICH_REQUEST_JSON, { 'Content-Type': 'application/json; charset=utf-8' });
      assert.equal(res.status, 200, res.body.toString());
      assert.equal(res.contentType, 'application/json');
      assert.equal(res.body.toString(), '{"partialSuccess":{}}');
      assert.equal(lines()[before], RICH_REQUEST_JSON);
    });

    it('accepts snake_case field names, enum names and a gzip body', async () => {
      const body = JSON.stringify({
        resource_spans: [{ resource: { attributes: [{ key: 'service.name', value: { string_value: 'snake' } }] }, scope_spans: [{ spans: [{ trace_id: TRACE_ID, span_id: 'aaaaaaaaaaaaaaaa', name: 'gz', kind: 'SPAN_KIND_CLIENT', start_time_unix_nano: '1', end_time_unix_nano: 2 }] }] }],
      });
      const res = await post(sink, gzipSync(body), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      assert.equal(res.status, 200, res.body.toString());
      const span = sink.index.spansByService().get('snake')?.[0];
      assert.equal(span?.name, 'gz');
      assert.equal(span?.kind, 'CLIENT');
    });

    it('answers 400 with a JSON google.rpc.Status (code 3) for a body that is not JSON', async () => {
      const res = await post(sink, '{"resourceSpans": [', { 'Content-Type': 'application/json' });
      assert.equal(res.status, 400);
      assert.equal(res.contentType, 'application/json');
      const status = JSON.parse(res.body.toString()) as { code: number; message: string };
      assert.equal(status.code, 3);
      assert.match(status.message, /^invalid JSON: /);
    });

    it('answers 400 naming the span for an id that is not hex', async () => {
      const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', spanId: 'aaaaaaaaaaaaaaaa', name: 'bad' }] }] }] });
      const res = await post(sink, body, { 'Content-Type': 'application/json' });
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.body.toString()), { code: 3, message: 'resourceSpans[0].scopeSpans[0].spans[0].traceId: "xyz" is not 32 hex digits' });
    });

    it('answers 400 with a protobuf google.rpc.Status for undecodable protobuf', async () => {
      const res = await post(sink, Buffer.from([0x0a, 0xff, 0xff, 0xff]), { 'Content-Type': 'application/x-protobuf' });
      assert.equal(res.status, 400);
      assert.equal(res.contentType, 'application/x-protobuf');
      const status = STATUS.toObject(STATUS.decode(res.body)) as { code: number; message: string };
      assert.equal(status.code, 3);
      assert.match(status.message, /^malformed ExportTraceServiceRequest: /);
    });

    it('answers 400 for a span with an all-zero trace id, storing nothing', async () => {
      const before = lines().length;
      const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0'.repeat(32), spanId: 'aaaaaaaaaaaaaaaa', name: 'zero' }] }] }] });
      const res = await post(sink, body, { 'Content-Type': 'application/json' });
      assert.equal(res.status, 400);
      assert.match(JSON.parse(res.body.toString()).message, /trace_id is all zeroes/);
      assert.equal(lines().length, before);
    });

    it('answers 415 in plain text for another content type', async () => {
      const res = await post(sink, 'x', { 'Content-Type': 'text/plain' });
      assert.equal(res.status, 415);
      assert.equal(res.body.toString(), '415 unsupported media type, supported: [application/json, application/x-protobuf]');
    });

    it('answers 405 for another method and 404 for another path', async () => {
      const get = await post(sink, '', {}, { method: 'GET' });
      assert.equal(get.status, 405);
      assert.equal(get.body.toString(), '405 method not allowed, supported: [POST]');
      const other = await post(sink, '{}', { 'Content-Type': 'application/json' }, { path: '/v1/metrics' });
      assert.equal(other.status, 404);
      assert.equal(other.body.toString(), '404 page not found\n');
    });

    it('answers 400 for a Content-Encoding it cannot decode', async () => {
      const res = await post(sink, 'x', { 'Content-Type': 'application/json', 'Content-Encoding': 'br' });
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.body.toString()), { code: 3, message: 'unsupported Content-Encoding: br' });
    });

    it('answers 400 for a body over the 20 MiB limit', async () => {
      const res = await post(sink, Buffer.alloc(20 * 1024 * 1024 + 1, 0x20), { 'Content-Type': 'application/json' });
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.body.toString()), { code: 3, message: 'http: request body too large' });
    });
  });
});

describe('trace-sink OTLP/HTTP listen address', () => {
  it('names --http-listen when its port is in use', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      await assert.rejects(startTraceSink({ listen: '127.0.0.1:0', httpListen: `127.0.0.1:${port}` }), (err: unknown) => {
        assert.ok(err instanceof ListenError);
        assert.match(err.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(--http-listen\\): address already in use`));
        return true;
      });
    } finally {
      busy.close();
    }
  });

  it('listens on loopback only', async () => {
    await assert.rejects(startTraceSink({ listen: '127.0.0.1:0', httpListen: '0.0.0.0:0' }), {
      message: 'trace-sink: invalid --http-listen: "0.0.0.0:0" is not a loopback address; trace-sink listens on this machine only, e.g. --http-listen 127.0.0.1:0',
    });
  });
});
