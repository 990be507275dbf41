/**
 * The exact CRI requests crictl sends for a typical session, over a real gRPC client and a temp unix
 * socket, with assertions on what each runtime persona answers. crictl itself is not installed here;
 * the request shapes are read from kubernetes-sigs/cri-tools cmd/crictl/*.go (version.go, info.go,
 * sandbox.go, container.go, exec.go, logs.go, container_stats.go, image.go) and the connection check
 * of k8s.io/cri-client (remote_runtime.go / remote_image.go validateServiceConnection: every crictl
 * invocation first sends Version{} to the runtime service and ImageFsInfo{} to the image service).
 * IDs are passed truncated to 13 characters, as `crictl pods` / `crictl ps` print them
 * (cmd/crictl/util.go getTruncatedID).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { createImageServiceClient, createRuntimeServiceClient } from '../../../cri-proto/src/load-cri';
import type { ImageServiceClient } from '../../../cri-proto/src/generated/runtime/v1/ImageService';
import type { RuntimeServiceClient } from '../../../cri-proto/src/generated/runtime/v1/RuntimeService';
import { startCriServer, type CriServer } from '../../../runtime-sim/src/server/cri-server';
import { FakeClock } from '../../../runtime-sim/src/state/clock';
import { createFsLogWriter } from '../../../runtime-sim/src/state/container-log-writer';
import { PERSONAS } from '../../../runtime-sim/src/state/persona';
import { tempSocket, type TempSocket } from '../../helpers/temp-socket';

/* eslint-disable @typescript-eslint/no-explicit-any */

const DEADLINE_MS = 5000;
/** cmd/crictl/util.go truncatedIDLen. */
const CRICTL_TRUNCATED_ID_LEN = 13;

