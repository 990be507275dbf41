import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { examplesEpilogue, packageVersion, versionText } from '../../cli-kit/src';

describe('examplesEpilogue', () => {
  it('puts each example as a comment line and the command as typed, continuation lines indented', () => {
    const text = examplesEpilogue([
      { what: 'one line', lines: ['tool --a 1'] },
      { what: 'two lines', lines: ['tool --a 1 \\', '--b 2'] },
    ], 'Footer.');
    assert.equal(text, 'Examples:\n  # one line\n  tool --a 1\n\n  # two lines\n  tool --a 1 \\\n      --b 2\n\nFooter.');
  });
});

describe('packageVersion', () => {
  it('reads the project version from package.json', () => {
    assert.match(packageVersion(), /^\d+\.\d+\.\d+/);
    assert.equal(versionText('trace-sink', 'x'), `trace-sink ${packageVersion()} (kubelet-cri-tracing-emulator; x)`);
  });
});
