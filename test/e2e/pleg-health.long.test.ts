/**
 * A runtime that accepts connections and never answers (runtime-sim SIGSTOPped: the kernel still queues its
 * connections and requests, nothing replies) under a running kubelet-sim with default settings, until the
 * kubelet's `/healthz` fails, then SIGCONT. Upstream (kubernetes v1.34):
 *  - every CRI call ends at its deadline, runtimeRequestTimeout (2 min; cri-client remote_runtime.go), so the
 *    relist fails with DeadlineExceeded ("GenericPLEG: Unable to retrieve pods", pleg/generic.go Relist);
 *  - 30 s after the last good Status the runtime counts as down (kubelet.go maxWaitForContainerRuntime,
 *    runtime.go runtimeErrors) and the sync loop skips its iterations ("Skipping pod synchronization");
 *  - 3 min after the last successful relist PLEG is unhealthy (generic.go Healthy, RelistThreshold 3m, checked
 *    through runtimeState's "PLEG" health check): the skip message then names it;
 *  - `/healthz` has no PLEG check since the `pleg` NamedCheck was removed (server.go InstallDefaultHandlers has
 *    ping, log, syncloop): it fails only once the sync loop has not run for max(2 × syncFrequency, 5 min)
 *    (kubelet.go SyncLoopHealthCheck), i.e. about 5.5 min into the hang;
 *  - once the runtime answers, relist, status and the sync loop resume and `/healthz` is ok again.
 * The file waits for minutes by nature; `npm test` runs it beside the other files (test/run-test-files.ts).
 * A stopped process gets SIGHUP if its process group is orphaned (POSIX): run it from a shell that stays, or
 * under `setsid`, not as a background job of a shell that exits.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { startTraceSink, type FlatSpan, type TraceSink } from '../../trace-sink/src';
import type { RunningProcess } from '../../node-demo/src/child-process-runner';
import { GENERIC_PLEG } from '../../kubelet-sim/src/pleg/pleg';
import { SYNC_LOOP_BACKOFF } from '../../kubelet-sim/src/kubelet';
import { MAX_WAIT_FOR_CONTAINER_RUNTIME_MS } from '../../kubelet-sim/src/runtime-state';
import { SYNC_LOOP_HEALTH } from '../../kubelet-sim/src/server/sync-loop-health-check';
import { freePort } from '../helpers/free-port';
import { sleeperPod, startKubeletSim, startRuntimeSim, writeNodeFiles } from '../helpers/node-processes';

/** cri-client's default runtimeRequestTimeout. */
const RUNTIME_REQUEST_TIMEOUT_MS = 2 * 60_000;
/** When `/healthz` should fail at the latest: the runtime counts as down, then the sync loop check's minimum. */
const HEALTHZ_FAILS_BY_MS = MAX_WAIT_FOR_CONTAINER_RUNTIME_MS + SYNC_LOOP_HEALTH.MIN_DURATION_MS;
/** Room for a loaded machine (loop ticks, the status loop's 5 s period, polling). */
const SLACK_MS = 20_000;
const HEALTHZ_POLL_MS = 2_000;
/** The longest the node may take to be itself again once the runtime answers. */
const RECOVERY_BOUND_MS = 15_000;
const RPC = (m: string): string => `runtime.v1.RuntimeService/${m}`;

interface HealthzSample { atMs: number; status: number; body: string }
interface LogLine { atMs: number; line: string }

interface HangRun {
  spans: FlatSpan[];
  log: string;
  lines: LogLine[];
  healthz: HealthzSample[];
  /** `/healthz/syncloop` while it failed. */
  syncloopCheck: HealthzSample | undefined;
  hungAtMs: number;
  resumedAtMs: number;
  /** First `/healthz` 200 after SIGCONT. */
  healthzBackAtMs: number | undefined;
  kubeletExit: number | string;
  runtimeExit: number | string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function getHealthz(url: string): Promise<HealthzSample> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return { atMs: Date.now(), status: res.status, body: await res.text() };
  } catch (err) {
    return { atMs: Date.now(), status: 0, body: (err as Error).message };
  }
}

