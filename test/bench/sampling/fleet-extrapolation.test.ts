import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extrapolateFleet } from './fleet-extrapolation';
import type { SettingSummary } from './run-summary';
import { isPeriodicRoot } from './trace-pacing';
import type { Volume } from './span-figures';

const v = (spans: number): Volume => ({ spans, bytes: spans * 100, gzipBytes: spans * 20 });

/** One node measured over 100 s at 2 lifecycles/s: `periodic` spans/s from the loops' timers, the rest per lifecycle. */
function summary(kubeletRate: number, parts: { kubeletPeriodic: number; sync: number; kubeletChurn: number; runtimePeriodic: number; runtimeChurn: number }): SettingSummary {
  const churn = 2;
  return {
    setting: { id: `x/${kubeletRate}`, kubeletRate },
    windowSeconds: 100,
    lifecycles: 200,
    kubeletRootedPerSecond: v(parts.kubeletPeriodic + churn * (parts.sync + parts.kubeletChurn)),
    runtimeRootedPerSecond: v(parts.runtimePeriodic + churn * parts.runtimeChurn),
    lifecyclePerLifecycle: v(parts.sync),
    kubeletChurnDrivenPerLifecycle: v(parts.kubeletChurn),
    runtimeChurnDrivenPerLifecycle: v(parts.runtimeChurn),
  } as unknown as SettingSummary;
}

describe('fleet extrapolation', () => {
  const parts = { kubeletPeriodic: 10, sync: 30, kubeletChurn: 5, runtimePeriodic: 4, runtimeChurn: 20 };
  const full = summary(1_000_000, parts);

  it('gives N times the node at the node\'s own churn (what --fleet-check compares)', () => {
    const row = extrapolateFleet({ nodes: 3, podChurnPerSecond: 6, label: '3' }, full, full);
    const node = 10 + 2 * (30 + 5) + 4 + 2 * 20;
    assert.ok(Math.abs(row.spansPerSecond - 3 * node) < 1e-9, `${row.spansPerSecond}`);
  });

  it('scales what pod changes pace with the fleet\'s churn and what the timers pace with its nodes', () => {
    const row = extrapolateFleet({ nodes: 1_000, podChurnPerSecond: 20, label: '1000' }, full, full);
    assert.ok(Math.abs(row.spansPerSecond - (1_000 * (10 + 4) + 20 * (30 + 5 + 20))) < 1e-6, `${row.spansPerSecond}`);
  });

  it('takes the kubelet\'s share of its 1,000,000 volume at a lower rate, and the runtime\'s own roots as measured', () => {
    const runtimeOnly = summary(100, { kubeletPeriodic: 0, sync: 0, kubeletChurn: 0, runtimePeriodic: 7, runtimeChurn: 3 });
    const row = extrapolateFleet({ nodes: 10, podChurnPerSecond: 1, label: '10' }, runtimeOnly, full);
    const share = 100 / 1e6;
    const expected = 10 * (share * 10 + 7) + 1 * (share * (30 + 5) + 3);
    assert.ok(Math.abs(row.spansPerSecond - expected) < 1e-9, `${row.spansPerSecond} vs ${expected}`);
  });
});

describe('trace pacing', () => {
  it('counts the loops\' timed CRI calls as periodic, from either end of the wire', () => {
    for (const name of ['runtime.v1.RuntimeService/ListPodSandbox', 'runtime.v1.RuntimeService/ListContainers', 'runtime.v1.RuntimeService/Status',
      'runtime.v1.ImageService/ImageFsInfo', 'runtime.v1.ImageService/ListImages', 'runtime.v1.RuntimeService/ListContainerStats', '/runtime.v1.RuntimeService/ListPodSandbox']) {
      assert.equal(isPeriodicRoot(name), true, name);
    }
  });

  it('counts what pod changes cause as churn-driven: status of changed pods, GC, containerd\'s container events', () => {
    for (const name of ['runtime.v1.RuntimeService/ContainerStatus', 'runtime.v1.RuntimeService/PodSandboxStatus', 'runtime.v1.RuntimeService/RemoveContainer',
      'runtime.v1.RuntimeService/StopPodSandbox', 'Containers/GarbageCollect', 'containerd.task.v3.Task/Wait', 'runtime.v1.RuntimeService/ListPodSandboxX']) {
      assert.equal(isPeriodicRoot(name), false, name);
    }
  });
});
