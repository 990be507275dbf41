/**
 * The CRI socket's front door through startCriServer: every kind of CRI client connects. Clients that
 * send the socket path as :authority (older Go clients: crictl up to 1.2x, CSI sidecars, grpcurl -unix)
 * were reset by Node's http2 with RST_STREAM PROTOCOL_ERROR before the front door existed.
 */
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ServiceError } from '@grpc/grpc-js';
import { createRuntimeServiceClient, runtimeServiceDefinition } from '../../../cri-proto/src/load-cri';
import type { RuntimeServiceClient } from '../../../cri-proto/src/generated/runtime/v1/RuntimeService';
import { startCriServer, type CriServer } from '../../../runtime-sim/src/server/cri-server';
import { GoWireClient, type GoWireReply } from '../../helpers/go-wire-client';
import { tempSocket, type TempSocket } from '../../helpers/temp-socket';

const DEADLINE_MS = 5000;
const VERSION_PATH = '/runtime.v1.RuntimeService/Version';
const GRPC_OK = 0;

/**
 * The first three request header blocks of one connection, recorded from grpc-go 1.33.3 (Debian's
 * golang-google-grpc-dev) dialling the bare path /tmp/gs/cri.sock with a unix dialer, as crictl <= 1.2x
 * does, and calling Version three times. The first block adds :authority, content-type, user-agent,
 * te and grpc-timeout to the dynamic table; the next two send all but grpc-timeout as one-octet indices.
 */
const GRPC_GO_1_33_VERSION_BLOCKS = [
  '8386459962cb6a49a92afdc2bedb6a49a92ee2d9dcc42b1c4b620c7abf418c6134d6c4c8609619741c9d7f5f8b1d75d0620d263d4c4d65647a8b9acac8b4c7602bb2caecff40027465864d833505b11f40899acac8b24d494f6a7f867df7d979c15b',
  '8386c3c2c1c0bf7e867df7c2ebee5b',
  '8386c4c3c2c1c07e867df7c0f32f5b',
].map((hex) => Buffer.from(hex, 'hex'));

function grpcJsVersion(client: RuntimeServiceClient): Promise<string> {
  return new Promise((resolve, reject) => {
    client.Version({}, { deadline: Date.now() + DEADLINE_MS }, (err: ServiceError | null, res) => (err ? reject(err) : resolve(res!.runtime_name)));
  });
}

function runtimeNameOf(reply: GoWireReply): string {
  assert.equal(reply.grpcStatus, GRPC_OK, `grpc-status of Version: ${reply.grpcMessage}`);
  return (runtimeServiceDefinition().Version.responseDeserialize(reply.message) as { runtime_name: string }).runtime_name;
}

const EMPTY_VERSION_REQUEST = Buffer.alloc(0);

