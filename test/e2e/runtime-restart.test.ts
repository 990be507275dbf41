/**
 * runtime-sim SIGKILLed under a running kubelet-sim and started again on the same socket, once with its state
 * kept (--state-dir) and once without. The kubelet keeps running through the outage, records it as failed CRI
 * calls (Error CLIENT spans; "GenericPLEG: Unable to retrieve pods" and "Container runtime sanity check failed"
 * in its log, as the kubelet's generic.go and kubelet.go say), dials again with its back-off and converges: with the state kept nothing is created or started twice; without it, the pods are
 * created again, as the kubelet does for sandboxes it can no longer find.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTraceSink, type FlatSpan, type TraceSink } from '../../trace-sink/src';
import { startNodeProcess, type RunningProcess } from '../../node-demo/src/child-process-runner';
import { runtimeExportSetup } from '../../node-demo/src/runtime-export-setup';
import { freePort } from '../helpers/free-port';
import { waitForFile } from '../helpers/wait-for-file';

const DIST = resolve(__dirname, '..', '..');
const RPC = (m: string): string => `runtime.v1.RuntimeService/${m}`;
const POD = (name: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: default
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: [sleep, "3600"]
`;
/** Pods up before the kill; outage length; time given to converge after the runtime is back. */
const SETTLE_MS = 4_000;
const OUTAGE_MS = 3_000;
const CONVERGE_MS = 7_000;

interface RestartRun {
  spans: FlatSpan[];
  log: string;
  killAtMs: number;
  backAtMs: number;
  kubeletExit: number | string;
  runtimeExits: Array<number | string>;
}

