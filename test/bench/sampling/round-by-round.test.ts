import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeRunResult } from './node-run';
import { machineCorrelation, renderRoundByRound, spearman } from './round-by-round';
import { samplingSettings } from './sampling-settings';

/** Only what the table reads of a run: each process's CPU per lifecycle and the probe. */
function run(kubeletMs: number, runtimeMs: number, probeMs: number): NodeRunResult {
  return {
    kubelet: { cpuSecondsPerLifecycle: kubeletMs / 1000 },
    runtime: { cpuSecondsPerLifecycle: runtimeMs / 1000 },
    machineProbe: { medianCpuMs: probeMs, samples: 60 },
  } as unknown as NodeRunResult;
}

const SETTINGS = samplingSettings(['runtime-follows'], [0]);

describe('spearman', () => {
  it('is 1 for the same order, −1 for the reverse, and shares ranks between ties', () => {
    assert.equal(spearman([[1, 10], [2, 20], [3, 30], [4, 35]]), 1);
    assert.equal(spearman([[1, 4], [2, 3], [3, 2], [4, 1]]), -1);
    assert.ok(Math.abs(spearman([[1, 1], [2, 1], [3, 2], [4, 2]]) - 0.894) < 0.001);
  });
  it('is NaN for fewer than 3 pairs or no spread', () => {
    assert.ok(Number.isNaN(spearman([[1, 1], [2, 2]])));
    assert.ok(Number.isNaN(spearman([[1, 5], [2, 5], [3, 5]])));
  });
});

describe('renderRoundByRound', () => {
  // Round 2 ran on a slow machine: every run's CPU and the probe rose together.
  const runs = new Map<string, NodeRunResult[]>([
    ['follow/off', [run(30, 20, 3.0), run(36, 24, 3.6), run(30, 20, 3.0)]],
    ['follow/0', [run(33, 22, 3.0), run(39.6, 26.4, 3.6), run(31.5, 21, 2.9)]],
  ]);

  it('gives each round\'s CPU, its ratio to the same round\'s untraced run and the probe, and the median ratio', () => {
    const text = renderRoundByRound(SETTINGS, runs);
    assert.match(text, /\| follow\/off \| 30\.0 \/ 20\.0 \(probe 3\.00\) \| 36\.0 \/ 24\.0 \(probe 3\.60\) \| 30\.0 \/ 20\.0 \(probe 3\.00\) \| 1\.00× \/ 1\.00× \| 1\.00× \/ 1\.00× \|/);
    assert.match(text, /\| follow\/0 \| 33\.0 \/ 22\.0 \(1\.10× \/ 1\.10×; probe 3\.00\) \| 39\.6 \/ 26\.4 \(1\.10× \/ 1\.10×; probe 3\.60\) \| 31\.5 \/ 21\.0 \(1\.05× \/ 1\.05×; probe 2\.90\) \| 1\.10× \/ 1\.10× \| 1\.10× \/ 1\.10× \|/);
    assert.match(text, /median 3\.00, 2\.90–3\.60 over 6 runs/);
  });

  it('takes the machine\'s speed out of the ratio when a traced run had a slower machine than its round\'s untraced run', () => {
    const text = renderRoundByRound(SETTINGS, new Map([['follow/off', [run(30, 20, 3.0)]], ['follow/0', [run(36, 24, 3.6)]]]));
    assert.match(text, /\| 1\.20× \/ 1\.20× \| 1\.00× \/ 1\.00× \|$/m);
  });

  it('finds the machine in the spread when CPU and probe move together', () => {
    assert.ok(machineCorrelation(SETTINGS, runs, 'kubelet') > 0.8);
    assert.match(renderRoundByRound(SETTINGS, runs), /kubelet-sim 1\.00, runtime-sim 1\.00/);
  });

  it('does not when they do not', () => {
    const unrelated = new Map<string, NodeRunResult[]>([
      ['follow/off', [run(30, 20, 3.6), run(36, 24, 3.0), run(30, 20, 3.3)]],
      ['follow/0', [run(33, 22, 3.3), run(39.6, 26.4, 3.0), run(31.5, 21, 3.6)]],
    ]);
    assert.ok(machineCorrelation(SETTINGS, unrelated, 'kubelet') < 0);
  });

  it('renders nothing without runs, and a dash for a round a setting did not run', () => {
    assert.equal(renderRoundByRound(SETTINGS, new Map()), '');
    const text = renderRoundByRound(SETTINGS, new Map([['follow/off', [run(30, 20, 3), run(30, 20, 3)]], ['follow/0', [run(33, 22, 3)]]]));
    assert.match(text, /\| follow\/0 \| [^|]+ \| – \| 1\.10× \/ 1\.10× \| 1\.10× \/ 1\.10× \|/);
  });
});
