import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../../kubelet-sim/src/container/pod';
import type { ChurnWorkloadOptions, PodSink, WorkloadTimers } from '../../../kubelet-sim/src/pod-sources/churn-workload';
import { CHURN_WORKLOAD, ChurnSchedule, ChurnWorkload, churnPod } from '../../../kubelet-sim/src/pod-sources/churn-workload';
import { validatePodObject } from '../../../kubelet-sim/src/pod-sources/pod-manifest';
import { CONFIG_ANNOTATION } from '../../../kubelet-sim/src/pod-sources/static-pod-source';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';

const START = 1_700_000_000_000;

/** Records what the workload did to the kubelet, with the (fake) time of each call. */
class RecordingSink implements PodSink {
  readonly calls: Array<{ op: 'add' | 'update' | 'delete'; uid: string; name: string; atMs: number; pod?: Pod }> = [];
  private readonly names = new Map<string, string>();
  constructor(private readonly clock: FakeClock) {}
  addPod(pod: Pod): void {
    this.names.set(pod.metadata.uid, pod.metadata.name);
    this.calls.push({ op: 'add', uid: pod.metadata.uid, name: pod.metadata.name, atMs: this.clock.nowMs() - START, pod });
  }
  updatePod(pod: Pod): void {
    this.calls.push({ op: 'update', uid: pod.metadata.uid, name: pod.metadata.name, atMs: this.clock.nowMs() - START, pod });
  }
  deletePod(uid: string): void {
    this.calls.push({ op: 'delete', uid, name: this.names.get(uid) ?? '?', atMs: this.clock.nowMs() - START });
  }
}

/** Timers that only record what was armed; the test fires them by moving the clock. */
class ManualTimers implements WorkloadTimers {
  armed: { fn: () => void; delayMs: number } | undefined;
  cleared = 0;
  setTimeout(fn: () => void, delayMs: number): unknown {
    this.armed = { fn, delayMs };
    return this.armed;
  }
  clearTimeout(): void {
    this.armed = undefined;
    this.cleared++;
  }
}

/** Runs a whole workload on a fake clock by firing each armed timer after moving the clock by its delay. */
function runToEnd(options: ChurnWorkloadOptions, maxSteps = 10_000): { sink: RecordingSink; workload: ChurnWorkload } {
  const clock = new FakeClock(START);
  const timers = new ManualTimers();
  const sink = new RecordingSink(clock);
  const workload = new ChurnWorkload(options, sink, clock, timers);
  workload.start();
  for (let i = 0; i < maxSteps && timers.armed !== undefined; i++) {
    const { fn, delayMs } = timers.armed;
    timers.armed = undefined;
    clock.step(delayMs);
    fn();
  }
  return { sink, workload };
}

const OPTIONS: ChurnWorkloadOptions = { pods: 20, podLifetimeMs: 10_000, creationRatePerSecond: 4, seed: 7 };

