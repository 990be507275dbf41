import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createSimulatedStreamRuntime } from '../../../runtime-sim/src/streaming/simulated-stream-runtime';
import { StreamServer, type StreamServerOptions } from '../../../runtime-sim/src/streaming/stream-server';
import { encodeControlFrame, encodeWords, SPDY_FRAME_TYPE, SPDY_RST_STATUS } from '../../../cri-proto/src/streaming/spdy/spdy-frame';
import { SpdyHeaderDeflater } from '../../../cri-proto/src/streaming/spdy/spdy-header-block';
import { newHarness, podConfig, podWithContainer, type Harness } from '../state/fixtures';
import { dataFrame, hasEOF, KUBECTL_129_SYN_BLOCKS, openSpdy, synStream, type ServerEvent, type SpdyClient } from '../../helpers/spdy-go-client';

/*
 * The stream server's SPDY path against the frames kubectl 1.29 sends (./spdy-go-client.ts), checked
 * frame by frame against kubelet cri/streaming remotecommand/httpstream.go and portforward/httpstream.go
 * (v1.34) over apimachinery httpstream/spdy and spdystream.
 */

const KUBECTL_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const EXEC = { tty: false, stdin: false, stdout: true, stderr: true };

const servers: StreamServer[] = [];
const clients: SpdyClient[] = [];

async function rig(options: Partial<StreamServerOptions> = {}, annotations: Record<string, string> = {}): Promise<{ h: Harness; server: StreamServer; containerId: string; sandboxId: string }> {
  const h = newHarness('crio');
  const { sandboxId, containerId } = podWithContainer(h, { pod: podConfig('web', { annotations }) });
  const server = await StreamServer.start({ runtime: createSimulatedStreamRuntime(h.state), ...options });
  servers.push(server);
  return { h, server, containerId, sandboxId };
}

async function open(url: string, protocols = KUBECTL_PROTOCOLS): Promise<SpdyClient> {
  const c = await openSpdy(url, protocols);
  clients.push(c);
  return c;
}

