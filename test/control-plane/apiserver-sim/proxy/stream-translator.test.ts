import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { isWebSocketRequestWithStreamCloseProtocol, STREAM_CLOSE_PROTOCOL, translateStream, type TranslationOutcome } from '../../../../control-plane/apiserver-sim/src/proxy/stream-translator';
import { startFakeSpdyServer, until, type FakeSpdyServer } from '../../../helpers/fake-spdy-stream-server';
import { freePort } from '../../../helpers/free-port';
import { eventually } from '../../../helpers/eventually';
import { talkerPod } from '../../../helpers/node-processes';
import { runSimulatedNode, type SimulatedNodeRun } from '../../../helpers/simulated-node';

/*
 * apiserver-sim's v5 stream translator (k8s.io/apiserver pkg/util/proxy streamtranslator.go@v0.34.1): a
 * WebSocket v5 client on one side, the kubelet spoken to over SPDY (POST) on the other.
 */

/**
 * An apiserver stand-in: every v5 upgrade is translated to `kubelet` + the request's path, with the query
 * as the apiserver passes it on (strategy.go streamParams: `command` values, `input`/`output`/`error`/`tty` = 1).
 */
async function startTranslatingServer(kubelet: () => string, headers: Record<string, string> = {}): Promise<{ url: string; outcomes: TranslationOutcome[]; close: () => Promise<void> }> {
  const outcomes: TranslationOutcome[] = [];
  const server = http.createServer((_req, res) => res.writeHead(400).end());
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    if (!isWebSocketRequestWithStreamCloseProtocol(req)) return socket.destroy();
    const url = new URL(req.url!, 'http://x');
    const q = url.searchParams;
    const flag = (n: string): boolean => q.get(n) === 'true';
    const params = new URLSearchParams(q.getAll('command').map((c): [string, string] => ['command', c]));
    for (const [client, kubeletName] of [['stderr', 'error'], ['stdin', 'input'], ['stdout', 'output'], ['tty', 'tty']] as const) if (flag(client)) params.append(kubeletName, '1');
    const location = new URL(`${url.pathname}?${params.toString()}`, kubelet());
    void translateStream(req, socket, head, location, headers, { stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') }).then((o) => outcomes.push(o));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    outcomes,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

interface V5Session {
  protocol: string;
  channels: Map<number, string>;
  closeCode: number;
}

/**
 * A v5 client as kubectl 1.30+ is: sends `input` frames on stdin (then the close signal `[255, 0]`) and
 * resize frames, collects every channel until the server closes.
 */
function runV5(url: string, send: { stdin?: string[]; closeStdin?: boolean; resize?: string[] } = {}): Promise<V5Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [STREAM_CLOSE_PROTOCOL]);
    const channels = new Map<number, string>();
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no close within 10 s'));
    }, 10_000);
    ws.on('open', () => {
      for (const r of send.resize ?? []) ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(r)]));
      for (const s of send.stdin ?? []) ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(s)]));
      if (send.closeStdin) ws.send(Buffer.from([255, 0]));
    });
    ws.on('message', (data: Buffer) => {
      if (data.length > 1) channels.set(data[0]!, (channels.get(data[0]!) ?? '') + data.subarray(1).toString());
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ protocol: ws.protocol, channels, closeCode: code });
    });
  });
}

const status = (s: V5Session): unknown => JSON.parse(s.channels.get(3) ?? 'null');

