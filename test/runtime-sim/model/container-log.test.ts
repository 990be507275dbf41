import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatConmonTimestamp,
  formatLogRecords,
  formatRfc3339Nano,
  startupLogLines,
} from '../../../runtime-sim/src/model/container-log';

const T = 1_795_341_600_123_456_789n; // 2026-11-22T10:00:00.123456789Z

describe('container log format', () => {
  it('stamps like Go RFC3339Nano (containerd) and conmon (CRI-O)', () => {
    assert.equal(formatRfc3339Nano(T), '2026-11-22T10:00:00.123456789Z');
    assert.equal(formatRfc3339Nano(1_795_341_600_120_000_000n), '2026-11-22T10:00:00.12Z');
    assert.equal(formatRfc3339Nano(1_795_341_600_000_000_000n), '2026-11-22T10:00:00Z');
    assert.equal(formatConmonTimestamp(1_795_341_600_120_000_000n), '2026-11-22T10:00:00.120000000+00:00');
  });

  it('splits long lines into P records followed by one F record, never inside a character', () => {
    const format = { formatTimestamp: formatRfc3339Nano, maxLineBytes: 4 };
    assert.equal(
      formatLogRecords({ stream: 'stdout', text: 'abcdefgh€' }, T, format),
      '2026-11-22T10:00:00.123456789Z stdout P abcd\n' +
        '2026-11-22T10:00:00.123456789Z stdout P efgh\n' +
        '2026-11-22T10:00:00.123456789Z stdout F €\n',
    );
    assert.equal(formatLogRecords({ stream: 'stderr', text: '' }, T, format), '2026-11-22T10:00:00.123456789Z stderr F \n');
  });

  it('prints annotated lines, or a few deterministic default lines', () => {
    assert.deepEqual(startupLogLines({ 'sim.cri.io/log-lines': 'a\nstderr: b\n' }, {}, 'app', 1), [
      { stream: 'stdout', text: 'a' },
      { stream: 'stderr', text: 'b' },
    ]);
    assert.deepEqual(startupLogLines({}, { 'sim.cri.io/log-lines': '' }, 'app', 1), []);
    const defaults = startupLogLines({}, {}, 'app', 1);
    assert.deepEqual(startupLogLines({}, {}, 'app', 1), defaults);
    assert.ok(defaults.length >= 3 && defaults.length <= 5);
    assert.equal(defaults[0]!.text, 'starting app');
    assert.equal(defaults.at(-1)!.text, 'ready');
  });
});
