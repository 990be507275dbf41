// Malformed and hostile OTLP from clients that are not ours: curl (HTTP/1.1 against OTLP/HTTP, h2c against
// OTLP/gRPC) and nghttp (raw HTTP/2 shaped like gRPC). The receiver answers each with the status the Collector's
// OTLP receiver gives (otlphttp.go, confighttp) or, on the gRPC port, what grpc-js says; it keeps serving and
// stores nothing but the valid exports. The clients come from Debian (curl, nghttp2-client); without them the
// suites skip, naming the package.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as protobuf from 'protobufjs';
import { OTLP_HTTP, startTraceSink, type TraceSink } from '../../trace-sink/src/index';
import { encodeExportRequest, RICH_REQUEST } from './otlp-fixtures';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const CLIENT_TIMEOUT_MS = 30_000;

/** google.rpc.Status, to read protobuf error bodies independently of the code under test. */
const STATUS = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(STATUS);

function skipReason(binary: string, versionArg: string, debianPackage: string): string | false {
  const probe = spawnSync(binary, [versionArg], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || probe.status !== 0) return `${binary} is not on PATH (${probe.error?.message ?? probe.stderr.trim()}); install it (apt-get install -y ${debianPackage}) to run this test`;
  return false;
}

function run(binary: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, { encoding: 'latin1', timeout: CLIENT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A gRPC length-prefixed message: flag byte, 4-byte big-endian length, payload. */
function grpcFrame(payload: Buffer, opts: { compressed?: boolean; declaredLength?: number } = {}): Buffer {
  const head = Buffer.alloc(5);
  head[0] = opts.compressed ? 1 : 0;
  head.writeUInt32BE(opts.declaredLength ?? payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** Headers and trailers as curl -D or nghttp -v print them, lower-cased names; `status` is the HTTP status. */
interface H2Answer {
  status: number;
  fields: Map<string, string>;
}

describe('trace-sink OTLP receivers fed by foreign clients', () => {
  let dir: string;
  let sink: TraceSink;
  const valid = encodeExportRequest(RICH_REQUEST);
  const file = (name: string, bytes: Buffer | string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  };
  /** Exports the receiver stored: each valid request the tests sent, nothing else. */
  let validSent = 0;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-sink-foreign-'));
    sink = await startTraceSink({ listen: '127.0.0.1:0', httpListen: '127.0.0.1:0', outPath: path.join(dir, 'spans.jsonl') });
  });

  after(async () => {
    await sink?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('curl, HTTP/1.1 against OTLP/HTTP', { skip: skipReason('curl', '--version', 'curl') }, () => {
    /** curl's answer: HTTP status, Content-Type, body. */
    async function curl(args: string[]): Promise<{ status: number; contentType: string; body: Buffer }> {
      const bodyPath = path.join(dir, `answer-${process.hrtime.bigint()}`);
      const r = await run('curl', ['-sS', '--http1.1', '-o', bodyPath, '-w', '%{http_code} %{content_type}', ...args]);
      assert.equal(r.code, 0, `curl ${args.join(' ')} failed: ${r.stderr}`);
      const [status, contentType = ''] = r.stdout.split(' ');
      return { status: Number(status), contentType, body: fs.readFileSync(bodyPath) };
    }
    const url = (): string => `http://${sink.httpAddress}${OTLP_HTTP.TRACES_PATH}`;
    const protoStatus = (body: Buffer): { code: number; message: string } => STATUS.toObject(STATUS.decode(body), { defaults: true }) as { code: number; message: string };

    it('refuses a content type that is not OTLP with 415, naming the two it takes', async () => {
      for (const type of ['text/plain', 'application/octet-stream', 'application/grpc', 'application/protobuf']) {
        const a = await curl(['-X', 'POST', '-H', `Content-Type: ${type}`, '--data-binary', `@${file('valid.bin', valid)}`, url()]);
        assert.equal(a.status, 415, type);
        assert.equal(a.body.toString(), `415 unsupported media type, supported: [${OTLP_HTTP.JSON}, ${OTLP_HTTP.PROTOBUF}]`);
      }
    });

    it('takes a chunked body and one sent after Expect: 100-continue', async () => {
      const chunked = await curl(['-X', 'POST', '-H', `Content-Type: ${OTLP_HTTP.PROTOBUF}`, '-H', 'Transfer-Encoding: chunked', '--data-binary', `@${file('valid.bin', valid)}`, url()]);
      assert.deepEqual([chunked.status, chunked.contentType, chunked.body.length], [200, OTLP_HTTP.PROTOBUF, 0]);
      validSent++;
      const expect = await curl(['-X', 'POST', '-H', `Content-Type: ${OTLP_HTTP.PROTOBUF}`, '-H', 'Expect: 100-continue', '--data-binary', `@${file('valid.bin', valid)}`, url()]);
      assert.equal(expect.status, 200);
      validSent++;
    });

    it('answers a truncated protobuf, in chunks or after 100-continue, with 400 and InvalidArgument', async () => {
      const truncated = file('truncated.bin', valid.subarray(0, 20));
      for (const extra of [[], ['-H', 'Transfer-Encoding: chunked'], ['-H', 'Expect: 100-continue']]) {
        const a = await curl(['-X', 'POST', '-H', `Content-Type: ${OTLP_HTTP.PROTOBUF}`, ...extra, '--data-binary', `@${truncated}`, url()]);
        assert.deepEqual([a.status, a.contentType], [400, OTLP_HTTP.PROTOBUF], extra.join(' '));
        const s = protoStatus(a.body);
        assert.equal(s.code, 3);
        assert.match(s.message, /^malformed ExportTraceServiceRequest: /);
      }
    });

    it('answers gzip that is not gzip with Go\'s gzip and zlib texts (invalid header, unexpected EOF, invalid checksum)', async () => {
      const post = (encoding: string, type: string, name: string, bytes: Buffer) =>
        curl(['-X', 'POST', '-H', `Content-Type: ${type}`, '-H', `Content-Encoding: ${encoding}`, '--data-binary', `@${file(name, bytes)}`, url()]);
      const plain = await post('gzip', OTLP_HTTP.PROTOBUF, 'plain.bin', valid);
      assert.deepEqual([plain.status, protoStatus(plain.body)], [400, { code: 3, message: 'gzip: invalid header' }]);
      const json = await post('gzip', OTLP_HTTP.JSON, 'plain.json', Buffer.from('{"resourceSpans":[]}'));
      assert.deepEqual([json.status, JSON.parse(json.body.toString())], [400, { code: 3, message: 'gzip: invalid header' }]);
      // Shorter than gzip's 10-byte header: Go's reader runs out before it checks the magic bytes.
      const short = await post('gzip', OTLP_HTTP.JSON, 'short.json', Buffer.from('notgzip'));
      assert.deepEqual([short.status, JSON.parse(short.body.toString())], [400, { code: 3, message: 'unexpected EOF' }]);
      const gz = gzipSync(valid);
      const cut = await post('gzip', OTLP_HTTP.PROTOBUF, 'cut.gz', gz.subarray(0, gz.length - 12));
      assert.deepEqual([cut.status, protoStatus(cut.body)], [400, { code: 3, message: 'unexpected EOF' }]);
      const badCrc = Buffer.from(gz);
      badCrc[badCrc.length - 8] ^= 0xff;
      const crc = await post('gzip', OTLP_HTTP.PROTOBUF, 'crc.gz', badCrc);
      assert.deepEqual([crc.status, protoStatus(crc.body)], [400, { code: 3, message: 'gzip: invalid checksum' }]);
      const deflate = await post('deflate', OTLP_HTTP.PROTOBUF, 'plain-deflate.bin', valid);
      assert.deepEqual([deflate.status, protoStatus(deflate.body)], [400, { code: 3, message: 'zlib: invalid header' }]);
      const zstd = await post('zstd', OTLP_HTTP.PROTOBUF, 'plain-zstd.bin', valid);
      assert.deepEqual([zstd.status, protoStatus(zstd.body)], [400, { code: 3, message: 'unsupported Content-Encoding: zstd' }]);
    });

    it('refuses a body over 20 MiB, with a length or chunked, and a gzip bomb that inflates past it', async () => {
      const big = file('big.bin', Buffer.alloc(OTLP_HTTP.MAX_REQUEST_BODY_BYTES + 1));
      for (const extra of [[], ['-H', 'Transfer-Encoding: chunked']]) {
        const a = await curl(['-X', 'POST', '-H', `Content-Type: ${OTLP_HTTP.PROTOBUF}`, ...extra, '--data-binary', `@${big}`, url()]);
        assert.deepEqual([a.status, protoStatus(a.body)], [400, { code: 3, message: 'http: request body too large' }], extra.join(' '));
      }
      const bomb = gzipSync(Buffer.alloc(OTLP_HTTP.MAX_REQUEST_BODY_BYTES * 2));
      assert.ok(bomb.length < 100_000);
      const b = await curl(['-X', 'POST', '-H', `Content-Type: ${OTLP_HTTP.PROTOBUF}`, '-H', 'Content-Encoding: gzip', '--data-binary', `@${file('bomb.gz', bomb)}`, url()]);
      assert.deepEqual([b.status, protoStatus(b.body)], [400, { code: 3, message: 'http: request body too large' }]);
    });

    it('answers JSON that is not OTLP with 400 and a JSON Status, and a GET with 405', async () => {
      for (const body of ['{"resourceSpans": 5}', '{"resourceSpans": [', 'null', '[]']) {
        const a = await curl(['-X', 'POST', '-H', `Content-Type: ${OTLP_HTTP.JSON}`, '--data-binary', body, url()]);
        assert.deepEqual([a.status, a.contentType], [400, OTLP_HTTP.JSON], body);
        assert.equal(JSON.parse(a.body.toString()).code, 3, body);
      }
      const get = await curl([url()]);
      assert.deepEqual([get.status, get.body.toString()], [405, '405 method not allowed, supported: [POST]']);
    });

    it('answers h2c on the OTLP/gRPC port without gRPC framing with 415 (grpc-js; grpc-go adds grpc-status 3)', async () => {
      for (const extra of [['-X', 'POST', '-H', `Content-Type: ${OTLP_HTTP.PROTOBUF}`, '--data-binary', `@${file('valid.bin', valid)}`], []]) {
        // grpc-js answers on the request headers and resets the stream; when that reset overtakes curl's upload,
        // curl reports the stream as broken (exit 92) instead of the answer: a race of the two, so ask again.
        const args = ['-sS', '--http2-prior-knowledge', '-o', '/dev/null', '-w', '%{http_code} %{http_version}', ...extra, `http://${sink.address}${EXPORT_PATH}`];
        let r = await run('curl', args);
        for (let attempt = 1; attempt < 5 && r.code === 92; attempt++) r = await run('curl', args);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, '415 2', extra.join(' '));
      }
    });

    it('answers gRPC-shaped h2c with garbage in the message with grpc-status 3, and a frame claiming 3 GB with 8', async () => {
      const h2 = async (name: string, body: Buffer): Promise<Map<string, string>> => {
        const r = await run('curl', ['-sS', '--http2-prior-knowledge', '-D', '-', '-o', '/dev/null', '-X', 'POST', '-H', 'Content-Type: application/grpc', '-H', 'TE: trailers',
          '--data-binary', `@${file(name, body)}`, `http://${sink.address}${EXPORT_PATH}`]);
        assert.equal(r.code, 0, r.stderr);
        return new Map(r.stdout.split(/\r?\n/).map((l) => /^([^:]+): (.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m[1].toLowerCase(), decodeURIComponent(m[2])]));
      };
      const garbage = await h2('garbage.grpc', grpcFrame(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])));
      assert.equal(garbage.get('grpc-status'), '3');
      assert.match(garbage.get('grpc-message') ?? '', /^malformed ExportTraceServiceRequest: /);
      const huge = await h2('huge.grpc', grpcFrame(valid.subarray(0, 15), { declaredLength: 3_000_000_000 }));
      assert.equal(huge.get('grpc-status'), '8');
      assert.equal(huge.get('grpc-message'), 'Received message larger than max (3000000000 vs 67108864)');
    });
  });

  describe('nghttp, raw HTTP/2 shaped like gRPC', { skip: skipReason('nghttp', '--version', 'nghttp2-client') }, () => {
    /** nghttp -v: the response's header and trailer fields of the one stream, and the status. */
    async function nghttp(body: Buffer | undefined, headers: string[], name: string): Promise<H2Answer> {
      const args = ['-v', '-t', '10', ...headers.flatMap((h) => ['-H', h])];
      if (body !== undefined) args.push('-d', file(name, body));
      const r = await run('nghttp', [...args, `http://${sink.address}${EXPORT_PATH}`]);
      assert.equal(r.code, 0, `nghttp failed: ${r.stderr}${r.stdout.slice(-500)}`);
      const fields = new Map<string, string>();
      for (const m of r.stdout.matchAll(/recv \(stream_id=\d+\) ([^:\s][^:]*|:status): (.*)/g)) fields.set(m[1], decodeURIComponent(m[2]));
      return { status: Number(fields.get(':status')), fields };
    }
    const grpcHeaders = [':method: POST', 'content-type: application/grpc', 'te: trailers'];

    it('stores a well-formed export sent by nghttp', async () => {
      const a = await nghttp(grpcFrame(valid), grpcHeaders, 'valid.grpc');
      assert.deepEqual([a.status, a.fields.get('grpc-status')], [200, '0']);
      validSent++;
    });

    it('answers garbage payloads and wrong framing with a grpc-status, never storing them', async () => {
      const cases: Array<[string, Buffer, string, RegExp]> = [
        ['bytes that are not protobuf', grpcFrame(Buffer.from('not a protobuf message at all')), '3', /^malformed ExportTraceServiceRequest: /],
        ['a message cut short (frame says 100 bytes, 10 sent)', grpcFrame(Buffer.from('0123456789'), { declaredLength: 100 }), '12', /^Received no request message/],
        ['only two bytes of a frame header', Buffer.from([0, 0]), '12', /^Received no request message/],
        ['no message at all', Buffer.alloc(0), '12', /^Received no request message/],
        ['two messages for a unary call', Buffer.concat([grpcFrame(valid), grpcFrame(valid)]), '12', /^Received a second request message/],
        ['a length prefix of 4 GB', Buffer.concat([Buffer.from([0, 0xff, 0xff, 0xff, 0xff]), valid]), '8', /^Received message larger than max \(4294967295 vs 67108864\)$/],
        // grpc-js reads a flag byte other than 1 as "not compressed", and a set flag without grpc-encoding as
        // identity: the payload is then parsed (grpc-go answers 13, "grpc: received unexpected payload format 7" /
        // "grpc: compressed flag set with identity or empty encoding"; rpc_util.go checkRecvPayload).
        ['an unknown compression flag (grpc-js parses the payload)', Buffer.concat([Buffer.from([7, 0, 0, 0, 1]), Buffer.from([0])]), '3', /^malformed ExportTraceServiceRequest: /],
        ['the compressed flag without grpc-encoding (grpc-js parses the payload)', grpcFrame(Buffer.from('hello'), { compressed: true }), '3', /^malformed ExportTraceServiceRequest: /],
      ];
      for (const [what, body, code, message] of cases) {
        const a = await nghttp(body, grpcHeaders, 'case.grpc');
        assert.equal(a.status, 200, what);
        assert.equal(a.fields.get('grpc-status'), code, `${what}: ${a.fields.get('grpc-message')}`);
        assert.match(a.fields.get('grpc-message') ?? '', message, what);
      }
    });

    it('answers a gzip-flagged message with an encoding it cannot decode, or garbage under gzip, with a grpc-status', async () => {
      const unknown = await nghttp(grpcFrame(Buffer.from('x'), { compressed: true }), [...grpcHeaders, 'grpc-encoding: zstd'], 'zstd.grpc');
      assert.equal(unknown.fields.get('grpc-status'), '12', unknown.fields.get('grpc-message'));
      const notGzip = await nghttp(grpcFrame(valid, { compressed: true }), [...grpcHeaders, 'grpc-encoding: gzip'], 'gzip.grpc');
      assert.ok(['13', '3'].includes(notGzip.fields.get('grpc-status') ?? ''), `${notGzip.fields.get('grpc-status')} ${notGzip.fields.get('grpc-message')}`);
    });

    it('answers a GET and a POST without a gRPC content type with 415', async () => {
      assert.equal((await nghttp(undefined, [], 'get')).status, 415);
      assert.equal((await nghttp(grpcFrame(valid), [':method: POST'], 'no-type.grpc')).status, 415);
      assert.equal((await nghttp(grpcFrame(valid), [':method: POST', 'content-type: text/plain'], 'text.grpc')).status, 415);
    });
  });

  describe('afterwards', () => {
    it('still serves: a valid export is stored, and the file holds only the valid exports', async () => {
      const before = sink.exportCount;
      const res = await fetch(`http://${sink.httpAddress}${OTLP_HTTP.TRACES_PATH}`, { method: 'POST', headers: { 'Content-Type': OTLP_HTTP.PROTOBUF }, body: valid });
      assert.equal(res.status, 200);
      validSent++;
      assert.equal(sink.exportCount, before + 1);
      const spansPerExport = RICH_REQUEST.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length;
      const lines = fs.readFileSync(sink.outPath!, 'utf8').split('\n').filter((l) => l !== '');
      assert.equal(sink.exportCount, validSent, 'every stored export is one the tests sent whole');
      assert.equal(lines.length, validSent);
      for (const line of lines) assert.equal(JSON.parse(line).resourceSpans.flatMap((r: { scopeSpans: Array<{ spans: unknown[] }> }) => r.scopeSpans.flatMap((s) => s.spans)).length, spansPerExport);
    });
  });
});
