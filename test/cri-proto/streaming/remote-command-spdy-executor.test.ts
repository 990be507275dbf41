import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { decodeV4ErrorStream, SPDY_EXECUTOR_PROTOCOLS, streamWithSpdy } from '../../../cri-proto/src/streaming/remote-command-spdy-executor';
import { negotiateSpdy, spdyUpgradeRequestHead } from '../../../cri-proto/src/streaming/spdy/spdy-round-tripper';
import { createSimulatedStreamRuntime } from '../../../runtime-sim/src/streaming/simulated-stream-runtime';
import { StreamServer } from '../../../runtime-sim/src/streaming/stream-server';
import { newHarness, podConfig, podWithContainer } from '../../runtime-sim/state/fixtures';
import { startFakeSpdyServer, until, type FakeSpdyServer } from '../../helpers/fake-spdy-stream-server';
import { freePort } from '../../helpers/free-port';

/*
 * client-go's SPDY executor (remotecommand spdy.go, v2-v5.go, errorstream.go) over the SPDY round tripper,
 * against a recording fake server and against runtime-sim's stream server.
 */

const fakes: FakeSpdyServer[] = [];
const servers: StreamServer[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fake(options: Parameters<typeof startFakeSpdyServer>[0]): Promise<FakeSpdyServer> {
  const f = await startFakeSpdyServer(options);
  fakes.push(f);
  return f;
}

describe('spdy round tripper', () => {
  it('writes the upgrade as Go\'s Request.Write: Host, User-Agent, Content-Length 0 for POST, then sorted headers, one line per protocol', () => {
    const head = spdyUpgradeRequestHead({ method: 'POST', location: new URL('http://127.0.0.1:10250/exec/ns/p/c?command=echo&output=1'), protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'], headers: { traceparent: '00-aa-bb-01' } });
    assert.equal(
      head,
      [
        'POST /exec/ns/p/c?command=echo&output=1 HTTP/1.1',
        'Host: 127.0.0.1:10250',
        'User-Agent: Go-http-client/1.1',
        'Content-Length: 0',
        'Connection: Upgrade',
        'Traceparent: 00-aa-bb-01',
        'Upgrade: SPDY/3.1',
        'X-Stream-Protocol-Version: v5.channel.k8s.io',
        'X-Stream-Protocol-Version: v4.channel.k8s.io',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('reports a refusal as spdy.NewConnection does: the trimmed body, or the Status the body holds', async () => {
    const text = await fake({ answer: { refusal: 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 22\r\n\r\ncontainer not found\r\n  ' } });
    const r1 = await negotiateSpdy({ method: 'POST', location: new URL(`${text.url}/exec/a/b/c`), protocols: ['v4.channel.k8s.io'] });
    assert.deepEqual(r1, { ok: false, httpStatus: 404, error: 'unable to upgrade connection: container not found' });
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "x" is forbidden', reason: 'Forbidden', code: 403 });
    const status = await fake({ answer: { refusal: `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` } });
    const r2 = await negotiateSpdy({ method: 'POST', location: new URL(`${status.url}/exec/a/b/c`), protocols: ['v4.channel.k8s.io'] });
    assert.equal(r2.ok, false);
    assert.equal(r2.ok === false && r2.status?.reason, 'Forbidden');
  });

  it('reports a refused dial with Go\'s client error text', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/exec/a/b/c?command=ls`;
    const r = await negotiateSpdy({ method: 'POST', location: new URL(url), protocols: ['v4.channel.k8s.io'] });
    assert.deepEqual(r, { ok: false, httpStatus: 0, error: `error sending request: Post "${url}": dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });
});

describe('decodeV4ErrorStream (errorDecoderV4)', () => {
  it('decodes Success, a NonZeroExitCode with its ExitCode cause, other failures by message, and protocol errors', () => {
    assert.deepEqual(decodeV4ErrorStream(Buffer.from('{"metadata":{},"status":"Success"}')), { kind: 'success' });
    assert.deepEqual(decodeV4ErrorStream(Buffer.from(JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }))), { kind: 'exit', exitCode: 3, message: 'command terminated with exit code 3' });
    assert.deepEqual(decodeV4ErrorStream(Buffer.from(JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '300' }] } }))), { kind: 'error', message: 'error stream protocol error: invalid exit code value "300"' });
    assert.deepEqual(decodeV4ErrorStream(Buffer.from(JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode' }))), { kind: 'error', message: 'error stream protocol error: details must be set' });
    assert.deepEqual(decodeV4ErrorStream(Buffer.from(JSON.stringify({ status: 'Failure', reason: 'InternalError', message: 'Internal error occurred: boom' }))), { kind: 'error', message: 'Internal error occurred: boom' });
    assert.deepEqual(decodeV4ErrorStream(Buffer.from(JSON.stringify({ status: 'Weird' }))), { kind: 'error', message: 'error stream protocol error: unknown error' });
    assert.match((decodeV4ErrorStream(Buffer.from('not json')) as { message: string }).message, /^error stream protocol error: .* in "not json"$/);
  });
});

describe('streamWithSpdy', () => {
  it('offers v5…v1, creates error, stdin, stdout, stderr in that order, copies stdin with a FIN at its end, and returns the exit', async () => {
    const f = await fake({
      answer: { protocol: 'v4.channel.k8s.io' },
      expectStreams: 4,
      script: async (byType, conn) => {
        await until(() => byType.get('stdin')!.ended, 'stdin FIN');
        byType.get('stdout')!.stream.write(Buffer.from(`got ${byType.get('stdin')!.data}`));
        byType.get('stderr')!.stream.write(Buffer.from('warn\n'));
        byType.get('error')!.stream.write(Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: 'x', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } })));
        conn.close();
      },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const run = streamWithSpdy({
      location: new URL(`${f.url}/exec/ns/pod/c?command=cat&error=1&input=1&output=1`),
      method: 'POST',
      stdin: true,
      stdout: true,
      stderr: true,
      tty: false,
      onStdout: (d) => stdout.push(d),
      onStderr: (d) => stderr.push(d),
    });
    run.writeStdin(Buffer.from('abc'));
    run.closeStdin();
    const result = await run.done;
    assert.deepEqual(result, { httpStatus: 101, protocol: 'v4.channel.k8s.io', kind: 'exit', exitCode: 2, message: 'command terminated with exit code 2' });
    assert.equal(Buffer.concat(stdout).toString(), 'got abc');
    assert.equal(Buffer.concat(stderr).toString(), 'warn\n');
    assert.deepEqual(f.streams.map((s) => [s.stream.id, s.type]), [[1, 'error'], [3, 'stdin'], [5, 'stdout'], [7, 'stderr']]);
    const head = f.requestHeads[0]!;
    assert.match(head, /^POST \/exec\/ns\/pod\/c\?command=cat&error=1&input=1&output=1 HTTP\/1\.1\r\n/);
    assert.deepEqual([...head.matchAll(/X-Stream-Protocol-Version: (.*)\r\n/g)].map((m) => m[1]), [...SPDY_EXECUTOR_PROTOCOLS]);
    assert.deepEqual(SPDY_EXECUTOR_PROTOCOLS, ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']);
  });

  it('with a tty: no stderr stream, a resize stream last, each size JSON-encoded with a newline', async () => {
    const f = await fake({
      answer: { protocol: 'v4.channel.k8s.io' },
      expectStreams: 3,
      script: async (byType, conn) => {
        await until(() => byType.get('resize')!.data.split('\n').length === 3, 'two resizes');
        byType.get('error')!.stream.write(Buffer.from('{"metadata":{},"status":"Success"}'));
        conn.close();
      },
    });
    const run = streamWithSpdy({ location: new URL(`${f.url}/exec/ns/pod/c?command=sh&output=1&tty=1`), method: 'POST', stdin: false, stdout: true, stderr: true, tty: true });
    run.resize({ Width: 80, Height: 24 });
    run.resize({ Width: 100, Height: 30 });
    const result = await run.done;
    assert.equal(result.kind, 'success');
    assert.deepEqual(f.streams.map((s) => s.type), ['error', 'stdout', 'resize']);
    assert.equal(f.streams[2]!.data, '{"Width":80,"Height":24}\n{"Width":100,"Height":30}\n');
  });

  it('v2 (no resize stream, plain-text error stream): a failure is "error executing remote command: …"', async () => {
    const f = await fake({
      answer: { protocol: 'v2.channel.k8s.io' },
      expectStreams: 2,
      script: (byType, conn) => {
        byType.get('error')!.stream.write(Buffer.from('command terminated with non-zero exit code: exit status 1'));
        conn.close();
      },
    });
    const result = await streamWithSpdy({ location: new URL(`${f.url}/exec/a/b/c?output=1&tty=1`), method: 'POST', stdin: false, stdout: true, stderr: false, tty: true }).done;
    assert.deepEqual(result, { httpStatus: 101, protocol: 'v2.channel.k8s.io', kind: 'error', message: 'error executing remote command: command terminated with non-zero exit code: exit status 1' });
    assert.deepEqual(f.streams.map((s) => s.type), ['error', 'stdout']);
  });

  it('against runtime-sim\'s stream server: negotiates v4, "hi" on stdout and success; a failing command is an exit', async () => {
    const h = newHarness('crio');
    const { containerId } = podWithContainer(h, { pod: podConfig('web') });
    const server = await StreamServer.start({ runtime: createSimulatedStreamRuntime(h.state) });
    servers.push(server);
    const stdout: Buffer[] = [];
    const ok = await streamWithSpdy({ location: new URL(server.getExec({ containerId, cmd: ['echo', 'hi'], tty: false, stdin: true, stdout: true, stderr: true })), method: 'POST', stdin: true, stdout: true, stderr: true, tty: false, onStdout: (d) => stdout.push(d) });
    ok.closeStdin();
    assert.deepEqual(await ok.done, { httpStatus: 101, protocol: 'v4.channel.k8s.io', kind: 'success' });
    assert.equal(Buffer.concat(stdout).toString(), 'hi\n');
    const bad = await streamWithSpdy({ location: new URL(server.getExec({ containerId, cmd: ['sh', '-c', 'exit 3'], tty: false, stdin: false, stdout: true, stderr: true })), method: 'POST', stdin: false, stdout: true, stderr: true, tty: false }).done;
    assert.deepEqual(bad, { httpStatus: 101, protocol: 'v4.channel.k8s.io', kind: 'exit', exitCode: 3, message: 'command terminated with exit code 3' });
  });
});
