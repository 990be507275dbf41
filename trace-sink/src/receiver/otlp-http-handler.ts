import type * as http from 'node:http';
import * as zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { OtlpJsonError, otlpJsonToProtobuf } from '../otlp-json/otlp-json-to-protobuf';
import { otlpProtobufTypes } from '../proto/protobuf-types';
import { exportRequest, type ExportOutcome, type ExportSinkTarget } from './export-handler';

/**
 * OTLP/HTTP as the Collector's OTLP receiver serves it (open-telemetry/opentelemetry-collector
 * receiver/otlpreceiver `otlphttp.go`, `encoder.go`, `internal/errors`; config/confighttp `server.go`,
 * `compression.go`): POST /v1/traces with `application/x-protobuf` or `application/json`, answered in the
 * same encoding; errors carry a google.rpc.Status in that encoding.
 */
export const OTLP_HTTP = {
  TRACES_PATH: '/v1/traces',
  PROTOBUF: 'application/x-protobuf',
  JSON: 'application/json',
  /** confighttp's default max_request_body_size (20 MiB). */
  MAX_REQUEST_BODY_BYTES: 20 * 1024 * 1024,
  /** What otlphttp.go answers when even the error cannot be encoded in the request's content type. */
  FALLBACK_ERROR_BODY: '{"code": 13, "message": "failed to marshal error message"}',
} as const;

type Encoding = 'protobuf' | 'json';

/** The body of a successful export: an ExportTraceServiceResponse without partial_success. */
const SUCCESS_BODY: Record<Encoding, Buffer> = {
  protobuf: Buffer.alloc(0),
  // pdata marshals the non-nullable partial_success field even when it is empty.
  json: Buffer.from('{"partialSuccess":{}}'),
};

/** The request handler for an OTLP/HTTP trace receiver storing into `target`. */
export function createOtlpHttpHandler(target: ExportSinkTarget): http.RequestListener {
  return (req, res) => {
    void handle(target, req, res).catch((err: unknown) => {
      if (!res.headersSent) writeStatus(res, encodingOf(req), grpc.status.INTERNAL, (err as Error).message, 500);
    });
  };
}

async function handle(target: ExportSinkTarget, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  // confighttp decompresses before the receiver's routes, so a bad Content-Encoding is refused on any path.
  const contentEncoding = req.headers['content-encoding'] ?? '';
  const decoder = DECODERS[contentEncoding];
  if (decoder === undefined) {
    drain(req);
    writeDecompressionError(req, res, `unsupported Content-Encoding: ${contentEncoding}`);
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  if (path !== OTLP_HTTP.TRACES_PATH) {
    drain(req);
    // Go's http.NotFound, from the receiver's ServeMux.
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end('404 page not found\n');
    return;
  }
  if (req.method !== 'POST') {
    drain(req);
    writePlain(res, 405, '405 method not allowed, supported: [POST]');
    return;
  }
  const encoding = encodingOf(req);
  if (encoding === undefined) {
    drain(req);
    writePlain(res, 415, `415 unsupported media type, supported: [${OTLP_HTTP.JSON}, ${OTLP_HTTP.PROTOBUF}]`);
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(req, decoder, contentEncoding);
  } catch (err) {
    writeStatus(res, encoding, grpc.status.INVALID_ARGUMENT, (err as Error).message, 400);
    return;
  }
  let bytes = body;
  if (encoding === 'json') {
    try {
      bytes = otlpJsonToProtobuf(body);
    } catch (err) {
      if (!(err instanceof OtlpJsonError)) throw err;
      writeStatus(res, encoding, grpc.status.INVALID_ARGUMENT, err.message, 400);
      return;
    }
  }
  const outcome: ExportOutcome = exportRequest(target, bytes);
  if (outcome.code === grpc.status.OK) {
    res.writeHead(200, { 'Content-Type': contentTypeOf(encoding), 'Content-Length': SUCCESS_BODY[encoding].length });
    res.end(SUCCESS_BODY[encoding]);
    return;
  }
  writeStatus(res, encoding, outcome.code, 'message' in outcome ? outcome.message : '', httpStatusOf(outcome.code));
}

type BodyDecoder = (() => zlib.Gunzip | zlib.Inflate) | null;

/** Content-Encodings confighttp decodes that Node can decode too (zstd, snappy and lz4 are refused). */
const DECODERS: Record<string, BodyDecoder | undefined> = {
  '': null,
  gzip: () => zlib.createGunzip(),
  zlib: () => zlib.createInflate(),
  // confighttp maps deflate to its zlib reader.
  deflate: () => zlib.createInflate(),
};

/** The request's body, decompressed; the limit applies to the bytes read and to the bytes decoded. */
function readBody(req: http.IncomingMessage, decoder: BodyDecoder, contentEncoding: string): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const limit = OTLP_HTTP.MAX_REQUEST_BODY_BYTES;
    const tooLarge = (): Error => new Error('http: request body too large');
    const chunks: Buffer[] = [];
    let raw = 0;
    let decoded = 0;
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      drain(req);
      reject(err);
    };
    const stream = decoder === null ? req : req.pipe(decoder());
    req.on('data', (chunk: Buffer) => {
      raw += chunk.length;
      if (raw > limit) fail(tooLarge());
    });
    stream.on('data', (chunk: Buffer) => {
      if (done) return;
      decoded += chunk.length;
      if (decoded > limit) return fail(tooLarge());
      chunks.push(chunk);
    });
    stream.on('error', (err: Error) => fail(stream === req ? err : new Error(goDecompressionError(err, contentEncoding, raw))));
    req.on('error', (err: Error) => fail(err));
    stream.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * What Go's readers say where Node's zlib fails (compress/gzip `ErrHeader`, `ErrChecksum`; compress/zlib the
 * same; io.ErrUnexpectedEOF for a stream cut short), so that a bad body is answered with the Collector's text.
 * A body shorter than the header is cut short whatever it holds. Other corrupt-data errors keep zlib's text (Go's flate names a byte offset Node does not report).
 */
