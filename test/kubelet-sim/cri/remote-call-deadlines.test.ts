/**
 * The deadline each CRI call carries (k8s.io/cri-client remote_runtime.go / remote_image.go): runtimeRequestTimeout,
 * twice that for RunPodSandbox, plus the grace period for StopContainer, none for PullImage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { loadCriPackageDefinition } from '../../../cri-proto/src/load-cri';
import { RemoteRuntimeService } from '../../../kubelet-sim/src/cri/remote-runtime-service';
import { tempSocket } from '../../helpers/temp-socket';

const TIMEOUT_MS = 10_000;
/** Allowed difference between the deadline seen by the server and the one expected (clock reads, scheduling). */
const SLACK_MS = 1_000;

describe('RemoteRuntimeService call deadlines', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpcJs = require('@grpc/grpc-js') as typeof grpc;
  const socket = tempSocket();
  const server = new grpcJs.Server();
  const deadlines = new Map<string, number>();
  let client: RemoteRuntimeService;

  before(async () => {
    const definition = loadCriPackageDefinition();
    for (const service of ['runtime.v1.RuntimeService', 'runtime.v1.ImageService']) {
      const methods = definition[service] as grpc.ServiceDefinition;
      const handlers: grpc.UntypedServiceImplementation = Object.fromEntries(Object.keys(methods).map((name) => [
        name,
        (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
          const deadline = call.getDeadline();
          // grpc-js gives a Date or epoch milliseconds, Infinity for none.
          const at = deadline instanceof Date ? deadline.getTime() : Number(deadline);
          deadlines.set(name, Number.isFinite(at) ? at - Date.now() : Infinity);
          callback(null, {});
        },
      ]));
      server.addService(methods, handlers);
    }
    await new Promise<void>((resolve, reject) => server.bindAsync(socket.listen, grpcJs.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
    client = new RemoteRuntimeService({ endpoint: socket.listen, timeoutMs: TIMEOUT_MS, messageEvents: false });
  });
  after(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    socket.cleanup();
  });

  const near = (method: string, expectedMs: number): void => {
    const remaining = deadlines.get(method);
    assert.ok(remaining !== undefined, `${method} was not called`);
    assert.ok(Math.abs(remaining - expectedMs) < SLACK_MS, `${method}: ${remaining} ms left, expected about ${expectedMs}`);
  };

  it('gives RunPodSandbox twice runtimeRequestTimeout', async () => {
    await client.runPodSandbox({ metadata: { name: 'p', uid: 'u', namespace: 'n', attempt: 0 } }, '');
    near('RunPodSandbox', 2 * TIMEOUT_MS);
  });

  it('gives StopContainer runtimeRequestTimeout plus its grace period', async () => {
    await client.stopContainer('abc', 30);
    near('StopContainer', TIMEOUT_MS + 30_000);
  });

  it('gives other calls runtimeRequestTimeout', async () => {
    await client.version();
    await client.stopPodSandbox('abc');
    near('Version', TIMEOUT_MS);
    near('StopPodSandbox', TIMEOUT_MS);
  });

  it('gives PullImage no deadline', async () => {
    await client.pullImage({ image: 'busybox' }, { metadata: { name: 'p', uid: 'u', namespace: 'n', attempt: 0 } });
    assert.equal(deadlines.get('PullImage'), Infinity);
  });
});
