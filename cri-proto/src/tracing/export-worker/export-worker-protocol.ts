/** Messages between the main thread's WorkerSpanExporter and the export worker (./export-worker-main.ts). */
import type { OtlpExporterSpec } from './otlp-exporter-spec';
import type { PlainSpanBatch } from './plain-span';

/** The worker's workerData. */
export interface ExportWorkerData {
  readonly spec: OtlpExporterSpec;
}

export type ToExportWorker =
  /** Part of export `id`; the worker exports once the part marked `last` has arrived. */
  | { readonly type: 'export'; readonly id: number; readonly batch: PlainSpanBatch; readonly last: boolean }
  /** Shut the exporter down (it waits for its sends in flight), then answer `shutdown-done`. */
  | { readonly type: 'shutdown' };

export type FromExportWorker =
  /** The exporter is built (its modules loaded); sent once, first. */
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly ok: boolean; readonly error?: string }
  | { readonly type: 'shutdown-done' };