describe('CRI front door', () => {
  let socket: TempSocket;
  let server: CriServer;
  const notices: string[] = [];

  before(async () => {
    socket = tempSocket();
    server = await startCriServer({ listen: socket.listen, persona: 'containerd', onNotice: (line) => notices.push(line) });
  });

  after(async () => {
    await server.close();
    socket.cleanup();
  });

  describe('grpc-js clients', () => {
    it('serves a client with the default authority on the native path', async () => {
      const before = server.connectionCounts();
      const client = createRuntimeServiceClient(socket.listen);
      try {
        assert.equal(await grpcJsVersion(client), 'containerd');
        for (let i = 0; i < 20; i++) await grpcJsVersion(client);
      } finally {
        client.close();
      }
      const now = server.connectionCounts();
      assert.equal(now.native - before.native, 1);
      assert.equal(now.rewritten - before.rewritten, 0);
    });

    it('serves a client whose grpc.default_authority is the socket path: sequential and concurrent calls on one connection', async () => {
      const before = server.connectionCounts();
      const client = createRuntimeServiceClient(socket.listen, { channelOptions: { 'grpc.default_authority': socket.path } });
      try {
        for (let i = 0; i < 50; i++) assert.equal(await grpcJsVersion(client), 'containerd');
        const names = await Promise.all(Array.from({ length: 20 }, () => grpcJsVersion(client)));
        assert.deepEqual(new Set(names), new Set(['containerd']));
      } finally {
        client.close();
      }
      const now = server.connectionCounts();
      assert.equal(now.rewritten - before.rewritten, 1);
      assert.equal(now.native - before.native, 0);
      assert.equal(notices.filter((line) => line.includes('answered as localhost')).length, 1, notices.join('\n'));
      assert.match(notices.find((line) => line.includes('answered as localhost'))!, new RegExp(`:authority "${socket.path}"`));
    });
  });

  describe('clients writing what grpc-go writes', () => {
    it('answers header blocks recorded from grpc-go 1.33.3, whose later requests index :authority in the dynamic table', async () => {
      const client = await GoWireClient.connect(socket.path, { authority: socket.path });
      try {
        for (const block of GRPC_GO_1_33_VERSION_BLOCKS) {
          assert.equal(runtimeNameOf(await client.callWithRecordedBlock(block, EMPTY_VERSION_REQUEST)), 'containerd');
        }
      } finally {
        client.close();
      }
    });

    it('answers 50 sequential, then 40 concurrent calls, then enough more to evict from the HPACK table, on one connection', async () => {
      const client = await GoWireClient.connect(socket.path, { authority: '/run/containerd/containerd.sock' });
      try {
        for (let i = 0; i < 50; i++) assert.equal(runtimeNameOf(await client.call(VERSION_PATH, EMPTY_VERSION_REQUEST)), 'containerd');
        const concurrent = await Promise.all(Array.from({ length: 40 }, () => client.call(VERSION_PATH, EMPTY_VERSION_REQUEST)));
        assert.deepEqual(new Set(concurrent.map(runtimeNameOf)), new Set(['containerd']));
        // Each call adds a new grpc-timeout entry (~50 octets): 100 more overflow the 4096-octet table.
        for (let i = 0; i < 100; i++) assert.equal(runtimeNameOf(await client.call(VERSION_PATH, EMPTY_VERSION_REQUEST)), 'containerd');
      } finally {
        client.close();
      }
    });

    it('answers header blocks split over CONTINUATION frames, with metadata that changes per call', async () => {
      // Go splits a block at the server's frame size (16384); 7-octet frames make every block many
      // CONTINUATIONs, which only the rewriting path takes (nghttp2 allows a few per block natively).
      const cases = [
        { authority: socket.path, headerFrameBytes: 7, metadataBytes: (i: number) => i * 300 },
        { authority: socket.path, headerFrameBytes: 16_384, metadataBytes: (i: number) => 20_000 + i },
        { authority: 'localhost', headerFrameBytes: 16_384, metadataBytes: (i: number) => 20_000 + i },
      ];
      for (const { authority, headerFrameBytes, metadataBytes } of cases) {
        const client = await GoWireClient.connect(socket.path, { authority, headerFrameBytes });
        try {
          for (let i = 0; i < 10; i++) {
            const reply = await client.call(VERSION_PATH, EMPTY_VERSION_REQUEST, [['x-request', `call-${i}-${'x'.repeat(metadataBytes(i))}`]]);
            assert.equal(runtimeNameOf(reply), 'containerd', `authority ${authority}, ${headerFrameBytes}-octet frames`);
          }
        } finally {
          client.close();
        }
      }
    });

    it('serves grpc-go\'s localhost authority (unix: targets) on the native path', async () => {
      const before = server.connectionCounts();
      const client = await GoWireClient.connect(socket.path, { authority: 'localhost' });
      try {
        for (let i = 0; i < 20; i++) assert.equal(runtimeNameOf(await client.call(VERSION_PATH, EMPTY_VERSION_REQUEST)), 'containerd');
        assert.equal(client.serverSettingsFrames, 2, 'the front door\'s server preface, then the gRPC server\'s SETTINGS');
      } finally {
        client.close();
      }
      assert.equal(server.connectionCounts().native - before.native, 1);
    });

    it('serves a client that sends its first request before the server preface arrives', async () => {
      const client = await GoWireClient.connect(socket.path, { authority: 'localhost', eager: true });
      try {
        assert.equal(runtimeNameOf(await client.call(VERSION_PATH, EMPTY_VERSION_REQUEST)), 'containerd');
        assert.equal(runtimeNameOf(await client.call(VERSION_PATH, EMPTY_VERSION_REQUEST)), 'containerd');
      } finally {
        client.close();
      }
    });
  });

  describe('connections the gRPC server cannot serve', () => {
    it('closes a client that does not speak HTTP/2, says why once, and keeps serving', async () => {
      const before = server.connectionCounts();
      const noticesBefore = notices.length;
      const conn = net.connect(socket.path);
      conn.on('data', () => undefined);
      conn.write('GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await new Promise((resolve) => conn.once('close', resolve));
      assert.equal(server.connectionCounts().refused - before.refused, 1);
      const said = notices.slice(noticesBefore);
      assert.equal(said.length, 1);
      assert.match(said[0]!, /began "GET \/version HTTP\/1\.1\\r\\nH", not the HTTP\/2 client preface; .* use a gRPC client such as crictl/);
      const client = createRuntimeServiceClient(socket.listen);
      try {
        assert.equal(await grpcJsVersion(client), 'containerd');
      } finally {
        client.close();
      }
    });
  });
});

describe('CRI front door shutdown', () => {
  it('closes promptly while a client is connected but has sent nothing', async () => {
    const socket = tempSocket();
    const server = await startCriServer({ listen: socket.listen, persona: 'crio', shutdownTimeoutMs: 5000, onNotice: () => undefined });
    const idle = net.connect(socket.path);
    idle.on('data', () => undefined);
    idle.on('error', () => undefined);
    await new Promise((resolve) => idle.once('connect', resolve));
    try {
      const started = Date.now();
      await server.close();
      assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
    } finally {
      idle.destroy();
      socket.cleanup();
    }
  });
});
