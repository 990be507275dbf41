import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hrTimeToNanoseconds } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, trace } from '@opentelemetry/api';
import { HighResolutionTracerProvider } from '../../../cri-proto/src/tracing/high-resolution-tracer-provider';
import { spanClockNowNs } from '../../../cri-proto/src/tracing/span-clock';

describe('HighResolutionTracerProvider', () => {
  const exporter = new InMemorySpanExporter();
  const sdk = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = new HighResolutionTracerProvider(sdk).getTracer('test');

  it('stamps start, end and events from the span clock at nanosecond resolution, nested spans inside their parents', async () => {
    exporter.reset();
    const before = spanClockNowNs();
    await tracer.startActiveSpan('parent', async (parent) => {
      parent.addEvent('started');
      await new Promise((r) => setTimeout(r, 2));
      // No context manager here: the parent is passed explicitly.
      tracer.startActiveSpan('child', {}, trace.setSpan(context.active(), parent), (child) => {
        child.recordException(new Error('boom'));
        child.end();
      });
      parent.end();
    });
    const after = spanClockNowNs();
    const [child, parent] = exporter.getFinishedSpans();
    assert.equal(child!.parentSpanContext?.spanId, parent!.spanContext().spanId);
    const ns = (t: [number, number]) => BigInt(hrTimeToNanoseconds(t));
    const [ps, pe, cs, ce] = [ns(parent!.startTime), ns(parent!.endTime), ns(child!.startTime), ns(child!.endTime)];
    assert.ok(before <= ps && ps <= cs && cs <= ce && ce <= pe && pe <= after, `${before} ${ps} ${cs} ${ce} ${pe} ${after}`);
    assert.ok([ps, pe, cs, ce].some((t) => t % 1000n !== 0n), 'timestamps carry sub-microsecond digits');
    assert.ok(ns(parent!.events[0]!.time) >= ps && ns(child!.events[0]!.time) <= ce);
  });

  it('keeps times the caller gives', () => {
    exporter.reset();
    const span = tracer.startSpan('given', { startTime: [1_800_000_000, 5] });
    span.end([1_800_000_001, 7]);
    assert.deepEqual([exporter.getFinishedSpans()[0]!.startTime, exporter.getFinishedSpans()[0]!.endTime], [[1_800_000_000, 5], [1_800_000_001, 7]]);
  });

  it('hands non-recording spans back untouched', () => {
    const off = new HighResolutionTracerProvider(trace.getTracerProvider()).getTracer('noop');
    assert.equal(off.startSpan('x').isRecording(), false);
  });
});
