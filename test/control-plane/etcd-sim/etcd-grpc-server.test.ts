import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { loadEtcdServices } from '../../../control-plane/etcd-proto/src/load-etcd';
import { startEtcdGrpcServer } from '../../../control-plane/etcd-sim/src/server/etcd-grpc-server';
import type { EtcdGrpcServer } from '../../../control-plane/etcd-sim/src/server/etcd-grpc-server';
import { tempSocket } from '../../helpers/temp-socket';
import type { TempSocket } from '../../helpers/temp-socket';

type Unary = (req: unknown, cb: (err: grpc.ServiceError | null, res: any) => void) => void;

describe('etcd-sim gRPC server', () => {
  let socket: TempSocket;
  let server: EtcdGrpcServer;
  let kv: grpc.Client & Record<string, Unary>;
  let lease: grpc.Client & Record<string, Unary | ((...a: unknown[]) => grpc.ClientDuplexStream<unknown, any>)>;
  let maintenance: grpc.Client & Record<string, Unary>;
  const call = (client: Record<string, unknown>, method: string, req: unknown): Promise<any> =>
    new Promise((resolve, reject) => (client[method] as Unary).call(client, req, (err, res) => (err ? reject(err) : resolve(res))));

  before(async () => {
    socket = tempSocket('etcd.sock', 'etcd-sim-');
    server = await startEtcdGrpcServer({ listen: socket.listen });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const grpcJs = require('@grpc/grpc-js') as typeof grpc;
    const services = loadEtcdServices(grpcJs);
    const creds = grpcJs.credentials.createInsecure();
    kv = new services.KV(socket.listen, creds) as typeof kv;
    lease = new services.Lease(socket.listen, creds) as typeof lease;
    maintenance = new services.Maintenance(socket.listen, creds) as typeof maintenance;
  });
  after(async () => {
    kv?.close();
    lease?.close();
    maintenance?.close();
    await server?.close();
    socket?.cleanup();
  });

  it('answers Put and Range with the header revision and the key\'s revisions', async () => {
    const put = await call(kv, 'Put', { key: Buffer.from('/registry/a'), value: Buffer.from('1') });
    assert.equal(put.header.revision, 2);
    const range = await call(kv, 'Range', { key: Buffer.from('/registry/a') });
    assert.equal(range.header.revision, 2);
    assert.equal(range.kvs[0].create_revision, 2);
    assert.equal(range.kvs[0].value.toString(), '1');
  });

  it('sends etcd\'s own codes and messages: OUT_OF_RANGE for a future revision, INVALID_ARGUMENT for an empty key', async () => {
    await assert.rejects(call(kv, 'Range', { key: Buffer.from('/registry/a'), revision: 99 }), {
      code: 11,
      details: 'etcdserver: mvcc: required revision is a future revision',
    });
    await assert.rejects(call(kv, 'Put', { key: Buffer.alloc(0), value: Buffer.from('x') }), { code: 3, details: 'etcdserver: key is not provided' });
  });

  it('grants leases, keeps one alive over the stream (TTL 0 for an unknown one) and revokes it with its keys', async () => {
    const granted = await call(lease, 'LeaseGrant', { TTL: 60 });
    assert.equal(granted.TTL, 60);
    await call(kv, 'Put', { key: Buffer.from('/registry/leased'), value: Buffer.from('x'), lease: granted.ID });
    const stream = (lease.LeaseKeepAlive as () => grpc.ClientDuplexStream<unknown, any>).call(lease);
    const replies: Array<{ ID: number; TTL: number }> = [];
    const twoReplies = new Promise<void>((resolve) => stream.on('data', (r: { ID: number; TTL: number }) => replies.push(r) === 2 && resolve()));
    stream.write({ ID: granted.ID });
    stream.write({ ID: 12345 });
    await twoReplies;
    stream.end();
    assert.deepEqual(replies.map((r) => [r.ID, r.TTL]), [[granted.ID, 60], [12345, 0]]);
    await call(lease, 'LeaseRevoke', { ID: granted.ID });
    assert.equal((await call(kv, 'Range', { key: Buffer.from('/registry/leased') })).count, 0);
    await assert.rejects(call(lease, 'LeaseRevoke', { ID: granted.ID }), { code: 5, details: 'etcdserver: requested lease not found' });
  });

  it('reports its version and the current revision on Maintenance.Status', async () => {
    const status = await call(maintenance, 'Status', {});
    assert.equal(status.version, '3.6.4');
    assert.equal(status.header.revision, server.store.currentRevision);
  });
});
