import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { onShutdownSignals } from '../../cli-kit/src';

describe('onShutdownSignals', () => {
  const setup = () => {
    const emitter = new EventEmitter();
    const first: string[] = [];
    const said: string[] = [];
    const exits: number[] = [];
    const remove = onShutdownSignals({
      onFirst: (s) => first.push(s),
      say: (l) => said.push(l),
      exit: (c) => exits.push(c),
      emitter: emitter as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
    });
    return { emitter, first, said, exits, remove };
  };

  it('starts the graceful shutdown on the first signal and exits 1 at once on a second', () => {
    const t = setup();
    t.emitter.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(t.first, ['SIGTERM']);
    assert.deepEqual(t.exits, []);
    t.emitter.emit('SIGINT', 'SIGINT');
    assert.deepEqual(t.first, ['SIGTERM']);
    assert.deepEqual(t.exits, [1]);
    assert.match(t.said[0] ?? '', /second signal \(SIGINT after SIGTERM\)/);
  });

  it('removes its handlers', () => {
    const t = setup();
    t.remove();
    t.emitter.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(t.first, []);
    assert.equal(t.emitter.listenerCount('SIGTERM'), 0);
  });
});
