import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { ProcessTracing } from './process-tracing';

/** Where a process's sampled spans went, at one instant. */
export interface SpanPipelineCounts {
  /** Ended and handed to the batch span processor. */
  ended: number;
  /** Sent to the collector. */
  exported: number;
  /** Given up on by the exporter (collector down, refused, timed out). */
  failed: number;
  /** Dropped by the batch processor because its queue was full. */
  dropped: number;
  /** Waiting in the batch processor's queue now. */
  queued: number;
  /** The queue's capacity (maxQueueSize, OTEL_BSP_MAX_QUEUE_SIZE). */
  queueCapacity: number;
}

/** The counts of a process exporting over OTLP; undefined when it exports nowhere. */
export function spanPipelineCounts(tracing: ProcessTracing | undefined): SpanPipelineCounts | undefined {
  const stats = tracing?.exportStats;
  const queue = tracing?.queue();
  if (tracing === undefined || stats === undefined || queue === undefined) return undefined;
  return {
    ended: tracing.endedSpans() ?? 0,
    exported: stats.exportedSpans,
    failed: stats.failedSpans,
    dropped: tracing.droppedSpans() ?? 0,
    queued: queue.size,
    queueCapacity: queue.capacity,
  };
}

/** Metric names under a process's prefix (`kubelet_sim`, `runtime_sim`): emulator metrics, no component's own. */
export function spanPipelineMetricNames(prefix: string) {
  return {
    ENDED_TOTAL: `${prefix}_spans_ended_total`,
    EXPORTED_TOTAL: `${prefix}_spans_exported_total`,
    DROPPED_TOTAL: `${prefix}_spans_dropped_total`,
    QUEUE_SIZE: `${prefix}_span_queue_size`,
    QUEUE_CAPACITY: `${prefix}_span_queue_capacity`,
    RESULT_LABEL: 'result',
  } as const;
}

/**
 * Registers the span pipeline's counters, read at each scrape: spans ended, exported per result (`ok`,
 * `failed`), dropped by the full queue, and the queue's size and capacity. While the collector is away the
 * queue fills up to its capacity and then drops: memory stays bounded, and these say how much was lost.
 * `who` names the process in the help text ("kubelet-sim").
 */
export function registerSpanPipelineMetrics(registry: Registry, prefix: string, who: string, read: () => SpanPipelineCounts | undefined): void {
  const names = spanPipelineMetricNames(prefix);
  const note = `Emulator metric, not the ${who.replace(/-sim$/, '')}'s.`;
  const counter = (name: string, help: string, value: (c: SpanPipelineCounts) => number): void =>
    void new Counter({
      name, help: `${help} ${note}`, registers: [registry],
      collect() {
        const counts = read();
        if (counts === undefined) return;
        this.reset();
        this.inc(value(counts));
      },
    });
  const gauge = (name: string, help: string, value: (c: SpanPipelineCounts) => number): void =>
    void new Gauge({
      name, help: `${help} ${note}`, registers: [registry],
      collect() {
        const counts = read();
        if (counts !== undefined) this.set(value(counts));
      },
    });
  counter(names.ENDED_TOTAL, `Sampled spans this ${who} process ended and handed to its batch span processor.`, (c) => c.ended);
  new Counter({
    name: names.EXPORTED_TOTAL,
    help: `Spans this ${who} process exported to its collector, per result (ok, failed: the exporter gave up on them). ${note}`,
    labelNames: [names.RESULT_LABEL],
    registers: [registry],
    collect() {
      const counts = read();
      if (counts === undefined) return;
      this.reset();
      this.inc({ [names.RESULT_LABEL]: 'ok' }, counts.exported);
      this.inc({ [names.RESULT_LABEL]: 'failed' }, counts.failed);
    },
  });
  counter(names.DROPPED_TOTAL, `Sampled spans this ${who} process dropped because its batch span processor's queue was full.`, (c) => c.dropped);
  gauge(names.QUEUE_SIZE, `Spans waiting in this ${who} process's batch span processor queue.`, (c) => c.queued);
  gauge(names.QUEUE_CAPACITY, `Capacity of this ${who} process's batch span processor queue (OTEL_BSP_MAX_QUEUE_SIZE, default 2048).`, (c) => c.queueCapacity);
}
