import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perHour } from './growth-per-hour';

test('perHour is the least-squares slope per hour, and 0 without two samples', () => {
  const line = [0, 1, 2, 3].map((i) => ({ atMs: i * 900_000, v: 10 + 5 * i })); // +5 every 15 min
  assert.equal(perHour(line, (s) => s.v), 20);
  const sawtooth = [0, 1, 2, 3, 4, 5].map((i) => ({ atMs: i * 600_000, v: i % 2 === 0 ? 100 : 140 }));
  assert.ok(Math.abs(perHour(sawtooth, (s) => s.v)) < 30, 'a GC sawtooth is not growth');
  assert.equal(perHour([{ atMs: 5, v: 1 }], (s) => s.v), 0);
});
