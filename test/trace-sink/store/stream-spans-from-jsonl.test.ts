// Streaming OTLP JSON lines: Collector file-exporter lines parse, malformed lines are reported by number and skipped.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FlatSpan } from '../../../trace-sink/src/store/flat-span';
import { streamSpansFromJsonl, type MalformedLine } from '../../../trace-sink/src/store/stream-spans-from-jsonl';
import { RICH_REQUEST_JSON } from '../otlp-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'stream-spans-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(lines: string[]): string {
  const path = join(dir, `f${Math.random().toString(16).slice(2)}.jsonl`);
  writeFileSync(path, lines.join('\n'));
  return path;
}

async function read(path: string): Promise<{ spans: FlatSpan[]; malformed: MalformedLine[]; lines: number }> {
  const spans: FlatSpan[] = [];
  const malformed: MalformedLine[] = [];
  const result = await streamSpansFromJsonl(path, (s) => spans.push(s), { onMalformed: (m) => malformed.push(m) });
  assert.equal(result.spans, spans.length);
  assert.equal(result.malformedLines, malformed.length);
  return { spans, malformed, lines: result.lines };
}

describe('streamSpansFromJsonl', () => {
  it('reads a Collector file exporter line: hex ids, enums as numbers, intValue as a string', async () => {
    const { spans, malformed } = await read(fileWith([RICH_REQUEST_JSON]));
    assert.deepEqual(malformed, []);
    assert.equal(spans.length, 2);
    const [span] = spans;
    assert.equal(span!.traceId, '0102030405060708090a0b0c0d0e0f10');
    assert.equal(span!.kind, 'SERVER');
    assert.equal(span!.status.code, 'ERROR');
    assert.equal(span!.attributes.neg, -5);
    assert.equal(span!.attributes.big, '9007199254740993');
    assert.equal(span!.durationMs, 100.1);
  });

  it('reports malformed lines with their numbers, skips them whole and keeps reading', async () => {
    const badId = RICH_REQUEST_JSON.replace('"spanId":"1112131415161718"', '"spanId":"11"');
    const path = fileWith([
      RICH_REQUEST_JSON,
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01"',
      '',
      '[1,2]',
      badId,
      '{"resourceMetrics":[]}',
      '{"resourceSpans":{}}',
      RICH_REQUEST_JSON,
    ]);
    const { spans, malformed, lines } = await read(path);
    assert.equal(lines, 8);
    assert.equal(spans.length, 4);
    assert.deepEqual(malformed.map((m) => m.line), [2, 4, 5, 7]);
    assert.match(malformed[0]!.message, /not valid JSON/);
    assert.match(malformed[1]!.message, /not an OTLP JSON object/);
    assert.match(malformed[2]!.message, /span 0 \("runtime.v1.RuntimeService\/RunPodSandbox"\): spanId "11" is not 16 hex digits/);
    assert.match(malformed[3]!.message, /"resourceSpans" is not a list/);
  });

  it('lowercases upper-case hex ids, as pdata accepts them', async () => {
    const upper = RICH_REQUEST_JSON.replace('0102030405060708090a0b0c0d0e0f10', '0102030405060708090A0B0C0D0E0F10');
    const { spans } = await read(fileWith([upper]));
    assert.equal(spans[0]!.traceId, '0102030405060708090a0b0c0d0e0f10');
  });

  it('survives a value of the wrong type deep in a span (reported, not thrown)', async () => {
    const broken = RICH_REQUEST_JSON.replace('{"key":"none","value":{"arrayValue":{}}}', '{"key":"none","value":{"arrayValue":{"values":5}}}');
    const { spans, malformed } = await read(fileWith([broken, RICH_REQUEST_JSON]));
    assert.equal(spans.length, 2);
    assert.deepEqual(malformed.map((m) => m.line), [1]);
    assert.match(malformed[0]!.message, /not an OTLP trace request/);
  });

  it('awaits afterLine between lines', async () => {
    const order: string[] = [];
    await streamSpansFromJsonl(fileWith([RICH_REQUEST_JSON, RICH_REQUEST_JSON]), () => order.push('span'), {
      afterLine: () => new Promise((resolve) => setTimeout(() => {
        order.push('drained');
        resolve();
      }, 5)),
    });
    assert.deepEqual(order, ['span', 'span', 'drained', 'span', 'span', 'drained']);
  });
});
