import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { runSimulatedNode } from '../helpers/simulated-node';
import type { SimulatedNodeRun } from '../helpers/simulated-node';

/*
 * The kubelet's background CRI traffic on a real pair of processes over ~25 s: the start-up calls in order,
 * then housekeeping (2 s), the runtime status (5 s), the eviction manager's stats (10 s), the container log
 * manager (10 s, rotating a chatty container's log past containerLogMaxSize) and the image manager (at start),
 * each call a root CLIENT span of the kubelet with its runtime SERVER child.
 */

const CHATTY = `apiVersion: v1
kind: Pod
metadata:
  name: chatty
  namespace: default
spec:
  containers:
    - name: talker
      image: docker.io/library/busybox:1.37
      command: ["sh", "-c", "while true; do echo 'a line of chatty output, long enough to fill the log'; sleep 0.1; done"]
`;

const RUNTIME = 'runtime.v1.RuntimeService';
const IMAGE = 'runtime.v1.ImageService';

describe('background CRI traffic of a simulated node (kubelet-sim + runtime-sim crio, 25 s)', () => {
  let run: SimulatedNodeRun;
  let roots: FlatSpan[];
  let logFiles: string[];

  before(async () => {
    run = await runSimulatedNode({
      kubeletSamplingRatePerMillion: 1_000_000,
      durationMs: 25_000,
      podManifests: { 'chatty.yaml': CHATTY },
      extraKubeletConfigLines: ['containerLogMaxSize: 1Ki', 'containerLogMaxFiles: 3'],
    });
    roots = run.sink.index.spans()
      .filter((s) => s.service === 'kubelet' && s.kind === 'CLIENT' && s.parentSpanId === '')
      .sort((a, b) => a.startTimeMs - b.startTimeMs);
    const podLogs = join(run.workDir, 'pod-logs');
    logFiles = readdirSync(podLogs, { recursive: true }).map(String).filter((f) => f.includes('talker/'));
  });
  after(async () => run?.cleanup());

  /** SENT message size of a CLIENT span (otelgrpc message event). */
  const sentSize = (s: FlatSpan): unknown => s.events.find((e) => e.attributes['message.type'] === 'SENT')?.attributes['message.uncompressed_size'];
  const named = (method: string, size?: number): FlatSpan[] => roots.filter((s) => s.name === method && (size === undefined || sentSize(s) === size));
  const gapsS = (spans: FlatSpan[]): number[] => spans.slice(1).map((s, i) => (s.startTimeMs - spans[i].startTimeMs) / 1000);
  const assertGaps = (spans: FlatSpan[], periodS: number, what: string): void => {
    for (const gap of gapsS(spans)) assert.ok(Math.abs(gap - periodS) < 1.5, `${what}: gaps ${gapsS(spans).map((g) => g.toFixed(2)).join(', ')} s, expected ${periodS} s`);
  };

  it('exits cleanly', () => {
    assert.equal(run.kubeletExit, 0, readFileSync(run.logPath, 'utf8'));
  });

  it('starts with Version (empty request), ImageFsInfo, RuntimeConfig x3, Version "0.1.0", all root CLIENT spans', () => {
    // A Version{} sent before runtime-sim listens fails and the start is tried again (kubelet-sim's wait for the runtime).
    const first = roots.filter((s) => s.status.code !== 'ERROR').slice(0, 6).map((s) => `${s.name} ${sentSize(s)}`);
    assert.deepEqual(first, [
      `${RUNTIME}/Version 0`,
      `${IMAGE}/ImageFsInfo 0`,
      `${RUNTIME}/RuntimeConfig 0`,
      `${RUNTIME}/RuntimeConfig 0`,
      `${RUNTIME}/RuntimeConfig 0`,
      `${RUNTIME}/Version 7`,
    ]);
  });

  it('refreshes the image cache and detects images at start: two root ListImages within 2 s of start-up', () => {
    const start = roots[0].startTimeMs;
    assert.ok(named(`${IMAGE}/ListImages`).filter((s) => s.startTimeMs - start < 2_000).length >= 2);
  });

  it('asks Status every 5 s', () => {
    const status = named(`${RUNTIME}/Status`);
    assert.ok(status.length >= 4, `${status.length} Status calls`);
    assertGaps(status, 5, 'Status');
  });

  it('lists ready sandboxes and running containers for housekeeping every 2 s (state filters)', () => {
    const housekeeping = named(`${RUNTIME}/ListPodSandbox`, 4);
    assert.ok(housekeeping.length >= 9, `${housekeeping.length} housekeeping listings`);
    assertGaps(housekeeping, 2, 'housekeeping');
    assert.equal(named(`${RUNTIME}/ListContainers`, 6).length, housekeeping.length);
  });

  it('reads the eviction manager\'s stats every 10 s: ListContainers, ListPodSandbox (empty filters), ListContainerStats', () => {
    const stats = named(`${RUNTIME}/ListContainerStats`);
    assert.ok(stats.length >= 2 && stats.length <= 3, `${stats.length} ListContainerStats`);
    assertGaps(stats, 10, 'eviction');
    // The CRI stats provider's ListPodSandbox has an empty filter (2 bytes): only the eviction manager sends one.
    assert.equal(named(`${RUNTIME}/ListPodSandbox`, 2).length, stats.length);
    for (const s of stats) assert.equal(sentSize(s), 2);
  });

  it('rotates the chatty container\'s log every 10 s: ReopenContainerLog after renaming, older rotations gzipped', () => {
    const reopen = named(`${RUNTIME}/ReopenContainerLog`);
    assert.ok(reopen.length >= 1, 'no ReopenContainerLog');
    assertGaps(reopen, 10, 'log rotation');
    assert.ok(logFiles.some((f) => /0\.log\.\d{8}-\d{6}$/.test(f)), logFiles.join(', '));
    if (reopen.length >= 2) assert.ok(logFiles.some((f) => f.endsWith('.gz')), logFiles.join(', '));
    const servers = run.sink.index.spans().filter((s) => s.kind === 'SERVER' && s.name === `${RUNTIME}/ReopenContainerLog`);
    assert.equal(servers.length, reopen.length, 'each ReopenContainerLog reached the runtime');
  });
});