function call<Res = any>(client: Client, method: string, request: unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    (client as any)[method](request, { deadline: Date.now() + DEADLINE_MS }, (err: ServiceError | null, res: Res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

/** The pod config from cri-tools docs/crictl.md ("pod-config.json"), with log_directory in a temp dir. */
function podConfigJson(logDirectory: string): Record<string, unknown> {
  return {
    metadata: { name: 'nginx-sandbox', namespace: 'default', attempt: 1, uid: 'hdishd83djaidwnduwk28bcsb' },
    log_directory: logDirectory,
    linux: {},
  };
}

/** The container config from docs/crictl.md ("container-config.json"). */
const CONTAINER_CONFIG_JSON = {
  metadata: { name: 'busybox' },
  image: { image: 'busybox' },
  command: ['top'],
  log_path: 'busybox.log',
  linux: {},
};

/** A CRI log line as the kubelet's log reader parses it (pkg/kubelet/kuberuntime/logs/logs.go parseCRILog). */
const CRI_LOG_LINE = /^(\S+) (stdout|stderr) (F|P) (.*)$/;

for (const persona of PERSONAS) {
  describe(`crictl request shapes [${persona}]`, () => {
    let socket: TempSocket;
    let server: CriServer;
    let runtime: RuntimeServiceClient;
    let images: ImageServiceClient;
    const clock = new FakeClock(1_795_341_600_000_000_000n);

    before(async () => {
      socket = tempSocket();
      server = await startCriServer({
        listen: socket.listen,
        persona,
        seed: 11,
        clock,
        // Waiting on the runtime's clock moves it, so nothing here really sleeps.
        sleep: async (ms) => clock.advanceMs(ms),
        state: { containerLogWriter: createFsLogWriter() },
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

    /** cri-client's connection checks, sent before every crictl command. */
    async function connect(withImages = false): Promise<void> {
      const v = await call(runtime, 'Version', {});
      assert.equal(v.runtime_api_version, 'v1');
      if (withImages) assert.ok((await call(images, 'ImageFsInfo', {})).image_filesystems.length > 0);
    }

    it('runs a crictl session: version, info, pull, runp, pods, inspectp, create, start, ps, inspect, exec, logs, stats, stop, rm, stopp, rmp, images, inspecti, rmi, imagefsinfo', async () => {
      const podConfig = podConfigJson(path.join(socket.dir, 'pods'));
      // A crictl user's log_directory must exist with CRI-O (conmon does not make it); crictl's docs use /tmp.
      fs.mkdirSync(podConfig.log_directory as string, { recursive: true });

      // crictl version: VersionRequest{Version: "v1"} (version.go, remote.CRIVersionV1).
      await connect();
      const version = await call(runtime, 'Version', { version: 'v1' });
      assert.deepEqual(
        [version.version, version.runtime_name, version.runtime_api_version],
        ['0.1.0', persona === 'crio' ? 'cri-o' : 'containerd', 'v1'],
      );

      // crictl info: StatusRequest{Verbose: !quiet} (info.go).
      await connect();
      const info = await call(runtime, 'Status', { verbose: true });
      assert.ok(info.status.conditions.every((c: any) => c.status === true));
      const config = JSON.parse(info.info.config);
      if (persona === 'crio') {
        assert.deepEqual(Object.keys(info.info), ['config']);
        assert.equal(config.sandboxImage, 'registry.k8s.io/pause:3.10');
      } else {
        assert.deepEqual(Object.keys(info.info).sort(), ['cniconfig', 'config', 'golang', 'lastCNILoadStatus']);
        assert.equal(config.containerd.defaultRuntimeName, 'runc');
        assert.match(JSON.parse(info.info.golang), /^go1\.\d+/);
        assert.equal(JSON.parse(info.info.cniconfig).Networks[1].IFName, 'eth0');
        assert.equal(info.info.lastCNILoadStatus, 'OK');
      }

      // crictl pull busybox: PullImageRequest{Image: {Image, Annotations}} and no sandbox config
      // without --pod-config (image.go PullImageWithSandbox).
      await connect(true);
      const pulled = await call(images, 'PullImage', { image: { image: 'busybox', annotations: {} } });
      assert.match(pulled.image_ref, persona === 'crio' ? /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/ : /^sha256:[0-9a-f]{64}$/);

      // crictl runp pod-config.json: RunPodSandboxRequest{Config, RuntimeHandler: --runtime} (sandbox.go).
      await connect();
      const podId: string = (await call(runtime, 'RunPodSandbox', { config: podConfig, runtime_handler: '' })).pod_sandbox_id;
      assert.match(podId, /^[0-9a-f]{64}$/);
      const podShort = podId.slice(0, CRICTL_TRUNCATED_ID_LEN);

      // crictl pods: ListPodSandboxRequest with a non-nil filter and an empty label selector (sandbox.go).
      await connect();
      const pods = await call(runtime, 'ListPodSandbox', { filter: { id: '', label_selector: {} } });
      assert.deepEqual(pods.items.map((p: any) => [p.id, p.metadata.name, p.state]), [[podId, 'nginx-sandbox', 'SANDBOX_READY']]);
      const readyOnly = await call(runtime, 'ListPodSandbox', { filter: { state: { state: 'SANDBOX_NOTREADY' }, label_selector: {} } });
      assert.deepEqual(readyOnly.items, []);

      // crictl inspectp POD: PodSandboxStatusRequest{PodSandboxId: as typed, Verbose: !quiet}.
      await connect();
      const inspectp = await call(runtime, 'PodSandboxStatus', { pod_sandbox_id: podShort, verbose: true });
      assert.equal(inspectp.status.id, podId);
      assert.equal(inspectp.status.metadata.attempt, 1);
      assert.match(inspectp.status.network.ip, persona === 'crio' ? /^10\.85\./ : /^10\.88\./);
      assert.ok(JSON.parse(inspectp.info.info).pid > 0);

      // crictl create POD container-config.json pod-config.json: CreateContainerRequest with the pod
      // config as SandboxConfig; UserSpecifiedImage is filled from Image when empty (container.go).
      await connect();
      const ctrId: string = (
        await call(runtime, 'CreateContainer', {
          pod_sandbox_id: podShort,
          config: { ...CONTAINER_CONFIG_JSON, image: { image: 'busybox', user_specified_image: 'busybox' } },
          sandbox_config: podConfig,
        })
      ).container_id;
      assert.match(ctrId, /^[0-9a-f]{64}$/);
      const ctrShort = ctrId.slice(0, CRICTL_TRUNCATED_ID_LEN);

      // crictl start CONTAINER: StartContainerRequest{ContainerId}.
      await connect();
      await call(runtime, 'StartContainer', { container_id: ctrShort });

      // crictl ps -a: ListContainersRequest with no state filter (-a) and an empty label selector.
      await connect(true);
      const ps = await call(runtime, 'ListContainers', { filter: { id: '', pod_sandbox_id: '', label_selector: {} } });
      assert.deepEqual(ps.containers.map((c: any) => [c.id, c.pod_sandbox_id, c.state, c.metadata.name]), [
        [ctrId, podId, 'CONTAINER_RUNNING', 'busybox'],
      ]);

      // crictl inspect CONTAINER: ContainerStatusRequest{ContainerId, Verbose: !quiet}.
      await connect(true);
      const inspect = await call(runtime, 'ContainerStatus', { container_id: ctrShort, verbose: true });
      assert.equal(inspect.status.id, ctrId);
      assert.equal(inspect.status.state, 'CONTAINER_RUNNING');
      assert.equal(inspect.status.log_path, path.join(podConfig.log_directory as string, 'busybox.log'));
      assert.equal(JSON.parse(inspect.info.info).sandboxID, podId);

      // crictl exec -s CONTAINER echo hello: ExecSyncRequest{ContainerId, Cmd, Timeout: --timeout (0)}.
      await connect(true);
      const exec = await call(runtime, 'ExecSync', { container_id: ctrShort, cmd: ['echo', 'hello'], timeout: 0 });
      assert.deepEqual([exec.exit_code, exec.stdout.toString(), exec.stderr.toString()], [0, 'hello\n', '']);

      // crictl logs CONTAINER: ContainerStatus for the log path, then the file is read (logs.go).
      await connect();
      const forLogs = await call(runtime, 'ContainerStatus', { container_id: ctrShort, verbose: false });
      const logText = fs.readFileSync(forLogs.status.log_path, 'utf8');
      const records = logText.trimEnd().split('\n').map((line) => CRI_LOG_LINE.exec(line));
      assert.ok(records.length >= 3 && records.every((r) => r !== null), logText);
      assert.deepEqual([records[0]![2], records[0]![3], records[0]![4]], ['stdout', 'F', 'starting busybox']);
      assert.ok(records.every((r) => !Number.isNaN(Date.parse(r![1]!))));
      assert.doesNotMatch(logText, /hello/, 'exec output is not logged');

      // crictl stats: two ListContainerStatsRequests with the same filter, --seconds (1) apart (container_stats.go).
      await connect();
      const statsFilter = { filter: { id: '', pod_sandbox_id: '', label_selector: {} } };
      const first = await call(runtime, 'ListContainerStats', statsFilter);
      clock.advanceMs(1000);
      const second = await call(runtime, 'ListContainerStats', statsFilter);
      const [s1, s2] = [first.stats[0], second.stats[0]];
      assert.equal(s2.attributes.id, ctrId);
      const dCpu = BigInt(s2.cpu.usage_core_nano_seconds.value) - BigInt(s1.cpu.usage_core_nano_seconds.value);
      const dT = BigInt(s2.cpu.timestamp) - BigInt(s1.cpu.timestamp);
      assert.equal(dT, 1_000_000_000n);
      assert.ok(dCpu > 0n, 'CPU % > 0 for a running container');
      assert.ok(BigInt(s2.memory.working_set_bytes.value) > 0n);
      assert.ok(s2.cpu.usage_nano_cores !== null, 'second sample carries a rate');

      // crictl stop CONTAINER: StopContainerRequest{ContainerId, Timeout: --timeout (0)}.
      await connect();
      await call(runtime, 'StopContainer', { container_id: ctrShort, timeout: 0 });
      // crictl rm CONTAINER: ContainerStatus (refuses a running one without -f), then RemoveContainer.
      await connect();
      const beforeRm = await call(runtime, 'ContainerStatus', { container_id: ctrShort, verbose: false });
      assert.deepEqual([beforeRm.status.state, beforeRm.status.exit_code], ['CONTAINER_EXITED', 137]);
      await call(runtime, 'RemoveContainer', { container_id: ctrShort });
      assert.deepEqual((await call(runtime, 'ListContainers', { filter: { label_selector: {} } })).containers, []);

      // crictl stopp POD; crictl rmp POD: PodSandboxStatus (refuses a ready one without -f), then RemovePodSandbox.
      await connect();
      await call(runtime, 'StopPodSandbox', { pod_sandbox_id: podShort });
      await connect();
      const beforeRmp = await call(runtime, 'PodSandboxStatus', { pod_sandbox_id: podShort, verbose: false });
      assert.equal(beforeRmp.status.state, 'SANDBOX_NOTREADY');
      assert.deepEqual(beforeRmp.info, {});
      await call(runtime, 'RemovePodSandbox', { pod_sandbox_id: podShort });
      assert.deepEqual((await call(runtime, 'ListPodSandbox', { filter: { label_selector: {} } })).items, []);

      // crictl images: ListImagesRequest{Filter: {Image: {Image: ""}}} (image.go ListImages).
      await connect(true);
      const list = await call(images, 'ListImages', { filter: { image: { image: '' } } });
      const tags = list.images.flatMap((i: any) => i.repo_tags).sort();
      assert.deepEqual(tags, ['docker.io/library/busybox:latest', 'registry.k8s.io/pause:3.10']);

      // crictl inspecti busybox: ImageStatusRequest{Image, Verbose: !quiet}.
      await connect(true);
      const inspecti = await call(images, 'ImageStatus', { image: { image: 'busybox' }, verbose: true });
      assert.deepEqual(inspecti.image.repo_tags, ['docker.io/library/busybox:latest']);
      assert.ok(Object.keys(inspecti.info).length > 0);

      // crictl rmi busybox: ImageStatus (verbose false) to resolve it, then RemoveImageRequest{Image}.
      await connect(true);
      const toRemove = await call(images, 'ImageStatus', { image: { image: 'busybox' }, verbose: false });
      assert.ok(toRemove.image !== null);
      await call(images, 'RemoveImage', { image: { image: 'busybox' } });
      assert.equal((await call(images, 'ImageStatus', { image: { image: 'busybox' }, verbose: false })).image, null);

      // crictl imagefsinfo: ImageFsInfoRequest{}.
      await connect(true);
      const fsInfo = await call(images, 'ImageFsInfo', {});
      assert.match(fsInfo.image_filesystems[0].fs_id.mountpoint, persona === 'crio' ? /containers\/storage/ : /containerd/);
      assert.equal(BigInt(fsInfo.image_filesystems[0].timestamp), clock.nowNs());
      assert.deepEqual(server.state.checkInvariants(), []);
    });
  });
}
