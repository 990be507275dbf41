import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadTraceService } from '../proto/load-trace-service';
import type { OtlpJsonExportTraceServiceRequest } from '../otlp-json/otlp-json-types';
import type { FlatSpan } from '../store/flat-span';
import { JsonlWriter } from '../store/jsonl-writer';
import { DEFAULT_MAX_SPANS, SpanIndex, type SpanIndexView } from '../store/span-index';
import { createExportHandler } from './export-handler';
import { formatListenAddress, parseListenAddress, type ListenAddress } from './listen-address';
import { fromGrpcBindError, ListenError, probeListen } from './listen-error';

export interface TraceSinkOptions {
  /** `host:port` to listen on; port 0 picks a free port. */
  listen: string;
  /** JSON-lines file to append OTLP JSON to; omit to keep spans in memory only. */
  outPath?: string;
  /** Bound on indexed spans (default 50000); the file is never truncated. */
  maxSpans?: number;
  /** Flag named in listen errors (default `--listen`), for embedding CLIs. */
  listenFlag?: string;
}

/** One accepted export request, as written to the file and as indexed. */
export interface ExportEvent {
  request: OtlpJsonExportTraceServiceRequest;
  spans: readonly FlatSpan[];
}

export type ExportListener = (event: ExportEvent) => void;

export interface TraceSink {
  /** `host:port` actually bound (the real port when 0 was asked for). */
  readonly address: string;
  /** Absolute path of the JSON-lines file, if any. */
  readonly outPath: string | undefined;
  readonly index: SpanIndexView;
  /** Export requests accepted so far (requests without spans are not counted). */
  readonly exportCount: number;
  /** Calls `listener` after each accepted request; returns an unsubscribe function. */
  onExport(listener: ExportListener): () => void;
  /** Stops the server (letting in-flight calls finish) and closes the file. Idempotent. */
  close(): Promise<void>;
}

const MAX_RECEIVE_BYTES = 64 * 1024 * 1024;
const SHUTDOWN_GRACE_MS = 2_000;

/** Starts an OTLP/gRPC trace receiver. Rejects with ListenError if it cannot bind. */
export async function startTraceSink(opts: TraceSinkOptions): Promise<TraceSink> {
  const flag = opts.listenFlag ?? '--listen';
  let address: ListenAddress;
  try {
    address = parseListenAddress(opts.listen);
  } catch (err) {
    throw new ListenError(`trace-sink: invalid ${flag}: ${(err as Error).message}`, undefined);
  }
  const index = new SpanIndex(opts.maxSpans ?? DEFAULT_MAX_SPANS);
  const service = loadTraceService();
  await probeListen(address, flag);

  const outPath = opts.outPath === undefined ? undefined : path.resolve(opts.outPath);
  const writer = outPath === undefined ? undefined : new JsonlWriter(outPath);
  const listeners = new Set<ExportListener>();
  let open = true;
  let exports = 0;

  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_BYTES });
  server.addService(service.rawService, {
    Export: createExportHandler({
      isOpen: () => open,
      decode: service.decodeRequest,
      accept: (request, line, spans) => {
        writer?.writeLine(line);
        index.add(spans);
        exports += 1;
        for (const listener of [...listeners]) {
          try {
            listener({ request, spans });
          } catch (err) {
            console.error(`trace-sink: export listener failed: ${(err as Error).message}`);
          }
        }
      },
    }),
  });

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(formatListenAddress(address), grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(fromGrpcBindError(address, err, flag)) : resolve(bound),
      ),
    );
  } catch (err) {
    server.forceShutdown();
    writer?.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      open = false;
      await shutdown(server);
      writer?.close();
      listeners.clear();
    })();
    return closing;
  };

  return {
    address: formatListenAddress({ host: address.host, port }),
    outPath,
    index,
    get exportCount() {
      return exports;
    },
    onExport(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close,
  };
}

// tryShutdown waits for in-flight calls; force it if a client hangs on.
function shutdown(server: grpc.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
