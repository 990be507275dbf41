import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { loadTraceService } from '../proto/load-trace-service';
import type { OtlpJsonExportTraceServiceRequest } from '../otlp-json/otlp-json-types';
import type { FlatSpan } from '../store/flat-span';
import { JsonlWriter } from '../store/jsonl-writer';
import { outputFileError } from '../store/output-file-error';
import { DEFAULT_MAX_SPANS, SpanIndex, type SpanIndexView } from '../store/span-index';
import { createExportHandler, type ExportSinkTarget } from './export-handler';
import { formatListenAddress, isLoopbackHost, parseListenAddress, type ListenAddress } from './listen-address';
import { fromGrpcBindError, ListenError, listenError, probeListen } from './listen-error';
import { createOtlpHttpHandler } from './otlp-http-handler';
import { requestWireSizes } from '../volume/request-wire-sizes';
import { requestVolume, WireVolume, type RequestVolume, type WireVolumeSnapshot } from '../volume/wire-volume';

export interface TraceSinkOptions {
  /** OTLP/gRPC `host:port` to listen on (loopback only); port 0 picks a free port. */
  listen: string;
  /** OTLP/HTTP `host:port` (loopback only), as a Collector's `http` protocol; omit for gRPC only. */
  httpListen?: string;
  /** JSON-lines file to append OTLP JSON to; omit to keep spans in memory only. */
  outPath?: string;
  /** Bound on indexed spans (default 50000); the file is never truncated. */
  maxSpans?: number;
  /** Flags named in listen and file errors, for embedding CLIs (defaults `--listen`, `--http-listen`, `--out`). */
  listenFlag?: string;
  httpListenFlag?: string;
  outFlag?: string;
  /**
   * Also gzip every request (Node's default level 6, as Go's gzip.DefaultCompression) to report what it
   * would weigh compressed, as OTLP exporters send it with `compression: gzip`. Costs CPU in this process.
   */
  measureGzip?: boolean;
}

/** One accepted export request, as written to the file and as indexed. */
export interface ExportEvent {
  request: OtlpJsonExportTraceServiceRequest;
  spans: readonly FlatSpan[];
  /** Its size on the wire, span by span. */
  volume: RequestVolume;
}

export type ExportListener = (event: ExportEvent) => void;

export interface TraceSink {
  /** OTLP/gRPC `host:port` actually bound (the real port when 0 was asked for). */
  readonly address: string;
  /** OTLP/HTTP `host:port` bound, or undefined without `httpListen`; exporters post to `http://<it>/v1/traces`. */
  readonly httpAddress: string | undefined;
  /** Absolute path of the JSON-lines file, if any. */
  readonly outPath: string | undefined;
  /** Size of the file when the sink opened it (earlier runs' lines are kept; 0 for a new file). */
  readonly outPathBytesBefore: number;
  readonly index: SpanIndexView;
  /** Export requests accepted so far (requests without spans are not counted). */
  readonly exportCount: number;
  /** Spans and bytes received so far, per service and per span name. */
  volume(): WireVolumeSnapshot;
  /** Calls `listener` after each accepted request; returns an unsubscribe function. */
  onExport(listener: ExportListener): () => void;
  /** Stops both servers (letting in-flight calls finish) and closes the file. Idempotent. */
  close(): Promise<void>;
}

const MAX_RECEIVE_BYTES = 64 * 1024 * 1024;
const SHUTDOWN_GRACE_MS = 2_000;

/**
 * Starts an OTLP trace receiver: gRPC, and HTTP beside it when `httpListen` is given, both storing into one
 * index and one file, as a Collector's OTLP receiver with both protocols does. Rejects with ListenError if it
 * cannot bind (or is asked for a non-loopback address) and with OutputFileError if the file cannot be opened.
 */
