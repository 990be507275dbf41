import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PERSONAS } from '../../../runtime-sim/src/state/persona';
import { CONTAINER_STATE, SANDBOX_STATE } from '../../../runtime-sim/src/state/types';
import { assertConsistent, containerConfig, newHarness, podConfig, podWithContainer, SECOND_NS } from './fixtures';

describe('RuntimeState time-driven exits', () => {
  for (const persona of PERSONAS) {
    describe(`[${persona}]`, () => {
      it('exits on its own at start + exit-after with code 0 and reason Completed', () => {
        const h = newHarness(persona);
        const pod = podConfig('job', { annotations: { 'sim.cri.io/exit-after': '5s' } });
        const { containerId } = podWithContainer(h, { pod });
        const startedAt = h.state.containerStatus(containerId).startedAtNs;
        h.clock.advanceMs(4999);
        assert.equal(h.state.containerStatus(containerId).state, CONTAINER_STATE.RUNNING);
        h.clock.advanceMs(60_000);
        const c = h.state.containerStatus(containerId);
        assert.equal(c.state, CONTAINER_STATE.EXITED);
        assert.equal(c.finishedAtNs, startedAt + 5n * SECOND_NS);
        assert.deepEqual([c.exitCode, c.reason], [0, 'Completed']);
        assert.equal(h.state.podSandboxStatus(c.podSandboxId).state, SANDBOX_STATE.READY);
        assertConsistent(h.state);
      });

      it('reports a non-zero exit as Error', () => {
        const h = newHarness(persona);
        const pod = podConfig('crash', { annotations: { 'sim.cri.io/exit-after': '2s', 'sim.cri.io/exit-code': '1' } });
        const { containerId } = podWithContainer(h, { pod });
        h.clock.advanceMs(2000);
        const c = h.state.containerStatus(containerId);
        assert.deepEqual([c.state, c.exitCode, c.reason], [CONTAINER_STATE.EXITED, 1, 'Error']);
      });

      it('reports an OOM kill as OOMKilled with 137', () => {
        const h = newHarness(persona);
        const pod = podConfig('hog', { annotations: { 'sim.cri.io/oom': 'true', 'sim.cri.io/exit-after': '3s' } });
        const { containerId } = podWithContainer(h, { pod });
        h.clock.advanceMs(3000);
        const c = h.state.containerStatus(containerId);
        assert.deepEqual([c.state, c.exitCode, c.reason], [CONTAINER_STATE.EXITED, 137, 'OOMKilled']);
      });

      it('applies the container annotation only to that container', () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h, {
          container: containerConfig('app', undefined, { annotations: { 'sim.cri.io/exit-after': '1s' } }),
        });
        h.clock.advanceMs(1000);
        assert.equal(h.state.containerStatus(containerId).state, CONTAINER_STATE.EXITED);
      });

      it('lets a list read see the exit too (lazy evaluation on every read)', () => {
        const h = newHarness(persona);
        const pod = podConfig('job', { annotations: { 'sim.cri.io/exit-after': '1s' } });
        podWithContainer(h, { pod });
        h.clock.advanceMs(1000);
        assert.equal(h.state.listContainers({ state: CONTAINER_STATE.EXITED }).length, 1);
      });

      it('keeps the earlier of a self-exit and a stop', () => {
        const h = newHarness(persona);
        const pod = podConfig('job', { annotations: { 'sim.cri.io/exit-after': '3s', 'sim.cri.io/exit-code': '2', 'sim.cri.io/stop-grace': 'never' } });
        const { containerId } = podWithContainer(h, { pod });
        const startedAt = h.state.containerStatus(containerId).startedAtNs;
        const { completesAtNs } = h.state.stopContainer(containerId, 30);
        assert.equal(completesAtNs, startedAt + 3n * SECOND_NS);
        h.clock.advanceMs(3000);
        const c = h.state.containerStatus(containerId);
        assert.deepEqual([c.exitCode, c.reason], [2, 'Error']);
      });

      it('advance(now) applies exits without a read', () => {
        const h = newHarness(persona);
        const pod = podConfig('job', { annotations: { 'sim.cri.io/exit-after': '1s' } });
        const { containerId } = podWithContainer(h, { pod });
        h.clock.advanceMs(1000);
        h.state.advance(h.clock.nowNs());
        assert.equal(h.state.containerStatus(containerId).state, CONTAINER_STATE.EXITED);
      });
    });
  }
});
