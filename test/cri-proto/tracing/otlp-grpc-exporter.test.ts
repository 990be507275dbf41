import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { CountingSpanExporter, grpcTargetToExporterUrl, withGoSpanFlags } from '../../../cri-proto/src/tracing/otlp-grpc-exporter';

describe('grpcTargetToExporterUrl', () => {
  for (const [endpoint, url] of [
    ['localhost:4317', 'http://localhost:4317'],
    ['127.0.0.1:4317', 'http://127.0.0.1:4317'],
    ['dns:///collector.monitoring:4317', 'http://collector.monitoring:4317'],
    ['dns://8.8.8.8/collector:4317', 'http://collector:4317'],
    ['unix:///run/otel.sock', 'unix:///run/otel.sock'],
  ]) {
    it(`maps the gRPC target ${endpoint} to an insecure exporter URL`, () => assert.equal(grpcTargetToExporterUrl(endpoint), url));
  }
  it('rejects unix-abstract targets, which grpc-js cannot dial, naming the alternatives', () => {
    assert.throws(() => grpcTargetToExporterUrl('unix-abstract:otel'), /unix-abstract sockets are not supported.*host:port or unix:\/\/\/path/);
  });
});

describe('CountingSpanExporter', () => {
  const fakeExporter = (results: ExportResultCode[]): SpanExporter => ({
    export: (_spans, cb) => cb({ code: results.shift() ?? ExportResultCode.SUCCESS, error: new Error('connect ECONNREFUSED 127.0.0.1:4317') }),
    shutdown: async () => undefined,
  });
  const spans = (n: number): ReadableSpan[] =>
    Array.from({ length: n }, () => ({ spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }), links: [] }) as unknown as ReadableSpan);
  const exportOnce = (e: CountingSpanExporter, n: number): Promise<ExportResult> => new Promise((resolve) => e.export(spans(n), resolve));

  it('counts exported and lost spans and logs an outage once, then its recovery', async () => {
    const logged: string[] = [];
    const counting = new CountingSpanExporter(fakeExporter([ExportResultCode.FAILED, ExportResultCode.FAILED, ExportResultCode.SUCCESS]), 'http://127.0.0.1:4317', (m) => logged.push(m));
    await exportOnce(counting, 3);
    await exportOnce(counting, 2);
    await exportOnce(counting, 4);
    assert.deepEqual({ ...counting.stats }, { exportedSpans: 4, failedSpans: 5, failedExports: 2, lastError: 'connect ECONNREFUSED 127.0.0.1:4317' });
    assert.deepEqual(logged, [
      'trace export to http://127.0.0.1:4317 failed, 3 spans lost: connect ECONNREFUSED 127.0.0.1:4317',
      'trace export to http://127.0.0.1:4317 recovered',
    ]);
  });

  it('hands the exporter spans whose trace flags are cleared, so OTLP flags are otel-go\'s 256/768', () => {
    const sampled = spans(1)[0]!;
    const view = withGoSpanFlags(sampled);
    assert.deepEqual(view.spanContext(), { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0 });
    assert.equal(sampled.spanContext().traceFlags, 1, 'the SDK span itself is untouched');
    assert.equal(withGoSpanFlags(view), view);
  });
});
