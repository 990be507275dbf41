import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { beforeEach, describe, it } from 'node:test';
import { FakeOS } from '../../../kubelet-sim/src/container/os-interface';
import type { ContainerLogManagerPolicy } from '../../../kubelet-sim/src/logs/container-log-manager';
import { ContainerLogManager, rotationTimestamp } from '../../../kubelet-sim/src/logs/container-log-manager';
import { FakeClock } from '../../../kubelet-sim/src/util/clock';
import type { Logger } from '../../../kubelet-sim/src/util/logger';
import { FakeRuntimeService, GRPC_CODE } from '../../helpers/fake-runtime-service';

/*
 * pkg/kubelet/logs/container_log_manager.go: rotateLogs lists every container, the workers ask ContainerStatus
 * for each running one, reopen a missing log and rotate one at containerLogMaxSize (rename, gzip older rotated
 * files, remove beyond containerLogMaxFiles, ReopenContainerLog).
 */

const LOG_DIR = '/var/log/pods/default_web_uid-1';
const POLICY: ContainerLogManagerPolicy = { maxSizeBytes: 1024, maxFiles: 5, maxWorkers: 1, monitorIntervalMs: 10_000 };

describe('ContainerLogManager', () => {
  let clock: FakeClock;
  let os: FakeOS;
  let fake: FakeRuntimeService;
  let errors: string[];
  let log: Logger;

  beforeEach(() => {
    clock = new FakeClock(Date.UTC(2026, 11, 4, 10, 15, 0));
    os = new FakeOS();
    // The runtime opens a fresh, empty file at the log path when asked to reopen it.
    fake = new FakeRuntimeService({ clock, onReopenContainerLog: (p) => os.putFile(p, '') });
    errors = [];
    log = { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) };
  });

  const manager = (policy: Partial<ContainerLogManagerPolicy> = {}): ContainerLogManager => new ContainerLogManager(fake, os, { ...POLICY, ...policy }, clock, log);

  /** A container named `name` in one sandbox; running unless `exited`. Returns its id and log path. */
  async function container(name: string, exited = false): Promise<{ id: string; logPath: string }> {
    const sandboxConfig = { metadata: { name: 'web', uid: 'uid-1', namespace: 'default', attempt: 0 }, log_directory: LOG_DIR };
    const sandbox = fake.sandboxes()[0]?.id ?? (await fake.runPodSandbox(sandboxConfig, ''));
    fake.addImage('docker.io/library/busybox:1.37');
    const id = await fake.createContainer(sandbox, { metadata: { name, attempt: 0 }, image: { image: 'docker.io/library/busybox:1.37' }, log_path: `${name}/0.log` }, sandboxConfig);
    await fake.startContainer(id);
    if (exited) fake.exitContainer(id, 0);
    return { id, logPath: `${LOG_DIR}/${name}/0.log` };
  }

  describe('rotateLogs', () => {
    it('lists all containers with an empty filter, then asks ContainerStatus (not verbose) for each running one', async () => {
      const app = await container('app');
      const sidecar = await container('sidecar');
      await container('init', true);
      for (const c of [app, sidecar]) os.putFile(c.logPath, 'hello\n');
      fake.clearCalls();
      await manager().rotateLogs();
      assert.deepEqual(fake.calls.map((c) => [c.method, c.args]), [
        ['ListContainers', [{}]],
        ['ContainerStatus', [app.id, false]],
        ['ContainerStatus', [sidecar.id, false]],
      ]);
    });

    it('leaves a log below containerLogMaxSize alone', async () => {
      const app = await container('app');
      os.putFile(app.logPath, 1023);
      await manager().rotateLogs();
      assert.deepEqual(fake.callsOf('ReopenContainerLog'), []);
      assert.deepEqual(os.readDir(`${LOG_DIR}/app`), ['0.log']);
    });

    it('asks the runtime to reopen a log file that is missing', async () => {
      const app = await container('app');
      fake.clearCalls();
      await manager().rotateLogs();
      assert.deepEqual(fake.callNames(), ['ListContainers', 'ContainerStatus', 'ReopenContainerLog']);
      assert.equal(os.stat(app.logPath)?.size, 0);
    });

    it('rotates a log at containerLogMaxSize: renamed to <log>.<YYYYMMDD-hhmmss> (local time), then ReopenContainerLog', async () => {
      const app = await container('app');
      os.putFile(app.logPath, 1024);
      fake.clearCalls();
      await manager().rotateLogs();
      assert.deepEqual(fake.callNames(), ['ListContainers', 'ContainerStatus', 'ReopenContainerLog']);
      const rotated = `0.log.${rotationTimestamp(clock.nowMs())}`;
      assert.deepEqual(os.readDir(`${LOG_DIR}/app`), ['0.log', rotated].sort());
      assert.equal(os.stat(app.logPath)?.size, 0, 'the runtime reopened an empty log');
      assert.equal(os.stat(`${LOG_DIR}/app/${rotated}`)?.size, 1024);
    });

    it('gzips the previous rotated log on the next rotation and keeps at most containerLogMaxFiles files', async () => {
      const app = await container('app');
      const dir = `${LOG_DIR}/app`;
      const m = manager({ maxFiles: 3 });
      const stamps: string[] = [];
      for (let round = 0; round < 3; round++) {
        os.putFile(app.logPath, `round ${round}\n`.padEnd(2048, '.'));
        stamps.push(rotationTimestamp(clock.nowMs()));
        await m.rotateLogs();
        clock.step(60_000);
      }
      // maxFiles 3: the live log, the latest rotation (uncompressed) and one gzipped older rotation.
      assert.deepEqual(os.readDir(dir), ['0.log', `0.log.${stamps[1]}.gz`, `0.log.${stamps[2]}`].sort());
      assert.match(gunzipSync(os.readFile(`${dir}/0.log.${stamps[1]}.gz`)).toString(), /^round 1\n/);
    });

    it('removes the leftovers of a failed rotation (.tmp files, uncompressed twins of .gz files)', async () => {
      const app = await container('app');
      const dir = `${LOG_DIR}/app`;
      os.putFile(app.logPath, 2048);
      os.putFile(`${dir}/0.log.20261204-100000`, 'old');
      os.putFile(`${dir}/0.log.20261204-100000.gz`, 'gz');
      os.putFile(`${dir}/0.log.20261204-100500.tmp`, 'partial');
      await manager().rotateLogs();
      assert.deepEqual(os.readDir(dir), ['0.log', '0.log.20261204-100000.gz', `0.log.${rotationTimestamp(clock.nowMs())}`].sort());
    });

    it('renames the log back when ReopenContainerLog fails, so the next pass can try again', async () => {
      const app = await container('app');
      os.putFile(app.logPath, 4096);
      fake.failNext('ReopenContainerLog', GRPC_CODE.UNKNOWN, 'container is not running');
      await manager().rotateLogs();
      assert.deepEqual(os.readDir(`${LOG_DIR}/app`), ['0.log']);
      assert.equal(os.stat(app.logPath)?.size, 4096);
      assert.match(errors.join('\n'), /Failed to rotate log for container.*failed to reopen container log/);
    });

    it('goes on with the other containers when one ContainerStatus fails', async () => {
      await container('app');
      const sidecar = await container('sidecar');
      os.putFile(sidecar.logPath, 4096);
      fake.failNext('ContainerStatus', GRPC_CODE.NOT_FOUND, 'gone');
      await manager().rotateLogs();
      assert.equal(fake.callsOf('ReopenContainerLog').length, 1);
      assert.match(errors[0], /Failed to get container status/);
    });
  });

  describe('clean', () => {
    it('removes the log and every rotated file of the container', async () => {
      const app = await container('app');
      const dir = `${LOG_DIR}/app`;
      os.putFile(app.logPath, 'x');
      os.putFile(`${dir}/0.log.20261204-100000.gz`, 'x');
      os.putFile(`${dir}/1.log`, 'another attempt');
      fake.clearCalls();
      await manager().clean(app.id);
      assert.deepEqual(fake.calls.map((c) => [c.method, c.args]), [['ContainerStatus', [app.id, false]]]);
      assert.deepEqual(os.readDir(dir), ['1.log']);
    });
  });

  it('is a stub with a negative containerLogMaxSize', () => {
    assert.equal(manager({ maxSizeBytes: -1 }).rotationEnabled, false);
    assert.equal(manager().rotationEnabled, true);
  });

  it('refuses containerLogMaxFiles below 2, as NewContainerLogManager does', () => {
    assert.throws(() => manager({ maxFiles: 1 }), /invalid MaxFiles 1, must be > 1/);
  });
});