export async function startTraceSink(opts: TraceSinkOptions): Promise<TraceSink> {
  const flag = opts.listenFlag ?? '--listen';
  const httpFlag = opts.httpListenFlag ?? '--http-listen';
  const address = loopbackAddress(opts.listen, flag);
  const httpAddress = opts.httpListen === undefined ? undefined : loopbackAddress(opts.httpListen, httpFlag);
  const index = new SpanIndex(opts.maxSpans ?? DEFAULT_MAX_SPANS);
  const service = loadTraceService();
  await probeListen(address, flag);
  if (httpAddress) await probeListen(httpAddress, httpFlag);

  const outPath = opts.outPath === undefined ? undefined : path.resolve(opts.outPath);
  const outPathBytesBefore = outPath === undefined ? 0 : fileSize(outPath);
  let writer: JsonlWriter | undefined;
  try {
    writer = outPath === undefined ? undefined : new JsonlWriter(outPath);
  } catch (err) {
    throw outputFileError(outPath as string, err as NodeJS.ErrnoException, opts.outFlag ?? '--out');
  }
  const listeners = new Set<ExportListener>();
  let open = true;
  let exports = 0;
  const wireVolume = new WireVolume();

  const target: ExportSinkTarget = {
    isOpen: () => open,
    decode: service.decodeRequest,
    accept: (request, line, spans, bytes) => {
      const sizes = requestWireSizes(bytes);
      const volume = requestVolume(sizes, spans, opts.measureGzip ? zlib.gzipSync(bytes).length : 0);
      writer?.writeLine(line);
      index.add(spans);
      wireVolume.add(spans, sizes, volume);
      exports += 1;
      for (const listener of [...listeners]) {
        try {
          listener({ request, spans, volume });
        } catch (err) {
          console.error(`trace-sink: export listener failed: ${(err as Error).message}`);
        }
      }
    },
  };

  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_BYTES });
  server.addService(service.rawService, { Export: createExportHandler(target) });
  const httpServer = httpAddress ? http.createServer(createOtlpHttpHandler(target)) : undefined;

  let port: number;
  let httpPort: number | undefined;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(formatListenAddress(address), grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(fromGrpcBindError(address, err, flag)) : resolve(bound),
      ),
    );
    if (httpServer && httpAddress) httpPort = await listenHttp(httpServer, httpAddress, httpFlag);
  } catch (err) {
    server.forceShutdown();
    httpServer?.close();
    writer?.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      open = false;
      await Promise.all([shutdown(server), httpServer ? closeHttp(httpServer) : undefined]);
      writer?.close();
      listeners.clear();
    })();
    return closing;
  };

  return {
    address: formatListenAddress({ host: address.host, port }),
    httpAddress: httpAddress && httpPort !== undefined ? formatListenAddress({ host: httpAddress.host, port: httpPort }) : undefined,
    outPath,
    outPathBytesBefore,
    index,
    get exportCount() {
      return exports;
    },
    volume: () => wireVolume.snapshot(),
    onExport(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close,
  };
}

/** Parses a listen flag and refuses anything but loopback: trace-sink has no TLS and no authentication. */
function loopbackAddress(text: string, flag: string): ListenAddress {
  let address: ListenAddress;
  try {
    address = parseListenAddress(text);
  } catch (err) {
    throw new ListenError(`trace-sink: invalid ${flag}: ${(err as Error).message}`, undefined);
  }
  if (!isLoopbackHost(address.host)) {
    throw new ListenError(
      `trace-sink: invalid ${flag}: ${JSON.stringify(text)} is not a loopback address; trace-sink listens on this machine only, e.g. ${flag} ${formatListenAddress({ host: '127.0.0.1', port: address.port })}`,
      undefined,
    );
  }
  return address;
}

function fileSize(file: string): number {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? stat.size : 0;
  } catch {
    return 0;
  }
}

function listenHttp(server: http.Server, address: ListenAddress, flag: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(address, err.code, err.message, flag)));
    server.listen({ host: address.host, port: address.port, exclusive: true }, () => resolve((server.address() as AddressInfo).port));
  });
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

// close() stops accepting and ends idle keep-alive connections; cut the rest after the grace period.
function closeHttp(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
