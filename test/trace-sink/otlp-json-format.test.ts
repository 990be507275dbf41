// Exact OTLP JSON output and request validation, using handcrafted protobuf.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startTraceSink, readSpansFromJsonl, type TraceSink } from '../../trace-sink/src/index';
import { rawExport } from '../helpers/otlp-raw-client';
import { encodeExportRequest, LINKED_TRACE_ID, RICH_REQUEST, RICH_REQUEST_JSON, TRACE_ID } from './otlp-fixtures';

describe('trace-sink OTLP JSON encoding and validation', () => {
  let dir: string;
  let sink: TraceSink;
  const readLines = (): string[] => fs.readFileSync(sink.outPath!, 'utf8').split('\n').filter((l) => l !== '');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-sink-'));
    sink = await startTraceSink({ listen: '127.0.0.1:0', outPath: path.join(dir, 'nested', 'spans.jsonl') });
  });

  after(async () => {
    await sink?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes exactly the line the Collector would write and answers with an empty response', async () => {
    const { error, response } = await rawExport(sink.address, encodeExportRequest(RICH_REQUEST));
    assert.equal(error, null);
    assert.equal(response?.length, 0, 'ExportTraceServiceResponse without partial_success');
    assert.deepEqual(readLines(), [RICH_REQUEST_JSON]);
  });

  it('flattens every attribute type', () => {
    const span = sink.index.trace(TRACE_ID)?.find((s) => s.spanId === '1112131415161718');
    assert.ok(span);
    assert.deepEqual(span.attributes, {
      zero: 0,
      empty: '',
      raw: Buffer.from('foo'),
      map: { a: 0.25 },
      none: [],
      big: '9007199254740993',
      neg: -5,
      unset: null,
    });
    assert.equal(span.service, 'crio');
    assert.equal(span.kind, 'SERVER');
    assert.equal(span.durationMs, 100.1);
    assert.equal(span.startTimeMs, 1_700_000_000_000);
    assert.equal(span.flags, 769);
    assert.equal(span.traceState, 'k=v');
    assert.deepEqual(span.links, [{ traceId: LINKED_TRACE_ID, spanId: '3132333435363738', traceState: '', attributes: {} }]);
    assert.deepEqual(span.events, [{ name: 'sandbox.created', timeUnixNano: '1700000000050000000', attributes: {} }]);
    assert.deepEqual(span.status, { code: 'ERROR', message: 'boom' });
    const minimal = sink.index.trace(TRACE_ID)?.find((s) => s.name === 'minimal');
    assert.equal(minimal?.kind, 'UNSPECIFIED');
    assert.equal(minimal?.startTimeUnixNano, '0');
  });

  it('rejects undecodable protobuf with INVALID_ARGUMENT and writes nothing', async () => {
    const { error } = await rawExport(sink.address, Buffer.from([0x0a, 0xff, 0x01]));
    assert.equal(error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(error?.details ?? '', /malformed ExportTraceServiceRequest/);
    assert.equal(readLines().length, 1);
  });

  it('rejects a span with a wrong-size trace_id with INVALID_ARGUMENT', async () => {
    const bad = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.from('0102', 'hex'), spanId: Buffer.alloc(8, 1) }] }] }] };
    const { error } = await rawExport(sink.address, encodeExportRequest(bad));
    assert.equal(error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(error?.details ?? '', /resource_spans\[0\]\.scope_spans\[0\]\.spans\[0\]: trace_id must be 16 bytes, got 2/);
    assert.equal(readLines().length, 1);
  });

  it('accepts an empty request without writing a line', async () => {
    const { error } = await rawExport(sink.address, Buffer.alloc(0));
    assert.equal(error, null);
    assert.equal(readLines().length, 1);
    assert.equal(sink.exportCount, 1);
  });

  it('reads its own file back', () => {
    assert.deepEqual(readSpansFromJsonl(sink.outPath!), sink.index.spans());
  });
});
