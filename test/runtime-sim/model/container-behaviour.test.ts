import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BEHAVIOUR_ANNOTATION as A,
  DEFAULT_CONTAINER_BEHAVIOUR,
  exitReason,
  parseContainerBehaviour,
} from '../../../runtime-sim/src/model/container-behaviour';
import { CriError, GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';

describe('parseContainerBehaviour', () => {
  it('returns the default behaviour when no annotation is set', () => {
    assert.deepEqual(parseContainerBehaviour({}, {}, 'app'), DEFAULT_CONTAINER_BEHAVIOUR);
    assert.deepEqual(parseContainerBehaviour(undefined, undefined, 'app'), DEFAULT_CONTAINER_BEHAVIOUR);
  });

  it('reads pod sandbox annotations for every container', () => {
    const b = parseContainerBehaviour({ [A.EXIT_AFTER]: '5s', [A.EXIT_CODE]: '3' }, {}, 'app');
    assert.equal(b.exitAfterNs, 5_000_000_000n);
    assert.equal(b.exitCode, 3);
    assert.equal(b.oomKilled, false);
  });

  it('prefers a container-scoped pod annotation over the pod-wide one', () => {
    const b = parseContainerBehaviour({ [A.EXIT_AFTER]: '5s', [`${A.EXIT_AFTER}.app`]: '1s' }, {}, 'app');
    assert.equal(b.exitAfterNs, 1_000_000_000n);
    const other = parseContainerBehaviour({ [A.EXIT_AFTER]: '5s', [`${A.EXIT_AFTER}.app`]: '1s' }, {}, 'sidecar');
    assert.equal(other.exitAfterNs, 5_000_000_000n);
  });

  it('prefers the container annotation over both pod annotations', () => {
    const b = parseContainerBehaviour(
      { [A.EXIT_AFTER]: '5s', [`${A.EXIT_AFTER}.app`]: '1s' },
      { [A.EXIT_AFTER]: '250ms' },
      'app',
    );
    assert.equal(b.exitAfterNs, 250_000_000n);
  });

  it('makes oom exit at start with code 137 unless told otherwise', () => {
    const b = parseContainerBehaviour({ [A.OOM]: 'true' }, {}, 'app');
    assert.deepEqual([b.exitAfterNs, b.exitCode, b.oomKilled], [0n, 137, true]);
    const c = parseContainerBehaviour({ [A.OOM]: 'true', [A.EXIT_AFTER]: '2s', [A.EXIT_CODE]: '1' }, {}, 'app');
    assert.deepEqual([c.exitAfterNs, c.exitCode, c.oomKilled], [2_000_000_000n, 1, true]);
  });

  it('reads stop-grace "never" as ignoring SIGTERM', () => {
    assert.equal(parseContainerBehaviour({ [A.STOP_GRACE]: 'never' }, {}, 'app').stopGraceNs, null);
    assert.equal(parseContainerBehaviour({ [A.STOP_GRACE]: '3s' }, {}, 'app').stopGraceNs, 3_000_000_000n);
  });

  const invalid: Array<[string, string, RegExp]> = [
    [A.EXIT_AFTER, '5x', /invalid pod sandbox annotation "sim\.cri\.io\/exit-after": "5x" is not a Go duration such as "500ms", "5s" or "1m30s"/],
    [A.EXIT_CODE, '256', /"sim\.cri\.io\/exit-code": "256" is not an exit code, an integer from 0 to 255/],
    [A.EXIT_CODE, '-1', /is not an exit code/],
    [A.OOM, 'yes', /"sim\.cri\.io\/oom": "yes" is not "true" or "false"/],
    [A.STOP_GRACE, 'forever', /"sim\.cri\.io\/stop-grace": "forever" is not .* or "never"/],
    [A.STOP_EXIT_CODE, 'x', /"sim\.cri\.io\/stop-exit-code": "x" is not an exit code/],
  ];
  for (const [key, value, message] of invalid) {
    it(`throws INVALID_ARGUMENT naming ${key} when it is ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => parseContainerBehaviour({ [key]: value }, {}, 'app'),
        (err: unknown) => err instanceof CriError && err.code === GRPC_STATUS.INVALID_ARGUMENT && message.test(err.message),
      );
    });
  }

  it('names the container source and the scoped key in errors', () => {
    assert.throws(
      () => parseContainerBehaviour({}, { [A.EXIT_AFTER]: 'soon' }, 'app'),
      /invalid container annotation "sim\.cri\.io\/exit-after": "soon"/,
    );
    assert.throws(
      () => parseContainerBehaviour({ [`${A.EXIT_AFTER}.app`]: 'soon' }, {}, 'app'),
      /invalid pod sandbox annotation "sim\.cri\.io\/exit-after\.app"/,
    );
  });
});

describe('exitReason', () => {
  it('maps 0 to Completed, non-zero to Error and oom to OOMKilled', () => {
    assert.equal(exitReason(0, false), 'Completed');
    assert.equal(exitReason(1, false), 'Error');
    assert.equal(exitReason(137, true), 'OOMKilled');
  });
});
