/**
 * A SpanExporter that leaves the OTLP transform, the protobuf encoding and the send to a worker thread.
 *
 * Why: encoding and sending a 512-span batch on the main thread blocked the event loop for 10–90 ms under
 * load (docs/benchmarks.md, "The floor"); a CRI request or answer arriving meanwhile waited, and that wait
 * showed up between the kubelet's CLIENT span and the runtime's SERVER span as if the node were slow. The
 * Go components never pay it on a request's path: otel-go's batch span processor exports from its own
 * goroutine (go.opentelemetry.io/otel/sdk/trace batch_span_processor.go: `NewBatchSpanProcessor` starts
 * `processQueue` with `go`, and it calls the exporter), which the Go scheduler runs beside the gRPC handlers.
 * Here the worker is that goroutine.
 *
 * The main thread only copies each span into plain data (./plain-span.ts) and posts it, in parts of
 * `chunkSpans` spans with a loop turn between parts (../../transport/loop-turns.ts), so no single
 * postMessage holds the loop for long. One worker per exporter, started with it, so that loading the exporter's
 * modules happens at start-up as it did in-thread, not beside the first burst of CRI calls; one exporter per
 * process, shared by all nodes in fleet mode.
 *
 * Semantics kept from the in-thread exporter: each export's callback gets the collector's outcome; forceFlush
 * resolves once every export handed over has its outcome; shutdown flushes, shuts the OTLP exporter down and
 * ends the worker, bounded by the export timeout (plus a second) so a stalled collector cannot hold it longer;
 * exports after shutdown fail. The worker keeps the process alive only while an export or the shutdown is
 * in flight, as the exporter's own socket did.
 */
import { Worker } from 'node:worker_threads';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { processLoopTurns, type TurnGate } from '../../transport/loop-turns';
import type { ExportWorkerData, FromExportWorker, ToExportWorker } from './export-worker-protocol';
import type { OtlpExporterSpec } from './otlp-exporter-spec';
import { otlpExportTimeoutMillis } from './otlp-exporter-spec';
import { PlainSpanCopier } from './plain-span';

/** Spans per postMessage: a part clones in well under a millisecond (docs/benchmarks.md). */
export const EXPORT_CHUNK_SPANS = 64;
/** How much longer than one export's timeout shutdown waits for the worker before ending it. */
export const SHUTDOWN_GRACE_MS = 1_000;

export interface WorkerSpanExporterOptions {
  chunkSpans?: number;
  /** Event-loop turn-taking the parts after the first wait their turn in. Default: the process's. */
  turns?: TurnGate;
  /** Environment the worker's exporter reads OTEL_EXPORTER_OTLP_* from. Default: the process's, as it is now. */
  env?: NodeJS.ProcessEnv;
}

interface RunningWorker {
  readonly worker: Worker;
  readonly copier: PlainSpanCopier;
  /** Resolves when the worker has built its exporter, or is gone. */
  readonly ready: Promise<void>;
  /** Why the worker is gone, once it is. */
  gone?: string;
}

export class WorkerSpanExporter implements SpanExporter {
  private readonly chunkSpans: number;
  private readonly turns: TurnGate;
  private readonly env: NodeJS.ProcessEnv;
  private running: RunningWorker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, (result: ExportResult) => void>();
  private flushWaiters: (() => void)[] = [];
  private shutdownDone: (() => void) | undefined;
  private shutdownPromise: Promise<void> | undefined;

