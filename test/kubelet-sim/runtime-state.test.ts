import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateErrorText, MAX_WAIT_FOR_CONTAINER_RUNTIME_MS, RuntimeState } from '../../kubelet-sim/src/runtime-state';
import { FakeClock } from '../../kubelet-sim/src/util/clock';

describe('RuntimeState.runtimeErrors', () => {
  it('reports a runtime that has not answered Status yet', () => {
    const state = new RuntimeState(new FakeClock());
    assert.deepEqual(state.runtimeErrors(), ['container runtime status check may not have completed yet']);
  });

  it('is clean after a good status, and reports the runtime down 30 s later', () => {
    const clock = new FakeClock();
    const state = new RuntimeState(clock);
    state.setRuntimeSync(clock.nowMs());
    assert.deepEqual(state.runtimeErrors(), []);
    clock.step(MAX_WAIT_FOR_CONTAINER_RUNTIME_MS);
    assert.deepEqual(state.runtimeErrors(), ['container runtime is down']);
  });

  it('names an unhealthy check (PLEG) and appends the runtime error, in upstream order', () => {
    const clock = new FakeClock();
    const state = new RuntimeState(clock);
    state.setRuntimeSync(clock.nowMs());
    state.addHealthCheck({ name: 'PLEG', check: () => ({ ok: false, message: 'pleg was last seen active 3m1s ago; threshold is 3m0s' }) });
    state.setRuntimeState('container runtime not ready: RuntimeReady=false reason:NotReady message:starting');
    const errors = state.runtimeErrors();
    assert.deepEqual(errors, [
      'PLEG is not healthy: pleg was last seen active 3m1s ago; threshold is 3m0s',
      'container runtime not ready: RuntimeReady=false reason:NotReady message:starting',
    ]);
    assert.equal(aggregateErrorText(errors), `[${errors[0]}, ${errors[1]}]`);
    assert.equal(aggregateErrorText([errors[0]]), errors[0]);
  });
});
