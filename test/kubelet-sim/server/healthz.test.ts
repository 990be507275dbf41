import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogHealthz, namedCheck, PING_HEALTHZ, serveRootHealthz, serveSingleCheck } from '../../../kubelet-sim/src/server/healthz';
import { SYNC_LOOP_HEALTH, syncLoopHealthCheck } from '../../../kubelet-sim/src/server/sync-loop-health-check';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';

const q = (s = '') => new URLSearchParams(s);
const healthy = (name: string) => namedCheck(name, () => undefined);
const failing = (name: string, reason: string) => namedCheck(name, () => reason);

describe('serveRootHealthz', () => {
  it('answers a bare ok when every check passes', () => {
    const r = serveRootHealthz([PING_HEALTHZ, healthy('log'), healthy('syncloop')], q());
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
    assert.equal(r.headers['Content-Type'], 'text/plain; charset=utf-8');
    assert.equal(r.headers['X-Content-Type-Options'], 'nosniff');
  });

  it('lists every check with ?verbose', () => {
    const r = serveRootHealthz([PING_HEALTHZ, healthy('log'), healthy('syncloop')], q('verbose'));
    assert.equal(r.body, '[+]ping ok\n[+]log ok\n[+]syncloop ok\nhealthz check passed\n');
  });

  it('answers 500 naming the failed check but withholding its reason, which goes to the log only', () => {
    const logged: string[] = [];
    const r = serveRootHealthz([PING_HEALTHZ, healthy('log'), failing('syncloop', SYNC_LOOP_HEALTH.MESSAGE)], q(), (l) => logged.push(l));
    assert.equal(r.status, 500);
    assert.equal(r.body, '[+]ping ok\n[+]log ok\n[-]syncloop failed: reason withheld\nhealthz check failed\n');
    assert.doesNotMatch(r.body, /took longer/);
    assert.deepEqual(logged, ['syncloop check failed: healthz\n[-]syncloop failed: sync Loop took longer than expected\n']);
  });

  it('skips excluded checks and warns about exclusions that match nothing', () => {
    const r = serveRootHealthz([PING_HEALTHZ, failing('syncloop', 'x')], q('exclude=syncloop&exclude=nope&verbose'));
    assert.equal(r.status, 200);
    assert.equal(r.body, '[+]ping ok\n[+]syncloop excluded: ok\nwarn: some health checks cannot be excluded: no matches for "nope"\nhealthz check passed\n');
  });
});

describe('serveSingleCheck', () => {
  it('shows the reason on /healthz/<name>', () => {
    assert.deepEqual(serveSingleCheck(failing('syncloop', 'sync Loop took longer than expected')).body, 'internal server error: sync Loop took longer than expected\n');
    assert.equal(serveSingleCheck(failing('syncloop', 'x')).status, 500);
    assert.equal(serveSingleCheck(PING_HEALTHZ).body, 'ok');
  });
});

describe('LogHealthz', () => {
  it('fails with "logging blocked" when the flush loop has not run for two minutes', () => {
    const clock = new FakeClock();
    const log = new LogHealthz(clock);
    try {
      assert.equal(log.check(), undefined, 'the first check starts the loop');
      clock.step(119_000);
      assert.equal(log.check(), undefined);
      clock.step(2_000);
      assert.equal(log.check(), 'logging blocked');
      log.verify();
      assert.equal(log.check(), undefined, 'a flush pass clears it');
    } finally {
      log.stop();
    }
  });
});

describe('syncLoopHealthCheck', () => {
  it('passes before the first loop iteration', () => {
    const check = syncLoopHealthCheck({ resyncIntervalMs: 60_000, latestLoopEntryMs: () => undefined }, new FakeClock());
    assert.equal(check.name, 'syncloop');
    assert.equal(check.check(), undefined);
  });

  it('fails once the loop has not entered for max(2 × syncFrequency, 5 min)', () => {
    const clock = new FakeClock();
    const entered = clock.nowMs();
    const check = syncLoopHealthCheck({ resyncIntervalMs: 60_000, latestLoopEntryMs: () => entered }, clock);
    clock.step(5 * 60_000);
    assert.equal(check.check(), undefined, 'exactly 5 min is still fine');
    clock.step(1);
    assert.equal(check.check(), 'sync Loop took longer than expected');
  });

  it('allows twice a long syncFrequency', () => {
    const clock = new FakeClock();
    const entered = clock.nowMs();
    const check = syncLoopHealthCheck({ resyncIntervalMs: 10 * 60_000, latestLoopEntryMs: () => entered }, clock);
    clock.step(19 * 60_000);
    assert.equal(check.check(), undefined);
    clock.step(60_001);
    assert.ok(check.check());
  });
});
