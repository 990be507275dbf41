/**
 * The requests kubelet-sim's CRI client puts on the wire, byte for byte the sizes k8s.io/cri-client's Go
 * structs give (protobuf-go leaves proto3 defaults out; a nil filter is absent, an empty one present), since
 * the CLIENT spans' `message` events carry them as message.uncompressed_size.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { loadCriPackageDefinition } from '../../../cri-proto/src/load-cri';
import { RemoteRuntimeService } from '../../../kubelet-sim/src/cri/remote-runtime-service';
import { tempSocket } from '../../helpers/temp-socket';

describe('RemoteRuntimeService request shapes', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpcJs = require('@grpc/grpc-js') as typeof grpc;
  const socket = tempSocket();
  const server = new grpcJs.Server();
  const received: Array<[method: string, bytes: number]> = [];
  let client: RemoteRuntimeService;

  before(async () => {
    const definition = loadCriPackageDefinition();
    for (const service of ['runtime.v1.RuntimeService', 'runtime.v1.ImageService']) {
      const methods = definition[service] as grpc.ServiceDefinition;
      const recording: grpc.ServiceDefinition = Object.fromEntries(Object.entries(methods).map(([name, method]) => [
        name,
        { ...method, requestDeserialize: (buf: Buffer) => (received.push([name, buf.length]), method.requestDeserialize(buf)) },
      ]));
      const handlers: grpc.UntypedServiceImplementation = Object.fromEntries(Object.keys(methods).map((name) => [
        name,
        (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, {}),
      ]));
      server.addService(recording, handlers);
    }
    await new Promise<void>((resolve, reject) => server.bindAsync(socket.listen, grpcJs.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
    client = new RemoteRuntimeService({ endpoint: socket.listen, timeoutMs: 5_000, messageEvents: false });
  });
  after(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    socket.cleanup();
  });

  async function sizeOf(call: () => Promise<unknown>): Promise<[string, number]> {
    received.length = 0;
    await call();
    assert.equal(received.length, 1);
    return received[0];
  }

  it('sends VersionRequest{} for the connection check (0 bytes) and version "0.1.0" for kuberuntime', async () => {
    assert.deepEqual(await sizeOf(() => client.version()), ['Version', 0]);
    assert.deepEqual(await sizeOf(() => client.version('0.1.0')), ['Version', 7]);
  });

  it('leaves verbose=false out, as Go does', async () => {
    assert.deepEqual(await sizeOf(() => client.containerStatus('abc', false)), ['ContainerStatus', 5]);
    assert.deepEqual(await sizeOf(() => client.status(false)), ['Status', 0]);
  });

  it('sends no filter for nil, an empty one for {} (2 bytes), and a zero state as an empty state message', async () => {
    assert.deepEqual(await sizeOf(() => client.listPodSandbox()), ['ListPodSandbox', 0]);
    assert.deepEqual(await sizeOf(() => client.listPodSandbox({})), ['ListPodSandbox', 2]);
    assert.deepEqual(await sizeOf(() => client.listContainers({})), ['ListContainers', 2]);
    assert.deepEqual(await sizeOf(() => client.listContainerStats({})), ['ListContainerStats', 2]);
    // getKubeletSandboxes(false): State{SANDBOX_READY}, the enum's zero value, encodes as an empty message.
    assert.deepEqual(await sizeOf(() => client.listPodSandbox({ state: { state: 'SANDBOX_READY' } })), ['ListPodSandbox', 4]);
    assert.deepEqual(await sizeOf(() => client.listContainers({ state: { state: 'CONTAINER_RUNNING' } })), ['ListContainers', 6]);
  });

  it('sends RuntimeConfigRequest{} and ImageFsInfoRequest{} empty', async () => {
    assert.deepEqual(await sizeOf(() => client.runtimeConfig()), ['RuntimeConfig', 0]);
    assert.deepEqual(await sizeOf(() => client.imageFsInfo()), ['ImageFsInfo', 0]);
  });
});