  constructor(
    private readonly spec: OtlpExporterSpec,
    options: WorkerSpanExporterOptions = {},
  ) {
    this.chunkSpans = options.chunkSpans ?? EXPORT_CHUNK_SPANS;
    if (!Number.isInteger(this.chunkSpans) || this.chunkSpans < 1) throw new Error(`chunkSpans: ${this.chunkSpans} is not a positive integer; use e.g. ${EXPORT_CHUNK_SPANS}`);
    this.turns = options.turns ?? processLoopTurns;
    this.env = { ...(options.env ?? process.env) };
    this.startedWorker();
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.shutdownPromise !== undefined) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('the OTLP exporter is shut down') });
      return;
    }
    const running = this.startedWorker();
    const id = this.nextId++;
    this.pending.set(id, resultCallback);
    if (this.pending.size === 1) running.worker.ref();
    void this.postInParts(running, id, spans);
  }

  forceFlush(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  shutdown(): Promise<void> {
    return (this.shutdownPromise ??= this.stop());
  }

  private async postInParts(running: RunningWorker, id: number, spans: ReadableSpan[]): Promise<void> {
    for (let start = 0; ; start += this.chunkSpans) {
      if (start > 0) await waitForTurn(this.turns);
      if (running.gone !== undefined) return; // its exports were failed when it went
      const end = Math.min(spans.length, start + this.chunkSpans);
      const message: ToExportWorker = { type: 'export', id, batch: running.copier.copy(spans.slice(start, end)), last: end === spans.length };
      try {
        running.worker.postMessage(message);
      } catch (err) {
        this.settle(id, { code: ExportResultCode.FAILED, error: new Error(`spans could not be handed to the OTLP export worker: ${(err as Error).message}`) });
        return;
      }
      if (end === spans.length) return;
    }
  }

  private startedWorker(): RunningWorker {
    if (this.running !== undefined && this.running.gone === undefined) return this.running;
    const workerData: ExportWorkerData = { spec: this.spec };
    const worker = new Worker(require.resolve('./export-worker-main'), { workerData, env: this.env, name: 'otlp-export' });
    worker.unref();
    let markReady = (): void => undefined;
    const running: RunningWorker = { worker, copier: new PlainSpanCopier(), ready: new Promise<void>((resolve) => (markReady = resolve)) };
    worker.on('message', (message: FromExportWorker) => (message.type === 'ready' ? markReady() : this.onMessage(message)));
    worker.once('exit', () => markReady());
    worker.on('error', (err) => this.workerGone(running, `the OTLP export worker failed: ${err.message}`));
    worker.on('exit', (code) => this.workerGone(running, `the OTLP export worker exited with code ${code}`));
    this.running = running;
    return running;
  }

  /**
   * Resolves once the worker has loaded the exporter (a few hundred ms of one core on a loaded machine), so a
   * process can finish that before it serves, as the in-thread exporter's modules were loaded at start-up.
   * Resolves as well when the worker fails; the exports then report why.
   */
  ready(): Promise<void> {
    return this.running?.ready ?? Promise.resolve();
  }

  private onMessage(message: Exclude<FromExportWorker, { type: 'ready' }>): void {
    if (message.type === 'shutdown-done') {
      this.shutdownDone?.();
      return;
    }
    this.settle(message.id, message.ok ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error(message.error) });
  }

  private settle(id: number, result: ExportResult): void {
    const callback = this.pending.get(id);
    if (callback === undefined) return;
    this.pending.delete(id);
    if (this.pending.size === 0) {
      if (this.shutdownPromise === undefined) this.running?.worker.unref();
      const waiters = this.flushWaiters;
      this.flushWaiters = [];
      for (const resolve of waiters) resolve();
    }
    callback(result);
  }

  /** Fails every export still waiting on a worker that is gone; the next export starts a new one (a crash, not a shutdown). */
  private workerGone(running: RunningWorker, reason: string): void {
    if (running.gone !== undefined) return;
    running.gone = reason;
    for (const id of [...this.pending.keys()]) this.settle(id, { code: ExportResultCode.FAILED, error: new Error(reason) });
    this.shutdownDone?.();
  }

  private async stop(): Promise<void> {
    const running = this.running;
    if (running === undefined || running.gone !== undefined) return;
    running.worker.ref(); // the process waits for the flush, as it waited for the exporter's own socket
    const deadlineMs = otlpExportTimeoutMillis(this.env) + SHUTDOWN_GRACE_MS;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    const orderly = (async () => {
      await this.forceFlush();
      const done = new Promise<void>((resolve) => (this.shutdownDone = resolve));
      running.worker.postMessage({ type: 'shutdown' } satisfies ToExportWorker);
      await done;
    })();
    await Promise.race([orderly, deadline]);
    clearTimeout(timer);
    this.workerGone(running, `the OTLP exporter shut down after ${deadlineMs} ms before the collector answered`);
    await running.worker.terminate();
  }
}

function waitForTurn(turns: TurnGate): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      const turn = turns.take();
      if (turn === undefined) resolve();
      else void turn.then(resolve);
    }),
  );
}
