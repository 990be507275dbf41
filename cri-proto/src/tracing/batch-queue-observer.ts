import type { Attributes, Counter, Meter, MeterProvider, ObservableCallback, ObservableResult, ObservableUpDownCounter, UpDownCounter } from '@opentelemetry/api';
import { createNoopMeter } from '@opentelemetry/api';

/**
 * The batch span processor's own account of its queue, read through its self-observability metrics (the
 * `selfObsMeterProvider` option of @opentelemetry/sdk-trace 2.x BatchSpanProcessorBase, instruments named as
 * in the OpenTelemetry semantic conventions for SDK metrics): how many spans it dropped because its queue
 * was full (`otel.sdk.processor.span.processed` with `error.type=queue_full`), the queue's capacity
 * (`…queue.capacity`, maxQueueSize) and how many spans wait in it now (`…queue.size`, observed on demand).
 * No metrics SDK is involved: this meter provider hands the processor instruments that just keep the counts.
 * The option is experimental upstream; test/cri-proto/tracing/batch-queue-observer.test.ts pins its shape.
 */
export const SDK_PROCESSOR_METRIC = {
  PROCESSED: 'otel.sdk.processor.span.processed',
  QUEUE_CAPACITY: 'otel.sdk.processor.span.queue.capacity',
  QUEUE_SIZE: 'otel.sdk.processor.span.queue.size',
  ERROR_TYPE: 'error.type',
  QUEUE_FULL: 'queue_full',
} as const;

export class BatchQueueObserver {
  private droppedCount = 0;
  private capacityCount = 0;
  private readonly queueSizeCallbacks = new Set<ObservableCallback>();
  readonly meterProvider: MeterProvider;

  constructor() {
    const meter: Meter = createNoopMeter();
    const noop = { counter: meter.createCounter(''), upDown: meter.createUpDownCounter(''), observable: meter.createObservableUpDownCounter('') };
    const observer = this;
    const counting: Meter = Object.assign(Object.create(meter) as Meter, {
      createCounter(name: string): Counter {
        if (name !== SDK_PROCESSOR_METRIC.PROCESSED) return noop.counter;
        return {
          add(value: number, attributes?: Attributes) {
            if (attributes?.[SDK_PROCESSOR_METRIC.ERROR_TYPE] === SDK_PROCESSOR_METRIC.QUEUE_FULL) observer.droppedCount += value;
          },
        };
      },
      createUpDownCounter(name: string): UpDownCounter {
        if (name !== SDK_PROCESSOR_METRIC.QUEUE_CAPACITY) return noop.upDown;
        return {
          add(value: number) {
            observer.capacityCount += value;
          },
        };
      },
      createObservableUpDownCounter(name: string): ObservableUpDownCounter {
        if (name !== SDK_PROCESSOR_METRIC.QUEUE_SIZE) return noop.observable;
        return {
          addCallback: (callback: ObservableCallback) => void observer.queueSizeCallbacks.add(callback),
          removeCallback: (callback: ObservableCallback) => void observer.queueSizeCallbacks.delete(callback),
        };
      },
    });
    this.meterProvider = { getMeter: () => counting };
  }

  /** Spans the processor dropped because its queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** maxQueueSize, as the processor reported it (0 before it was built). */
  get capacity(): number {
    return this.capacityCount;
  }

  /** Spans waiting in the queue now (0 once the processor has shut down). */
  queueSize(): number {
    let size = 0;
    const result: ObservableResult = { observe: (value: number) => void (size += value) };
    for (const callback of this.queueSizeCallbacks) void callback(result);
    return size;
  }
}
