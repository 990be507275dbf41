import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findTailLineStartIndex, formatRfc3339NanoOut, parseCriLog, parseRfc3339Nano, readLogs, type LogOptions } from '../../../kubelet-sim/src/logs/read-logs';

const ALL: LogOptions = { tail: -1, bytes: -1, sinceNs: 0n, follow: false, timestamps: false };

describe('CRI log format (kuberuntime/logs/logs.go)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'read-logs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, '0.log');
  writeFileSync(file, [
    '2026-12-04T10:00:00.100000000Z stdout F first\n',
    '2026-12-04T10:00:01.000000000+00:00 stderr F err line\n',
    '2026-12-04T10:00:02.5Z stdout P long-',
    '\n2026-12-04T10:00:02.6Z stdout F line\n',
    'garbage without fields\n',
    '2026-12-04T10:00:03Z stdout F last\n',
  ].join('').replace('long-\n\n', 'long-\n'));

  async function read(opts: Partial<LogOptions>, streams: 'both' | 'stdout' = 'both'): Promise<string> {
    let out = '';
    await readLogs(file, { ...ALL, ...opts }, { stdout: (b) => void (out += b.toString()), ...(streams === 'both' ? { stderr: (b: Buffer) => void (out += b.toString()) } : {}) });
    return out;
  }

  it('parses a record: timestamp, stream, partial tag without its newline', () => {
    const full = parseCriLog(Buffer.from('2026-12-04T10:00:00.1Z stdout F hi\n'));
    assert.ok(typeof full !== 'string');
    assert.equal(full.log.toString(), 'hi\n');
    const partial = parseCriLog(Buffer.from('2026-12-04T10:00:00.1Z stderr P:x part\n'));
    assert.ok(typeof partial !== 'string');
    assert.equal(partial.log.toString(), 'part');
    assert.equal(parseCriLog(Buffer.from('2026-12-04T10:00:00Z stdin F x\n')), 'unexpected stream type "stdin"');
  });

  it('reads every line, joins partial records, skips malformed ones', async () => {
    assert.equal(await read({}), 'first\nerr line\nlong-line\nlast\n');
    assert.equal(await read({}, 'stdout'), 'first\nlong-line\nlast\n');
  });

  it('tail counts file lines from the end; bytes cuts the output; since skips older records', async () => {
    assert.equal(await read({ tail: 1 }), 'last\n');
    assert.equal(await read({ tail: 0 }), '');
    assert.equal(await read({ bytes: 8 }), 'first\ner');
    assert.equal(await read({ sinceNs: parseRfc3339Nano('2026-12-04T10:00:01Z')! }), 'err line\nlong-line\nlast\n');
  });

  it('prefixes each line once with Go RFC3339Nano output', async () => {
    assert.equal(await read({ timestamps: true, tail: 4 }), '2026-12-04T10:00:02.5Z long-line\n2026-12-04T10:00:03Z last\n');
    assert.equal(formatRfc3339NanoOut('2026-12-04T10:00:01.000000000+00:00'), '2026-12-04T10:00:01Z');
    assert.equal(formatRfc3339NanoOut('2026-12-04T10:00:01.250000000+01:00'), '2026-12-04T10:00:01.25+01:00');
  });

  it('finds the start of the last n lines', () => {
    const b = Buffer.from('a\nbb\nccc\n');
    assert.equal(findTailLineStartIndex(b, -1), 0);
    assert.equal(findTailLineStartIndex(b, 1), 5);
    assert.equal(findTailLineStartIndex(b, 2), 2);
    assert.equal(findTailLineStartIndex(b, 9), 0);
  });

  it('names the file when it cannot be opened', async () => {
    await assert.rejects(readLogs(join(dir, 'missing.log'), ALL, {}), /^Error: failed to open log file ".*missing.log": open .*missing.log: no such file or directory$/);
  });
});
