import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { findRefusedAuthority, isAcceptableAuthority, UNIX_SOCKET_AUTHORITY, withAcceptableAuthority } from '../../../runtime-sim/src/server/authority-policy';

/** Whether this Node's http2 server answers a request carrying `authority`, or resets it. */
async function nodeAccepts(client: http2.ClientHttp2Session, authority: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = client.request({ ':authority': authority, ':path': '/' });
    req.on('response', () => resolve(true));
    req.on('error', () => resolve(false));
    req.on('close', () => resolve(false));
    req.end();
  });
}

describe('authority-policy', () => {
  describe('isAcceptableAuthority', () => {
    it('agrees with this Node\'s http2 server for every printable ASCII character, space, DEL, a non-ASCII octet and the empty value', async () => {
      const server = http2.createServer((_req, res) => res.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      try {
        const values = [''];
        for (let code = 0x20; code <= 0x7f; code++) values.push(`a${String.fromCharCode(code)}b`);
        values.push('a\u00e9b');
        for (const value of values) {
          assert.equal(isAcceptableAuthority(value), await nodeAccepts(client, value), `authority ${JSON.stringify(value)}`);
        }
      } finally {
        client.close();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('refuses the socket paths and unix: URIs older Go clients send, accepts localhost and host:port', () => {
      for (const refused of ['/run/containerd/containerd.sock', '/var/run/crio/crio.sock', 'unix:///run/containerd/containerd.sock']) {
        assert.equal(isAcceptableAuthority(refused), false, refused);
      }
      for (const accepted of ['localhost', 'localhost:10250', '127.0.0.1:4317', '[::1]:443']) assert.equal(isAcceptableAuthority(accepted), true, accepted);
    });
  });

  describe('withAcceptableAuthority', () => {
    it('replaces a refused :authority and host with localhost and keeps every other field in place', () => {
      const fields = [
        { name: ':method', value: 'POST' },
        { name: ':authority', value: '/run/containerd/containerd.sock' },
        { name: 'host', value: '/run/containerd/containerd.sock' },
        { name: 'x-path', value: '/run/containerd/containerd.sock' },
      ];
      assert.equal(findRefusedAuthority(fields), '/run/containerd/containerd.sock');
      assert.deepEqual(withAcceptableAuthority(fields), [
        { name: ':method', value: 'POST' },
        { name: ':authority', value: UNIX_SOCKET_AUTHORITY },
        { name: 'host', value: UNIX_SOCKET_AUTHORITY },
        { name: 'x-path', value: '/run/containerd/containerd.sock' },
      ]);
    });

    it('returns the same list when nothing needs replacing', () => {
      const fields = [{ name: ':authority', value: 'localhost' }];
      assert.equal(findRefusedAuthority(fields), undefined);
      assert.equal(withAcceptableAuthority(fields), fields);
    });
  });
});
