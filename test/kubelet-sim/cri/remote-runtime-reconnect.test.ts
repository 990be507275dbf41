/**
 * The kubelet's CRI connection comes back quickly after the runtime restarts: cri-client dials with a
 * back-off of 100 ms growing to at most 3 s (remote_runtime.go), where grpc-js would wait up to 120 s.
 * Also: kubelet-sim's --duration bounds its wait for a runtime that never answers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RemoteRuntimeService } from '../../../kubelet-sim/src/cri/remote-runtime-service';
import { startCriServer, type CriServer } from '../../../runtime-sim/src/server/cri-server';
import { freePort } from '../../helpers/free-port';
import { tempSocket } from '../../helpers/temp-socket';

const OUTAGE_MS = 10_000;
const POLL_MS = 50;

describe('kubelet-sim CRI connection', () => {
  const socket = tempSocket();
  let server: CriServer | undefined;
  const client = new RemoteRuntimeService({ endpoint: socket.listen, timeoutMs: 2_000, messageEvents: false });
  after(async () => {
    client.close();
    await server?.close();
    socket.cleanup();
  });

  it(`reconnects within the 3 s back-off cap after a ${OUTAGE_MS / 1000} s runtime outage`, async () => {
    server = await startCriServer({ listen: socket.listen, persona: 'crio' });
    assert.equal((await client.version('0.1.0')).runtime_name, 'cri-o');
    await server.close();
    // Calls fail while the runtime is gone; each failure lets the channel back off further.
    const downUntil = Date.now() + OUTAGE_MS;
    while (Date.now() < downUntil) {
      await client.version('0.1.0').then(() => assert.fail('the runtime is down'), () => undefined);
      await new Promise((r) => setTimeout(r, 250));
    }
    server = await startCriServer({ listen: socket.listen, persona: 'crio' });
    const restartedAt = Date.now();
    for (;;) {
      const ok = await client.version('0.1.0').then(() => true, () => false);
      if (ok) break;
      assert.ok(Date.now() - restartedAt < 6_000, 'no reconnection within 6 s of the restart');
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const reconnectMs = Date.now() - restartedAt;
    // 3 s cap + 20 % jitter + polling; grpc-js's own back-off would have grown past 9 s by now.
    assert.ok(reconnectMs <= 4_000, `reconnected ${reconnectMs} ms after the restart`);
  });

  it('gives up waiting for an absent runtime when --duration ends', async () => {
    const main = join(__dirname, '..', '..', '..', 'kubelet-sim', 'src', 'main.js');
    const config = join(socket.dir, 'kubelet-config.yaml');
    writeFileSync(config, `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\npodLogsDir: ${join(socket.dir, 'pod-logs')}\n`);
    const started = Date.now();
    const child = spawn(process.execPath, [main, '--config', config, '--container-runtime-endpoint', `unix://${join(socket.dir, 'absent.sock')}`, '--duration', '2s', '--port', String(await freePort()), '--healthz-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const elapsedMs = Date.now() - started;
    assert.equal(code, 1, stderr);
    assert.match(stderr, /failed to get container runtime version from unix:\/\/.*absent\.sock/);
    assert.ok(elapsedMs < 8_000, `kubelet-sim waited ${elapsedMs} ms for the runtime with --duration 2s`);
  });
});
