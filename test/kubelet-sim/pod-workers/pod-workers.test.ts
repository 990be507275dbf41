import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Pod } from '../../../kubelet-sim/src/container/pod';
import { PodCache } from '../../../kubelet-sim/src/container/pod-status';
import type { PodStatus } from '../../../kubelet-sim/src/container/pod-status';
import type { RuntimePod } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import { runtimePodToApiPod } from '../../../kubelet-sim/src/kuberuntime/kuberuntime-manager';
import type { PodSyncer } from '../../../kubelet-sim/src/pod-workers/pod-workers';
import { PodWorkers } from '../../../kubelet-sim/src/pod-workers/pod-workers';
import type { SyncPodType } from '../../../kubelet-sim/src/pod-workers/sync-pod-type';
import { SYNC_POD_TYPE } from '../../../kubelet-sim/src/pod-workers/sync-pod-type';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import { LoopTurns } from '../../../cri-proto/src/transport/loop-turns';
import { flush, makePod } from '../fixtures';

type SyncCall =
  | { fn: 'syncPod'; updateType: SyncPodType; pod: Pod; status: PodStatus }
  | { fn: 'syncTerminatingPod'; pod: Pod; status: PodStatus; gracePeriodSeconds: number }
  | { fn: 'syncTerminatingRuntimePod'; runningPod: RuntimePod }
  | { fn: 'syncTerminatedPod'; pod: Pod; status: PodStatus };

/** A PodSyncer that records each call; a test may hold a call open, fail it, or say the pod is terminal. */
class RecordingSyncer implements PodSyncer {
  readonly calls: SyncCall[] = [];
  /** What the next syncPod calls do, consumed in order; default: succeed, not terminal. */
  readonly plan: Array<'hold' | 'fail' | 'terminal'> = [];
  /** What the next syncTerminatingRuntimePod calls do, consumed in order; default: succeed. */
  readonly runtimePlan: Array<'fail'> = [];
  private release: (() => void) | undefined;

  async syncPod(updateType: SyncPodType, pod: Pod, status: PodStatus): Promise<{ isTerminal: boolean }> {
    this.calls.push({ fn: 'syncPod', updateType, pod, status });
    const step = this.plan.shift();
    if (step === 'hold') await new Promise<void>((resolve) => (this.release = resolve));
    if (step === 'fail') throw new Error('failed to "StartContainer" for "app" with ErrImagePull');
    return { isTerminal: step === 'terminal' };
  }

  async syncTerminatingPod(pod: Pod, status: PodStatus, gracePeriodSeconds: number): Promise<void> {
    this.calls.push({ fn: 'syncTerminatingPod', pod, status, gracePeriodSeconds });
  }

  async syncTerminatingRuntimePod(runningPod: RuntimePod): Promise<void> {
    this.calls.push({ fn: 'syncTerminatingRuntimePod', runningPod });
    if (this.runtimePlan.shift() === 'fail') throw new Error('failed to "KillContainer" for "app" with KillError');
  }

  async syncTerminatedPod(pod: Pod, status: PodStatus): Promise<void> {
    this.calls.push({ fn: 'syncTerminatedPod', pod, status });
  }

  releaseHeld(): void {
    const release = this.release;
    this.release = undefined;
    assert.ok(release, 'no syncPod is being held');
    release();
  }

  summary(): string[] {
    return this.calls.map((c) => (c.fn === 'syncPod' ? `syncPod:${c.updateType}` : c.fn));
  }
}

