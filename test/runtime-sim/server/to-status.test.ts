import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CriError, GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { MAX_WIRE_STATUS_MESSAGE_CHARS, toServiceError, toStatus } from '../../../runtime-sim/src/server/to-status';

describe('to-status', () => {
  describe('toServiceError', () => {
    it('keeps a CriError code and message as they are', () => {
      const err = toServiceError(new CriError(GRPC_STATUS.NOT_FOUND, 'container "abc" not found'));
      assert.equal(err.code, GRPC_STATUS.NOT_FOUND);
      assert.equal(err.details, 'container "abc" not found');
      assert.equal(err.message, 'container "abc" not found');
    });

    it('truncates only the wire message when an error echoes a huge request value, and says so', () => {
      const huge = `could not find container "${'x'.repeat(300_000)}"`;
      const err = toServiceError(new CriError(GRPC_STATUS.NOT_FOUND, huge));
      assert.equal(err.details.length, MAX_WIRE_STATUS_MESSAGE_CHARS);
      assert.match(err.details, /^could not find container "x+ … \(truncated by runtime-sim: 300027 characters\)$/);
      assert.equal(err.message, huge, 'the span keeps the whole message');
      assert.equal(toStatus(new CriError(GRPC_STATUS.NOT_FOUND, huge)).details, huge);
    });
  });
});