async function hangTheRuntime(): Promise<HangRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'pleg-health-e2e-'));
  const sink: TraceSink = await startTraceSink({ listen: '127.0.0.1:0' });
  const processes: RunningProcess[] = [];
  let runtime: RunningProcess | undefined;
  try {
    const files = writeNodeFiles(workDir, {
      pods: { 'alpha.yaml': sleeperPod('alpha'), 'beta.yaml': sleeperPod('beta') },
      collector: sink.address,
      samplingRatePerMillion: 1_000_000,
    });
    runtime = await startRuntimeSim(files);
    processes.push(runtime);
    const port = await freePort();
    const kubelet = await startKubeletSim(files, [], {}, port);
    processes.push(kubelet);
    const lines: LogLine[] = [];
    kubelet.onLine((line) => lines.push({ atMs: Date.now(), line }));
    const healthzUrl = `http://127.0.0.1:${port}/healthz`;

    // Both pods running, and /healthz answering ok, before the hang.
    const readyBy = Date.now() + 30_000;
    while (Date.now() < readyBy && sink.index.spans().filter((s) => s.service === 'kubelet' && s.name === RPC('StartContainer')).length < 2) await sleep(250);
    const healthz: HealthzSample[] = [await getHealthz(healthzUrl)];

    runtime.child.kill('SIGSTOP');
    const hungAtMs = Date.now();
    let syncloopCheck: HealthzSample | undefined;
    while (Date.now() < hungAtMs + HEALTHZ_FAILS_BY_MS + SLACK_MS) {
      await sleep(HEALTHZ_POLL_MS);
      const sample = await getHealthz(healthzUrl);
      healthz.push(sample);
      if (sample.status === 500) {
        syncloopCheck = await getHealthz(`${healthzUrl}/syncloop`);
        break;
      }
    }
    runtime.child.kill('SIGCONT');
    const resumedAtMs = Date.now();
    let healthzBackAtMs: number | undefined;
    while (Date.now() < resumedAtMs + RECOVERY_BOUND_MS * 2) {
      await sleep(250);
      const sample = await getHealthz(healthzUrl);
      healthz.push(sample);
      if (sample.status === 200) {
        healthzBackAtMs = sample.atMs;
        break;
      }
    }
    await sleep(3_000); // a few good relists and syncs after the recovery
    const kubeletExit = await kubelet.stop(15_000);
    const runtimeExit = await runtime.stop(10_000);
    return {
      spans: sink.index.spans(), log: readFileSync(files.logPath, 'utf8'), lines, healthz, syncloopCheck,
      hungAtMs, resumedAtMs, healthzBackAtMs, kubeletExit, runtimeExit,
    };
  } finally {
    runtime?.child.kill('SIGCONT'); // a stopped process cannot act on SIGTERM
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const clientCalls = (spans: readonly FlatSpan[], method: string): FlatSpan[] =>
  spans.filter((s) => s.service === 'kubelet' && s.kind === 'CLIENT' && s.name === RPC(method));
const endOf = (s: FlatSpan): number => s.startTimeMs + s.durationMs;

describe('a runtime that stops answering for longer than the PLEG threshold, then answers again', { timeout: HEALTHZ_FAILS_BY_MS + 3 * 60_000 }, () => {
  let run: HangRun;
  before(async () => {
    run = await hangTheRuntime();
  }, { timeout: HEALTHZ_FAILS_BY_MS + 2 * 60_000 });

  it('ends the hung calls at runtimeRequestTimeout (2 min) with DeadlineExceeded, and says so', () => {
    const hungRelists = clientCalls(run.spans, 'ListPodSandbox').filter((s) => s.startTimeMs >= run.hungAtMs - 1_000 && s.attributes['rpc.grpc.status_code'] === 4);
    assert.ok(hungRelists.length >= 1, 'no ListPodSandbox ended with DEADLINE_EXCEEDED');
    for (const call of hungRelists) {
      assert.equal(call.status.code, 'ERROR');
      assert.ok(call.durationMs >= RUNTIME_REQUEST_TIMEOUT_MS - 50 && call.durationMs < RUNTIME_REQUEST_TIMEOUT_MS + 5_000, `ListPodSandbox ended after ${call.durationMs} ms`);
    }
    assert.ok(clientCalls(run.spans, 'Status').some((s) => s.attributes['rpc.grpc.status_code'] === 4), 'no Status ended with DEADLINE_EXCEEDED');
    assert.match(run.log, /"GenericPLEG: Unable to retrieve pods" err="rpc error: code = DeadlineExceeded desc = /);
    assert.match(run.log, /Container runtime sanity check failed err="rpc error: code = DeadlineExceeded desc = /);
  });

  it('skips pod synchronization once the runtime is down (30 s without a good Status)', () => {
    const first = run.lines.find((l) => l.atMs > run.hungAtMs && l.line.includes('"Skipping pod synchronization" err="container runtime is down"'));
    assert.ok(first, 'no "Skipping pod synchronization" line naming the runtime');
    const afterMs = first.atMs - run.hungAtMs;
    assert.ok(afterMs >= MAX_WAIT_FOR_CONTAINER_RUNTIME_MS - 6_000 && afterMs < MAX_WAIT_FOR_CONTAINER_RUNTIME_MS + SLACK_MS, `first skip ${afterMs} ms into the hang`);
  });

  it('turns PLEG unhealthy 3 min after its last successful relist, with upstream\'s message', (t) => {
    const lastGood = clientCalls(run.spans, 'ListPodSandbox').filter((s) => s.startTimeMs < run.hungAtMs && s.status.code !== 'ERROR').at(-1);
    assert.ok(lastGood, 'no successful ListPodSandbox before the hang');
    const first = run.lines.find((l) => l.line.includes('PLEG is not healthy'));
    assert.ok(first, 'PLEG never reported unhealthy');
    assert.match(first.line, /"Skipping pod synchronization" err="\[container runtime is down, PLEG is not healthy: pleg was last seen active 3m[0-9.]+s ago; threshold is 3m0s\]"/);
    // generic.go stamps a relist's start, just before its ListPodSandbox; that relist may still have failed on
    // ListContainers at the hang, so the last successful one may be a relist period earlier.
    const sinceLastGoodMs = first.atMs - lastGood.startTimeMs;
    t.diagnostic(`PLEG reported unhealthy ${Math.round(sinceLastGoodMs)} ms after the last successful relist began, ${first.atMs - run.hungAtMs} ms into the hang`);
    assert.ok(sinceLastGoodMs >= GENERIC_PLEG.RELIST_THRESHOLD_MS - GENERIC_PLEG.RELIST_PERIOD_MS - 500, `unhealthy after ${sinceLastGoodMs} ms`);
    // The sync loop looks at most SYNC_LOOP_BACKOFF.MAX_MS apart while it is skipping (kubelet.go syncLoop back-off).
    assert.ok(sinceLastGoodMs < GENERIC_PLEG.RELIST_THRESHOLD_MS + SYNC_LOOP_BACKOFF.MAX_MS + 2_000, `unhealthy only after ${sinceLastGoodMs} ms`);
  });

  it('keeps /healthz ok while only PLEG and the runtime are unhealthy: upstream has no PLEG check', () => {
    const plegAt = run.lines.find((l) => l.line.includes('PLEG is not healthy'))!.atMs;
    const okAfterPleg = run.healthz.filter((s) => s.atMs > plegAt && s.atMs < run.hungAtMs + SYNC_LOOP_HEALTH.MIN_DURATION_MS);
    assert.ok(okAfterPleg.length > 10, `${okAfterPleg.length} /healthz samples between PLEG turning unhealthy and the sync loop check's 5 min`);
    for (const s of okAfterPleg) assert.deepEqual([s.status, s.body], [200, 'ok']);
  });

  it('fails /healthz on the syncloop check once the sync loop has not run for 5 min', (t) => {
    const firstFailure = run.healthz.find((s) => s.status !== 200);
    assert.ok(firstFailure, 'no /healthz failure');
    t.diagnostic(`/healthz first failed ${firstFailure.atMs - run.hungAtMs} ms into the hang`);
    assert.equal(firstFailure.status, 500);
    assert.equal(firstFailure.body, '[+]ping ok\n[+]log ok\n[-]syncloop failed: reason withheld\nhealthz check failed\n');
    const intoHangMs = firstFailure.atMs - run.hungAtMs;
    assert.ok(intoHangMs >= SYNC_LOOP_HEALTH.MIN_DURATION_MS && intoHangMs < HEALTHZ_FAILS_BY_MS + SLACK_MS, `/healthz failed ${intoHangMs} ms into the hang`);
    assert.deepEqual([run.syncloopCheck?.status, run.syncloopCheck?.body], [500, `internal server error: ${SYNC_LOOP_HEALTH.MESSAGE}\n`]);
    assert.match(run.log, /syncloop check failed: healthz\n\[-\]syncloop failed: sync Loop took longer than expected/);
  });

  it('recovers once the runtime answers: relist, the sync loop and /healthz are back within seconds', (t) => {
    const relist = clientCalls(run.spans, 'ListPodSandbox').filter((s) => endOf(s) >= run.resumedAtMs && s.status.code !== 'ERROR')
      .sort((a, b) => endOf(a) - endOf(b))[0];
    assert.ok(relist, 'no successful ListPodSandbox after SIGCONT');
    const relistMs = endOf(relist) - run.resumedAtMs;
    const lastSkip = run.lines.filter((l) => l.line.includes('"Skipping pod synchronization"')).at(-1)!;
    const syncMs = lastSkip.atMs - run.resumedAtMs;
    assert.ok(run.healthzBackAtMs !== undefined, '/healthz never answered ok again');
    const healthzMs = run.healthzBackAtMs - run.resumedAtMs;
    t.diagnostic(`after SIGCONT: first good relist ${Math.round(relistMs)} ms, /healthz ok (the sync loop iterating) ${healthzMs} ms, last skipped sync ${syncMs} ms (negative: none after SIGCONT)`);
    for (const [what, ms] of [['relist', relistMs], ['sync loop', syncMs], ['/healthz', healthzMs]] as const) {
      assert.ok(ms < RECOVERY_BOUND_MS, `${what} back ${ms} ms after SIGCONT`);
    }
    assert.ok(!run.lines.some((l) => l.atMs > run.resumedAtMs + RECOVERY_BOUND_MS && l.line.includes('PLEG is not healthy')));
  });

  it('creates no sandbox and starts no container twice, and both processes exit 0', () => {
    for (const method of ['RunPodSandbox', 'StartContainer']) {
      const ok = clientCalls(run.spans, method).filter((s) => s.status.code !== 'ERROR');
      assert.equal(ok.length, 2, `${ok.length} successful ${method} calls for two pods`);
    }
    assert.equal(run.kubeletExit, 0, run.log);
    assert.equal(run.runtimeExit, 0, run.log);
  });
});