async function runtimeRestart(keepState: boolean): Promise<RestartRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'runtime-restart-e2e-'));
  const sink: TraceSink = await startTraceSink({ listen: '127.0.0.1:0' });
  const processes: RunningProcess[] = [];
  try {
    const pods = join(workDir, 'pods');
    mkdirSync(pods);
    writeFileSync(join(pods, 'alpha.yaml'), POD('alpha'));
    writeFileSync(join(pods, 'beta.yaml'), POD('beta'));
    const configPath = join(workDir, 'kubelet-config.yaml');
    writeFileSync(configPath, [
      'apiVersion: kubelet.config.k8s.io/v1beta1',
      'kind: KubeletConfiguration',
      `staticPodPath: ${pods}`,
      `podLogsDir: ${join(workDir, 'pod-logs')}`,
      'tracing:',
      `  endpoint: ${sink.address}`,
      '  samplingRatePerMillion: 1000000',
      '',
    ].join('\n'));
    const socketPath = join(workDir, 'runtime.sock');
    const socket = `unix://${socketPath}`;
    const logPath = join(workDir, 'sims.log');
    const exportSetup = runtimeExportSetup('crio', undefined, sink.address, workDir, 0);
    const stateArgs = keepState ? ['--state-dir', join(workDir, 'state')] : [];
    const startRuntime = (): RunningProcess => {
      const p = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), ['--persona', 'crio', '--listen', socket, ...stateArgs, ...exportSetup.args], logPath, exportSetup.env);
      processes.push(p);
      return p;
    };

    let runtime = startRuntime();
    await waitForFile(socketPath, 10_000);
    const kubelet = startNodeProcess('kubelet-sim', join(DIST, 'kubelet-sim/src/main.js'), [
      '--config', configPath, '--container-runtime-endpoint', socket, '--hostname-override', 'e2e-node',
      '--duration', `${SETTLE_MS + OUTAGE_MS + CONVERGE_MS}ms`, '--port', String(await freePort()), '--healthz-port', '0',
    ], logPath);
    processes.push(kubelet);

    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const killAtMs = Date.now();
    runtime.child.kill('SIGKILL');
    const runtimeExits = [await runtime.exited];
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    rmSync(socketPath, { force: true }); // a SIGKILLed server leaves its socket file behind
    runtime = startRuntime();
    await waitForFile(socketPath, 10_000);
    const backAtMs = Date.now();
    const kubeletExit = await kubelet.exited;
    runtimeExits.push(await runtime.stop(5_000));
    return { spans: sink.index.spans(), log: readFileSync(logPath, 'utf8'), killAtMs, backAtMs, kubeletExit, runtimeExits };
  } finally {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const clientCalls = (spans: readonly FlatSpan[], method: string): FlatSpan[] =>
  spans.filter((s) => s.service === 'kubelet' && s.kind === 'CLIENT' && s.name === RPC(method));
/** The pod a CLIENT span was made for, from the syncPod span above it. */
const podOf = (spans: readonly FlatSpan[], span: FlatSpan): string | undefined =>
  String(spans.find((s) => s.spanId === span.parentSpanId)?.attributes['k8s.pod.name'] ?? '') || undefined;

for (const keepState of [true, false]) {
  describe(`runtime-sim killed and started again ${keepState ? 'with its state kept (--state-dir)' : 'without its state'}`, () => {
    let run: RestartRun;
    before(async () => {
      run = await runtimeRestart(keepState);
    });

    it('keeps kubelet-sim running through the outage: it exits 0 at the end of its --duration', () => {
      assert.equal(run.kubeletExit, 0, run.log);
      assert.equal(run.runtimeExits[1], 0, run.log);
    });

    it('records the outage: failed CRI CLIENT spans and the kubelet\'s error lines while the runtime is down', () => {
      const failed = run.spans.filter((s) => s.service === 'kubelet' && s.kind === 'CLIENT' && s.status.code === 'ERROR' &&
        s.startTimeMs >= run.killAtMs && s.startTimeMs < run.backAtMs);
      assert.ok(failed.length > 0, 'no failed CRI call during the outage');
      assert.ok(failed.every((s) => s.attributes['rpc.grpc.status_code'] === 14), 'outage calls should fail UNAVAILABLE');
      // A short outage stays under the 30 s after which the sync loop skips pods ("container runtime is down"):
      // what the kubelet logs are its relist and runtime status failures.
      assert.match(run.log, /"GenericPLEG: Unable to retrieve pods" err="rpc error: code = Unavailable/);
      assert.match(run.log, /Container runtime sanity check failed/);
    });

    it('relists successfully again once the runtime is back', (t) => {
      const relists = clientCalls(run.spans, 'ListPodSandbox').filter((s) => s.startTimeMs >= run.backAtMs && s.status.code !== 'ERROR');
      assert.ok(relists.length > 0, 'no successful ListPodSandbox after the runtime came back');
      const recoveredMs = relists[0]!.startTimeMs - run.backAtMs;
      t.diagnostic(`first successful relist ${Math.round(recoveredMs)} ms after the socket was back`);
      assert.ok(recoveredMs < CONVERGE_MS, `first good relist ${recoveredMs} ms after the socket was back`);
    });

    if (keepState) {
      it('creates no sandbox and starts no container twice', () => {
        for (const pod of ['alpha-e2e-node', 'beta-e2e-node']) {
          const created = clientCalls(run.spans, 'RunPodSandbox').filter((s) => podOf(run.spans, s) === pod && s.status.code !== 'ERROR');
          assert.equal(created.length, 1, `${pod}: ${created.length} sandboxes created`);
          const started = clientCalls(run.spans, 'StartContainer').filter((s) => podOf(run.spans, s) === pod && s.status.code !== 'ERROR');
          assert.equal(started.length, 1, `${pod}: ${started.length} container starts`);
        }
      });
    } else {
      it('creates each pod again after the restart, as the kubelet does for sandboxes that are gone', () => {
        for (const pod of ['alpha-e2e-node', 'beta-e2e-node']) {
          const created = clientCalls(run.spans, 'RunPodSandbox').filter((s) => podOf(run.spans, s) === pod && s.status.code !== 'ERROR');
          assert.equal(created.filter((s) => s.startTimeMs < run.killAtMs).length, 1, `${pod}: created before the kill`);
          assert.equal(created.filter((s) => s.startTimeMs >= run.backAtMs).length, 1, `${pod}: created again after the restart`);
          const started = clientCalls(run.spans, 'StartContainer').filter((s) => podOf(run.spans, s) === pod && s.status.code !== 'ERROR' && s.startTimeMs >= run.backAtMs);
          assert.equal(started.length, 1, `${pod}: container started again`);
        }
      });
    }
  });
}
