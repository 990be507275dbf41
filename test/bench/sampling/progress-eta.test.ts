import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSeconds, ProgressEta } from './progress-eta';

describe('ProgressEta', () => {
  it('writes one line per run when stderr is not a terminal, with runs done and the run starting', () => {
    const lines: string[] = [];
    const p = new ProgressEta(4, (l) => lines.push(l), 30_000, { isTTY: false } as NodeJS.WriteStream);
    p.starting('round 1 follow/off');
    p.finished();
    p.starting('round 1 follow/0');
    assert.equal(lines.length, 2);
    assert.match(lines[0] as string, /^\[\.{24}\] 0\/4 elapsed 0s ETA 2m00s {2}round 1 follow\/off$/);
    assert.match(lines[1] as string, /^\[#{6}\.{18}\] 1\/4 .* {2}round 1 follow\/0$/);
    p.stop();
  });

  it('estimates the time left from the runs done', () => {
    const p = new ProgressEta(10, () => undefined, 1_000, { isTTY: false } as NodeJS.WriteStream);
    assert.ok(p.remainingMs() <= 10_000 && p.remainingMs() > 9_000);
    for (let i = 0; i < 10; i++) p.finished();
    assert.equal(p.remainingMs(), 0);
  });

  it('formats seconds and minutes', () => {
    assert.equal(formatSeconds(59_400), '59s');
    assert.equal(formatSeconds(61_000), '1m01s');
  });
});
