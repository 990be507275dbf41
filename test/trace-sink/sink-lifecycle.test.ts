// Listening, address errors and shutdown of the trace sink.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ListenError, parseListenAddress, startTraceSink, type TraceSink } from '../../trace-sink/src/index';
import { rawExport } from '../helpers/otlp-raw-client';
import { encodeExportRequest, RICH_REQUEST } from './otlp-fixtures';

describe('trace-sink lifecycle', () => {
  let first: TraceSink;

  before(async () => {
    first = await startTraceSink({ listen: '127.0.0.1:0' });
  });

  after(async () => {
    await first?.close();
  });

  it('fails clearly when the port is in use, naming --listen and suggesting another port', async () => {
    const port = Number(first.address.split(':')[1]);
    await assert.rejects(startTraceSink({ listen: first.address }), (err: unknown) => {
      assert.ok(err instanceof ListenError);
      assert.equal(err.code, 'EADDRINUSE');
      assert.equal(
        err.message,
        `trace-sink: cannot listen on ${first.address} (--listen): address already in use ` +
          `(another OTLP receiver such as a Collector may be running); ` +
          `pick another port, e.g. --listen 127.0.0.1:${port + 1}, or port 0 for any free port`,
      );
      return true;
    });
  });

  it('names the embedding flag when one is given', async () => {
    await assert.rejects(startTraceSink({ listen: first.address, listenFlag: '--trace-sink-listen' }), /\(--trace-sink-listen\)/);
  });

  it('rejects a malformed listen address', async () => {
    await assert.rejects(startTraceSink({ listen: '127.0.0.1' }), /invalid --listen: "127.0.0.1" is not host:port/);
    await assert.rejects(startTraceSink({ listen: 'localhost:70000' }), /port must be an integer from 0 to 65535/);
  });

  it('parses host:port forms', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:4317'), { host: '127.0.0.1', port: 4317 });
    assert.deepEqual(parseListenAddress('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parseListenAddress('4317'), { host: '127.0.0.1', port: 4317 });
    assert.throws(() => parseListenAddress('::1:4317'), /brackets/);
  });

  it('keeps memory-only sinks without a file', () => {
    assert.equal(first.outPath, undefined);
  });

  it('close() is idempotent, drains writes and stops accepting', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-sink-'));
    try {
      const sink = await startTraceSink({ listen: '127.0.0.1:0', outPath: path.join(dir, 'spans.jsonl') });
      const { error } = await rawExport(sink.address, encodeExportRequest(RICH_REQUEST));
      assert.equal(error, null);
      const closing = sink.close();
      assert.equal(sink.close(), closing, 'same promise while closing');
      await closing;
      await sink.close();
      assert.equal(fs.readFileSync(sink.outPath!, 'utf8').split('\n').filter(Boolean).length, 1);
      const late = await rawExport(sink.address, encodeExportRequest(RICH_REQUEST));
      assert.equal(late.error?.code, grpc.status.UNAVAILABLE);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
