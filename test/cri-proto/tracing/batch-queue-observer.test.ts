import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { BufferConfig, ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchQueueObserver } from '../../../cri-proto/src/tracing/batch-queue-observer';

/** An exporter that holds every batch until released: a collector that does not answer. */
class StalledExporter implements SpanExporter {
  readonly held: Array<{ spans: ReadableSpan[]; done: (r: ExportResult) => void }> = [];
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.held.push({ spans, done });
  }
  release(): void {
    for (const { done } of this.held.splice(0)) done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

function pipeline(maxQueueSize: number, maxExportBatchSize: number) {
  const observer = new BatchQueueObserver();
  const exporter = new StalledExporter();
  const processor = new BatchSpanProcessor(exporter, { maxQueueSize, maxExportBatchSize, scheduledDelayMillis: 60_000, selfObsMeterProvider: observer.meterProvider } as BufferConfig);
  const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('t');
  const endSpans = (n: number): void => {
    for (let i = 0; i < n; i++) tracer.startSpan(`s${i}`).end();
  };
  return { observer, exporter, processor, endSpans };
}

describe('BatchQueueObserver: the batch span processor\'s own counts', () => {
  it('reports the capacity, the queue as it fills, and every span dropped once it is full', () => {
    const { observer, exporter, endSpans } = pipeline(10, 5);
    assert.equal(observer.capacity, 10);
    endSpans(3);
    assert.deepEqual([observer.queueSize(), observer.dropped], [3, 0]);
    // The fifth span fills a batch, which goes to the (stalled) exporter; the queue then takes 10 more.
    endSpans(27);
    assert.equal(exporter.held.length, 1);
    assert.equal(exporter.held[0]!.spans.length, 5);
    assert.deepEqual([observer.queueSize(), observer.dropped], [10, 15]);
  });

  it('drains when the exporter answers, and keeps the dropped count', async () => {
    const { observer, exporter, processor, endSpans } = pipeline(10, 5);
    endSpans(30);
    exporter.release();
    const flushed = processor.forceFlush();
    for (let i = 0; i < 10 && exporter.held.length > 0; i++) {
      exporter.release();
      await new Promise((r) => setImmediate(r));
    }
    await flushed;
    assert.deepEqual([observer.queueSize(), observer.dropped], [0, 15]);
    await processor.shutdown();
  });
});
