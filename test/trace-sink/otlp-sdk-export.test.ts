// End to end: a real OpenTelemetry SDK exports over OTLP/gRPC to the sink.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { startTraceSink, readSpansFromJsonl, type ExportEvent, type TraceSink } from '../../trace-sink/src/index';
import { createOtlpTestTracer, type OtlpTestTracer } from '../helpers/otlp-test-tracer';

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;
const DECIMAL = /^\d+$/;

// Parsed JSON; the assertions below check its shape.
type Json = Record<string, any>;

function allKeys(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => allKeys(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      allKeys(v, out);
    }
  }
  return out;
}

describe('trace-sink with a real OTLP/gRPC exporter', () => {
  let dir: string;
  let sink: TraceSink;
  let otel: OtlpTestTracer;
  const events: ExportEvent[] = [];
  let lines: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-sink-'));
    sink = await startTraceSink({ listen: '127.0.0.1:0', outPath: path.join(dir, 'spans.jsonl') });
    sink.onExport((e) => events.push(e));
    otel = createOtlpTestTracer({ address: sink.address, serviceName: 'kubelet', scopeName: 'k8s.io/kubelet' });

    const parent = otel.tracer.startSpan('syncPod', {
      attributes: { 'k8s.pod.name': 'nginx', 'retry.count': 42, ratio: 1.5, 'pod.ready': true, containers: ['app', 'sidecar'] },
    });
    parent.addEvent('pod.admitted', { 'queue.depth': 7 });
    const child = otel.tracer.startSpan(
      'runtime.v1.RuntimeService/RunPodSandbox',
      { kind: SpanKind.CLIENT },
      trace.setSpan(context.active(), parent),
    );
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'sandbox failed' });
    child.end();
    parent.end();
    await otel.flush();
    await sink.index.waitFor((ix) => ix.spanCount >= 2);
    lines = fs.readFileSync(sink.outPath!, 'utf8').split('\n').filter((l) => l !== '');
  });

  after(async () => {
    await otel?.shutdown();
    await sink?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports the real bound port', () => {
    assert.match(sink.address, /^127\.0\.0\.1:[1-9]\d*$/);
  });

  it('writes one OTLP JSON line per export request', () => {
    // SimpleSpanProcessor exports each span on end: child first, then parent.
    assert.equal(lines.length, 2);
    const [childReq, parentReq] = lines.map((l) => JSON.parse(l) as Json);
    for (const req of [childReq!, parentReq!]) {
      assert.deepEqual(Object.keys(req), ['resourceSpans']);
      assert.deepEqual(req.resourceSpans[0].resource, {
        attributes: [{ key: 'service.name', value: { stringValue: 'kubelet' } }],
      });
      assert.deepEqual(req.resourceSpans[0].scopeSpans[0].scope, { name: 'k8s.io/kubelet', version: '1.2.3' });
      assert.ok(allKeys(req).every((k) => !k.includes('_')), 'keys are lowerCamelCase');
    }

    const child = childReq!.resourceSpans[0].scopeSpans[0].spans[0] as Json;
    const parent = parentReq!.resourceSpans[0].scopeSpans[0].spans[0] as Json;
    assert.deepEqual(Object.keys(child), [
      'traceId', 'spanId', 'parentSpanId', 'flags', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'status',
    ]);
    assert.deepEqual(Object.keys(parent), [
      'traceId', 'spanId', 'flags', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'events', 'status',
    ]);
    assert.match(parent.traceId, HEX_TRACE_ID);
    assert.match(parent.spanId, HEX_SPAN_ID);
    assert.equal(child.traceId, parent.traceId);
    assert.equal(child.parentSpanId, parent.spanId);
    assert.equal(parent.kind, 1);
    assert.equal(child.kind, 3);
    assert.equal(parent.flags & 0xff, 1, 'sampled');
    for (const t of [parent.startTimeUnixNano, parent.endTimeUnixNano, child.startTimeUnixNano, parent.events[0].timeUnixNano]) {
      assert.equal(typeof t, 'string');
      assert.match(t, DECIMAL);
    }
    assert.deepEqual(parent.attributes, [
      { key: 'k8s.pod.name', value: { stringValue: 'nginx' } },
      { key: 'retry.count', value: { intValue: '42' } },
      { key: 'ratio', value: { doubleValue: 1.5 } },
      { key: 'pod.ready', value: { boolValue: true } },
      { key: 'containers', value: { arrayValue: { values: [{ stringValue: 'app' }, { stringValue: 'sidecar' }] } } },
    ]);
    assert.equal(parent.events[0].name, 'pod.admitted');
    assert.deepEqual(parent.events[0].attributes, [{ key: 'queue.depth', value: { intValue: '7' } }]);
    assert.deepEqual(parent.status, {});
    assert.deepEqual(child.status, { message: 'sandbox failed', code: 2 });
  });

  it('indexes the spans by trace', () => {
    const ids = sink.index.traceIds();
    assert.equal(ids.length, 1);
    const spans = sink.index.trace(ids[0]!)!;
    assert.deepEqual(spans.map((s) => s.name), ['runtime.v1.RuntimeService/RunPodSandbox', 'syncPod']);
    const [child, parent] = spans as [typeof spans[0], typeof spans[0]];
    assert.equal(parent.service, 'kubelet');
    assert.equal(parent.scope, 'k8s.io/kubelet');
    assert.equal(parent.kind, 'INTERNAL');
    assert.equal(parent.parentSpanId, '');
    assert.deepEqual(parent.attributes, {
      'k8s.pod.name': 'nginx', 'retry.count': 42, ratio: 1.5, 'pod.ready': true, containers: ['app', 'sidecar'],
    });
    assert.equal(parent.events[0]?.name, 'pod.admitted');
    assert.deepEqual(parent.events[0]?.attributes, { 'queue.depth': 7 });
    assert.deepEqual(parent.status, { code: 'UNSET', message: '' });
    assert.ok(parent.durationMs >= 0);
    assert.equal(child.kind, 'CLIENT');
    assert.equal(child.parentSpanId, parent.spanId);
    assert.deepEqual(child.status, { code: 'ERROR', message: 'sandbox failed' });
    assert.deepEqual([...sink.index.spansByService().keys()], ['kubelet']);
    assert.equal(sink.index.spanCount, 2);
    assert.equal(sink.exportCount, 2);
  });

  it('notifies export listeners with the written request and its spans', () => {
    assert.equal(events.length, 2);
    assert.equal(JSON.stringify(events[0]!.request), lines[0]);
    assert.equal(events[1]!.spans[0]!.name, 'syncPod');
  });

  it('reads the file back into the same spans', () => {
    assert.deepEqual(readSpansFromJsonl(sink.outPath!), sink.index.spans());
  });
});
