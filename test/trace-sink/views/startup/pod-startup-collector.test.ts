import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PodStartupCollector } from '../../../../trace-sink/src/views/startup/pod-startup-collector';
import { computeStartupBreakdown } from '../../../../trace-sink/src/views/startup/startup-breakdown';
import { summariseStartups, nearestRank } from '../../../../trace-sink/src/views/startup/startup-stats';
import { renderStartupReport } from '../../../../trace-sink/src/views/startup/render-startup-report';
import type { CriCallRecord } from '../../../../trace-sink/src/views/startup/startup-records';
import { cri, span, syncPod, T1, T2, T3 } from '../view-spans';

const call = (method: string, startMs: number, endMs: number): CriCallRecord => ({ method, startMs, endMs, error: false });

describe('computeStartupBreakdown', () => {
  it('counts each instant once: the highest-priority call, else kubelet time in a syncPod, else waiting', () => {
    const b = computeStartupBreakdown(
      { startMs: 0, endMs: 100 },
      [{ startMs: 0, endMs: 60 }, { startMs: 80, endMs: 120 }],
      [call('RunPodSandbox', 5, 15), call('PullImage', 20, 40), call('CreateContainer', 30, 50), call('ImageStatus', 50, 52), call('StartContainer', 85, 95)],
    );
    assert.deepEqual(b, { sandboxMs: 10, imagePullMs: 20, pullQueueMs: 0, containerCreateMs: 10, containerStartMs: 10, otherCriMs: 2, kubeletGapMs: 28, betweenSyncPodsMs: 20 });
    const sum = Object.values(b).reduce((x, y) => x + y, 0);
    assert.equal(sum, 100);
  });
});

describe('computeStartupBreakdown and the image puller', () => {
  it('counts the wait between an ImageStatus and the PullImage after it as pull queue, not kubelet time', () => {
    const b = computeStartupBreakdown({ startMs: 0, endMs: 100 }, [{ startMs: 0, endMs: 100 }], [call('ImageStatus', 0, 10), call('PullImage', 70, 90), call('CreateContainer', 92, 100)]);
    assert.deepEqual(b, { sandboxMs: 0, imagePullMs: 20, pullQueueMs: 60, containerCreateMs: 8, containerStartMs: 0, otherCriMs: 10, kubeletGapMs: 2, betweenSyncPodsMs: 0 });
  });
});

/** A CRI-O runtime span under a kubelet CLIENT span, with CRI-O's log lines as events. */
function crioServer(traceId: string, spanId: string, parent: string, method: string, startMs: number, logs: string[]) {
  return span({ traceId, spanId, parentSpanId: parent, name: `/runtime.v1.RuntimeService/${method}`, service: 'crio', startMs, durationMs: 1, logs });
}

