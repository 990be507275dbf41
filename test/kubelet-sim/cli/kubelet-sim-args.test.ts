import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, parseKubeletSimArgs } from '../../../kubelet-sim/src/cli/kubelet-sim-args';

const BASE = ['--config', 'configs/kubelet-config.yaml'];

describe('parseKubeletSimArgs', () => {
  describe('--kubelet-version', () => {
    for (const version of ['1.20', 'abc', '1.35']) {
      it(`refuses ${version}, naming the flag and the supported releases`, () => {
        assert.throws(() => parseKubeletSimArgs([...BASE, '--kubelet-version', version]), (err: unknown) => {
          assert.ok(err instanceof FlagError);
          assert.equal(err.message, `invalid argument "${version}" for "--kubelet-version" flag: supported releases are 1.25–1.34, e.g. --kubelet-version 1.34`);
          return true;
        });
      });
    }

    it('accepts a supported release', () => {
      assert.equal(parseKubeletSimArgs([...BASE, '--kubelet-version', '1.29']).kubeletVersion, '1.29');
    });
  });

  it('reports a negative duration against its flag instead of as unknown short flags', () => {
    assert.throws(() => parseKubeletSimArgs([...BASE, '--duration', '-5s']), {
      message: 'invalid argument "-5s" for "--duration" flag: must be greater than 0',
    });
  });

  it('refuses a repeated flag with both values', () => {
    assert.throws(() => parseKubeletSimArgs(['--config', 'a.yaml', '--config', 'b.yaml']), {
      message: 'flag --config was given 2 times ("a.yaml", "b.yaml"): give it once',
    });
  });

  it('names an unknown flag as unknown even when --config is missing too', () => {
    assert.throws(() => parseKubeletSimArgs(['--frobnicate']), { message: 'Unknown argument: frobnicate' });
  });

  it('reports a missing --config when every flag given is known', () => {
    assert.throws(() => parseKubeletSimArgs(['--duration', '5s']), { message: 'Missing required argument: config' });
  });

  it('gives --workload churn its documented defaults', () => {
    assert.deepEqual(parseKubeletSimArgs([...BASE, '--workload', 'churn']).workload, { pods: 50, podLifetimeMs: 30_000, creationRatePerSecond: 2, seed: 1 });
  });
});

describe('parseKubeletSimArgs --nodes', () => {
  it('runs one node without --nodes', () => {
    assert.equal(parseKubeletSimArgs(BASE).fleet, undefined);
  });

  it('names the fleet\'s nodes from --node-name-pattern (default node-{n})', () => {
    assert.deepEqual(parseKubeletSimArgs([...BASE, '--nodes', '2']).fleet, { nodeNames: ['node-0001', 'node-0002'], firstNodeNumber: 1 });
    assert.deepEqual(parseKubeletSimArgs([...BASE, '--nodes', '2', '--node-name-pattern', 'w{n}']).fleet, { nodeNames: ['w0001', 'w0002'], firstNodeNumber: 1 });
    // A later shard of one fleet numbers its nodes on from --first-node-number.
    assert.deepEqual(parseKubeletSimArgs([...BASE, '--nodes', '2', '--first-node-number', '101']).fleet, { nodeNames: ['node-0101', 'node-0102'], firstNodeNumber: 101 });
  });

  it('refuses --hostname-override with --nodes, and --node-name-pattern without it', () => {
    assert.throws(() => parseKubeletSimArgs([...BASE, '--nodes', '2', '--hostname-override', 'a']), (err: unknown) => err instanceof FlagError && /--hostname-override names one node and cannot be used with --nodes/.test(err.message));
    assert.throws(() => parseKubeletSimArgs([...BASE, '--node-name-pattern', 'w{n}']), { message: '--node-name-pattern needs --nodes: give --nodes N to run N nodes named by the pattern' });
    assert.throws(() => parseKubeletSimArgs([...BASE, '--first-node-number', '5']), { message: '--first-node-number needs --nodes: give --nodes N to run N nodes numbered from it' });
    assert.throws(() => parseKubeletSimArgs([...BASE, '--nodes', '2', '--first-node-number', '0']), (err: unknown) => err instanceof FlagError && err.message === 'invalid argument "0" for "--first-node-number" flag: give a whole number from 1 to 99998 (the last of the 2 nodes must be at most 99999)');
  });

  it('refuses a bad node count as a flag error', () => {
    assert.throws(() => parseKubeletSimArgs([...BASE, '--nodes', '0']), (err: unknown) => err instanceof FlagError && /"--nodes" flag/.test(err.message));
  });

  it('takes --kubeconfig for one node and refuses it with --nodes, saying how to connect several', () => {
    assert.equal(parseKubeletSimArgs([...BASE, '--kubeconfig', '/tmp/k.conf']).kubeconfig, '/tmp/k.conf');
    assert.equal(parseKubeletSimArgs(BASE).kubeconfig, undefined);
    assert.throws(() => parseKubeletSimArgs([...BASE, '--kubeconfig', '/tmp/k.conf', '--nodes', '3', '--container-runtime-endpoint', 'unix:///tmp/{node}.sock']), {
      message: '--kubeconfig cannot be used with --nodes yet: run one kubelet-sim per node to connect nodes to an API server',
    });
  });
});
