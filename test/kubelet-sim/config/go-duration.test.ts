import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatGoDuration,
  GoDurationError,
  HOUR,
  MICROSECOND,
  MILLISECOND,
  MINUTE,
  nanosToMs,
  parseGoDuration,
  parseGoDurationMs,
  SECOND,
} from '../../../kubelet-sim/src/config';

const MAX = (1n << 63n) - 1n;
const MIN = -(1n << 63n);

describe('go-duration', () => {
  describe('parseGoDuration', () => {
    // Cases mirror Go's time.ParseDuration behaviour (accepted grammar, units, limits).
    const ok: [string, bigint][] = [
      ['0', 0n],
      ['-0', 0n],
      ['+0', 0n],
      ['5s', 5n * SECOND],
      ['+5s', 5n * SECOND],
      ['-5s', -5n * SECOND],
      ['5.0s', 5n * SECOND],
      ['5.6s', 5n * SECOND + 600n * MILLISECOND],
      ['5.s', 5n * SECOND],
      ['.5s', 500n * MILLISECOND],
      ['1.004s', SECOND + 4n * MILLISECOND],
      ['100.00100s', 100n * SECOND + MILLISECOND],
      ['10ns', 10n],
      ['11us', 11n * MICROSECOND],
      ['12\u00b5s', 12n * MICROSECOND],
      ['12\u03bcs', 12n * MICROSECOND],
      ['13ms', 13n * MILLISECOND],
      ['15m', 15n * MINUTE],
      ['16h', 16n * HOUR],
      ['1m0s', MINUTE],
      ['2h45m', 2n * HOUR + 45n * MINUTE],
      ['300ms', 300n * MILLISECOND],
      ['10.5s4m', 4n * MINUTE + 10n * SECOND + 500n * MILLISECOND],
      ['-2m3.4s', -(2n * MINUTE + 3n * SECOND + 400n * MILLISECOND)],
      ['1h2m3s4ms5us6ns', HOUR + 2n * MINUTE + 3n * SECOND + 4n * MILLISECOND + 5n * MICROSECOND + 6n],
      ['39h9m14.425s', 39n * HOUR + 9n * MINUTE + 14n * SECOND + 425n * MILLISECOND],
      ['52763797000ns', 52763797000n],
      ['0.3333333333333333333h', 20n * MINUTE],
      ['9007199254740993ns', (1n << 53n) + 1n],
      ['9223372036854775807ns', MAX],
      ['9223372036854775.807us', MAX],
      ['9223372036s854ms775us807ns', MAX],
      ['-9223372036854775808ns', MIN],
      ['-9223372036854775.808us', MIN],
      ['-2562047h47m16.854775808s', MIN],
      ['0.100000000000000000000h', 6n * MINUTE],
      ['0.830103483285477580700h', 49n * MINUTE + 48n * SECOND + 372539827n],
    ];
    for (const [input, want] of ok) {
      it(`returns ${want}ns when given ${JSON.stringify(input)}`, () => {
        assert.equal(parseGoDuration(input), want);
      });
    }

    const bad: [string, string][] = [
      ['', 'time: invalid duration ""'],
      ['abc', 'time: invalid duration "abc"'],
      ['3', 'time: missing unit in duration "3"'],
      ['-', 'time: invalid duration "-"'],
      ['s', 'time: invalid duration "s"'],
      ['.', 'time: invalid duration "."'],
      ['-.', 'time: invalid duration "-."'],
      ['.s', 'time: invalid duration ".s"'],
      ['+.s', 'time: invalid duration "+.s"'],
      ['1d', 'time: unknown unit "d" in duration "1d"'],
      ['1:30', 'time: unknown unit ":" in duration "1:30"'],
      ['10 s', 'time: unknown unit " s" in duration "10 s"'],
      ['5\u00b5', 'time: unknown unit "\\xc2\\xb5" in duration "5\\xc2\\xb5"'],
      ['\ufffd', 'time: invalid duration "\\xef\\xbf\\xbd"'],
      ['say "hi"', 'time: invalid duration "say \\"hi\\""'],
      ['9223372036854775810ns', 'time: invalid duration "9223372036854775810ns"'],
      ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
      ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
      ['9223372036854776us', 'time: invalid duration "9223372036854776us"'],
      ['3000000h', 'time: invalid duration "3000000h"'],
      ['9223372036854775.808us', 'time: invalid duration "9223372036854775.808us"'],
      ['9223372036854ms775us808ns', 'time: invalid duration "9223372036854ms775us808ns"'],
    ];
    for (const [input, message] of bad) {
      it(`throws Go's error ${message} when given ${JSON.stringify(input)}`, () => {
        assert.throws(() => parseGoDuration(input), (e: unknown) => e instanceof GoDurationError && e.message === message);
      });
    }
  });

  describe('formatGoDuration', () => {
    // Expected strings are Go's time.Duration.String() output.
    const cases: [bigint, string][] = [
      [0n, '0s'],
      [1n, '1ns'],
      [1100n, '1.1\u00b5s'],
      [2200n * MICROSECOND, '2.2ms'],
      [300n * MILLISECOND, '300ms'],
      [3300n * MILLISECOND, '3.3s'],
      [20n * SECOND, '20s'],
      [MINUTE, '1m0s'],
      [2n * MINUTE, '2m0s'],
      [4n * MINUTE + 5n * SECOND, '4m5s'],
      [4n * MINUTE + 5001n * MILLISECOND, '4m5.001s'],
      [2n * HOUR + 45n * MINUTE, '2h45m0s'],
      [5n * HOUR + 6n * MINUTE + 7001n * MILLISECOND, '5h6m7.001s'],
      [8n * MINUTE + 1n, '8m0.000000001s'],
      [-(MINUTE + 30n * SECOND), '-1m30s'],
      [-500n * MILLISECOND, '-500ms'],
      [MAX, '2562047h47m16.854775807s'],
      [MIN, '-2562047h47m16.854775808s'],
    ];
    for (const [nanos, want] of cases) {
      it(`returns ${JSON.stringify(want)} when given ${nanos}ns`, () => {
        assert.equal(formatGoDuration(nanos), want);
      });
    }

    it('accepts a number of nanoseconds', () => {
      assert.equal(formatGoDuration(60e9), '1m0s');
    });

    it('round-trips through parseGoDuration', () => {
      for (const s of ['1m0s', '20s', '300ms', '2h45m0s', '1.5\u00b5s', '-3m4.005s']) {
        assert.equal(formatGoDuration(parseGoDuration(s)), s);
      }
    });
  });

  describe('parseGoDurationMs', () => {
    it('returns milliseconds when given a Go duration', () => {
      assert.equal(parseGoDurationMs('1m0s'), 60000);
      assert.equal(parseGoDurationMs('300ms'), 300);
      assert.equal(parseGoDurationMs('1.5us'), 0.0015);
    });

    it('keeps whole-millisecond precision for large values', () => {
      assert.equal(nanosToMs(MAX), 9223372036854.775);
    });
  });
});
