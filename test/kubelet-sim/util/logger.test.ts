import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createKlogLogger, formatKlogLine } from '../../../kubelet-sim/src/util/logger';

/** The TypeScript source of this test, to find the line a log call is on. */
const SOURCE = resolve(__dirname, '..', '..', '..', '..', 'test', 'kubelet-sim', 'util', 'logger.test.ts');

/** k8s.io/klog/v2 header: Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg */
const KLOG_LINE = /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6}) ([ \d]{7}) ([^ :\]]+):(\d+)\] (.*)$/;

describe('formatKlogLine', () => {
  const at = (micros: number, pid = 12345) => ({ nowMicros: () => micros, pid });
  const local = new Date(2026, 11, 4, 9, 5, 7, 123).getTime() * 1000 + 456;

  it('writes the klog header: severity, month and day, local time with microseconds, pid in 7 columns, file:line', () => {
    assert.equal(formatKlogLine('I', '"SyncLoop ADD"', 'kubelet.ts:163', at(local)), 'I1204 09:05:07.123456   12345 kubelet.ts:163] "SyncLoop ADD"');
    assert.equal(formatKlogLine('E', 'x', 'main.ts:9', at(local + 1)), 'E1204 09:05:07.123457   12345 main.ts:9] x');
  });

  it('keeps the last 7 digits of a longer pid, as klog does', () => {
    assert.match(formatKlogLine('W', 'm', 'a.ts:1', at(local, 123456789)), / 3456789 a\.ts:1\] m$/);
  });
});

describe('createKlogLogger', () => {
  it('names the TypeScript file and line that called it, through the source map', () => {
    const lines: string[] = [];
    const log = createKlogLogger('kubelet-sim', (l) => lines.push(l));
    log.info('"marker one"'); // klog-call-site-marker
    const expected = readFileSync(SOURCE, 'utf8').split('\n').findIndex((l) => l.includes('klog-call-site-' + 'marker')) + 1;
    const m = KLOG_LINE.exec(lines[0]!);
    assert.ok(m, lines[0]);
    assert.equal(m[9], 'logger.test.ts');
    assert.equal(Number(m[10]), expected);
    assert.equal(m[8]!.trim(), String(process.pid % 10_000_000));
    assert.equal(m[11], '"marker one"');
  });

  it('uses real microseconds, not a millisecond clock padded with zeros', () => {
    const lines: string[] = [];
    const log = createKlogLogger('kubelet-sim', (l) => lines.push(l));
    for (let i = 0; i < 50; i++) log.warn('tick');
    const micros = lines.map((l) => KLOG_LINE.exec(l)![7]!);
    assert.ok(micros.some((u) => !u.endsWith('000')), micros.join(' '));
    assert.ok(lines.every((l) => l.startsWith('W')));
  });
});