describe('stream translator (WebSocket v5 → SPDY to the kubelet)', () => {
  describe('against a recording SPDY kubelet', () => {
    const closers: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of closers.splice(0)) await c();
    });
    async function rig(options: Parameters<typeof startFakeSpdyServer>[0], headers: Record<string, string> = {}) {
      const kubelet = await startFakeSpdyServer(options);
      const api = await startTranslatingServer(() => kubelet.url, headers);
      closers.push(api.close, kubelet.close);
      return { kubelet, api };
    }

    it('POSTs the SPDY upgrade with the trace headers; stdin and its close signal reach the kubelet; stdout, stderr and the exit Status come back', async () => {
      let kubelet!: FakeSpdyServer;
      const r = await rig(
        {
          answer: { protocol: 'v4.channel.k8s.io' },
          expectStreams: 4,
          script: async (byType, conn) => {
            await until(() => byType.get('stdin')!.ended, 'stdin FIN');
            byType.get('stdout')!.stream.write(Buffer.from(`read: ${byType.get('stdin')!.data}`));
            byType.get('stderr')!.stream.write(Buffer.from('oops\n'));
            byType.get('error')!.stream.write(Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code: exit status 3', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })));
            conn.close();
          },
        },
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      );
      kubelet = r.kubelet;
      const s = await runV5(`${r.api.url}/exec/default/p/app?command=cat&stdin=true&stdout=true&stderr=true`, { stdin: ['a', 'b\n'], closeStdin: true });
      assert.equal(s.protocol, STREAM_CLOSE_PROTOCOL);
      assert.equal(s.channels.get(1), 'read: ab\n');
      assert.equal(s.channels.get(2), 'oops\n');
      // codeExitToStatusError: the executor's CodeExitError text, no code.
      assert.deepEqual(status(s), {
        metadata: {},
        status: 'Failure',
        message: 'command terminated with non-zero exit code: command terminated with exit code 3',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      });
      assert.equal(s.closeCode, 1000);
      const head = kubelet.requestHeads[0]!;
      assert.match(head, /^POST \/exec\/default\/p\/app\?command=cat&error=1&input=1&output=1 HTTP\/1\.1\r\n/);
      assert.match(head, /\r\nUpgrade: SPDY\/3\.1\r\n/);
      assert.match(head, /\r\nTraceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n/);
      assert.match(head, /\r\nUser-Agent: Go-http-client\/1\.1\r\n/);
      assert.deepEqual(kubelet.streams.map((x) => x.type), ['error', 'stdin', 'stdout', 'stderr']);
      await until(() => r.api.outcomes.length === 1, 'the outcome');
      assert.deepEqual(r.api.outcomes, [{ kubeletStatus: 101 }]);
    });

    it('a tty opens error, stdout, resize; the client\'s resize messages reach the kubelet as TerminalSize JSON lines', async () => {
      const r = await rig({
        answer: { protocol: 'v4.channel.k8s.io' },
        expectStreams: 3,
        script: async (byType, conn) => {
          await until(() => byType.get('resize')!.data.split('\n').length === 3, 'two sizes');
          byType.get('stdout')!.stream.write(Buffer.from('$ '));
          byType.get('error')!.stream.write(Buffer.from('{"metadata":{},"status":"Success"}'));
          conn.close();
        },
      });
      const s = await runV5(`${r.api.url}/exec/default/p/app?command=sh&stdout=true&tty=true`, { resize: ['{"Width":80,"Height":24}', '{"width":120,"height":40}'] });
      assert.equal(s.channels.get(1), '$ ');
      assert.deepEqual(status(s), { metadata: {}, status: 'Success' });
      assert.deepEqual(r.kubelet.streams.map((x) => x.type), ['error', 'stdout', 'resize']);
      assert.equal(r.kubelet.streams[2]!.data, '{"Width":80,"Height":24}\n{"Width":120,"Height":40}\n');
    });

    it('a kubelet refusing the upgrade: InternalError with "unable to upgrade connection" on the error channel', async () => {
      const r = await rig({ answer: { refusal: 'HTTP/1.1 404 Not Found\r\nContent-Length: 34\r\n\r\ncontainer not found ("app")\n      ' } });
      const s = await runV5(`${r.api.url}/exec/default/p/app?command=ls&stdout=true`);
      assert.deepEqual(status(s), {
        metadata: {},
        status: 'Failure',
        message: 'Internal error occurred: unable to upgrade connection: container not found ("app")',
        reason: 'InternalError',
        details: { causes: [{ message: 'unable to upgrade connection: container not found ("app")' }] },
        code: 500,
      });
      await until(() => r.api.outcomes.length === 1, 'the outcome');
      assert.deepEqual(r.api.outcomes, [{ kubeletStatus: 404 }]);
    });

    it('an unreachable kubelet: InternalError naming the request and the dial error; the outcome has status 0', async () => {
      const port = await freePort();
      const api = await startTranslatingServer(() => `http://127.0.0.1:${port}`);
      closers.push(api.close);
      const s = await runV5(`${api.url}/exec/default/p/app?command=ls&stdout=true`);
      const message = `error sending request: Post "http://127.0.0.1:${port}/exec/default/p/app?command=ls&output=1": dial tcp 127.0.0.1:${port}: connect: connection refused`;
      assert.deepEqual(status(s), { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 });
      await until(() => api.outcomes.length === 1, 'the outcome');
      assert.deepEqual(api.outcomes, [{ kubeletStatus: 0, error: message }]);
    });
  });

  describe('against kubelet-sim and runtime-sim (real processes)', () => {
    const POD = 'talker-e2e-node';
    let node: SimulatedNodeRun;
    let api: Awaited<ReturnType<typeof startTranslatingServer>>;
    const observed: Record<string, V5Session> = {};

    before(async () => {
      const kubeletPort = await freePort();
      api = await startTranslatingServer(() => `http://127.0.0.1:${kubeletPort}`);
      node = await runSimulatedNode({
        kubeletSamplingRatePerMillion: 0,
        durationMs: 9_000,
        podManifests: { 'talker.yaml': talkerPod() },
        extraKubeletArgs: ['--port', String(kubeletPort)],
        whileRunning: async () => {
          await eventually('the static pod running', 8_000, async () => {
            const list = (await (await fetch(`http://127.0.0.1:${kubeletPort}/pods`)).json()) as { items: Array<{ status: { phase: string } }> };
            return list.items.some((p) => p.status.phase === 'Running') ? true : undefined;
          });
          const exec = (query: string) => `${api.url}/exec/default/${POD}/app?${query}`;
          observed.echo = await runV5(exec('command=echo&command=hi&stdin=true&stdout=true&stderr=true'), { stdin: ['some input\n'], closeStdin: true });
          observed.fails = await runV5(exec(`command=sh&command=-c&command=${encodeURIComponent('echo out; echo err >&2; exit 3')}&stdout=true&stderr=true`));
          observed.tty = await runV5(exec('command=echo&command=tty&stdout=true&tty=true'), { resize: ['{"Width":80,"Height":24}'] });
        },
      });
    });
    after(async () => {
      await node?.cleanup();
      await api?.close();
    });

    it('exec with stdin: "hi" on stdout and a Success Status', () => {
      assert.equal(observed.echo!.channels.get(1), 'hi\n');
      assert.deepEqual(status(observed.echo!), { metadata: {}, status: 'Success' });
    });

    it('a failing command: stdout and stderr apart, and the exit code as a NonZeroExitCode Status', () => {
      assert.equal(observed.fails!.channels.get(1), 'out\n');
      assert.equal(observed.fails!.channels.get(2), 'err\n');
      assert.deepEqual(status(observed.fails!), {
        metadata: {},
        status: 'Failure',
        message: 'command terminated with non-zero exit code: command terminated with exit code 3',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      });
    });

    it('a tty exec with a resize: the runtime waits for the resize stream, then answers', () => {
      assert.equal(observed.tty!.channels.get(1), 'tty\n');
      assert.deepEqual(status(observed.tty!), { metadata: {}, status: 'Success' });
    });
  });
});
