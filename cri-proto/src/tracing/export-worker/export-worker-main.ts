/**
 * Entry of the export worker thread (started by ./worker-span-exporter.ts): rebuilds the spans it is sent,
 * and the OTLP exporter encodes and sends them. Nothing here loads the gRPC instrumentation, so the
 * exporter's own gRPC calls are never traced.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ExportWorkerData, FromExportWorker, ToExportWorker } from './export-worker-protocol';
import { buildOtlpExporter } from './otlp-exporter-spec';
import { PlainSpanReader } from './plain-span-reader';

const port = parentPort;
if (port === null) throw new Error('export-worker-main must run as a worker thread (see worker-span-exporter.ts)');

const exporter = buildOtlpExporter((workerData as ExportWorkerData).spec);
const reader = new PlainSpanReader();
const assembling = new Map<number, ReadableSpan[]>();
/** Exports whose failure was already answered; their remaining parts are dropped. */
const failed = new Set<number>();
const post = (message: FromExportWorker): void => port.postMessage(message);
post({ type: 'ready' });

port.on('message', (message: ToExportWorker) => {
  if (message.type === 'shutdown') {
    void exporter.shutdown().then(
      () => post({ type: 'shutdown-done' }),
      () => post({ type: 'shutdown-done' }),
    );
    return;
  }
  if (failed.has(message.id)) {
    if (message.last) failed.delete(message.id);
    return;
  }
  let spans: ReadableSpan[];
  try {
    spans = (assembling.get(message.id) ?? []).concat(reader.read(message.batch));
  } catch (err) {
    assembling.delete(message.id);
    if (!message.last) failed.add(message.id);
    post({ type: 'result', id: message.id, ok: false, error: (err as Error).message });
    return;
  }
  if (!message.last) {
    assembling.set(message.id, spans);
    return;
  }
  assembling.delete(message.id);
  exporter.export(spans, (result) => {
    post(result.code === ExportResultCode.SUCCESS ? { type: 'result', id: message.id, ok: true } : { type: 'result', id: message.id, ok: false, error: result.error?.message ?? 'unknown error' });
  });
});
