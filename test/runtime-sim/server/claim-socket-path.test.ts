import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { claimSocketPath, probeSocket, SocketInUseError } from '../../../runtime-sim/src/server/claim-socket-path';
import { leaveStaleSocket, tempSocket } from '../../helpers/temp-socket';

async function listenOn(socketPath: string): Promise<net.Server> {
  const server = net.createServer((conn) => conn.end());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return server;
}

describe('claimSocketPath', () => {
  describe('probeSocket', () => {
    it('tells an absent path, a stale socket file and a live listener apart', async () => {
      const socket = tempSocket();
      try {
        assert.equal(await probeSocket(socket.path), 'absent');
        leaveStaleSocket(socket.path);
        assert.equal(await probeSocket(socket.path), 'stale');
        fs.unlinkSync(socket.path);
        const server = await listenOn(socket.path);
        try {
          assert.equal(await probeSocket(socket.path), 'live');
        } finally {
          await new Promise((resolve) => server.close(resolve));
        }
      } finally {
        socket.cleanup();
      }
    });
  });

  it('replaces nothing when the path is free', async () => {
    const socket = tempSocket();
    try {
      await claimSocketPath(socket.path);
      assert.equal(fs.existsSync(socket.path), false);
    } finally {
      socket.cleanup();
    }
  });

  it('removes a stale socket file (connections refused)', async () => {
    const socket = tempSocket();
    try {
      leaveStaleSocket(socket.path);
      await claimSocketPath(socket.path);
      assert.equal(fs.existsSync(socket.path), false);
    } finally {
      socket.cleanup();
    }
  });

  it('refuses a socket a live process answers on, naming the path and --listen, and leaves it in place', async () => {
    const socket = tempSocket();
    const server = await listenOn(socket.path);
    try {
      await assert.rejects(claimSocketPath(socket.path), (err: Error) => {
        assert.ok(err instanceof SocketInUseError);
        assert.equal(err.socketPath, socket.path);
        assert.match(err.message, new RegExp(`another process is serving ${socket.path}; stop it or choose another socket with --listen`));
        return true;
      });
      assert.ok(fs.lstatSync(socket.path).isSocket());
      assert.equal(await probeSocket(socket.path), 'live');
    } finally {
      await new Promise((resolve) => server.close(resolve));
      socket.cleanup();
    }
  });

  it('refuses a path that is too long for a unix socket, or whose parent is not a directory', async () => {
    const socket = tempSocket();
    try {
      await assert.rejects(claimSocketPath(path.join(socket.dir, 'x'.repeat(120))), /unix socket paths are limited to 107/);
      fs.writeFileSync(path.join(socket.dir, 'file'), '');
      await assert.rejects(claimSocketPath(path.join(socket.dir, 'file', 'cri.sock')), /is not a directory/);
    } finally {
      socket.cleanup();
    }
  });
});
