/**
 * End to end: a plain manifest (no sim.cri.io annotations) on a simulated node, and a runtime-sim process
 * driven over gRPC the way crictl drives it. What the containers do comes from their commands alone.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@grpc/grpc-js';
import { createImageServiceClient, createRuntimeServiceClient } from '../../cri-proto/src/load-cri';
import { criEnvVar } from '../../cri-proto/src/values';
import { startNodeProcess, type RunningProcess } from '../../node-demo/src/child-process-runner';
import { waitForFile } from '../helpers/wait-for-file';
import type { FlatSpan } from '../../trace-sink/src';
import { REPO_ROOT, runSimulatedNode, type SimulatedNodeRun } from '../helpers/simulated-node';

const DIST = join(__dirname, '..', '..');

describe('the command model end to end', () => {
  describe('a plain manifest: init container script, then the app server (containerd 2.1)', () => {
    let run: SimulatedNodeRun;
    let spans: FlatSpan[];

    before(async () => {
      run = await runSimulatedNode({
        kubeletSamplingRatePerMillion: 1_000_000,
        persona: 'containerd',
        durationMs: 7_000,
        podManifests: { 'web.yaml': readFileSync(join(REPO_ROOT, 'configs', 'pods', 'web.yaml'), 'utf8') },
      });
      spans = run.sink.index.spans();
    });
    after(async () => run?.cleanup());

    // containerd's container.name is the reserved name: <container>_<pod>_<namespace>_<uid>_<attempt>.
    const serverSpan = (rpc: string, container: string): FlatSpan | undefined =>
      spans.find((s) => s.kind === 'SERVER' && s.name === `runtime.v1.RuntimeService/${rpc}` && String(s.attributes['container.name']).startsWith(`${container}_`));

    it('starts the init container, sees it exit after its script, then creates and starts nginx in a later syncPod', () => {
      const startMigrate = spans.find((s) => s.kind === 'SERVER' && s.name === 'runtime.v1.RuntimeService/StartContainer' && s.attributes['container.id'] === serverSpan('CreateContainer', 'migrate')?.attributes['container.id']);
      const createNginx = serverSpan('CreateContainer', 'nginx');
      assert.ok(startMigrate, `no StartContainer for the init container\n${readFileSync(run.logPath, 'utf8')}`);
      assert.ok(createNginx, 'no CreateContainer for nginx');
      const gapMs = Number(BigInt(createNginx.startTimeUnixNano) - BigInt(startMigrate.endTimeUnixNano)) / 1e6;
      // The script sleeps 1 s; PLEG relists every second, so nginx follows within about 1-3 s.
      assert.ok(gapMs >= 1000 && gapMs < 4000, `nginx created ${gapMs} ms after the init container started`);
      assert.notEqual(createNginx.traceId, startMigrate.traceId, 'init and app containers start in separate syncPod traces');
      const root = spans.find((s) => s.traceId === createNginx.traceId && s.parentSpanId === '');
      assert.equal(root?.name, 'syncPod');
    });

    it("writes the init container's output to its CRI log file under the kubelet's pod log directory", () => {
      const podLogs = join(run.workDir, 'pod-logs');
      const podDir = readdirSync(podLogs).find((d) => d.startsWith('default_web-e2e-node_'));
      assert.ok(podDir, `no pod log directory in ${podLogs}`);
      const log = readFileSync(join(podLogs, podDir, 'migrate', '0.log'), 'utf8');
      assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z stdout F migrating\n$/);
      assert.ok(existsSync(join(podLogs, podDir, 'nginx', '0.log')), 'nginx logs its start-up lines');
    });
  });

  describe('runtime-sim driven over gRPC like crictl', () => {
    let workDir: string;
    let runtime: RunningProcess;
    let rt: ReturnType<typeof createRuntimeServiceClient>;
    let img: ReturnType<typeof createImageServiceClient>;
    let containerId: string;

    const call = <Req, Res>(client: Client, method: string, request: Req): Promise<Res> =>
      new Promise((resolve, reject) => {
        (client as unknown as Record<string, (r: Req, cb: (e: Error | null, v: Res) => void) => void>)[method]!(request, (err, value) => (err ? reject(err) : resolve(value)));
      });

    before(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'command-model-e2e-'));
      const socket = join(workDir, 'cri.sock');
      runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), ['--persona', 'crio', '--listen', `unix://${socket}`], join(workDir, 'runtime.log'));
      await waitForFile(socket, 10_000);
      rt = createRuntimeServiceClient(`unix://${socket}`);
      img = createImageServiceClient(`unix://${socket}`);
      const sandboxConfig = {
        metadata: { name: 'probe', uid: 'uid-probe', namespace: 'default', attempt: 0 },
        hostname: 'probe',
        log_directory: join(workDir, 'pod-logs', 'default_probe_uid-probe'),
      };
      // As the kubelet does before RunPodSandbox and CreateContainer: CRI-O's conmon needs the directory.
      mkdirSync(join(sandboxConfig.log_directory, 'app'), { recursive: true });
      const { pod_sandbox_id } = await call<unknown, { pod_sandbox_id: string }>(rt as unknown as Client, 'RunPodSandbox', { config: sandboxConfig });
      await call(img as unknown as Client, 'PullImage', { image: { image: 'busybox:1.37' } });
      ({ container_id: containerId } = await call<unknown, { container_id: string }>(rt as unknown as Client, 'CreateContainer', {
        pod_sandbox_id,
        sandbox_config: sandboxConfig,
        config: {
          metadata: { name: 'app', attempt: 0 },
          image: { image: 'busybox:1.37' },
          command: ['sh', '-c', 'echo "ready as $ROLE"; touch /tmp/healthy; while true; do sleep 5; done'],
          envs: [criEnvVar('ROLE', 'primary')],
          log_path: 'app/0.log',
        },
      }));
      await call(rt as unknown as Client, 'StartContainer', { container_id: containerId });
    });
    after(async () => {
      (rt as unknown as Client | undefined)?.close();
      (img as unknown as Client | undefined)?.close();
      await runtime?.stop(5_000);
      rmSync(workDir, { recursive: true, force: true });
    });

    it('answers ExecSync from the command model (crictl exec -s <id> echo hello, sh -c, files)', async () => {
      const exec = (cmd: string[]) => call<unknown, { stdout: Buffer; stderr: Buffer; exit_code: number }>(rt as unknown as Client, 'ExecSync', { container_id: containerId, cmd, timeout: 5 });
      const hello = await exec(['echo', 'hello']);
      assert.deepEqual([hello.stdout.toString(), hello.exit_code], ['hello\n', 0]);
      const viaShell = await exec(['sh', '-c', 'echo hello from $HOSTNAME']);
      assert.equal(viaShell.stdout.toString(), 'hello from probe\n');
      assert.equal((await exec(['cat', '/tmp/healthy'])).exit_code, 0);
      const missing = await exec(['cat', '/tmp/missing']);
      assert.deepEqual([missing.exit_code, missing.stderr.toString()], [1, "cat: can't open '/tmp/missing': No such file or directory\n"]);
    });

    it('writes what the command printed to the container log (crictl logs)', () => {
      const log = readFileSync(join(workDir, 'pod-logs', 'default_probe_uid-probe', 'app', '0.log'), 'utf8');
      // conmon's timestamps (CRI-O): nine fraction digits and a numeric zone.
      assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}\+00:00 stdout F ready as primary\n$/);
    });

    it('lists one image with every pulled tag that shares it, with the config user in ImageStatus', async () => {
      await call(img as unknown as Client, 'PullImage', { image: { image: 'busybox:latest' } });
      const { images } = await call<unknown, { images: { id: string; repo_tags: string[]; repo_digests: string[] }[] }>(img as unknown as Client, 'ListImages', {});
      const busybox = images.filter((i) => i.repo_tags.some((t) => t.startsWith('docker.io/library/busybox:')));
      assert.equal(busybox.length, 1, JSON.stringify(images));
      assert.deepEqual(busybox[0]!.repo_tags, ['docker.io/library/busybox:1.37', 'docker.io/library/busybox:latest']);
      const pause = await call<unknown, { image: { uid: { value: string } | null; username: string } }>(img as unknown as Client, 'ImageStatus', { image: { image: 'registry.k8s.io/pause:3.10' } });
      assert.deepEqual([pause.image.uid?.value, pause.image.username], ['65535', '']);
    });
  });
});
