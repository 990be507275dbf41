import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { createImageServiceClient, createRuntimeServiceClient } from '../../../cri-proto/src/load-cri';
import type { ImageServiceClient } from '../../../cri-proto/src/generated/runtime/v1/ImageService';
import type { RuntimeServiceClient } from '../../../cri-proto/src/generated/runtime/v1/RuntimeService';
import { startCriServer, type CriServer } from '../../../runtime-sim/src/server/cri-server';
import { FakeClock } from '../../../runtime-sim/src/state/clock';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { PERSONAS, type Persona } from '../../../runtime-sim/src/state/persona';
import { leaveStaleSocket, tempSocket, type TempSocket } from '../../helpers/temp-socket';

/* eslint-disable @typescript-eslint/no-explicit-any */

const DEADLINE_MS = 5000;

/** Unary call with a deadline, as a promise. */
function call<Res = any>(client: Client, method: string, request: unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    (client as any)[method](request, { deadline: Date.now() + DEADLINE_MS }, (err: ServiceError | null, res: Res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

async function rejectsWith(promise: Promise<unknown>, code: number, details: string | RegExp): Promise<void> {
  await assert.rejects(promise, (err: ServiceError) => {
    assert.equal(err.code, code, `code of: ${err.details}`);
    if (typeof details === 'string') assert.equal(err.details, details);
    else assert.match(err.details, details);
    return true;
  });
}

const POD_CONFIG = {
  metadata: { name: 'nginx-sandbox', namespace: 'default', uid: 'hdishd83djaidwnduwk28bcsb', attempt: 1 },
  hostname: 'nginx-sandbox',
  log_directory: '/tmp/sim-pod-logs',
  labels: { app: 'nginx' },
  annotations: {},
  linux: {},
};

const CONTAINER_CONFIG = {
  metadata: { name: 'nginx' },
  image: { image: 'nginx' },
  log_path: 'nginx.0.log',
  labels: { tier: 'web' },
  annotations: {},
};

interface Rig {
  readonly socket: TempSocket;
  readonly server: CriServer;
  readonly runtime: RuntimeServiceClient;
  readonly images: ImageServiceClient;
}

async function startRig(persona: Persona, extra: Partial<Parameters<typeof startCriServer>[0]> = {}): Promise<Rig> {
  const socket = tempSocket();
  const server = await startCriServer({ listen: socket.listen, persona, seed: 7, ...extra });
  const runtime = createRuntimeServiceClient(socket.listen);
  const images = createImageServiceClient(socket.listen);
  return { socket, server, runtime, images };
}

async function stopRig(rig: Rig | undefined): Promise<void> {
  if (rig === undefined) return;
  rig.runtime.close();
  rig.images.close();
  await rig.server.close();
  rig.socket.cleanup();
}

for (const persona of PERSONAS) {
  describe(`runtime-sim CRI server [${persona}]`, () => {
    let rig: Rig | undefined;
    before(async () => {
      rig = await startRig(persona);
    });
    after(async () => {
      await stopRig(rig);
    });

    it('answers Version like the real runtime', async () => {
      const res = await call(rig!.runtime, 'Version', { version: '0.1.0' });
      assert.deepEqual(res, {
        version: '0.1.0',
        runtime_name: persona === 'crio' ? 'cri-o' : 'containerd',
        runtime_version: persona === 'crio' ? '1.33.0' : 'v2.1.0',
        runtime_api_version: 'v1',
      });
    });

    it('answers Status with RuntimeReady and NetworkReady true, and info when verbose', async () => {
      const quiet = await call(rig!.runtime, 'Status', {});
      assert.deepEqual(
        quiet.status.conditions.map((c: any) => [c.type, c.status]),
        [
          ['RuntimeReady', true],
          ['NetworkReady', true],
          // containerd 2.x adds its deprecation condition (internal/cri/server/status.go).
          ...(persona === 'containerd' ? [['ContainerdHasNoDeprecationWarnings', true]] : []),
        ],
      );
      assert.deepEqual(quiet.info, {});
      const verbose = await call(rig!.runtime, 'Status', { verbose: true });
      assert.ok(Object.keys(verbose.info).length > 0);
    });

    it('runs a crictl-style pod lifecycle: runp, pull, create, start, ps, inspect, stop, rm, stopp, rmp', async () => {
      const { runtime, images } = rig!;
      const runp = await call(runtime, 'RunPodSandbox', { config: POD_CONFIG });
      const podId: string = runp.pod_sandbox_id;
      assert.match(podId, /^[0-9a-f]{64}$/);

      const inspectp = await call(runtime, 'PodSandboxStatus', { pod_sandbox_id: podId.slice(0, 12), verbose: true });
      assert.equal(inspectp.status.id, podId);
      assert.equal(inspectp.status.state, 'SANDBOX_READY');
      assert.match(inspectp.status.created_at, /^\d{19}$/);
      assert.match(inspectp.status.network.ip, persona === 'crio' ? /^10\.85\./ : /^10\.88\./);
      assert.ok(inspectp.info.info);

      const pulled = await call(images, 'PullImage', { image: { image: 'nginx' }, sandbox_config: POD_CONFIG });
      const status = await call(images, 'ImageStatus', { image: { image: 'nginx' } });
      assert.deepEqual(status.image.repo_tags, ['docker.io/library/nginx:latest']);
      assert.match(status.image.size, /^\d+$/);
      if (persona === 'containerd') assert.equal(pulled.image_ref, status.image.id);
      else assert.equal(pulled.image_ref, status.image.repo_digests[0]);

      const created = await call(runtime, 'CreateContainer', {
        pod_sandbox_id: podId,
        config: { ...CONTAINER_CONFIG, image: { image: status.image.id, user_specified_image: 'nginx' } },
        sandbox_config: POD_CONFIG,
      });
      const ctrId: string = created.container_id;
      assert.match(ctrId, /^[0-9a-f]{64}$/);

      await call(runtime, 'StartContainer', { container_id: ctrId.slice(0, 13) });

      const ps = await call(runtime, 'ListContainers', { filter: { state: { state: 'CONTAINER_RUNNING' } } });
      assert.deepEqual(
        ps.containers.map((c: any) => [c.id, c.pod_sandbox_id, c.state]),
        [[ctrId, podId, 'CONTAINER_RUNNING']],
      );
      const byLabel = await call(runtime, 'ListContainers', { filter: { label_selector: { tier: 'db' } } });
      assert.deepEqual(byLabel.containers, []);

      const inspect = await call(runtime, 'ContainerStatus', { container_id: ctrId, verbose: true });
      assert.equal(inspect.status.state, 'CONTAINER_RUNNING');
      assert.ok(BigInt(inspect.status.started_at) >= BigInt(inspect.status.created_at));
      assert.equal(inspect.status.finished_at, '0');
      assert.equal(inspect.status.image_id, status.image.id);
      assert.equal(inspect.status.log_path, '/tmp/sim-pod-logs/nginx.0.log');
      assert.equal(JSON.parse(inspect.info.info).sandboxID, podId);

      await call(runtime, 'StopContainer', { container_id: ctrId, timeout: 30 });
      const stopped = await call(runtime, 'ContainerStatus', { container_id: ctrId });
      assert.equal(stopped.status.state, 'CONTAINER_EXITED');
      assert.equal(stopped.status.exit_code, 0);
      assert.equal(stopped.status.reason, 'Completed');
      assert.ok(BigInt(stopped.status.finished_at) >= BigInt(stopped.status.started_at));

      await call(runtime, 'RemoveContainer', { container_id: ctrId });
      assert.deepEqual((await call(runtime, 'ListContainers', {})).containers, []);

      await call(runtime, 'StopPodSandbox', { pod_sandbox_id: podId });
      const stoppedPod = await call(runtime, 'ListPodSandbox', { filter: { id: podId } });
      assert.equal(stoppedPod.items[0].state, 'SANDBOX_NOTREADY');

      await call(runtime, 'RemovePodSandbox', { pod_sandbox_id: podId });
      assert.deepEqual((await call(runtime, 'ListPodSandbox', {})).items, []);
      // Idempotent on an id that is gone.
      await call(runtime, 'StopPodSandbox', { pod_sandbox_id: podId });
      await call(runtime, 'RemovePodSandbox', { pod_sandbox_id: podId });
      assert.deepEqual(rig!.server.state.checkInvariants(), []);
    });

    it('maps state errors to their gRPC codes and the runtime\'s messages', async () => {
      const id = 'b'.repeat(64);
      await rejectsWith(
        call(rig!.runtime, 'ContainerStatus', { container_id: id }),
        GRPC_STATUS.NOT_FOUND,
        persona === 'crio'
          ? `could not find container "${id}": container with ID starting with ${id} not found: ID does not exist`
          : `an error occurred when try to find container "${id}": not found`,
      );
      await rejectsWith(
        call(rig!.runtime, 'PodSandboxStatus', { pod_sandbox_id: id }),
        GRPC_STATUS.NOT_FOUND,
        /not found|ID does not exist/,
      );
      await rejectsWith(
        call(rig!.runtime, 'RunPodSandbox', { config: { ...POD_CONFIG, metadata: null } }),
        GRPC_STATUS.UNKNOWN,
        persona === 'crio' ? 'setting sandbox config: metadata is nil' : 'sandbox config must include metadata',
      );
    });

    it('reports a missing image as an empty ImageStatus and lists images', async () => {
      const missing = await call(rig!.images, 'ImageStatus', { image: { image: 'does-not-exist:1' } });
      assert.equal(missing.image, null);
      const list = await call(rig!.images, 'ListImages', {});
      assert.ok(list.images.some((img: any) => img.repo_tags.includes('registry.k8s.io/pause:3.10') && img.pinned));
      const fs1 = await call(rig!.images, 'ImageFsInfo', {});
      assert.match(fs1.image_filesystems[0].used_bytes.value, /^\d+$/);
      assert.equal(
        fs1.image_filesystems[0].fs_id.mountpoint,
        persona === 'crio' ? '/var/lib/containers/storage/overlay-images' : '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs',
      );
      await call(rig!.images, 'RemoveImage', { image: { image: 'does-not-exist:1' } });
    });

    it('answers UNIMPLEMENTED naming the method, for unary and streaming RPCs', async () => {
      if (persona === 'containerd') {
        // containerd 2.1 leaves the pod metrics RPCs to the generated Unimplemented server.
        await rejectsWith(
          call(rig!.runtime, 'ListPodSandboxMetrics', {}),
          GRPC_STATUS.UNIMPLEMENTED,
          'method ListPodSandboxMetrics not implemented',
        );
      } else {
        assert.deepEqual((await call(rig!.runtime, 'ListPodSandboxMetrics', {})).pod_metrics, []);
      }
      for (const [client, method, details] of [
        [rig!.runtime, 'StreamContainers', 'unknown method StreamContainers for service runtime.v1.RuntimeService'],
        [rig!.images, 'StreamImages', 'unknown method StreamImages for service runtime.v1.ImageService'],
      ] as const) {
        const err = await new Promise<ServiceError>((resolve, reject) => {
          const stream = (client as any)[method]({}, { deadline: Date.now() + DEADLINE_MS });
          stream.on('data', () => reject(new Error(`${method} sent data`)));
          stream.on('error', resolve);
          stream.on('end', () => reject(new Error(`${method} ended without an error`)));
        });
        assert.equal(err.code, GRPC_STATUS.UNIMPLEMENTED);
        assert.equal(err.details, details);
      }
    });
  });
}

describe('runtime-sim CRI server time and latency', () => {
  let rig: Rig | undefined;
  const clock = new FakeClock();
  const sleeps: number[] = [];
  const latencyAsked: string[] = [];
  before(async () => {
    rig = await startRig('containerd', {
      clock,
      // The fake sleep moves the runtime's clock instead of waiting.
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advanceMs(ms);
      },
      latency: (method) => {
        latencyAsked.push(method);
        return method === 'PullImage' ? 1500 : 0;
      },
    });
  });
  after(async () => {
    await stopRig(rig);
  });

  it('applies per-method latency and lets containers exit on the runtime clock', async () => {
    const { runtime, images } = rig!;
    const pod = { ...POD_CONFIG, annotations: { 'sim.cri.io/exit-after': '5s', 'sim.cri.io/exit-code': '3' } };
    const podId = (await call(runtime, 'RunPodSandbox', { config: pod })).pod_sandbox_id;
    const before = clock.nowNs();
    await call(images, 'PullImage', { image: { image: 'busybox' } });
    assert.equal(clock.nowNs() - before, 1_500_000_000n);
    const ctrId = (
      await call(runtime, 'CreateContainer', { pod_sandbox_id: podId, config: { ...CONTAINER_CONFIG, image: { image: 'busybox' } }, sandbox_config: pod })
    ).container_id;
    await call(runtime, 'StartContainer', { container_id: ctrId });
    clock.advanceMs(5000);
    const status = (await call(runtime, 'ContainerStatus', { container_id: ctrId })).status;
    assert.deepEqual([status.state, status.exit_code, status.reason], ['CONTAINER_EXITED', 3, 'Error']);
    assert.equal(BigInt(status.finished_at) - BigInt(status.started_at), 5_000_000_000n);
    assert.ok(latencyAsked.includes('RunPodSandbox') && latencyAsked.includes('PullImage'));
  });

  it('holds the StopContainer reply until the grace period ends in SIGKILL', async () => {
    const { runtime } = rig!;
    const pod = { ...POD_CONFIG, metadata: { ...POD_CONFIG.metadata, name: 'slow' }, annotations: { 'sim.cri.io/stop-grace': 'never' } };
    const podId = (await call(runtime, 'RunPodSandbox', { config: pod })).pod_sandbox_id;
    const ctrId = (
      await call(runtime, 'CreateContainer', { pod_sandbox_id: podId, config: { ...CONTAINER_CONFIG, image: { image: 'busybox' } }, sandbox_config: pod })
    ).container_id;
    await call(runtime, 'StartContainer', { container_id: ctrId });
    sleeps.length = 0;
    await call(runtime, 'StopContainer', { container_id: ctrId, timeout: 30 });
    assert.deepEqual(sleeps, [30_000]);
    const status = (await call(runtime, 'ContainerStatus', { container_id: ctrId })).status;
    assert.deepEqual([status.state, status.exit_code, status.reason], ['CONTAINER_EXITED', 137, 'Error']);
  });
});

describe('startCriServer lifecycle', () => {
  it('removes a stale socket file before binding, and its socket on close; close is idempotent', async () => {
    const socket = tempSocket();
    try {
      // A process killed without cleanup leaves its socket file behind.
      leaveStaleSocket(socket.path);
      const server = await startCriServer({ listen: socket.listen, persona: 'crio' });
      const client = createRuntimeServiceClient(socket.listen);
      try {
        assert.equal((await call(client, 'Version', {})).runtime_name, 'cri-o');
      } finally {
        client.close();
      }
      await server.close();
      await server.close();
      assert.equal(fs.existsSync(socket.path), false);
    } finally {
      socket.cleanup();
    }
  });

  it('refuses a socket another live server answers on, naming the path and --listen, and leaves that server serving', async () => {
    const socket = tempSocket();
    const first = await startCriServer({ listen: socket.listen, persona: 'containerd' });
    const client = createRuntimeServiceClient(socket.listen);
    try {
      await assert.rejects(startCriServer({ listen: socket.listen, persona: 'crio' }), (err: Error) => {
        assert.equal(err.name, 'SocketInUseError');
        assert.equal(err.message, `another process is serving ${socket.path}; stop it or choose another socket with --listen`);
        return true;
      });
      assert.ok(fs.lstatSync(socket.path).isSocket(), 'the live socket file stays');
      assert.equal((await call(client, 'Version', {})).runtime_name, 'containerd');
    } finally {
      client.close();
      await first.close();
      socket.cleanup();
    }
  });

  it('refuses a socket path whose directory does not exist, with a clear message', async () => {
    const socket = tempSocket();
    try {
      const missing = path.join(socket.dir, 'no', 'such', 'dir', 'cri.sock');
      await assert.rejects(startCriServer({ listen: `unix://${missing}`, persona: 'containerd' }), (err: Error) => {
        assert.match(err.message, /directory .*no\/such\/dir for socket .* does not exist/);
        return true;
      });
    } finally {
      socket.cleanup();
    }
  });

  it('refuses a listen address that is not unix:///absolute', async () => {
    await assert.rejects(startCriServer({ listen: '127.0.0.1:1234', persona: 'crio' }), /expected unix:\/\/\/absolute\/path\.sock/);
  });

  it('refuses to replace a regular file at the socket path', async () => {
    const socket = tempSocket();
    try {
      fs.writeFileSync(socket.path, 'not a socket');
      await assert.rejects(startCriServer({ listen: socket.listen, persona: 'crio' }), /exists and is not a socket/);
    } finally {
      socket.cleanup();
    }
  });

  it('does not load @grpc/grpc-js when the server module is imported', () => {
    const modulePath = path.resolve(__dirname, '../../../runtime-sim/src/server/cri-server.js');
    const out = execFileSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(modulePath)}); console.log(Object.keys(require.cache).some((k) => k.includes('@grpc/grpc-js')))`],
      { encoding: 'utf8' },
    );
    assert.equal(out.trim(), 'false');
  });
});
