import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import type { Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { createImageServiceClient, createRuntimeServiceClient } from '../../../cri-proto/src/load-cri';
import type { ImageServiceClient } from '../../../cri-proto/src/generated/runtime/v1/ImageService';
import type { RuntimeServiceClient } from '../../../cri-proto/src/generated/runtime/v1/RuntimeService';
import { startCriServer, type CriServer, type CriServerOptions } from '../../../runtime-sim/src/server/cri-server';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { STATE_FILE_NAME } from '../../../runtime-sim/src/state/state-store';
import { tempSocket, type TempSocket } from '../../helpers/temp-socket';
import { channels, runSession } from '../streaming/stream-test-kit';

/* eslint-disable @typescript-eslint/no-explicit-any */

function call<Res = any>(client: Client, method: string, request: unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    (client as any)[method](request, { deadline: Date.now() + 5000 }, (err: ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)));
  });
}

async function rejectsWith(promise: Promise<unknown>, code: number, details: string): Promise<void> {
  await assert.rejects(promise, (err: ServiceError) => {
    assert.equal(err.details, details);
    assert.equal(err.code, code);
    return true;
  });
}

const POD = {
  metadata: { name: 'web', namespace: 'default', uid: 'uid-web', attempt: 0 },
  hostname: 'web',
  log_directory: '',
  labels: { 'io.kubernetes.pod.uid': 'uid-web' },
  annotations: {},
  linux: {},
};
const CTR = { metadata: { name: 'app' }, image: { image: 'nginx' }, labels: { 'io.kubernetes.pod.uid': 'uid-web' }, annotations: {} };

interface Rig {
  readonly socket: TempSocket;
  readonly server: CriServer;
  readonly runtime: RuntimeServiceClient;
  readonly images: ImageServiceClient;
}

const rigs: Rig[] = [];
const sockets: TempSocket[] = [];

async function startRig(persona: 'crio' | 'containerd', extra: Partial<CriServerOptions> = {}, socket = tempSocket()): Promise<Rig> {
  if (!sockets.includes(socket)) sockets.push(socket);
  const server = await startCriServer({ listen: socket.listen, persona, seed: 3, ...extra });
  const rig = { socket, server, runtime: createRuntimeServiceClient(socket.listen), images: createImageServiceClient(socket.listen) };
  rigs.push(rig);
  return rig;
}

async function stopRig(rig: Rig): Promise<void> {
  rigs.splice(rigs.indexOf(rig), 1);
  rig.runtime.close();
  rig.images.close();
  await rig.server.close();
}

async function runningContainer(rig: Rig): Promise<{ podId: string; ctrId: string }> {
  const podId = (await call(rig.runtime, 'RunPodSandbox', { config: POD })).pod_sandbox_id;
  await call(rig.images, 'PullImage', { image: { image: 'nginx' } });
  const ctrId = (await call(rig.runtime, 'CreateContainer', { pod_sandbox_id: podId, config: CTR, sandbox_config: POD })).container_id;
  await call(rig.runtime, 'StartContainer', { container_id: ctrId });
  return { podId, ctrId };
}

afterEach(async () => {
  for (const rig of [...rigs]) await stopRig(rig);
});
after(() => {
  for (const s of sockets) s.cleanup();
});

const STREAMS = { stdin: false, stdout: true, stderr: true, tty: false };

