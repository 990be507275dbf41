import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { PERSONAS } from '../../../runtime-sim/src/state/persona';
import { REQUEST_CACHE } from '../../../runtime-sim/src/streaming/request-cache';
import { createSimulatedStreamRuntime } from '../../../runtime-sim/src/streaming/simulated-stream-runtime';
import { isLoopbackAddress, StreamServer } from '../../../runtime-sim/src/streaming/stream-server';
import { assertCriError, newHarness, podConfig, podWithContainer, type Harness } from '../state/fixtures';
import { channels, httpRequest, refusedUpgradeStatus, runSession } from './stream-test-kit';

interface Rig {
  readonly h: Harness;
  readonly server: StreamServer;
  readonly sandboxId: string;
  readonly containerId: string;
  advanceCacheMs(ms: number): void;
}

const open: StreamServer[] = [];

async function startRig(persona: 'crio' | 'containerd', annotations: Record<string, string> = {}): Promise<Rig> {
  const h = newHarness(persona);
  const { sandboxId, containerId } = podWithContainer(h, { pod: podConfig('web', { annotations }) });
  let cacheNow = 5_000_000;
  const server = await StreamServer.start({ runtime: createSimulatedStreamRuntime(h.state), cache: { nowMs: () => cacheNow } });
  open.push(server);
  return { h, server, sandboxId, containerId, advanceCacheMs: (ms) => void (cacheNow += ms) };
}

