import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError, parseKubeletSimArgs } from '../../../kubelet-sim/src/cli/kubelet-sim-args';
import type { RawWorkloadFlags } from '../../../kubelet-sim/src/cli/workload-flags';
import { parseWorkloadFlags } from '../../../kubelet-sim/src/cli/workload-flags';

const NONE: RawWorkloadFlags = { workload: undefined, pods: undefined, podLifetime: undefined, creationRate: undefined, workloadSeed: undefined };
const CHURN: RawWorkloadFlags = { workload: 'churn', pods: '50', podLifetime: '30s', creationRate: '2', workloadSeed: undefined };

describe('parseWorkloadFlags', () => {
  it('returns nothing without --workload', () => {
    assert.equal(parseWorkloadFlags(NONE), undefined);
  });

  it('parses a churn workload, the seed defaulting to 1', () => {
    assert.deepEqual(parseWorkloadFlags(CHURN), { pods: 50, podLifetimeMs: 30_000, creationRatePerSecond: 2, seed: 1 });
    assert.deepEqual(parseWorkloadFlags({ ...CHURN, creationRate: '0.5', workloadSeed: '42', podLifetime: '1m30s' }), { pods: 50, podLifetimeMs: 90_000, creationRatePerSecond: 0.5, seed: 42 });
  });

  it('fills a left-out flag with its documented default (50 pods, 30s, 2/s, seed 1)', () => {
    assert.deepEqual(parseWorkloadFlags({ ...NONE, workload: 'churn' }), { pods: 50, podLifetimeMs: 30_000, creationRatePerSecond: 2, seed: 1 });
    assert.deepEqual(parseWorkloadFlags({ ...NONE, workload: 'churn', pods: '3' }), { pods: 3, podLifetimeMs: 30_000, creationRatePerSecond: 2, seed: 1 });
  });

  const rejected: Array<[name: string, raw: RawWorkloadFlags, message: RegExp]> = [
    ['an unknown workload', { ...CHURN, workload: 'storm' }, /^invalid argument "storm" for "--workload" flag: supported values: "churn"$/],
    ['workload flags without --workload', { ...NONE, pods: '3' }, /^--pods only apply to a synthetic workload: add --workload churn$/],
    ['zero pods', { ...CHURN, pods: '0' }, /^invalid argument "0" for "--pods" flag: must be a whole number from 1 to 100000$/],
    ['a fractional pod count', { ...CHURN, pods: '2.5' }, /for "--pods" flag/],
    ['too many pods', { ...CHURN, pods: '100001' }, /for "--pods" flag/],
    ['a zero rate', { ...CHURN, creationRate: '0' }, /^invalid argument "0" for "--creation-rate" flag: must be a number of pods per second greater than 0/],
    ['a rate that is not a number', { ...CHURN, creationRate: 'fast' }, /^invalid argument "fast" for "--creation-rate" flag/],
    ['a lifetime without unit', { ...CHURN, podLifetime: '30' }, /^invalid argument "30" for "--pod-lifetime" flag: .*use a Go duration/],
    ['a zero lifetime', { ...CHURN, podLifetime: '0s' }, /^invalid argument "0s" for "--pod-lifetime" flag: must be greater than 0/],
    ['a lifetime over a day', { ...CHURN, podLifetime: '25h' }, /for "--pod-lifetime" flag: must be greater than 0 and at most 24h0m0s/],
    ['a negative seed', { ...CHURN, workloadSeed: '-1' }, /^invalid argument "-1" for "--workload-seed" flag/],
  ];
  for (const [name, raw, message] of rejected) {
    it(`rejects ${name}, naming the flag`, () => {
      assert.throws(() => parseWorkloadFlags(raw), { message });
    });
  }
});

describe('parseKubeletSimArgs workload flags', () => {
  it('carries the churn options through', () => {
    const args = parseKubeletSimArgs(['--config', 'k.yaml', '--workload', 'churn', '--pods', '5', '--pod-lifetime', '10s', '--creation-rate', '1', '--workload-seed', '9']);
    assert.deepEqual(args.workload, { pods: 5, podLifetimeMs: 10_000, creationRatePerSecond: 1, seed: 9 });
  });

  it('leaves the workload undefined without the flag', () => {
    assert.equal(parseKubeletSimArgs(['--config', 'k.yaml']).workload, undefined);
  });

  it('turns a bad workload flag into a FlagError', () => {
    assert.throws(() => parseKubeletSimArgs(['--config', 'k.yaml', '--workload', 'churn', '--pods', 'x', '--pod-lifetime', '10s', '--creation-rate', '1']), (err: unknown) => err instanceof FlagError && /"--pods" flag/.test((err as Error).message));
  });
});