describe('Exec / Attach / PortForward RPCs', () => {
  it('crio: hands out an exec URL that runs the command, and wraps validation errors as CRI-O does', async () => {
    const rig = await startRig('crio');
    const { ctrId } = await runningContainer(rig);
    const { url } = await call(rig.runtime, 'Exec', { container_id: ctrId, cmd: ['echo', 'hi'], ...STREAMS });
    assert.ok(url.startsWith(`${rig.server.streamServer.baseUrl}/exec/`));
    const session = await runSession(url, ['v4.channel.k8s.io']);
    assert.deepEqual(channels(session.frames).slice(1), [[1, 'hi\n'], [3, '{"metadata":{},"status":"Success"}']]);
    await rejectsWith(
      call(rig.runtime, 'Exec', { container_id: ctrId, cmd: ['true'], stdin: false, stdout: false, stderr: false }),
      GRPC_STATUS.INVALID_ARGUMENT,
      'unable to prepare exec endpoint: rpc error: code = InvalidArgument desc = one of stdin, stdout, or stderr must be set',
    );
    await rejectsWith(call(rig.runtime, 'Attach', { container_id: '', ...STREAMS }), GRPC_STATUS.UNKNOWN, 'unable to prepare attach endpoint');
    await rejectsWith(call(rig.runtime, 'PortForward', { pod_sandbox_id: '', port: [80] }), GRPC_STATUS.UNKNOWN, 'unable to prepare portforward endpoint');
    // CRI-O checks the container only when the client connects.
    const late = await call(rig.runtime, 'Exec', { container_id: 'doesnotexist', cmd: ['true'], ...STREAMS });
    assert.match(late.url, /\/exec\//);
  });

  it('containerd: refuses a missing or non-running container and a sandbox that is not ready', async () => {
    const rig = await startRig('containerd');
    const { podId, ctrId } = await runningContainer(rig);
    await rejectsWith(call(rig.runtime, 'Exec', { container_id: 'nope', cmd: ['true'], ...STREAMS }), GRPC_STATUS.NOT_FOUND, 'failed to find container "nope" in store: not found');
    await rejectsWith(call(rig.runtime, 'Attach', { container_id: 'nope', ...STREAMS }), GRPC_STATUS.NOT_FOUND, 'failed to find container in store: not found');
    await rejectsWith(call(rig.runtime, 'PortForward', { pod_sandbox_id: 'nope', port: [80] }), GRPC_STATUS.NOT_FOUND, 'failed to find sandbox "nope": not found');
    const pf = await call(rig.runtime, 'PortForward', { pod_sandbox_id: podId, port: [8080] });
    assert.match(pf.url, /\/portforward\/[A-Za-z0-9_-]{8}$/);
    await call(rig.runtime, 'StopContainer', { container_id: ctrId, timeout: 0 });
    await rejectsWith(call(rig.runtime, 'Exec', { container_id: ctrId, cmd: ['true'], ...STREAMS }), GRPC_STATUS.UNKNOWN, 'container is in CONTAINER_EXITED state');
    await call(rig.runtime, 'StopPodSandbox', { pod_sandbox_id: podId });
    await rejectsWith(call(rig.runtime, 'PortForward', { pod_sandbox_id: podId, port: [80] }), GRPC_STATUS.UNKNOWN, 'sandbox container is not running');
  });
});

function subscribe(runtime: RuntimeServiceClient): { stream: ClientReadableStream<any>; events: any[]; done: Promise<ServiceError | null> } {
  const stream = runtime.GetContainerEvents({});
  const events: any[] = [];
  stream.on('data', (e) => events.push(e));
  const done = new Promise<ServiceError | null>((resolve) => {
    stream.on('error', (err: ServiceError) => resolve(err));
    stream.on('end', () => resolve(null));
  });
  return { stream, events, done };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('GetContainerEvents', () => {
  it('containerd: streams the lifecycle to two subscribers, survives one cancelling, ends UNAVAILABLE on close', async () => {
    const rig = await startRig('containerd');
    const a = subscribe(rig.runtime);
    const b = subscribe(rig.runtime);
    await until(() => rig.server.events.subscriberCount === 2, 'two subscribers');
    const { podId, ctrId } = await runningContainer(rig);
    await until(() => a.events.length === 3 && b.events.length === 3, 'three events each');
    assert.deepEqual(
      a.events.map((e) => [e.container_event_type, e.container_id === podId ? 'sandbox' : e.container_id === ctrId ? 'container' : '?']),
      [['CONTAINER_CREATED_EVENT', 'sandbox'], ['CONTAINER_CREATED_EVENT', 'container'], ['CONTAINER_STARTED_EVENT', 'container']],
    );
    const started = a.events[2];
    assert.match(started.created_at, /^\d{19}$/);
    assert.equal(started.pod_sandbox_status.id, podId);
    assert.deepEqual(started.containers_statuses.map((c: any) => [c.id, c.state]), [[ctrId, 'CONTAINER_RUNNING']]);
    assert.deepEqual(b.events, a.events);

    b.stream.cancel();
    assert.equal((await b.done)?.code, GRPC_STATUS.CANCELLED);
    await until(() => rig.server.events.subscriberCount === 1, 'the cancelled subscriber to leave');
    await call(rig.runtime, 'StopContainer', { container_id: ctrId, timeout: 0 });
    await until(() => a.events.length === 4, 'the STOPPED event');
    assert.equal(a.events[3].container_event_type, 'CONTAINER_STOPPED_EVENT');
    assert.equal(b.events.length, 3);

    await stopRig(rig);
    const end = await a.done;
    assert.deepEqual([end?.code, end?.details], [GRPC_STATUS.UNAVAILABLE, 'container events subscription closed by server']);
  });

  it('containerd: a process that exits on its own is announced without another CRI call', async () => {
    const rig = await startRig('containerd');
    const a = subscribe(rig.runtime);
    await until(() => rig.server.events.subscriberCount === 1, 'the subscriber');
    const pod = { ...POD, annotations: { 'sim.cri.io/exit-after': '20ms' } };
    const podId = (await call(rig.runtime, 'RunPodSandbox', { config: pod })).pod_sandbox_id;
    await call(rig.images, 'PullImage', { image: { image: 'nginx' } });
    const ctrId = (await call(rig.runtime, 'CreateContainer', { pod_sandbox_id: podId, config: CTR, sandbox_config: pod })).container_id;
    await call(rig.runtime, 'StartContainer', { container_id: ctrId });
    await until(() => a.events.some((e) => e.container_event_type === 'CONTAINER_STOPPED_EVENT'), 'the exit event');
    const stopped = a.events.find((e) => e.container_event_type === 'CONTAINER_STOPPED_EVENT');
    assert.equal(stopped.containers_statuses[0].state, 'CONTAINER_EXITED');
  });

  it('crio: with enable_pod_events off (the default) the call ends at once with OK and no events', async () => {
    const rig = await startRig('crio');
    const a = subscribe(rig.runtime);
    assert.equal(await a.done, null);
    assert.equal(a.events.length, 0);
    const on = await startRig('crio', { enablePodEvents: true });
    const b = subscribe(on.runtime);
    await until(() => on.server.events.subscriberCount === 1, 'the subscriber');
    await runningContainer(on);
    await until(() => b.events.length === 3, 'three events');
    await stopRig(on);
    assert.equal(await b.done, null, 'CRI-O ends its streams with OK on shutdown');
  });
});

describe('--state-dir', () => {
  it('survives a restart: the same sandboxes, containers and images, and the container keeps running', async () => {
    const socket = tempSocket();
    const stateDir = path.join(socket.dir, 'state');
    const first = await startRig('crio', { stateDir }, socket);
    const { podId, ctrId } = await runningContainer(first);
    const before = {
      pods: await call(first.runtime, 'ListPodSandbox', {}),
      ctrs: await call(first.runtime, 'ListContainers', {}),
      imgs: await call(first.images, 'ListImages', {}),
    };
    await stopRig(first);
    assert.ok(fs.existsSync(path.join(stateDir, STATE_FILE_NAME)));

    const second = await startRig('crio', { stateDir }, socket);
    assert.deepEqual(await call(second.runtime, 'ListPodSandbox', {}), before.pods);
    assert.deepEqual(await call(second.runtime, 'ListContainers', {}), before.ctrs);
    assert.deepEqual(await call(second.images, 'ListImages', {}), before.imgs);
    assert.equal((await call(second.runtime, 'ContainerStatus', { container_id: ctrId })).status.state, 'CONTAINER_RUNNING');
    // The name stays reserved: CRI-O answers a repeated RunPodSandbox with the existing id.
    assert.equal((await call(second.runtime, 'RunPodSandbox', { config: POD })).pod_sandbox_id, podId);
  });

  it('refuses to start on a corrupt state file, naming it', async () => {
    const socket = tempSocket();
    sockets.push(socket);
    const stateDir = path.join(socket.dir, 'state');
    fs.mkdirSync(stateDir);
    fs.writeFileSync(path.join(stateDir, STATE_FILE_NAME), 'not json');
    await assert.rejects(startCriServer({ listen: socket.listen, persona: 'containerd', stateDir }), (err: Error) => {
      assert.equal(err.name, 'StateFileError');
      assert.ok(err.message.includes(path.join(stateDir, STATE_FILE_NAME)));
      return true;
    });
    assert.equal(fs.readFileSync(path.join(stateDir, STATE_FILE_NAME), 'utf8'), 'not json');
    assert.equal(fs.existsSync(socket.path), false, 'nothing listens');
  });
});
