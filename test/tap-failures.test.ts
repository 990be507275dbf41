import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { failureReport, tapFailures } from './tap-failures';

// The shape node 20's TAP reporter prints: a suite holding a passing and a failing test, then a passing
// top-level test, then a file that failed to load.
const REPORT = [
  'TAP version 13',
  '# Subtest: PLEG',
  '    # Subtest: relists on time',
  '    ok 1 - relists on time',
  '      ---',
  '      duration_ms: 1.2',
  '      ...',
  '    # Subtest: turns unhealthy after 3 min',
  '    not ok 2 - turns unhealthy after 3 min',
  '      ---',
  '      duration_ms: 3.4',
  "      location: '/repo/dist/test/pleg.test.js:10:5'",
  "      failureType: 'testCodeFailure'",
  '      error: |-',
  '        Expected values to be strictly equal:',
  '        1 !== 2',
  '      ...',
  '    1..2',
  'not ok 1 - PLEG',
  '  ---',
  '  duration_ms: 5.0',
  "  type: 'suite'",
  "  failureType: 'subtestsFailed'",
  '  ...',
  '# Subtest: top level',
  'ok 2 - top level',
  '  ---',
  '  duration_ms: 0.1',
  '  ...',
  '# Subtest: /repo/dist/test/broken.test.js',
  'not ok 3 - /repo/dist/test/broken.test.js',
  '  ---',
  "  failureType: 'testCodeFailure'",
  "  error: 'test failed'",
  '  ...',
  '1..3',
].join('\n');

describe('tapFailures', () => {
  it('lists the failing tests under their suites, not the suites that failed only through them', () => {
    const failures = tapFailures(REPORT);
    assert.deepEqual(failures.map((f) => f.path), [['PLEG', 'turns unhealthy after 3 min'], ['/repo/dist/test/broken.test.js']]);
    assert.deepEqual(failures[0].details, [
      'duration_ms: 3.4',
      "location: '/repo/dist/test/pleg.test.js:10:5'",
      "failureType: 'testCodeFailure'",
      'error: |-',
      '  Expected values to be strictly equal:',
      '  1 !== 2',
    ]);
  });

  it('finds nothing in a passing report', () => {
    assert.deepEqual(tapFailures('TAP version 13\n# Subtest: a\nok 1 - a\n1..1\n'), []);
  });
});

describe('failureReport', () => {
  it('names each lane with failures, its exit code and each failing test with its error', () => {
    const report = failureReport([
      { lane: 'serial lane', text: REPORT, code: 1 },
      { lane: 'long lane', text: 'ok 1 - x\n', code: 0 },
    ]);
    assert.match(report, /^# FAILURES\n# serial lane: 2 failed test\(s\), exit code 1\n/);
    assert.match(report, /#   not ok: PLEG > turns unhealthy after 3 min\n/);
    assert.match(report, /#       1 !== 2\n/);
    assert.doesNotMatch(report, /long lane/);
  });

  it('says when a lane failed without a failing test (the test process itself crashed)', () => {
    const report = failureReport([{ lane: 'long lane', text: 'TAP version 13\n', code: 7 }]);
    assert.match(report, /long lane: 0 failed test\(s\), exit code 7\n#   no failing test in its report/);
  });

  it('says every test passed when no lane failed', () => {
    assert.equal(failureReport([{ lane: 'serial lane', text: 'ok 1 - a\n', code: 0 }]), '# every test passed, in both lanes\n');
  });

  it('cuts a long error block and says how much was left out', () => {
    const long = ['not ok 1 - big', '  ---', ...Array.from({ length: 50 }, (_, i) => `  line ${i}`), '  ...'].join('\n');
    const report = failureReport([{ lane: 'serial lane', text: long, code: 1 }]);
    assert.match(report, /#     line 39\n#     … 10 more line\(s\), in the report above\n/);
    assert.doesNotMatch(report, /line 40/);
  });
});