describe('PodWorkers', () => {
  let clock: FakeClock;
  let cache: PodCache;
  let syncer: RecordingSyncer;
  let errors: Array<{ pod: Pod; phase: string; err: unknown }>;
  let workers: PodWorkers;
  const pod = makePod({ name: 'web', uid: 'uid-web', terminationGracePeriodSeconds: 17 });

  beforeEach(() => {
    clock = new FakeClock();
    cache = new PodCache();
    syncer = new RecordingSyncer();
    errors = [];
    workers = new PodWorkers(syncer, cache, clock, {
      resyncIntervalMs: 60_000,
      onError: (p, phase, err) => errors.push({ pod: p, phase, err }),
      random: () => 0.5,
    });
  });

  afterEach(async () => {
    cache.updateTime(Number.MAX_SAFE_INTEGER); // wake any worker still waiting, then stop
    await workers.stop();
  });

  /** PLEG's part: time passes and the cache gets fresher than every sync so far. */
  async function relist(ms = 1_000): Promise<void> {
    clock.step(ms);
    cache.updateTime(clock.nowMs());
    await flush();
  }

  describe('updatePod', () => {
    it('waits for a pod cache newer than its last sync before the first sync', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await flush();
      assert.deepEqual(syncer.calls, []);
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create']);
    });

    it('passes an empty status when the runtime has nothing for the pod', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      assert.deepEqual((syncer.calls[0] as Extract<SyncCall, { fn: 'syncPod' }>).status, { uid: 'uid-web', name: 'web', namespace: 'default', sandboxStatuses: [], containerStatuses: [] });
    });

    it('passes the status PLEG cached for the pod', async () => {
      const cached: PodStatus = { uid: 'uid-web', name: 'web', namespace: 'default', sandboxStatuses: [], containerStatuses: [] };
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      clock.step(1_000);
      cache.set('uid-web', cached, clock.nowMs());
      await flush();
      assert.equal((syncer.calls[0] as Extract<SyncCall, { fn: 'syncPod' }>).status, cached);
    });

    it('waits for a relist newer than the end of the previous sync before syncing again', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.SYNC);
      await flush();
      assert.deepEqual(syncer.summary(), ['syncPod:create'], 'no newer status yet');
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncPod:sync']);
    });

    it('makes the first sync a create and later ones sync', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.SYNC);
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.SYNC);
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncPod:sync', 'syncPod:sync']);
    });

    it('syncs once more for an update that arrives while the first sync waits for the cache', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      workers.updatePod(pod, SYNC_POD_TYPE.SYNC);
      workers.updatePod(pod, SYNC_POD_TYPE.SYNC);
      await relist();
      await relist();
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncPod:sync']);
    });

    it('coalesces updates that arrive while a sync is in flight into one more sync with the newest pod', async () => {
      syncer.plan.push('hold');
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create']);
      const newest = makePod({ name: 'web', uid: 'uid-web', labels: { version: '3' } });
      workers.updatePod(pod, SYNC_POD_TYPE.SYNC);
      workers.updatePod(pod, SYNC_POD_TYPE.UPDATE);
      workers.updatePod(newest, SYNC_POD_TYPE.UPDATE);
      await flush();
      assert.equal(syncer.calls.length, 1, 'at most one sync in flight per pod');
      syncer.releaseHeld();
      await relist();
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncPod:update']);
      assert.equal((syncer.calls[1] as Extract<SyncCall, { fn: 'syncPod' }>).pod, newest);
    });

    it('ignores a kill for a pod it never started', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      await relist();
      assert.deepEqual(syncer.calls, []);
      assert.equal(workers.knownPod('uid-web'), undefined);
    });

    it('runs pods independently: a held sync of one pod does not delay another', async () => {
      const other = makePod({ name: 'other', uid: 'uid-other' });
      syncer.plan.push('hold');
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.updatePod(other, SYNC_POD_TYPE.CREATE);
      await relist();
      assert.deepEqual(syncer.calls.map((c) => (c.fn === 'syncTerminatingRuntimePod' ? c.runningPod.uid : c.pod.metadata.uid)), ['uid-web', 'uid-other']);
      syncer.releaseHeld();
    });
  });

  describe('termination', () => {
    it('after a kill, calls syncTerminatingPod with the grace period, then syncTerminatedPod, exactly once each', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      await relist();
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      workers.updatePod(pod, SYNC_POD_TYPE.SYNC);
      await relist();
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod', 'syncTerminatedPod']);
      const terminating = syncer.calls[1] as Extract<SyncCall, { fn: 'syncTerminatingPod' }>;
      assert.equal(terminating.gracePeriodSeconds, 17);
    });

    it('terminates a pod killed while its sync is in flight once that sync ends', async () => {
      syncer.plan.push('hold');
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create']);
      syncer.releaseHeld();
      await flush(); // the held sync ends before the next relist
      await relist();
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod', 'syncTerminatedPod']);
    });

    it('runs syncTerminatedPod only after a relist newer than syncTerminatingPod', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod']);
      assert.equal(workers.shouldPodContentBeRemoved('uid-web'), false, 'terminated, but syncTerminatedPod has not run');
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod', 'syncTerminatedPod']);
    });

    it('moves a pod whose sync reports it terminal to terminating on its own, without a kill', async () => {
      syncer.plan.push('terminal');
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      await relist();
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod', 'syncTerminatedPod']);
      assert.equal(workers.isPodTerminated('uid-web'), true);
    });

    it('reports the phases through knownPod, isPodTerminated and runningPodCount', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      assert.equal(workers.knownPod('uid-web'), pod);
      assert.equal(workers.isPodTerminated('uid-web'), false);
      assert.equal(workers.runningPodCount(), 1);
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      assert.equal(workers.runningPodCount(), 0);
      await relist();
      await relist();
      assert.equal(workers.isPodTerminated('uid-web'), true);
      assert.equal(workers.knownPod('uid-web'), undefined, 'a finished pod is no longer known');
    });
  });

  describe('requeue', () => {
    it('requeues a failed syncPod after the 10s back-off (×1.25 with random 0.5), reporting the error', async () => {
      syncer.plan.push('fail');
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      assert.equal(errors.length, 1);
      assert.equal(errors[0].phase, 'syncing');
      assert.match(String(errors[0].err), /ErrImagePull/);
      assert.deepEqual(workers.podsToSync(), []);
      clock.step(9_999);
      assert.deepEqual(workers.podsToSync(), [], 'not before 10s');
      clock.step(15_000 - 9_999);
      assert.deepEqual(workers.podsToSync(), [pod], 'due by 15s');
    });

    it('is due exactly at 12.5s with random fixed at 0.5', async () => {
      syncer.plan.push('fail');
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      clock.step(12_499);
      assert.deepEqual(workers.podsToSync(), []);
      clock.step(1);
      assert.deepEqual(workers.podsToSync(), [pod]);
    });

    it('requeues a healthy pod after the resync interval with jitter', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      clock.step(60_000);
      assert.deepEqual(workers.podsToSync(), []);
      clock.step(30_000);
      assert.deepEqual(workers.podsToSync(), [pod]);
    });

    it('takes a pod off the queue when it is updated', async () => {
      syncer.plan.push('fail');
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      clock.step(20_000);
      assert.equal(workers.podsToSync().length, 1);
      syncer.plan.push('hold');
      workers.updatePod(pod, SYNC_POD_TYPE.SYNC);
      assert.deepEqual(workers.podsToSync(), []);
      await relist();
      syncer.releaseHeld();
    });

    it('does not requeue a terminating pod', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      await relist();
      await relist();
      clock.step(10 * 60_000);
      assert.deepEqual(workers.podsToSync(), []);
    });
  });

  describe('shouldPodContentBeRemoved', () => {
    it('is false for a pod the workers never knew until syncKnownPods has run, true after', () => {
      assert.equal(workers.shouldPodContentBeRemoved('unknown-uid'), false, 'before the first housekeeping');
      workers.syncKnownPods(new Set());
      assert.equal(workers.shouldPodContentBeRemoved('unknown-uid'), true);
    });

    it('is true once a pod that left the config has terminated, and stays true after its worker is forgotten', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      assert.equal(workers.shouldPodContentBeRemoved('uid-web'), false);
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      workers.syncKnownPods(new Set());
      assert.equal(workers.shouldPodContentBeRemoved('uid-web'), false, 'deleted, but still terminating');
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod']);
      assert.equal(workers.shouldPodContentBeRemoved('uid-web'), true, 'deleted and terminated');
      await relist();
      workers.syncKnownPods(new Set());
      assert.equal(workers.shouldPodContentBeRemoved('uid-web'), true, 'forgotten');
    });

    it('is false for a finished pod still in the config (terminal on its own, not deleted)', async () => {
      syncer.plan.push('terminal');
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      for (let i = 0; i < 3; i++) await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod', 'syncTerminatedPod']);
      workers.syncKnownPods(new Set(['uid-web']));
      assert.equal(workers.shouldPodContentBeRemoved('uid-web'), false);
    });
  });

  describe('syncKnownPods', () => {
    it('reports each worker with its state, and forgets finished ones no longer desired', async () => {
      const other = makePod({ name: 'other', uid: 'uid-other', annotations: { 'kubernetes.io/config.source': 'file' } });
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      workers.updatePod(other, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      await relist();
      assert.deepEqual(Object.fromEntries(workers.syncKnownPods(new Set(['uid-web', 'uid-other']))), {
        'uid-web': { state: 'terminated', orphan: false, hasConfig: true, static: false },
        'uid-other': { state: 'sync', orphan: false, hasConfig: true, static: true },
      });
      await relist();
      assert.deepEqual([...workers.syncKnownPods(new Set(['uid-other'])).keys()], ['uid-other'], 'finished and not desired: forgotten');
    });

    it('terminates a syncing pod that left the config without a kill', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      const known = workers.syncKnownPods(new Set());
      assert.deepEqual(known.get('uid-web'), { state: 'terminating', orphan: true, hasConfig: true, static: false });
      await relist();
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod', 'syncTerminatedPod']);
      assert.equal((syncer.calls[1] as Extract<SyncCall, { fn: 'syncTerminatingPod' }>).gracePeriodSeconds, 17);
    });

    it('restarts a UID added again after it terminated: the create waits, the worker is forgotten, then a new one starts', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      await relist();
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod', 'syncTerminatedPod'], 'a finished worker takes no create');
      assert.equal(workers.syncKnownPods(new Set(['uid-web'])).has('uid-web'), false, 'restart requested: the worker is forgotten although desired');
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      assert.deepEqual(syncer.summary().slice(3), ['syncPod:create']);
    });
  });

  describe('killRuntimePod', () => {
    const orphan: RuntimePod = {
      uid: 'uid-orphan',
      name: 'old-node-a',
      namespace: 'kube-system',
      sandboxes: [{ id: 'sandbox-9', state: 'running', createdAtMs: 1_000 }],
      containers: [{ id: 'ctr-9', name: 'app', sandboxId: 'sandbox-9', state: 'running', createdAtMs: 1_000, imageRef: 'sha256:1', image: 'nginx:1.27' }],
    };

    it('runs syncTerminatingRuntimePod at once, without waiting for the pod cache, then forgets the pod', async () => {
      workers.killRuntimePod(orphan);
      await flush();
      assert.deepEqual(syncer.summary(), ['syncTerminatingRuntimePod']);
      assert.equal((syncer.calls[0] as Extract<SyncCall, { fn: 'syncTerminatingRuntimePod' }>).runningPod, orphan);
      assert.equal(workers.knownPod('uid-orphan'), undefined);
      workers.syncKnownPods(new Set());
      assert.equal(workers.shouldPodContentBeRemoved('uid-orphan'), true);
      await relist();
      assert.deepEqual(syncer.summary(), ['syncTerminatingRuntimePod'], 'no syncTerminatedPod for a runtime pod');
    });

    it('after a failure, keeps the pod terminating and retries when housekeeping next syncs the known pods', async () => {
      syncer.runtimePlan.push('fail');
      workers.killRuntimePod(orphan);
      await flush();
      assert.equal(errors.length, 1);
      assert.equal(errors[0].phase, 'terminating');
      assert.deepEqual(workers.syncKnownPods(new Set()).get('uid-orphan'), { state: 'terminating', orphan: true, hasConfig: false, static: false });
      await flush();
      assert.deepEqual(syncer.summary(), ['syncTerminatingRuntimePod', 'syncTerminatingRuntimePod']);
      assert.equal(workers.syncKnownPods(new Set()).has('uid-orphan'), false);
      clock.step(10 * 60_000);
      assert.deepEqual(workers.podsToSync(), [], 'never on the resync queue');
    });

    it('ignores any update but a kill for a runtime pod', async () => {
      syncer.runtimePlan.push('fail');
      workers.killRuntimePod(orphan);
      await flush();
      workers.updatePod(runtimePodToApiPod(orphan), SYNC_POD_TYPE.SYNC);
      await relist();
      assert.deepEqual(syncer.summary(), ['syncTerminatingRuntimePod']);
    });

    it('terminates a pod the workers know with its own spec and a 1 s grace period instead', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.killRuntimePod({ ...orphan, uid: 'uid-web' });
      await relist();
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod', 'syncTerminatedPod']);
      const terminating = syncer.calls[1] as Extract<SyncCall, { fn: 'syncTerminatingPod' }>;
      assert.equal(terminating.pod, pod);
      assert.equal(terminating.gracePeriodSeconds, 1);
    });

    it('ignores the request for a pod already terminated', async () => {
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      workers.updatePod(pod, SYNC_POD_TYPE.KILL);
      await relist();
      workers.killRuntimePod({ ...orphan, uid: 'uid-web' });
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create', 'syncTerminatingPod', 'syncTerminatedPod']);
    });
  });

  describe('stop', () => {
    it('waits for the sync in flight and starts no new work', async () => {
      syncer.plan.push('hold');
      workers.updatePod(pod, SYNC_POD_TYPE.CREATE);
      await relist();
      let stopped = false;
      const stopping = workers.stop().then(() => (stopped = true));
      await flush();
      assert.equal(stopped, false);
      syncer.releaseHeld();
      await stopping;
      workers.updatePod(makePod({ uid: 'late' }), SYNC_POD_TYPE.CREATE);
      await relist();
      assert.deepEqual(syncer.summary(), ['syncPod:create']);
    });
  });

  describe('turn-taking', () => {
    it('starts the syncs of workers woken by one relist on separate event-loop turns, in order', async () => {
      const turns = new LoopTurns();
      const gated = new PodWorkers(syncer, cache, clock, { resyncIntervalMs: 60_000, onError: () => undefined, random: () => 0.5, turns });
      try {
        const pods = ['a', 'b', 'c'].map((name) => makePod({ name, uid: `uid-${name}` }));
        for (const p of pods) gated.updatePod(p, SYNC_POD_TYPE.CREATE);
        clock.step(1_000);
        cache.updateTime(clock.nowMs());
        await Promise.resolve();
        await Promise.resolve();
        const started = (): string[] => syncer.calls.map((c) => (c.fn === 'syncPod' ? c.pod.metadata.name : c.fn));
        assert.ok(started().length <= 1, `at most one sync in the relist's turn, got ${started().join(',')}`);
        await flush(6);
        assert.deepEqual(started(), ['a', 'b', 'c']);
      } finally {
        cache.updateTime(Number.MAX_SAFE_INTEGER);
        await gated.stop();
      }
    });
  });
});

