import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError, parseKubeletSimArgs } from '../../../kubelet-sim/src/cli/kubelet-sim-args';

const parse = (...flags: string[]) => parseKubeletSimArgs(['--config', 'k.yaml', ...flags]).serverPorts;

describe('server port flags', () => {
  it('leave the config alone when absent', () => {
    assert.deepEqual(parse(), { port: undefined, readOnlyPort: undefined, healthzPort: undefined });
  });

  it('take ports, and 0 for the read-only and healthz servers (off)', () => {
    assert.deepEqual(parse('--port', '10250', '--read-only-port', '0', '--healthz-port', '0'), { port: 10250, readOnlyPort: 0, healthzPort: 0 });
  });

  it('reject an out-of-range port with the kubelet\'s validation text naming flag and range', () => {
    assert.throws(() => parse('--port', '70000'), (e: unknown) => e instanceof FlagError && e.message === 'invalid configuration: port (--port) 70000 must be between 1 and 65535, inclusive');
    assert.throws(() => parse('--port', '0'), /port \(--port\) 0 must be between 1 and 65535, inclusive/);
    assert.throws(() => parse('--read-only-port', '65536'), /readOnlyPort \(--read-only-port\) 65536 must be between 0 and 65535, inclusive/);
    assert.throws(() => parse('--healthz-port', '-1'), /healthzPort \(--healthz-port\) -1 must be between 1 and 65535, inclusive/);
  });

  it('reject a non-number as pflag does', () => {
    assert.throws(() => parse('--healthz-port', 'abc'), (e: unknown) => e instanceof FlagError && e.message === 'invalid argument "abc" for "--healthz-port" flag: strconv.ParseInt: parsing "abc": invalid syntax');
    assert.throws(() => parse('--port', '99999999999'), /value out of range/);
  });
});
