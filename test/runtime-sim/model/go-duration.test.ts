import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGoDuration, parseGoDurationNs } from '../../../runtime-sim/src/model/go-duration';

describe('parseGoDurationNs', () => {
  const valid: Array<[string, bigint]> = [
    ['0', 0n],
    ['0s', 0n],
    ['500ms', 500_000_000n],
    ['5s', 5_000_000_000n],
    ['1.5s', 1_500_000_000n],
    ['1m30s', 90_000_000_000n],
    ['2h45m', 9_900_000_000_000n],
    ['10us', 10_000n],
    ['10µs', 10_000n],
    ['7ns', 7n],
    ['.5s', 500_000_000n],
  ];
  for (const [text, ns] of valid) {
    it(`parses ${JSON.stringify(text)} as ${ns} ns`, () => assert.equal(parseGoDurationNs(text), ns));
  }
  for (const text of ['', '5', '5x', '-1s', 's', '1.s5', 'five seconds', '5 s']) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseGoDurationNs(text), undefined));
  }
});

describe('formatGoDuration', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'],
    [1_500_000_000n, '1.5s'],
    [300_000_000n, '300ms'],
    [120_000_000_000n, '2m0s'],
    [3_723_000_000_000n, '1h2m3s'],
  ];
  for (const [ns, text] of cases) {
    it(`formats ${ns} ns as ${text}`, () => assert.equal(formatGoDuration(ns), text));
  }
});
