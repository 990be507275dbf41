import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { runChannelSession, type ChannelSession } from '../helpers/channel-websocket';
import { freePort } from '../helpers/free-port';
import { runSimulatedNode } from '../helpers/simulated-node';
import type { SimulatedNodeRun } from '../helpers/simulated-node';
import { eventually } from '../helpers/eventually';
import { talkerPod } from '../helpers/node-processes';

const TALKER = talkerPod();
const POD = 'talker-e2e-node';
const SHORT = `apiVersion: v1
kind: Pod
metadata:
  name: short
  namespace: default
spec:
  restartPolicy: Never
  containers:
    - name: once
      image: docker.io/library/busybox:1.37
      command: ["sh", "-c", "echo one; sleep 2; echo two"]
`;

/** A websocket upgrade request the server refuses: its status and body (fetch cannot send upgrades). */
function upgradeRequest(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

interface Observed {
  followed: string;
  portForward: ChannelSession;
  logs: string;
  logsTimestamps: string;
  logsTail1: string;
  logsLimit7: string;
  logsBadTail: { status: number; body: string };
  logsUnknownContainer: { status: number; body: string };
  exec: ChannelSession;
  execFails: ChannelSession;
  execNoUpgrade: { status: number; body: string };
  execNoStreams: { status: number; body: string };
  run: { status: number; body: string };
  portForwardNoPort: { status: number; body: string };
}

describe('kubelet-sim /containerLogs, /exec, /run on a simulated node (real processes)', () => {
  let run: SimulatedNodeRun;
  let observed: Observed;
  let spans: FlatSpan[];

  before(async () => {
    const port = await freePort();
    const main = `http://127.0.0.1:${port}`;
    const text = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${main}${path}`, init);
      return { status: res.status, body: await res.text() };
    };
    run = await runSimulatedNode({
      kubeletSamplingRatePerMillion: 1_000_000,
      durationMs: 12_000,
      podManifests: { 'talker.yaml': TALKER, 'short.yaml': SHORT },
      extraKubeletArgs: ['--port', String(port)],
      whileRunning: async () => {
        // follow from the first line until the container exits (two seconds later): both lines, then the end.
        const followed = await eventually('the short container started', 9_000, async () => {
          const r = await text('/containerLogs/default/short-e2e-node/once?follow=true');
          return r.status === 200 && r.body.startsWith('one\n') ? r.body : undefined;
        });
        const logs = await eventually('three log lines', 9_000, async () => {
          const r = await text(`/containerLogs/default/${POD}/app`);
          return r.status === 200 && r.body.split('\n').length >= 4 ? r.body : undefined;
        });
        observed = {
          followed,
          portForward: await runChannelSession(`ws://127.0.0.1:${port}/portForward/default/${POD}?port=8080`, { protocols: ['v4.channel.k8s.io'] }),
          logs,
          logsTimestamps: (await text(`/containerLogs/default/${POD}/app?timestamps=true`)).body,
          logsTail1: (await text(`/containerLogs/default/${POD}/app?tailLines=1`)).body,
          logsLimit7: (await text(`/containerLogs/default/${POD}/app?limitBytes=7`)).body,
          logsBadTail: await text(`/containerLogs/default/${POD}/app?tailLines=-1`),
          logsUnknownContainer: await text(`/containerLogs/default/${POD}/nope`),
          exec: await runChannelSession(`ws://127.0.0.1:${port}/exec/default/${POD}/app?command=echo&command=hi&output=1&error=1`, {
            protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io'],
          }),
          execFails: await runChannelSession(`ws://127.0.0.1:${port}/exec/default/${POD}/app?command=sh&command=-c&command=exit%203&output=1&error=1`, {
            protocols: ['v4.channel.k8s.io'],
          }),
          execNoUpgrade: await text(`/exec/default/${POD}/app?command=echo&output=1`),
          execNoStreams: await text(`/exec/default/${POD}/app?command=echo`),
          run: await text(`/run/default/${POD}/app?cmd=echo%20ran`, { method: 'POST' }),
          portForwardNoPort: await upgradeRequest(port, `/portForward/default/${POD}`),
        };
      },
    });
    spans = run.sink.index.spans();
  });
  after(async () => run?.cleanup());

  it('runs to a clean exit', () => {
    assert.equal(run.kubeletExit, 0, readFileSync(run.logPath, 'utf8'));
  });

  it('serves the container log file, with timestamps, tailLines and limitBytes as the kubelet reads them', () => {
    assert.equal(observed.logs, 'hello from talker\nwarning\nthird\n');
    const lines = observed.logsTimestamps.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    for (const line of lines) assert.match(line, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?Z \S/);
    assert.equal(observed.logsTail1, 'third\n');
    assert.equal(observed.logsLimit7, 'hello f');
    assert.deepEqual(observed.logsBadTail, { status: 422, body: '{"message": "Invalid request."}' });
    assert.deepEqual(observed.logsUnknownContainer, { status: 404, body: `container "nope" not found in pod "${POD}"` });
  });

  it('follows a log until the container exits', () => {
    assert.equal(observed.followed, 'one\ntwo\n');
  });

  it('proxies port-forward to the runtime stream server, which reports that pod networking is simulated', () => {
    assert.equal(observed.portForward.protocol, 'v4.channel.k8s.io');
    const errorChannel = observed.portForward.channels.get(1)!;
    assert.equal(errorChannel.readUInt16LE(0), 8080);
    assert.match(errorChannel.subarray(2).toString(), /^error forwarding port 8080 to pod [0-9a-f]+, uid : runtime-sim: pod networking is simulated/);
  });

  it('proxies exec to the runtime stream server: v4 negotiated, output and a Success status', () => {
    assert.equal(observed.exec.protocol, 'v4.channel.k8s.io');
    assert.equal(observed.exec.channels.get(1)?.toString(), 'hi\n');
    assert.deepEqual(JSON.parse(observed.exec.channels.get(3)!.toString()), { metadata: {}, status: 'Success' });
    const failed = JSON.parse(observed.execFails.channels.get(3)!.toString()) as { status: string; reason: string; details: { causes: Array<{ message: string }> } };
    assert.equal(failed.status, 'Failure');
    assert.equal(failed.reason, 'NonZeroExitCode');
    assert.equal(failed.details.causes[0]!.message, '3');
  });

  it('answers the kubelet errors for a non-upgrade exec, missing streams and port-forward without ports', () => {
    assert.deepEqual(observed.execNoUpgrade, { status: 500, body: 'Upgrade request required\n' });
    assert.deepEqual(observed.execNoStreams, { status: 400, body: 'you must specify at least 1 of stdin, stdout, stderr' });
    assert.equal(observed.portForwardNoPort.status, 400, observed.portForwardNoPort.body);
    assert.equal(observed.portForwardNoPort.body, 'query parameter "port" is required');
    assert.deepEqual(observed.run, { status: 200, body: 'ran\n' });
  });

  it('traces each request as an otelrestful SERVER span holding the CRI CLIENT calls, with the runtime SERVER spans beneath', () => {
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const children = (parent: FlatSpan) => spans.filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);
    const execSpans = spans.filter((s) => s.name === '/exec/{podNamespace}/{podID}/{containerName}' && s.service === 'kubelet');
    assert.ok(execSpans.length >= 2, `exec spans: ${execSpans.length}`);
    const execSpan = execSpans.find((s) => children(s).some((c) => c.name === 'runtime.v1.RuntimeService/Exec'))!;
    assert.ok(execSpan, 'an exec span with an Exec CLIENT child');
    assert.equal(execSpan.kind, 'SERVER');
    assert.equal(execSpan.attributes['http.route'], '/exec/{podNamespace}/{podID}/{containerName}');
    assert.equal(execSpan.attributes['http.status_code'], 200);
    assert.deepEqual(children(execSpan).map((c) => `${c.name} ${c.kind}`), [
      'runtime.v1.RuntimeService/ListPodSandbox CLIENT',
      'runtime.v1.RuntimeService/ListContainers CLIENT',
      'runtime.v1.RuntimeService/Exec CLIENT',
    ]);
    const execClient = children(execSpan).find((c) => c.name === 'runtime.v1.RuntimeService/Exec')!;
    const runtimeExec = spans.find((s) => s.parentSpanId === execClient.spanId && s.service === 'crio');
    assert.ok(runtimeExec, 'the runtime SERVER span under the kubelet Exec CLIENT span');
    assert.equal(runtimeExec.kind, 'SERVER');
    // One ContainerStatus for the log path; with follow, one more before every wait for new lines.
    const logSpans = spans.filter((s) => s.name === '/containerLogs/{podNamespace}/{podID}/{containerName}' && children(s).length > 0);
    for (const logSpan of logSpans) assert.ok(children(logSpan).every((c) => c.name === 'runtime.v1.RuntimeService/ContainerStatus'));
    assert.ok(logSpans.some((l) => children(l).length === 1));
    assert.ok(logSpans.some((l) => children(l).length >= 3), 'a followed log re-checks the container while it waits');
    const runSpan = spans.find((s) => s.name === '/run/{podNamespace}/{podID}/{containerName}')!;
    assert.ok(children(runSpan).some((c) => c.name === 'runtime.v1.RuntimeService/ExecSync'));
    assert.ok(byId.size > 0);
  });
});
