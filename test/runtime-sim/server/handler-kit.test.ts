import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { LoopTurns } from '../../../cri-proto/src/transport/loop-turns';
import { createHandlerContext, unaryHandler } from '../../../runtime-sim/src/server/handler-kit';
import { newHarness } from '../state/fixtures';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function invoke(handler: handleUnaryCall<string, string>, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const callback: sendUnaryData<string> = (err, value) => (err ? reject(err) : resolve(value as string));
    handler({ request } as ServerUnaryCall<string, string>, callback);
  });
}

describe('unaryHandler with turn-taking', () => {
  it('answers requests that arrive together one per loop turn, each before the next one runs', async () => {
    const { state } = newHarness('crio');
    const ctx = createHandlerContext(state, { turns: new LoopTurns() });
    const log: string[] = [];
    const handler = unaryHandler<string, string>(ctx, 'Version', (request) => {
      log.push(`run ${request}`);
      return { response: request };
    });
    const answers = ['a', 'b', 'c'].map((r) => invoke(handler, r).then((v) => void log.push(`answered ${v}`)));
    assert.deepEqual(log, ['run a'], 'the first request of the turn runs at once, the others wait');
    await nextTurn();
    assert.deepEqual(log, ['run a', 'answered a', 'run b', 'answered b'], 'one more per turn, answered before the next runs');
    await Promise.all(answers);
    assert.deepEqual(log, ['run a', 'answered a', 'run b', 'answered b', 'run c', 'answered c']);
  });

  it('runs every request at once without turn-taking (the default for handlers built outside the server)', () => {
    const { state } = newHarness('crio');
    const ctx = createHandlerContext(state);
    const ran: string[] = [];
    const handler = unaryHandler<string, string>(ctx, 'Version', (request) => {
      ran.push(request);
      return { response: request };
    });
    for (const r of ['a', 'b', 'c']) void invoke(handler, r);
    assert.deepEqual(ran, ['a', 'b', 'c']);
  });
});
