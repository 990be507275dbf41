import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PENDING_LOG_BYTES_PER_FILE, createFsLogWriter } from '../../../runtime-sim/src/state/container-log-writer';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'log-writer-'));
}

describe('createFsLogWriter', () => {
  it('writes the appends of one loop turn together, after the turn, in order, making the directory', async () => {
    const dir = tempDir();
    try {
      const writer = createFsLogWriter();
      const path = join(dir, 'pod', 'app', '0.log');
      writer.append(path, 'a\n');
      writer.append(path, 'b\n');
      assert.equal(existsSync(path), false, 'nothing written on the call path');
      await nextTurn();
      assert.equal(readFileSync(path, 'utf8'), 'a\nb\n');
      writer.append(path, 'c\n');
      await nextTurn();
      assert.equal(readFileSync(path, 'utf8'), 'a\nb\nc\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a file at once when a turn gathered more than the bound for it', () => {
    const dir = tempDir();
    try {
      const writer = createFsLogWriter();
      const path = join(dir, '0.log');
      const big = 'x'.repeat(MAX_PENDING_LOG_BYTES_PER_FILE) + '\n';
      writer.append(path, big);
      assert.equal(readFileSync(path, 'utf8').length, big.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reopen writes what is pending to the old file first, then creates the file at once', () => {
    const dir = tempDir();
    try {
      const writer = createFsLogWriter();
      const path = join(dir, '0.log');
      writer.append(path, 'before rotation\n');
      writer.reopen(path);
      assert.equal(readFileSync(path, 'utf8'), 'before rotation\n');
      renameSync(path, `${path}.rotated`);
      writer.reopen(path);
      assert.equal(readFileSync(path, 'utf8'), '', 'a fresh file at the path');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a directory again when it was removed after the first write', async () => {
    const dir = tempDir();
    try {
      const writer = createFsLogWriter();
      const path = join(dir, 'pod', '0.log');
      writer.append(path, 'one\n');
      await nextTurn();
      rmSync(join(dir, 'pod'), { recursive: true });
      writer.append(path, 'two\n');
      await nextTurn();
      assert.equal(readFileSync(path, 'utf8'), 'two\n');
      assert.equal(writer.failedWrites(), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts and reports a failed write and keeps going', async () => {
    const errors: string[] = [];
    const writer = createFsLogWriter({
      fs: {
        mkdirSync: () => undefined,
        appendFileSync: () => {
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        },
        existsSync: () => true,
      },
      onError: (path, err) => errors.push(`${path}: ${err.message}`),
    });
    writer.append('/var/log/pods/x/0.log', 'line\n');
    await nextTurn();
    assert.equal(writer.failedWrites(), 1);
    assert.deepEqual(errors, ['/var/log/pods/x/0.log: EACCES: permission denied']);
  });
});