describe('ChurnWorkload', () => {
  describe('bounds', () => {
    const { sink, workload } = runToEnd(OPTIONS);

    it('creates exactly --pods pods and deletes every one of them, then stops arming timers', () => {
      assert.equal(sink.calls.filter((c) => c.op === 'add').length, 20);
      assert.equal(sink.calls.filter((c) => c.op === 'delete').length, 20);
      assert.equal(new Set(sink.calls.filter((c) => c.op === 'add').map((c) => c.uid)).size, 20, 'UIDs are unique');
      assert.ok(workload.isDone());
      assert.deepEqual(workload.stats, { created: 20, updated: sink.calls.filter((c) => c.op === 'update').length, deleted: 20 });
    });

    it('creates at --creation-rate (pod i at i/rate seconds) and deletes each pod --pod-lifetime later', () => {
      const adds = sink.calls.filter((c) => c.op === 'add');
      assert.deepEqual(adds.map((c) => c.atMs), Array.from({ length: 20 }, (_, i) => i * 250));
      for (const add of adds) {
        const del = sink.calls.find((c) => c.op === 'delete' && c.uid === add.uid)!;
        assert.equal(del.atMs - add.atMs, 10_000);
      }
      assert.equal(Math.max(...sink.calls.map((c) => c.atMs)), 19 * 250 + 10_000, 'the last event is the last deletion');
    });

    it('updates some pods in place halfway through their life, never after they are deleted', () => {
      const updates = sink.calls.filter((c) => c.op === 'update');
      assert.ok(updates.length > 0 && updates.length < 20, `updated ${updates.length} of 20`);
      for (const u of updates) {
        const add = sink.calls.find((c) => c.op === 'add' && c.uid === u.uid)!;
        assert.equal(u.atMs - add.atMs, 5_000);
        assert.equal(u.pod!.metadata.labels[CHURN_WORKLOAD.UPDATE_LABEL], '2');
        assert.deepEqual(u.pod!.spec, add.pod!.spec, 'an in-place update leaves the spec alone');
      }
    });
  });

  describe('determinism', () => {
    it('gives the same pods, UIDs, updates and times for the same seed', () => {
      const first = runToEnd(OPTIONS).sink.calls.map(({ op, uid, name, atMs }) => [op, uid, name, atMs]);
      const second = runToEnd(OPTIONS).sink.calls.map(({ op, uid, name, atMs }) => [op, uid, name, atMs]);
      assert.deepEqual(second, first);
    });

    it('gives different pods for another seed', () => {
      const a = runToEnd(OPTIONS).sink.calls.filter((c) => c.op === 'add').map((c) => c.uid);
      const b = runToEnd({ ...OPTIONS, seed: 8 }).sink.calls.filter((c) => c.op === 'add').map((c) => c.uid);
      assert.notDeepEqual(b, a);
    });
  });

  describe('timers and clock', () => {
    it('runs nothing before start, the first creation at start, and arms the timer for the next event', () => {
      const clock = new FakeClock(START);
      const timers = new ManualTimers();
      const sink = new RecordingSink(clock);
      const workload = new ChurnWorkload(OPTIONS, sink, clock, timers);
      assert.equal(workload.runDue(), 0);
      workload.start();
      assert.deepEqual(sink.calls.map((c) => c.op), ['add']);
      assert.equal(timers.armed?.delayMs, 250);
    });

    it('catches up on every due event when the clock jumps, and stop() halts it for good', () => {
      const clock = new FakeClock(START);
      const timers = new ManualTimers();
      const sink = new RecordingSink(clock);
      const workload = new ChurnWorkload(OPTIONS, sink, clock, timers);
      workload.start();
      clock.step(1_000);
      assert.equal(workload.runDue(), 4, 'pods 1..4 are due at 250, 500, 750, 1000 ms');
      workload.stop();
      workload.stop();
      assert.equal(timers.armed, undefined);
      clock.step(60_000);
      assert.equal(workload.runDue(), 0);
      workload.start();
      assert.equal(sink.calls.length, 5, 'a stopped workload does not restart');
    });
  });
});

describe('ChurnSchedule', () => {
  it('orders a deletion and a creation at the same time as ADD first', () => {
    const schedule = new ChurnSchedule({ pods: 3, podLifetimeMs: 1_000, creationRatePerSecond: 1, seed: 99 });
    const events = [];
    for (let e = schedule.next(); e !== undefined; e = schedule.next()) events.push(e);
    const at1000 = events.filter((e) => e.atMs === 1_000).map((e) => `${e.op}:${e.index}`);
    assert.deepEqual(at1000, ['ADD:1', 'REMOVE:0']);
    assert.equal(events.filter((e) => e.op === 'ADD').length, 3);
  });
});

describe('churnPod', () => {
  it('looks like an API server pod: source api, a seen time, a deployment-style name and a v4 UID', () => {
    const pod = churnPod(1, 0, START);
    assert.equal(pod.metadata.annotations[CONFIG_ANNOTATION.SOURCE], 'api');
    assert.equal(pod.metadata.annotations[CONFIG_ANNOTATION.SEEN], new Date(START).toISOString());
    assert.match(pod.metadata.name, /^[a-z-]+-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.match(pod.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(pod.metadata.labels['pod-template-hash'], pod.metadata.name.split('-').at(-2));
  });

  it('mixes images, pull policies and init containers across pods', () => {
    const pods = Array.from({ length: 60 }, (_, i) => churnPod(3, i, START));
    const images = new Set(pods.flatMap((p) => p.spec.containers.map((c) => c.image)));
    assert.ok(images.size >= 4, `only ${images.size} images`);
    assert.ok(pods.some((p) => p.spec.initContainers.length > 0) && pods.some((p) => p.spec.initContainers.length === 0));
    assert.ok(pods.some((p) => [...p.spec.containers, ...p.spec.initContainers].some((c) => c.imagePullPolicy === 'Always')));
  });

  it('produces pods a real API server would accept (the manifest validator agrees)', () => {
    for (let i = 0; i < 30; i++) {
      const pod = churnPod(5, i, START);
      const { parsed } = { parsed: validatePodObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, labels: pod.metadata.labels }, spec: { containers: pod.spec.containers.map((c) => ({ name: c.name, image: c.image })), initContainers: pod.spec.initContainers.map((c) => ({ name: c.name, image: c.image })) } }) };
      assert.equal(parsed.errors, undefined, JSON.stringify(parsed.errors));
    }
  });
});
