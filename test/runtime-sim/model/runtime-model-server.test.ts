/**
 * A runtime model inside the real gRPC server: injected statuses reach a CRI client as configured,
 * delays go through the injected sleep (recorded, never waited for), and container rules shape what
 * ContainerStatus reports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { createImageServiceClient, createRuntimeServiceClient } from '../../../cri-proto/src/load-cri';
import type { ImageServiceClient } from '../../../cri-proto/src/generated/runtime/v1/ImageService';
import type { RuntimeServiceClient } from '../../../cri-proto/src/generated/runtime/v1/RuntimeService';
import { describeImage } from '../../../runtime-sim/src/model/image-catalog';
import { parseRuntimeModel } from '../../../runtime-sim/src/model/load-runtime-model';
import { startCriServer, type CriServer } from '../../../runtime-sim/src/server/cri-server';
import { FakeClock } from '../../../runtime-sim/src/state/clock';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { tempSocket, type TempSocket } from '../../helpers/temp-socket';

/* eslint-disable @typescript-eslint/no-explicit-any */

const DEADLINE_MS = 5000;
const SEED = 5;

function call<Res = any>(client: Client, method: string, request: unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    (client as any)[method](request, { deadline: Date.now() + DEADLINE_MS }, (err: ServiceError | null, res: Res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

const MODEL = parseRuntimeModel(
  `apiVersion: sim.cri.io/v1alpha1
kind: RuntimeModel
rules:
  - name: crash-loop
    match: { methods: [CreateContainer], podSelector: { matchLabels: { chaos: crash-loop } } }
    container: { exitAfter: 2s, exitCode: 3 }
  - name: sandbox-network-down
    match: { methods: [RunPodSandbox], namespaces: [broken] }
    latency: { distribution: fixed, valueMs: 1500 }
    error: { probability: 1, code: UNAVAILABLE, message: "failed to setup network for sandbox: cni plugin not initialized" }
  - name: overloaded
    match: { methods: [StartContainer], podSelector: { matchLabels: { app: slow } } }
    error: { probability: 1, code: DEADLINE_EXCEEDED, message: context deadline exceeded }
  - name: too-many
    match: { methods: [ListContainers] }
    error: { probability: 1, code: RESOURCE_EXHAUSTED, message: "grpc: trying to send message larger than max (16777217 vs. 16777216)" }
  - name: pulls
    match: { methods: [PullImage] }
    latency: { distribution: fixed, valueMs: 300 }
    imagePull: { bandwidthBytesPerSecond: 1000000 }
  - name: sandboxes
    match: { methods: [RunPodSandbox] }
    latency: { distribution: fixed, valueMs: 100 }
`,
  'server-test.yaml',
);

function podConfig(name: string, namespace: string, labels: Record<string, string>) {
  return {
    metadata: { name, namespace, uid: `uid-${name}`, attempt: 0 },
    hostname: name,
    log_directory: `/tmp/sim-pod-logs/${name}`,
    labels,
    annotations: {},
    linux: {},
  };
}

describe('runtime model in the CRI server', () => {
  let socket: TempSocket;
  let server: CriServer;
  let runtime: RuntimeServiceClient;
  let images: ImageServiceClient;
  const clock = new FakeClock();
  const slept: number[] = [];

  before(async () => {
    socket = tempSocket();
    server = await startCriServer({
      listen: socket.listen,
      persona: 'containerd',
      seed: SEED,
      clock,
      model: MODEL,
      // Record every wait and return at once: the test never sleeps.
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    runtime = createRuntimeServiceClient(socket.listen);
    images = createImageServiceClient(socket.listen);
  });

  after(async () => {
    runtime?.close();
    images?.close();
    await server?.close();
    socket?.cleanup();
  });

  async function startPod(name: string, namespace: string, labels: Record<string, string>): Promise<{ pod: any; sandboxId: string; containerId: string }> {
    const pod = podConfig(name, namespace, labels);
    const { pod_sandbox_id: sandboxId } = await call(runtime, 'RunPodSandbox', { config: pod });
    const { image_ref: imageRef } = await call(images, 'PullImage', { image: { image: 'nginx:1.27' }, sandbox_config: pod });
    const { container_id: containerId } = await call(runtime, 'CreateContainer', {
      pod_sandbox_id: sandboxId,
      config: { metadata: { name: 'app' }, image: { image: imageRef, user_specified_image: 'nginx:1.27' }, log_path: 'app.log' },
      sandbox_config: pod,
    });
    return { pod, sandboxId, containerId };
  }

  it('injects the configured status code and message, after the configured delay, without touching the state', async () => {
    slept.length = 0;
    await assert.rejects(call(runtime, 'RunPodSandbox', { config: podConfig('net', 'broken', {}) }), (err: ServiceError) => {
      assert.equal(err.code, GRPC_STATUS.UNAVAILABLE);
      assert.equal(err.details, 'failed to setup network for sandbox: cni plugin not initialized');
      return true;
    });
    assert.deepEqual(slept, [1500]);
    const { items } = await call(runtime, 'ListPodSandbox', {});
    assert.equal(items.filter((s: any) => s.metadata.namespace === 'broken').length, 0);
  });

  it('applies the next matching latency rule to other pods, and image transfer time to pulls', async () => {
    slept.length = 0;
    await startPod('web', 'default', { app: 'web' });
    const size = describeImage('docker.io/library/nginx', '1.27', SEED).sizeBytes;
    assert.deepEqual(slept, [100, 300 + (size / 1_000_000) * 1000]);
  });

  it('matches an id-only call by the pod labels (DEADLINE_EXCEEDED on StartContainer)', async () => {
    const { containerId } = await startPod('slow', 'default', { app: 'slow' });
    await assert.rejects(call(runtime, 'StartContainer', { container_id: containerId }), (err: ServiceError) => {
      assert.equal(err.code, GRPC_STATUS.DEADLINE_EXCEEDED);
      assert.equal(err.details, 'context deadline exceeded');
      return true;
    });
    const { status } = await call(runtime, 'ContainerStatus', { container_id: containerId });
    assert.equal(status.state, 'CONTAINER_CREATED', 'the injected error replaced the start');
  });

  it('answers RESOURCE_EXHAUSTED where configured', async () => {
    await assert.rejects(call(runtime, 'ListContainers', {}), (err: ServiceError) => {
      assert.equal(err.code, GRPC_STATUS.RESOURCE_EXHAUSTED);
      assert.match(err.details, /larger than max/);
      return true;
    });
  });

  it('plays out a container rule: the crash-loop pod exits with code 3 two seconds after each start', async () => {
    const { containerId } = await startPod('crasher', 'default', { chaos: 'crash-loop' });
    await call(runtime, 'StartContainer', { container_id: containerId });
    clock.advanceMs(1999);
    assert.equal((await call(runtime, 'ContainerStatus', { container_id: containerId })).status.state, 'CONTAINER_RUNNING');
    clock.advanceMs(1);
    const { status } = await call(runtime, 'ContainerStatus', { container_id: containerId });
    assert.equal(status.state, 'CONTAINER_EXITED');
    assert.equal(status.exit_code, 3);
    assert.equal(status.reason, 'Error');
  });
});