afterEach(async () => {
  clients.splice(0).forEach((c) => c.end());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const syns = (blocks: ReadonlyArray<readonly [number, string]>): Buffer[] => blocks.map(([id, hex]) => synStream(id, hex));
const ofType = <T extends ServerEvent['type']>(events: readonly ServerEvent[], type: T) => events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);

describe('StreamServer over SPDY/3.1', () => {
  describe('exec (remotecommand/httpstream.go)', () => {
    it('answers 101 with the first offered version, replies to each stream, then writes stdout and the v4 Status and tears down', async () => {
      const { server, containerId } = await rig();
      const c = await open(server.getExec({ containerId, cmd: ['echo', 'hi'], ...EXEC }));
      assert.equal(c.status, 101);
      assert.deepEqual(c.headerLines.slice(0, 3), ['Connection: Upgrade', 'Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: v4.channel.k8s.io']);
      c.send(...syns(KUBECTL_129_SYN_BLOCKS.exec));
      const events = await c.until(hasEOF);
      assert.deepEqual(events.slice(0, 5), [
        { type: 'SYN_REPLY', streamId: 1, headers: [] },
        { type: 'SYN_REPLY', streamId: 3, headers: [] },
        { type: 'SYN_REPLY', streamId: 5, headers: [] },
        { type: 'DATA', streamId: 3, fin: false, data: 'hi\n' },
        { type: 'DATA', streamId: 1, fin: false, data: '{"metadata":{},"status":"Success"}' },
      ]);
      // connection.go Close: every stream reset (CANCEL), then spdystream's GOAWAY (last id received - 2).
      assert.deepEqual(ofType(events, 'RST_STREAM').map((e) => [e.streamId, e.status]).sort(), [[1, SPDY_RST_STATUS.CANCEL], [3, SPDY_RST_STATUS.CANCEL], [5, SPDY_RST_STATUS.CANCEL]]);
      assert.deepEqual(events.at(-2), { type: 'GOAWAY', lastGoodStreamId: 3, status: 0 });
    });

    it('runs nothing until every expected stream is there: stdin (-i) counts, its data is read, a non-zero exit is a NonZeroExitCode Status', async () => {
      const { server, containerId } = await rig();
      const c = await open(server.getExec({ containerId, cmd: ['false'], ...EXEC, stdin: true }));
      const [error, stdin, stdout, stderr] = syns(KUBECTL_129_SYN_BLOCKS.execStdin);
      c.send(error!, stdin!, stdout!);
      await c.until((e) => ofType(e, 'SYN_REPLY').length === 3);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(ofType(c.events, 'DATA').length, 0, 'waits for the stderr stream');
      c.send(stderr!, dataFrame(3, 'some input\n'), dataFrame(3, '', true));
      const events = await c.until(hasEOF);
      const status = ofType(events, 'DATA').find((e) => e.streamId === 1);
      assert.deepEqual(JSON.parse(status!.data), {
        metadata: {},
        status: 'Failure',
        message: 'command terminated with non-zero exit code: exit status 1',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '1' }] },
      });
    });

    it('speaks the pre-v4 error stream when only v2 is offered: nothing on success, the message text on failure', async () => {
      const { server, containerId } = await rig();
      const ok = await open(server.getExec({ containerId, cmd: ['echo', 'v2'], ...EXEC }), ['v2.channel.k8s.io']);
      assert.match(ok.headerLines.join('\n'), /X-Stream-Protocol-Version: v2\.channel\.k8s\.io/);
      ok.send(...syns(KUBECTL_129_SYN_BLOCKS.exec));
      const okEvents = await ok.until(hasEOF);
      assert.deepEqual(ofType(okEvents, 'DATA').map((e) => [e.streamId, e.data]), [[3, 'v2\n']]);
      const bad = await open(server.getExec({ containerId, cmd: ['false'], ...EXEC }), ['v2.channel.k8s.io']);
      bad.send(...syns(KUBECTL_129_SYN_BLOCKS.exec));
      const badEvents = await bad.until(hasEOF);
      assert.deepEqual(ofType(badEvents, 'DATA').map((e) => e.streamId), [1]);
      assert.match(ofType(badEvents, 'DATA')[0]!.data, /^command terminated with non-zero exit code: /);
    });

    it('v1 (channel.k8s.io) resets the error stream and closes stdin before running, so a failure reaches no one', async () => {
      const { server, containerId } = await rig();
      const c = await open(server.getExec({ containerId, cmd: ['false'], ...EXEC, stdin: true }), ['channel.k8s.io']);
      c.send(...syns(KUBECTL_129_SYN_BLOCKS.execStdin));
      const events = await c.until(hasEOF);
      const afterReplies = events.slice(4);
      assert.deepEqual(afterReplies.slice(0, 2), [
        { type: 'RST_STREAM', streamId: 1, status: SPDY_RST_STATUS.CANCEL },
        { type: 'DATA', streamId: 3, fin: true, data: '' },
      ]);
      assert.equal(ofType(events, 'DATA').filter((e) => e.data !== '').length, 0);
    });

    it('echoes a client PING, ignores SETTINGS and WINDOW_UPDATE, and drops a client that never opens its streams', async () => {
      const { server, containerId } = await rig({ streamCreationTimeoutMs: 300 });
      const c = await open(server.getExec({ containerId, cmd: ['echo', 'hi'], ...EXEC }));
      c.send(
        encodeControlFrame(SPDY_FRAME_TYPE.SETTINGS, 0, encodeWords(0)),
        encodeControlFrame(SPDY_FRAME_TYPE.PING, 0, encodeWords(1)),
        encodeControlFrame(SPDY_FRAME_TYPE.WINDOW_UPDATE, 0, encodeWords(1, 65536)),
        synStream(...KUBECTL_129_SYN_BLOCKS.exec[0]),
      );
      const events = await c.until(hasEOF);
      assert.deepEqual(events, [{ type: 'PING', id: 1 }, { type: 'SYN_REPLY', streamId: 1, headers: [] }, { type: 'EOF' }]);
    });
  });

  describe('exec with a tty', () => {
    it('also waits for the resize stream (v4) and shows stderr on stdout, as one terminal', async () => {
      const { server, containerId } = await rig({}, { 'sim.cri.io/exec-stdout': 'out;', 'sim.cri.io/exec-stderr': 'err;' });
      const c = await open(server.getExec({ containerId, cmd: ['ls'], tty: true, stdin: false, stdout: true, stderr: false }));
      // kubectl -t opens error, stdout, resize (one header context, so the blocks are made in that order).
      const deflater = new SpdyHeaderDeflater();
      const blocks = [];
      for (const type of ['error', 'stdout', 'resize']) blocks.push((await deflater.encode([['streamType', type]])).toString('hex'));
      deflater.close();
      c.send(synStream(1, blocks[0]!), synStream(3, blocks[1]!));
      await c.until((e) => ofType(e, 'SYN_REPLY').length === 2);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(ofType(c.events, 'DATA').length, 0, 'waits for the resize stream');
      c.send(synStream(5, blocks[2]!), dataFrame(5, '{"Width":80,"Height":24}'));
      const events = await c.until(hasEOF);
      assert.deepEqual(ofType(events, 'DATA').map((e) => [e.streamId, e.data]), [[3, 'out;'], [3, 'err;'], [1, '{"metadata":{},"status":"Success"}']]);
    });
  });

  describe('attach', () => {
    it('stays open until the container exits, then writes Success', async () => {
      const { h, server, containerId } = await rig();
      const c = await open(server.getAttach({ containerId, ...EXEC }));
      c.send(...syns(KUBECTL_129_SYN_BLOCKS.exec));
      await c.until((e) => ofType(e, 'SYN_REPLY').length === 3);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(ofType(c.events, 'DATA').length, 0);
      h.state.stopContainer(containerId, 0);
      const events = await c.until(hasEOF);
      assert.deepEqual(ofType(events, 'DATA').map((e) => [e.streamId, e.data]), [[1, '{"metadata":{},"status":"Success"}']]);
    });
  });

  describe('port-forward (portforward/httpstream.go)', () => {
    it('negotiates portforward.k8s.io, pairs the streams by requestID, writes the runtime error and closes both', async () => {
      const { server, sandboxId } = await rig();
      const c = await open(server.getPortForward({ podSandboxId: sandboxId, ports: [8080] }), ['portforward.k8s.io']);
      assert.match(c.headerLines.join('\n'), /X-Stream-Protocol-Version: portforward\.k8s\.io/);
      const [error, data] = syns(KUBECTL_129_SYN_BLOCKS.portForward8080);
      c.send(error!, dataFrame(1, '', true), data!);
      const events = await c.until((e) => e.filter((x) => x.type === 'DATA' && x.fin).length === 2);
      assert.deepEqual(events.slice(0, 2), [{ type: 'SYN_REPLY', streamId: 1, headers: [] }, { type: 'SYN_REPLY', streamId: 3, headers: [] }]);
      assert.match((events[2] as { data: string }).data, new RegExp(`^error forwarding port 8080 to pod ${sandboxId}, uid : runtime-sim: pod networking is simulated`));
      assert.deepEqual(events.slice(3), [{ type: 'DATA', streamId: 1, fin: true, data: '' }, { type: 'DATA', streamId: 3, fin: true, data: '' }]);
      // kubectl then resets the data stream and goes away; the server ends the connection.
      c.send(encodeControlFrame(SPDY_FRAME_TYPE.RST_STREAM, 0, encodeWords(3, SPDY_RST_STATUS.CANCEL)), encodeControlFrame(SPDY_FRAME_TYPE.GOAWAY, 0, encodeWords(0, 0)));
      await c.until(hasEOF);
    });

    it('reports a pair still missing its data stream after the stream creation timeout on the error stream', async () => {
      const { server, sandboxId } = await rig({ streamCreationTimeoutMs: 200 });
      const c = await open(server.getPortForward({ podSandboxId: sandboxId, ports: [8080] }), ['portforward.k8s.io']);
      c.send(synStream(...KUBECTL_129_SYN_BLOCKS.portForward8080[0]));
      const events = await c.until((e) => ofType(e, 'DATA').length === 1);
      assert.match(ofType(events, 'DATA')[0]!.data, /^\(conn=0x[0-9a-f]+, request=0\) timed out waiting for streams$/);
    });

    it('goes away after the idle timeout with no data frame either way', async () => {
      const { server, sandboxId } = await rig({ streamIdleTimeoutMs: 200 });
      const c = await open(server.getPortForward({ podSandboxId: sandboxId, ports: [8080] }), ['portforward.k8s.io']);
      const events = await c.until(hasEOF);
      assert.deepEqual(events, [{ type: 'GOAWAY', lastGoodStreamId: 0, status: 0 }, { type: 'EOF' }]);
    });

    it('refuses a stream without a port header with RST_STREAM', async () => {
      const { server, sandboxId } = await rig();
      const c = await open(server.getPortForward({ podSandboxId: sandboxId, ports: [8080] }), ['portforward.k8s.io']);
      const deflater = new SpdyHeaderDeflater();
      const block = await deflater.encode([['streamType', 'data'], ['requestID', '0']]);
      deflater.close();
      c.send(synStream(1, block.toString('hex')));
      const events = await c.until((e) => e.length > 0);
      assert.deepEqual(events, [{ type: 'RST_STREAM', streamId: 1, status: SPDY_RST_STATUS.CANCEL }]);
    });
  });
});