const EXEC = { tty: false, stdin: false, stdout: true, stderr: true };

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
after(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('StreamServer', () => {
  it('listens on loopback only', async () => {
    assert.equal(isLoopbackAddress('127.0.0.1'), true);
    assert.equal(isLoopbackAddress('::1'), true);
    assert.equal(isLoopbackAddress('0.0.0.0'), false);
    await assert.rejects(
      StreamServer.start({ runtime: createSimulatedStreamRuntime(newHarness('crio').state), host: '0.0.0.0' }),
      /not a loopback address/,
    );
  });

  it('hands out single-use URLs on the real port and validates requests as server.go does', async () => {
    const rig = await startRig('crio');
    const url = rig.server.getExec({ containerId: rig.containerId, cmd: ['true'], ...EXEC });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/exec\/[A-Za-z0-9_-]{8}$/);
    assert.notEqual(new URL(url).port, '0');
    assert.match(rig.server.getAttach({ containerId: rig.containerId, ...EXEC }), /\/attach\/[A-Za-z0-9_-]{8}$/);
    assert.match(rig.server.getPortForward({ podSandboxId: rig.sandboxId, ports: [80] }), /\/portforward\/[A-Za-z0-9_-]{8}$/);
    assertCriError(() => rig.server.getExec({ containerId: '', cmd: ['true'], ...EXEC }), GRPC_STATUS.INVALID_ARGUMENT, 'missing required container_id');
    assertCriError(() => rig.server.getExec({ containerId: 'x', cmd: ['true'], ...EXEC, tty: true }), GRPC_STATUS.INVALID_ARGUMENT, 'tty and stderr cannot both be true');
    assertCriError(
      () => rig.server.getExec({ containerId: 'x', cmd: ['true'], tty: false, stdin: false, stdout: false, stderr: false }),
      GRPC_STATUS.INVALID_ARGUMENT,
      'one of stdin, stdout, or stderr must be set',
    );
    assertCriError(
      () => rig.server.getAttach({ containerId: 'x', tty: false, stdin: false, stdout: false, stderr: false }),
      GRPC_STATUS.INVALID_ARGUMENT,
      'one of stdin, stdout, and stderr must be set',
    );
    assertCriError(() => rig.server.getPortForward({ podSandboxId: '', ports: [80] }), GRPC_STATUS.INVALID_ARGUMENT, 'missing required pod_sandbox_id');
  });

  for (const persona of PERSONAS) {
    describe(`exec over websocket [${persona}]`, () => {
      it('streams stdout and a v4 Success status on channel 3, then closes', async () => {
        const rig = await startRig(persona);
        const url = rig.server.getExec({ containerId: rig.containerId, cmd: ['echo', 'hello', 'world'], ...EXEC });
        const session = await runSession(url, ['v4.channel.k8s.io']);
        assert.equal(session.protocol, 'v4.channel.k8s.io');
        assert.deepEqual(channels(session.frames), [
          [1, ''],
          [1, 'hello world\n'],
          [3, '{"metadata":{},"status":"Success"}'],
        ]);
        assert.equal(session.closeCode, 1000);
      });

      it('reports a non-zero exit as NonZeroExitCode with the exit code as cause', async () => {
        const rig = await startRig(persona);
        const url = rig.server.getExec({ containerId: rig.containerId, cmd: ['sh', '-c', 'exit 3'], ...EXEC });
        const session = await runSession(url, ['v4.channel.k8s.io']);
        const [channel, text] = channels(session.frames).at(-1)!;
        assert.equal(channel, 3);
        const exitText = persona === 'containerd' ? 'error executing command [sh -c exit 3], exit code 3' : 'exit status 3';
        assert.deepEqual(JSON.parse(text), {
          metadata: {},
          status: 'Failure',
          message: `command terminated with non-zero exit code: ${exitText}`,
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: '3' }] },
        });
      });

      it('reports a container that is not running as an InternalError status', async () => {
        const rig = await startRig(persona);
        rig.h.state.stopContainer(rig.containerId, 0);
        const url = rig.server.getExec({ containerId: rig.containerId, cmd: ['true'], ...EXEC });
        const session = await runSession(url, ['v4.channel.k8s.io']);
        const status = JSON.parse(channels(session.frames).at(-1)![1]);
        assert.equal(status.reason, 'InternalError');
        assert.equal(status.code, 500);
        const reason = persona === 'crio' ? 'container is not created or running' : 'failed to exec in container: container is in CONTAINER_EXITED state';
        assert.equal(status.message, `Internal error occurred: error executing command in container: ${reason}`);
      });
    });
  }

  it('speaks the base64 protocol and, before v4, writes only a failure text on channel 3', async () => {
    const rig = await startRig('crio');
    const ok = await runSession(rig.server.getExec({ containerId: rig.containerId, cmd: ['hostname'], ...EXEC }), ['base64.channel.k8s.io']);
    assert.deepEqual(ok.frames, ['1', `1${Buffer.from('web\n').toString('base64')}`]);
    const failed = await runSession(rig.server.getExec({ containerId: rig.containerId, cmd: ['false'], ...EXEC }), ['channel.k8s.io']);
    assert.deepEqual(channels(failed.frames), [
      [1, ''],
      [3, 'command terminated with non-zero exit code: exit status 1'],
    ]);
  });

  it('answers 404 for an unknown, a used or an expired token, and for a token of another kind', async () => {
    const rig = await startRig('containerd');
    const base = rig.server.baseUrl;
    const unknown = await httpRequest(`${base}/exec/AAAAAAAA`, 'GET');
    assert.deepEqual([unknown.status, unknown.body], [404, '404 page not found\n']);

    const url = rig.server.getExec({ containerId: rig.containerId, cmd: ['true'], ...EXEC });
    await runSession(url, ['v4.channel.k8s.io']);
    assert.equal(await refusedUpgradeStatus(url, ['v4.channel.k8s.io']), 404, 'a token is single-use');

    const expiring = rig.server.getExec({ containerId: rig.containerId, cmd: ['true'], ...EXEC });
    rig.advanceCacheMs(REQUEST_CACHE.TTL_MS + 1);
    assert.equal(await refusedUpgradeStatus(expiring, ['v4.channel.k8s.io']), 404, 'an expired token is refused');

    const attachToken = rig.server.getAttach({ containerId: rig.containerId, ...EXEC }).split('/').pop()!;
    assert.equal((await httpRequest(`${base}/exec/${attachToken}`, 'GET')).status, 404);
    assert.equal((await httpRequest(`${base}/nothing/here`, 'GET')).status, 404);
    assert.equal((await httpRequest(`${base}/exec/${attachToken}`, 'DELETE')).status, 405);
    assert.equal(rig.server.pendingTokens, 0);
  });

  it('refuses v5.channel.k8s.io, and answers failed SPDY handshakes as httpstream.Handshake and the upgrader do', async () => {
    const rig = await startRig('crio');
    const exec = (): string => rig.server.getExec({ containerId: rig.containerId, cmd: ['true'], ...EXEC });
    assert.equal(await refusedUpgradeStatus(exec(), ['v5.channel.k8s.io']), 403);
    const unknown = await httpRequest(exec(), 'POST', { 'X-Stream-Protocol-Version': 'v5.channel.k8s.io' });
    const refusal = 'unable to upgrade: unable to negotiate protocol: client supports [v5.channel.k8s.io], server accepts [v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io]\n';
    assert.deepEqual([unknown.status, unknown.body], [403, refusal + refusal]);
    assert.equal(unknown.headers['x-accepted-stream-protocol-versions'], 'v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io');
    const noUpgrade = await httpRequest(exec(), 'POST', { 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' });
    assert.equal(noUpgrade.status, 400);
    assert.match(noUpgrade.body, /^unable to upgrade: missing upgrade headers in request: http\.Header\{.*"X-Stream-Protocol-Version":\[\]string\{"v4\.channel\.k8s\.io"\}/);
    const bare = await httpRequest(exec(), 'POST');
    assert.deepEqual([bare.status, bare.body], [400, 'unable to upgrade: X-Stream-Protocol-Version is required\n']);
    const barePortForward = await httpRequest(rig.server.getPortForward({ podSandboxId: rig.sandboxId, ports: [80] }), 'POST');
    assert.deepEqual([barePortForward.status, barePortForward.body], [200, '']);
    const both = await runSession(exec(), ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    assert.equal(both.protocol, 'v4.channel.k8s.io', 'the first offered protocol the server serves wins');
  });

  it('never forwards a port: each port gets its prefix and an error saying networking is simulated', async () => {
    const rig = await startRig('containerd');
    const url = rig.server.getPortForward({ podSandboxId: rig.sandboxId, ports: [80, 8443] });
    const session = await runSession(url, ['v4.channel.k8s.io']);
    const frames = channels(session.frames.map((f) => (typeof f === 'string' ? Buffer.from(f) : f)));
    const raw = session.frames as Buffer[];
    assert.deepEqual(raw.slice(0, 4).map((b) => [b[0], b.readUInt16LE(1)]), [[0, 80], [1, 80], [2, 8443], [3, 8443]]);
    assert.equal(frames[4]![0], 1);
    assert.match(frames[4]![1], new RegExp(`^error forwarding port 80 to pod ${rig.sandboxId}, uid : runtime-sim: pod networking is simulated`));
    assert.equal(frames[5]![0], 3);
    assert.match(frames[5]![1], /port 8443/);
  });

  it('keeps an attach open until the container exits, then writes Success', async () => {
    const rig = await startRig('containerd');
    const url = rig.server.getAttach({ containerId: rig.containerId, ...EXEC });
    // Stop the container once the session announced itself (the empty stdout frame).
    const done = await runSession(url, ['v4.channel.k8s.io'], [], 5000, (_f, i) => {
      if (i === 0) rig.h.state.stopContainer(rig.containerId, 0);
    });
    assert.deepEqual(channels(done.frames), [
      [1, ''],
      [3, '{"metadata":{},"status":"Success"}'],
    ]);
  });

  it('ends open sessions and refuses tokens once closed (idempotent close)', async () => {
    const rig = await startRig('crio', { 'sim.cri.io/exit-after': '1h' });
    const url = rig.server.getAttach({ containerId: rig.containerId, ...EXEC });
    const pending = rig.server.getExec({ containerId: rig.containerId, cmd: ['true'], ...EXEC });
    const ended = await runSession(url, ['v4.channel.k8s.io'], [], 5000, (_f, i) => {
      if (i === 0) void Promise.all([rig.server.close(), rig.server.close()]);
    });
    assert.notEqual(ended.closeCode, 1000, 'the server terminated the session');
    assert.equal(rig.server.pendingTokens, 0, 'close() forgets issued tokens');
    await assert.rejects(runSession(pending, ['v4.channel.k8s.io']), 'nothing listens any more');
  });
});