describe('PodStartupCollector', () => {
  it('follows a pod over syncPods (init container, then app) and stops at the first restart, with CRI-O names', () => {
    const c = new PodStartupCollector();
    const id1 = 'aa01';
    const id2 = 'bb02';
    const id3 = 'cc03';
    const spans = [
      // syncPod 1: sandbox, pull, create + start the init container "migrate".
      syncPod(T1, 'a1', 'default/web', 0, 100),
      cri(T1, 'b1', 'a1', 'RunPodSandbox', 0, 20),
      cri(T1, 'b2', 'a1', 'PullImage', 20, 30),
      cri(T1, 'b3', 'a1', 'CreateContainer', 50, 20),
      crioServer(T1, 'c3', 'b3', 'CreateContainer', 51, ['Creating container: default/web/migrate', `Created container ${id1}: default/web/migrate`]),
      cri(T1, 'b4', 'a1', 'StartContainer', 70, 20),
      crioServer(T1, 'c4', 'b4', 'StartContainer', 71, [`Starting container: ${id1}`]),
      // syncPod 2, 1 s later: the app container "nginx".
      syncPod(T2, 'a2', 'default/web', 1000, 50),
      cri(T2, 'd1', 'a2', 'CreateContainer', 1000, 10),
      crioServer(T2, 'e1', 'd1', 'CreateContainer', 1001, [`Created container ${id2}: default/web/nginx`]),
      cri(T2, 'd2', 'a2', 'StartContainer', 1010, 30),
      crioServer(T2, 'e2', 'd2', 'StartContainer', 1011, [`Starting container: ${id2}`]),
      // syncPod 3: nginx restarted: not part of the startup.
      syncPod(T3, 'a3', 'default/web', 5000, 50),
      cri(T3, 'f1', 'a3', 'CreateContainer', 5000, 10),
      crioServer(T3, 'g1', 'f1', 'CreateContainer', 5001, [`Created container ${id3}: default/web/nginx`]),
      cri(T3, 'f2', 'a3', 'StartContainer', 5010, 30),
      crioServer(T3, 'g2', 'f2', 'StartContainer', 5011, [`Starting container: ${id3}`]),
    ];
    // Runtime spans arrive before the kubelet's, as they often do.
    for (const s of [...spans].reverse()) c.add(s);
    const [pod] = c.startups();
    assert.equal(pod!.pod, 'default/web');
    assert.equal(pod!.node, 'node-a');
    assert.equal(pod!.complete, true);
    assert.equal(pod!.containerIdentity, 'runtime');
    assert.deepEqual(pod!.containers, ['migrate', 'nginx']);
    assert.equal(pod!.totalMs, 1040);
    assert.deepEqual(pod!.traceIds, [T1, T2]);
    assert.deepEqual(pod!.breakdown, { sandboxMs: 20, imagePullMs: 30, pullQueueMs: 0, containerCreateMs: 30, containerStartMs: 50, otherCriMs: 0, kubeletGapMs: 10, betweenSyncPodsMs: 900 });
  });

  it('reads containerd 2.x container.name / container.id attributes', () => {
    const c = new PodStartupCollector();
    c.add(syncPod(T1, 'a1', 'default/db', 0, 100));
    c.add(cri(T1, 'b1', 'a1', 'CreateContainer', 10, 10));
    c.add(span({ traceId: T1, spanId: 'c1', parentSpanId: 'b1', name: 'runtime.v1.RuntimeService/CreateContainer', service: 'containerd', kind: 'SERVER', startMs: 11, durationMs: 5, attributes: { 'container.id': 'f00d', 'container.name': 'postgres_db_default_uid_0' } }));
    c.add(cri(T1, 'b2', 'a1', 'StartContainer', 30, 10));
    c.add(span({ traceId: T1, spanId: 'c2', parentSpanId: 'b2', name: 'runtime.v1.RuntimeService/StartContainer', service: 'containerd', kind: 'SERVER', startMs: 31, durationMs: 5, attributes: { 'container.id': 'f00d' } }));
    // A restart (attempt 1) is the same container.
    c.add(syncPod(T2, 'a2', 'default/db', 500, 100));
    c.add(cri(T2, 'd1', 'a2', 'CreateContainer', 510, 10));
    c.add(span({ traceId: T2, spanId: 'e1', parentSpanId: 'd1', name: 'runtime.v1.RuntimeService/CreateContainer', service: 'containerd', kind: 'SERVER', startMs: 511, durationMs: 5, attributes: { 'container.id': 'beef', 'container.name': 'postgres_db_default_uid_1' } }));
    c.add(cri(T2, 'd2', 'a2', 'StartContainer', 530, 10));
    c.add(span({ traceId: T2, spanId: 'e2', parentSpanId: 'd2', name: 'runtime.v1.RuntimeService/StartContainer', service: 'containerd', kind: 'SERVER', startMs: 531, durationMs: 5, attributes: { 'container.id': 'beef' } }));
    const [pod] = c.startups();
    assert.deepEqual(pod!.containers, ['postgres']);
    assert.equal(pod!.totalMs, 40);
  });

  it('without runtime spans ends the startup with the first syncPod that started containers', () => {
    const c = new PodStartupCollector();
    c.add(syncPod(T1, 'a1', 'default/x', 0, 100));
    c.add(cri(T1, 'b1', 'a1', 'StartContainer', 10, 10));
    c.add(cri(T1, 'b2', 'a1', 'StartContainer', 40, 10));
    c.add(syncPod(T2, 'a2', 'default/x', 500, 100));
    c.add(cri(T2, 'd1', 'a2', 'StartContainer', 510, 10));
    const [pod] = c.startups();
    assert.equal(pod!.containerIdentity, 'first-sync');
    assert.equal(pod!.containers.length, 2);
    assert.equal(pod!.totalMs, 50);
  });

  it('marks a pod whose containers never started (failed StartContainer) incomplete, out of the percentiles', () => {
    const c = new PodStartupCollector();
    c.add(syncPod(T1, 'a1', 'default/broken', 0, 100));
    c.add(cri(T1, 'b1', 'a1', 'StartContainer', 10, 10, 'exec format error'));
    c.add(syncPod(T2, 'a2', 'default/ok', 0, 30));
    c.add(cri(T2, 'd1', 'a2', 'StartContainer', 10, 10));
    const report = summariseStartups(c.startups());
    assert.equal(report.completePods, 1);
    assert.equal(report.incompletePods, 1);
    assert.equal(report.slowest[0]!.pod, 'default/ok');
    assert.equal(report.percentiles[0]!.values.p50, 20);
    assert.match(renderStartupReport(report), /default\/broken .* not started/);
  });
});

describe('nearestRank', () => {
  it('is the nearest-rank percentile', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(nearestRank(v, 50), 5);
    assert.equal(nearestRank(v, 90), 9);
    assert.equal(nearestRank(v, 99), 10);
    assert.equal(nearestRank([], 50), 0);
  });
});
