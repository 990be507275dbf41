import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { processLoopTurns, type TurnGate } from '../transport/loop-turns';
import { WorkerSpanExporter } from './export-worker/worker-span-exporter';

/**
 * Builds the OTLP/gRPC trace exporter the way the Go components do: `otlptracegrpc.WithEndpoint(endpoint)`
 * plus `WithInsecure()` (k8s.io/component-base tracing/utils.go; CRI-O internal/opentelemetry/tracing_config.go).
 * Endpoints are gRPC targets, not URLs: `host:port`, `dns:///host:port`, `unix:///path`. The JS exporter
 * treats a scheme-less target as TLS, so each form is mapped to an insecure channel explicitly.
 * An unset endpoint leaves the choice to OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, then localhost:4317, as otel-go.
 * OTEL_EXPORTER_OTLP_[TRACES_]HEADERS and _TIMEOUT are read by the exporter itself.
 * The exporter runs on a worker thread (./export-worker/worker-span-exporter.ts), which loads its own
 * @grpc/grpc-js without the instrumentation.
 */
export function createOtlpGrpcTraceExporter(endpoint: string | undefined): CountingSpanExporter {
  const url = endpoint === undefined ? undefined : grpcTargetToExporterUrl(endpoint);
  return new CountingSpanExporter(
    new WorkerSpanExporter({ protocol: 'grpc', url }),
    url ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4317',
  );
}

/** `localhost:4317` → `http://localhost:4317`; `dns:///h:p` → `http://h:p`; `unix:///p` kept. */
export function grpcTargetToExporterUrl(endpoint: string): string {
  const trimmed = endpoint.trim();
  if (trimmed.startsWith('unix:')) return trimmed;
  if (trimmed.startsWith('unix-abstract:')) {
    throw new Error(`tracing endpoint ${JSON.stringify(endpoint)}: unix-abstract sockets are not supported by the Node.js gRPC library; use host:port or unix:///path`);
  }
  const dns = /^dns:(?:\/\/[^/]*\/)?(.+)$/.exec(trimmed);
  const hostPort = dns ? dns[1] : trimmed;
  return `http://${hostPort}`;
}

/**
 * Why no exporter can dial `endpoint`, or undefined when it can. Checked before the exporter is built, which
 * otherwise throws `TypeError: Invalid URL` (an empty target, a port above 65535, a bad host); the Go
 * components accept such targets and fail every export instead. Messages say what to give instead.
 */
export function undialableGrpcTargetReason(endpoint: string): string | undefined {
  const target = endpoint.trim();
  if (target === '') return 'empty endpoint: set host:port such as 127.0.0.1:4317, or leave the field out for localhost:4317';
  if (target.startsWith('unix-abstract:')) return 'unix-abstract sockets cannot be dialled from Node.js: use host:port or unix:///path';
  if (target.startsWith('unix:')) {
    return target.replace(/^unix:(\/\/)?/, '') === '' ? 'unix endpoint without a path: use unix:///path/to/otlp.sock' : undefined;
  }
  const hostPort = /^dns:(?:\/\/[^/]*\/)?(.*)$/.exec(target)?.[1] ?? target;
  const port = /:(\d+)$/.exec(hostPort)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `port ${port} is out of range: use a port from 1 to 65535, e.g. 127.0.0.1:4317`;
  try {
    new URL(grpcTargetToExporterUrl(target));
  } catch {
    return 'not a host:port that can be dialled: use e.g. 127.0.0.1:4317, dns:///collector:4317 or unix:///path';
  }
  return undefined;
}

/**
 * OTLP `Span.flags` (and `Link.flags`) as otel-go writes them (exporters/otlp/otlptrace/internal/tracetransform
 * buildSpanFlags): only the has-is-remote bit (256) and the is-remote bit of the parent (512). The JS
 * transform also copies the span's W3C trace flags into the low byte (257 / 769). A view whose span context
 * (and links' contexts) carry trace flags 0 makes the JS transform write Go's value; the transform reads the
 * trace flags for nothing else.
 */
export function withGoSpanFlags(span: ReadableSpan): ReadableSpan {
  const context = span.spanContext();
  const links = span.links.some((l) => l.context.traceFlags !== 0)
    ? span.links.map((l) => ({ ...l, context: { ...l.context, traceFlags: 0 } }))
    : span.links;
  if (context.traceFlags === 0 && links === span.links) return span;
  const unflagged = { ...context, traceFlags: 0 };
  return Object.create(span, { spanContext: { value: () => unflagged }, links: { value: links } }) as ReadableSpan;
}

export interface ExportStats {
  exportedSpans: number;
  failedSpans: number;
  failedExports: number;
  lastError: string | undefined;
}

/**
 * Counts what was exported and what was lost. The SDK's batch processor drops failed batches silently
 * (FACTS.md §8), so the sims report these counts at shutdown and log the first failure of each outage.
 */
export class CountingSpanExporter implements SpanExporter {
  readonly stats: ExportStats = { exportedSpans: 0, failedSpans: 0, failedExports: 0, lastError: undefined };
  private failing = false;

  constructor(
    private readonly delegate: SpanExporter,
    readonly target: string,
    private readonly log: (message: string) => void = (m) => process.stderr.write(m + '\n'),
    /** Event-loop turn-taking (../transport/loop-turns.ts) the export waits its turn in. Default: the process's. */
    private readonly turns: TurnGate = processLoopTurns,
  ) {}

  /**
   * The SDK's batch processor exports from inside the span.end() that filled a batch (BatchSpanProcessorBase
   * _maybeStartTimer), so encoding up to 512 spans would run on that CRI call's path and inside its SERVER
   * span. The export starts on a later loop turn instead, after the CRI work already waiting for a turn.
   */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    setImmediate(() => {
      const turn = this.turns.take();
      if (turn === undefined) this.exportNow(spans, resultCallback);
      else void turn.then(() => this.exportNow(spans, resultCallback));
    });
  }

  private exportNow(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.delegate.export(spans.map(withGoSpanFlags), (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.stats.exportedSpans += spans.length;
        if (this.failing) this.log(`trace export to ${this.target} recovered`);
        this.failing = false;
      } else {
        this.stats.failedSpans += spans.length;
        this.stats.failedExports += 1;
        this.stats.lastError = result.error?.message ?? 'unknown error';
        if (!this.failing) this.log(`trace export to ${this.target} failed, ${spans.length} spans lost: ${this.stats.lastError}`);
        this.failing = true;
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.delegate.shutdown();
  }

  /** Resolves when the delegate can export (the export worker has loaded the exporter); at once for others. */
  ready(): Promise<void> {
    return (this.delegate as SpanExporter & { ready?: () => Promise<void> }).ready?.() ?? Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return this.delegate.forceFlush?.() ?? Promise.resolve();
  }
}
