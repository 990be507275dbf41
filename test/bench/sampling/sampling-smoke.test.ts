/**
 * The sampling benchmark's figures agree with each other on a tiny run (three settings side by side, a few
 * seconds): what each process says it exported is what the receiver counted, sampled settings carry bytes,
 * rate 0 sends no kubelet span, and 1 in 100 kubelet roots is sampled at 10000 within binomial bounds.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { startTraceSink } from '../../../trace-sink/src';
import { consistencyChecks, type CheckResult } from './consistency-checks';
import { runNode } from './node-run';
import { samplingSettings } from './sampling-settings';

const TINY = { churn: { creationRate: 10, podLifetimeS: 1, seed: 7 }, warmUpMs: 1_000, measureMs: 2_000 } as const;

describe('sampling benchmark smoke run', () => {
  let checks: CheckResult[] = [];
  let volumeAtFull = 0;

  before(async () => {
    const settings = samplingSettings(['runtime-follows']).filter((s) => s.kubeletRate === 0 || s.kubeletRate === 10_000 || s.kubeletRate === 1_000_000);
    // Side by side: the checks are about counts, not timing.
    const runs = await Promise.all(settings.map(async (setting) => ({ setting, result: await runNode({ setting, ...TINY }) })));
    checks = consistencyChecks(runs);
    volumeAtFull = runs.find((r) => r.setting.kubeletRate === 1_000_000)!.result.spans.lifecycleByName.reduce((n, v) => n + v.spans, 0);
  });

  const expectCheck = (pattern: RegExp, count: number): void => {
    const matching = checks.filter((c) => pattern.test(c.check));
    assert.equal(matching.length, count, `checks matching ${pattern}: ${JSON.stringify(checks, null, 2)}`);
    for (const c of matching) assert.ok(c.ok, `${c.check}: ${c.detail}`);
  };

  it('receives exactly the spans each traced process reports exported', () => expectCheck(/spans received = spans it reports exported/, 6));
  it('receives spans, protobuf bytes and gzip bytes at 1000000', () => {
    expectCheck(/follow\/1000000: spans and bytes > 0/, 1);
    assert.ok(volumeAtFull > 0, 'pod lifecycle traces in the window at 1000000');
  });
  it('receives no kubelet span at rate 0', () => expectCheck(/follow\/0: 0 kubelet spans at rate 0/, 1));
  it('samples kubelet root traces at 10000 within binomial bounds', () => expectCheck(/sampled at 10000 within Binomial/, 1));
});

describe('sampling benchmark smoke run, containerd persona (OTLP/HTTP)', () => {
  let runs: { setting: ReturnType<typeof samplingSettings>[number]; result: Awaited<ReturnType<typeof runNode>> }[] = [];

  before(async () => {
    // follows (parentbased_always_off) under a kubelet at 1000000, and containerd's default with no kubelet tracing.
    const settings = samplingSettings(['runtime-follows', 'runtime-samples-all']).filter((s) => s.id === 'follow/1000000' || s.id === 'all/off');
    runs = await Promise.all(settings.map(async (setting) => ({ setting, result: await runNode({ setting, persona: 'containerd', ...TINY }) })));
  });

  it('receives exactly the spans each traced process reports exported, as service containerd', () => {
    const checks = consistencyChecks(runs);
    for (const c of checks) assert.ok(c.ok, `${c.check}: ${c.detail}`);
    assert.equal(checks.filter((c) => /spans received = spans it reports exported/.test(c.check)).length, 3);
    for (const { setting, result } of runs) {
      assert.equal(result.runtimeService, 'containerd');
      assert.ok(result.runtime.received.spans > 0, `${setting.id}: containerd spans received`);
    }
  });

  it('samples containerd\'s own roots only in the samples-all series', () => {
    const follow = runs.find((r) => r.setting.id === 'follow/1000000')!.result;
    const all = runs.find((r) => r.setting.id === 'all/off')!.result;
    assert.equal(all.kubelet.received.spans, 0, 'untraced kubelet');
    assert.ok(all.spans.runtimeRooted.spans > 0, 'containerd roots of its own at its default sampler');
    assert.equal(follow.spans.runtimeRooted.spans, 0, `parentbased_always_off: no containerd root, got ${follow.spans.runtimeRooted.spans}`);
  });
});

describe('sampling benchmark smoke run, --endpoint (the user\'s collector)', () => {
  it('sends every span to the given collector and counts them from the processes\' own exit lines', async () => {
    const collector = await startTraceSink({ listen: '127.0.0.1:0' });
    try {
      const setting = samplingSettings(['runtime-follows']).find((s) => s.kubeletRate === 1_000_000)!;
      const result = await runNode({ setting, ...TINY, collector: collector.address });
      assert.equal(result.external, true);
      assert.equal(result.kubelet.received.spans + result.runtime.received.spans, 0, 'nothing reached the embedded receiver');
      const atCollector = collector.volume().byService;
      assert.ok((result.kubelet.exit?.exported ?? 0) > 0, 'the kubelet exported spans');
      assert.equal(atCollector.kubelet?.spans, result.kubelet.exit?.exported);
      assert.equal(atCollector.crio?.spans, result.runtime.exit?.exported);
      assert.ok((result.kubelet.exportedPerSecond ?? 0) > 0);
      for (const c of consistencyChecks([{ setting, result }])) assert.ok(c.ok, `${c.check}: ${c.detail}`);
    } finally {
      await collector.close();
    }
  });
});
