import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IMMEDIATE_TURNS, LoopTurns } from '../../../cri-proto/src/transport/loop-turns';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('LoopTurns', () => {
  it('lets the first caller of a turn go on at once and makes the others wait', () => {
    const turns = new LoopTurns();
    assert.equal(turns.take(), undefined);
    assert.ok(turns.take() instanceof Promise);
    assert.equal(turns.waitingCount, 1);
  });

  it('grants one waiter per loop turn, first come first served', async () => {
    const turns = new LoopTurns();
    const order: string[] = [];
    assert.equal(turns.take(), undefined);
    for (const name of ['a', 'b', 'c']) void turns.take()?.then(() => order.push(name));
    await Promise.resolve();
    assert.deepEqual(order, [], 'nobody else in the turn of the first caller');
    await nextTurn();
    assert.deepEqual(order, ['a']);
    await nextTurn();
    assert.deepEqual(order, ['a', 'b']);
    await nextTurn();
    assert.deepEqual(order, ['a', 'b', 'c']);
  });

  it('queues a newcomer behind the waiters even in a turn nobody has taken yet', async () => {
    const turns = new LoopTurns();
    const order: string[] = [];
    turns.take();
    void turns.take()?.then(() => order.push('waiter'));
    await nextTurn(); // 'waiter' is granted this turn
    const late = turns.take();
    assert.ok(late instanceof Promise, 'the turn is already taken');
    void late.then(() => order.push('late'));
    await nextTurn();
    assert.deepEqual(order, ['waiter', 'late']);
  });

  it('is free again once a turn passed with nobody waiting', async () => {
    const turns = new LoopTurns();
    turns.take();
    await nextTurn();
    await nextTurn();
    assert.equal(turns.take(), undefined);
  });

  it('IMMEDIATE_TURNS never makes anyone wait', () => {
    assert.equal(IMMEDIATE_TURNS.take(), undefined);
    assert.equal(IMMEDIATE_TURNS.take(), undefined);
  });
});
