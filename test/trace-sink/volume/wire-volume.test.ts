import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { startTraceSink, type ExportEvent, type TraceSink } from '../../../trace-sink/src';
import { otlpProtobufTypes } from '../../../trace-sink/src/proto/protobuf-types';
import { requestWireSizes } from '../../../trace-sink/src/volume/request-wire-sizes';
import { rawExport } from '../../helpers/otlp-raw-client';
import { encodeExportRequest, RICH_REQUEST } from '../otlp-fixtures';

const id = (hex: string): Buffer => Buffer.from(hex, 'hex');

function span(name: string, spanId: string, attributes: number): object {
  return {
    traceId: id('0102030405060708090a0b0c0d0e0f10'),
    spanId: id(spanId),
    name,
    kind: 3,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000001000000',
    attributes: Array.from({ length: attributes }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'v'.repeat(i * 7) } })),
  };
}

function resource(service: string, spans: object[]): object {
  return { resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'scope' }, spans }] };
}

/** Two services, three span names, and a ResourceSpans without spans between them. */
const MIXED_REQUEST = {
  resourceSpans: [
    resource('kubelet', [span('syncPod', '1111111111111111', 3), span('runtime.v1.RuntimeService/RunPodSandbox', '2222222222222222', 20)]),
    resource('nobody', []),
    resource('crio', [span('runtime.v1.RuntimeService/RunPodSandbox', '3333333333333333', 1)]),
  ],
};

/** The framed size of one Span (tag byte, length varint, body), encoded on its own with protobufjs. */
function framedSpanBytes(spanObject: object): number {
  const spanType = otlpProtobufTypes().exportTraceServiceRequest.root.lookupType('opentelemetry.proto.trace.v1.Span');
  const body = spanType.encode(spanType.fromObject(spanObject)).finish().length;
  const varintBytes = body < 128 ? 1 : body < 16_384 ? 2 : 3;
  return 1 + varintBytes + body;
}

describe('requestWireSizes', () => {
  it('gives each span its framed size, in the order the request lists them', () => {
    const sizes = requestWireSizes(encodeExportRequest(MIXED_REQUEST));
    const spans = MIXED_REQUEST.resourceSpans.map((rs) => (rs as { scopeSpans: { spans: object[] }[] }).scopeSpans[0]!.spans);
    assert.deepEqual(sizes.resources.map((r) => r.spanBytes), spans.map((list) => list.map(framedSpanBytes)));
  });

  it('sums the framed ResourceSpans to the whole request, and each holds more than its spans', () => {
    const bytes = encodeExportRequest(MIXED_REQUEST);
    const sizes = requestWireSizes(bytes);
    assert.equal(sizes.totalBytes, bytes.length);
    assert.equal(sizes.resources.reduce((n, r) => n + r.bytes, 0), bytes.length);
    for (const r of sizes.resources) assert.ok(r.bytes > r.spanBytes.reduce((n, b) => n + b, 0));
  });

  it('reads a request with every value type (RICH_REQUEST) as one resource of two spans', () => {
    const sizes = requestWireSizes(encodeExportRequest(RICH_REQUEST));
    assert.equal(sizes.resources.length, 1);
    assert.equal(sizes.resources[0]!.spanBytes.length, 2);
  });

  it('throws on a truncated request', () => {
    const bytes = encodeExportRequest(MIXED_REQUEST);
    assert.throws(() => requestWireSizes(bytes.subarray(0, bytes.length - 5)));
  });
});

describe('trace-sink byte accounting', () => {
  let sink: TraceSink;
  const events: ExportEvent[] = [];

  before(async () => {
    sink = await startTraceSink({ listen: '127.0.0.1:0', httpListen: '127.0.0.1:0', measureGzip: true });
    sink.onExport((e) => void events.push(e));
  });
  after(() => sink.close());

  it('counts spans and protobuf bytes per service and per span name for an OTLP/gRPC request', async () => {
    const body = encodeExportRequest(MIXED_REQUEST);
    const { error } = await rawExport(sink.address, body);
    assert.equal(error, null);
    const sizes = requestWireSizes(body);
    const v = sink.volume();
    assert.equal(v.requests, 1);
    assert.equal(v.spans, 3);
    assert.equal(v.protobufBytes, body.length);
    assert.equal(v.gzipBytes, zlib.gzipSync(body).length);
    assert.deepEqual(Object.keys(v.byService).sort(), ['crio', 'kubelet']);
    assert.equal(v.byService['kubelet']!.protobufBytes, sizes.resources[0]!.bytes);
    assert.equal(v.byService['crio']!.protobufBytes, sizes.resources[2]!.bytes);
    assert.equal(v.byService['kubelet']!.spans, 2);
    assert.deepEqual(v.byService['kubelet']!.bySpanName['syncPod'], {
      spans: 1,
      protobufBytes: sizes.resources[0]!.spanBytes[0],
      gzipBytes: (sizes.resources[0]!.spanBytes[0]! * v.gzipBytes) / body.length,
    });
    assert.equal(v.byService['crio']!.bySpanName['runtime.v1.RuntimeService/RunPodSandbox']!.spans, 1);
    // The gzip share is split by protobuf bytes, so the services' shares and the empty resource's add up.
    const servicesGzip = v.byService['kubelet']!.gzipBytes + v.byService['crio']!.gzipBytes;
    assert.ok(Math.abs(servicesGzip + (sizes.resources[1]!.bytes * v.gzipBytes) / body.length - v.gzipBytes) < 1e-6);
  });

  it('hands each listener the request volume span by span', () => {
    const event = events.at(-1)!;
    assert.equal(event.volume.spanBytes.length, event.spans.length);
    const sizes = requestWireSizes(encodeExportRequest(MIXED_REQUEST));
    assert.deepEqual(event.volume.spanBytes, sizes.resources.flatMap((r) => r.spanBytes));
    assert.deepEqual(event.volume.resourceBytes, [sizes.resources[0]!.bytes, sizes.resources[0]!.bytes, sizes.resources[2]!.bytes]);
  });

  it('counts the decompressed protobuf of a gzip OTLP/HTTP request, adding to the totals', async () => {
    const body = encodeExportRequest({ resourceSpans: [resource('containerd', [span('task.Start', '4444444444444444', 2)])] });
    const before = sink.volume();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`http://${sink.httpAddress}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(zlib.gzipSync(body));
    });
    assert.equal(status, 200);
    const v = sink.volume();
    assert.equal(v.requests, before.requests + 1);
    assert.equal(v.protobufBytes, before.protobufBytes + body.length);
    assert.equal(v.byService['containerd']!.spans, 1);
    assert.equal(v.byService['containerd']!.protobufBytes, body.length);
  });

  it('returns a copy: later requests do not change an earlier snapshot', async () => {
    const snap = sink.volume();
    await rawExport(sink.address, encodeExportRequest(MIXED_REQUEST));
    assert.equal(sink.volume().requests, snap.requests + 1);
    assert.notEqual(snap.requests, sink.volume().requests);
  });
});

describe('trace-sink without measureGzip', () => {
  it('counts protobuf bytes and reports gzip as 0', async () => {
    const sink = await startTraceSink({ listen: '127.0.0.1:0' });
    try {
      const body = encodeExportRequest(MIXED_REQUEST);
      await rawExport(sink.address, body);
      assert.equal(sink.volume().protobufBytes, body.length);
      assert.equal(sink.volume().gzipBytes, 0);
    } finally {
      await sink.close();
    }
  });
});
