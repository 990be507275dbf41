import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attachNegativeValues, repeatedFlagMessage } from '../../cli-kit/src';

describe('attachNegativeValues', () => {
  it('glues a value that starts with a minus and a digit to the long flag before it', () => {
    assert.deepEqual(attachNegativeValues(['--duration', '-5s', '--config', 'a.yaml']), ['--duration=-5s', '--config', 'a.yaml']);
    assert.deepEqual(attachNegativeValues(['--seed', '-1']), ['--seed=-1']);
    assert.deepEqual(attachNegativeValues(['--rate', '-.5']), ['--rate=-.5']);
  });

  it('leaves flags, short flags and everything after -- alone', () => {
    assert.deepEqual(attachNegativeValues(['--listen', '--out', 'x']), ['--listen', '--out', 'x']);
    assert.deepEqual(attachNegativeValues(['-h']), ['-h']);
    assert.deepEqual(attachNegativeValues(['--', '--duration', '-5s']), ['--', '--duration', '-5s']);
    assert.deepEqual(attachNegativeValues(['--duration=-5s']), ['--duration=-5s']);
  });
});

describe('repeatedFlagMessage', () => {
  it('names a flag given twice and its values', () => {
    assert.equal(
      repeatedFlagMessage({ _: [], $0: 'x', listen: ['127.0.0.1:1', '127.0.0.1:2'], out: 'a' }),
      'flag --listen was given 2 times ("127.0.0.1:1", "127.0.0.1:2"): give it once',
    );
  });

  it('reports the kebab-case flag, not the camelCase twin yargs adds', () => {
    assert.match(repeatedFlagMessage({ _: [], httpListen: ['a', 'b'], 'http-listen': ['a', 'b'] }) ?? '', /^flag --http-listen was given 2 times/);
  });

  it('is undefined when every flag was given once', () => {
    assert.equal(repeatedFlagMessage({ _: ['positional'], $0: 'x', listen: 'a', seed: 3 }), undefined);
  });
});