export function goDecompressionError(err: Error, contentEncoding: string, rawBytes: number): string {
  const family = contentEncoding === 'gzip' ? 'gzip' : 'zlib';
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'Z_BUF_ERROR' || err.message === 'unexpected end of file') return 'unexpected EOF';
  // Go reads the whole header (gzip 10 bytes, zlib 2) before it looks at the magic bytes.
  if (rawBytes < (family === 'gzip' ? 10 : 2)) return 'unexpected EOF';
  if (code === 'Z_DATA_ERROR' && err.message === 'incorrect header check') return `${family}: invalid header`;
  if (code === 'Z_DATA_ERROR' && err.message === 'incorrect data check') return `${family}: invalid checksum`;
  return err.message;
}

/** Reads and discards what is left of a request we have answered. */
function drain(req: http.IncomingMessage): void {
  req.resume();
}

/** mime.ParseMediaType of Content-Type: the type without parameters, lower-cased. */
function encodingOf(req: http.IncomingMessage): Encoding | undefined {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === OTLP_HTTP.PROTOBUF) return 'protobuf';
  if (mediaType === OTLP_HTTP.JSON) return 'json';
  return undefined;
}

function contentTypeOf(encoding: Encoding): string {
  return encoding === 'protobuf' ? OTLP_HTTP.PROTOBUF : OTLP_HTTP.JSON;
}

/** The receiver's errorHandler: a Status in the request's encoding, or the fallback 500 when it has none. */
function writeDecompressionError(req: http.IncomingMessage, res: http.ServerResponse, message: string): void {
  const encoding = encodingOf(req);
  if (encoding === undefined) {
    res.writeHead(500, { 'Content-Type': OTLP_HTTP.JSON });
    res.end(OTLP_HTTP.FALLBACK_ERROR_BODY);
    return;
  }
  writeStatus(res, encoding, grpc.status.INVALID_ARGUMENT, message, 400);
}

/** An error response: google.rpc.Status as protobuf, or as jsonpb writes it (`{"code":3,"message":"..."}`). */
function writeStatus(res: http.ServerResponse, encoding: Encoding | undefined, code: grpc.status, message: string, httpStatus: number): void {
  const enc = encoding ?? 'json';
  const body =
    enc === 'protobuf'
      ? Buffer.from(otlpProtobufTypes().status.encode({ code, message }).finish())
      : Buffer.from(JSON.stringify(message === '' ? { code } : { code, message }));
  res.writeHead(httpStatus, { 'Content-Type': contentTypeOf(enc), 'Content-Length': body.length });
  res.end(body);
}

function writePlain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** internal/errors GetHTTPStatusCodeFromStatus: retryable codes → 503 / 429, the rest by meaning. */
export function httpStatusOf(code: grpc.status): number {
  switch (code) {
    case grpc.status.CANCELLED:
    case grpc.status.DEADLINE_EXCEEDED:
    case grpc.status.ABORTED:
    case grpc.status.OUT_OF_RANGE:
    case grpc.status.UNAVAILABLE:
    case grpc.status.DATA_LOSS:
      return 503;
    case grpc.status.RESOURCE_EXHAUSTED:
      return 429;
    case grpc.status.INVALID_ARGUMENT:
      return 400;
    case grpc.status.UNAUTHENTICATED:
      return 401;
    case grpc.status.PERMISSION_DENIED:
      return 403;
    case grpc.status.UNIMPLEMENTED:
      return 404;
    default:
      return 500;
  }
}
