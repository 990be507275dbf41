import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError, parseRuntimeSimArgs } from '../../../runtime-sim/src/cli/runtime-sim-args';

const LISTEN = ['--listen', 'unix:///tmp/x.sock'];

describe('runtime-sim flags: --state-dir, --stream-address, --stream-port, --enable-pod-events', () => {
  it('defaults to memory-only state, a loopback stream server on a free port, and pod events per persona', () => {
    const args = parseRuntimeSimArgs(LISTEN, {});
    assert.deepEqual([args.stateDir, args.streamAddress, args.streamPort, args.enablePodEvents], [undefined, '127.0.0.1', 0, undefined]);
  });

  it('takes a state directory, a port, and the pod-events switch from the flag or CONTAINER_ENABLE_POD_EVENTS', () => {
    const args = parseRuntimeSimArgs([...LISTEN, '--state-dir', '/tmp/state', '--stream-port', '10010', '--enable-pod-events'], {});
    assert.deepEqual([args.stateDir, args.streamPort, args.enablePodEvents], ['/tmp/state', 10010, true]);
    assert.equal(parseRuntimeSimArgs(LISTEN, { CONTAINER_ENABLE_POD_EVENTS: 'true' }).enablePodEvents, true);
  });

  it('refuses a non-loopback stream address, a bad port and an empty state directory, naming the flag', () => {
    assert.throws(() => parseRuntimeSimArgs([...LISTEN, '--stream-address', '0.0.0.0'], {}), (err: Error) => err instanceof FlagError && /--stream-address: runtime-sim serves streams on loopback only/.test(err.message));
    assert.throws(() => parseRuntimeSimArgs([...LISTEN, '--stream-port', '70000'], {}), /--stream-port: must be an integer from 0/);
    assert.throws(() => parseRuntimeSimArgs([...LISTEN, '--state-dir', ''], {}), /--state-dir: give a directory path/);
  });
});
