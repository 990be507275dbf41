import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referenceWork } from './machine-probe-child';
import { startMachineProbe } from './machine-probe';

describe('machine probe', () => {
  it('does the same work each time', () => {
    assert.equal(referenceWork(), referenceWork());
  });

  it('reports the CPU of each unit of work until stopped, and its process is gone after stop', async () => {
    const probe = startMachineProbe(30);
    await new Promise((r) => setTimeout(r, 600));
    const result = await probe.stop();
    assert.ok(result.samples >= 2, `${result.samples} samples`);
    assert.ok(result.medianCpuMs > 0 && result.medianCpuMs < 1_000, `median ${result.medianCpuMs} ms`);
    // A second stop (the run's clean-up after an error) returns at once with the same figures.
    assert.deepEqual(await probe.stop(), result);
  });

  it('reports no samples (NaN) when stopped before the first interval', async () => {
    const result = await startMachineProbe(60_000).stop();
    assert.equal(result.samples, 0);
    assert.ok(Number.isNaN(result.medianCpuMs));
  });
});
