import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageCatalog } from '../../../runtime-sim/src/model/image-catalog';
import { RuntimeState } from '../../../runtime-sim/src/state/runtime-state';
import { decodeSnapshotText, encodeSnapshot, parseStateSnapshot } from '../../../runtime-sim/src/state/state-snapshot';
import { InMemoryLogWriter } from '../../../runtime-sim/src/state/container-log-writer';
import { CriError } from '../../../runtime-sim/src/state/cri-error';
import type { Persona } from '../../../runtime-sim/src/state/persona';
import type { ContainerConfigInput } from '../../../runtime-sim/src/state/types';
import { containerConfig, createReq, newHarness, podConfig, runPod, type Harness } from './fixtures';

const PERSONAS: readonly Persona[] = ['crio', 'containerd'];
const SECOND_MS = 1000;

interface Started {
  readonly h: Harness;
  readonly logs: InMemoryLogWriter;
  readonly notices: string[];
  readonly id: string;
  readonly logFile: string;
}

function start(persona: Persona, container: Partial<ContainerConfigInput>, pod = podConfig('web')): Started {
  const logs = new InMemoryLogWriter();
  const notices: string[] = [];
  const h = newHarness(persona, { containerLogWriter: logs, onNotice: (m) => notices.push(m) });
  const sandboxId = runPod(h.state, pod);
  const config = { ...containerConfig('app', container.image?.image ?? 'docker.io/library/busybox:1.37'), ...container };
  h.state.pullImage({ image: config.image!.image! });
  const id = h.state.createContainer(createReq(sandboxId, pod, config)).containerId;
  h.state.startContainer(id);
  const logFile = h.state.containerStatus(id).logPath;
  return { h, logs, notices, id, logFile };
}

/** The log's records without timestamps: "<stream> <tag> <text>". */
function logRecords(s: Started): string[] {
  return (s.logs.read(s.logFile) ?? '').split('\n').filter((l) => l !== '').map((l) => l.slice(l.indexOf(' ') + 1));
}

for (const persona of PERSONAS) {
  describe(`RuntimeState command model [${persona}]`, () => {
    it('plays an init-style script: logs as it goes, exits 0 (Completed) when the script ends', () => {
      const s = start(persona, { command: ['sh', '-c'], args: ['echo migrating; sleep 1; echo done'] });
      assert.deepEqual(logRecords(s), ['stdout F migrating']);
      assert.equal(s.h.state.containerStatus(s.id).state, 'CONTAINER_RUNNING');
      assert.equal(s.h.state.nextDueNs(), s.h.state.containerStatus(s.id).startedAtNs + 1_000_000_000n);
      s.h.clock.advanceMs(SECOND_MS);
      const status = s.h.state.containerStatus(s.id);
      assert.deepEqual([status.state, status.exitCode, status.reason], ['CONTAINER_EXITED', 0, 'Completed']);
      assert.equal(status.finishedAtNs - status.startedAtNs, 1_000_000_000n);
      assert.deepEqual(logRecords(s), ['stdout F migrating', 'stdout F done']);
    });

    it('exits with the script exit code (Error) at the scripted time', () => {
      const s = start(persona, { command: ['sh', '-c', 'sleep 5; exit 3'] });
      s.h.clock.advanceMs(4 * SECOND_MS);
      assert.equal(s.h.state.containerStatus(s.id).state, 'CONTAINER_RUNNING');
      s.h.clock.advanceMs(SECOND_MS);
      const status = s.h.state.containerStatus(s.id);
      assert.deepEqual([status.state, status.exitCode, status.reason], ['CONTAINER_EXITED', 3, 'Error']);
    });

    it("uses the image's Cmd when the container has no command (busybox: sh with no stdin exits 0)", () => {
      const s = start(persona, {});
      assert.deepEqual([s.h.state.containerStatus(s.id).state, s.h.state.containerStatus(s.id).exitCode], ['CONTAINER_EXITED', 0]);
    });

    it('runs a server until stopped; SIGTERM ends it at once, a stop timeout of 0 kills it', () => {
      const s = start(persona, { image: { image: 'docker.io/library/nginx:1.27' } });
      assert.ok(logRecords(s).length >= 3, 'a server prints its start-up lines');
      s.h.clock.advanceMs(60 * SECOND_MS);
      assert.equal(s.h.state.containerStatus(s.id).state, 'CONTAINER_RUNNING');
      const { completesAtNs } = s.h.state.stopContainer(s.id, 30);
      assert.equal(completesAtNs, s.h.state.nowNs());
      const status = s.h.state.containerStatus(s.id);
      assert.deepEqual([status.state, status.exitCode], ['CONTAINER_EXITED', 0]);
    });

    it('a shell as PID 1 ignores SIGTERM: SIGKILL (137) when the stop timeout ends', () => {
      const s = start(persona, { command: ['sh', '-c', 'while true; do echo tick; sleep 10; done'] });
      const now = s.h.state.nowNs();
      const { completesAtNs } = s.h.state.stopContainer(s.id, 30);
      assert.equal(completesAtNs, now + 30_000_000_000n);
      s.h.clock.advanceMs(30 * SECOND_MS);
      const status = s.h.state.containerStatus(s.id);
      assert.deepEqual([status.state, status.exitCode, status.reason], ['CONTAINER_EXITED', 137, 'Error']);
      assert.deepEqual(logRecords(s), ['stdout F tick', 'stdout F tick', 'stdout F tick']);
    });

    it('a trap makes the stop reply due when the handler exits', () => {
      const s = start(persona, { command: ['sh', '-c', "trap 'echo bye; exit 0' TERM; sleep infinity & wait"] });
      const now = s.h.state.nowNs();
      assert.equal(s.h.state.stopContainer(s.id, 30).completesAtNs, now);
      assert.deepEqual([s.h.state.containerStatus(s.id).exitCode, logRecords(s)], [0, ['stdout F bye']]);
    });

    it('annotations decide the exit over the command; the command still prints', () => {
      const pod = podConfig('web', { annotations: { 'sim.cri.io/exit-after': '2s', 'sim.cri.io/exit-code': '9' } });
      const s = start(persona, { command: ['sh', '-c', 'echo hello; sleep 1; exit 0'] }, pod);
      s.h.clock.advanceMs(SECOND_MS);
      assert.equal(s.h.state.containerStatus(s.id).state, 'CONTAINER_RUNNING');
      s.h.clock.advanceMs(SECOND_MS);
      assert.deepEqual([s.h.state.containerStatus(s.id).exitCode, logRecords(s)], [9, ['stdout F hello']]);
    });

    it('keeps a script outside the subset running and says why once', () => {
      const s = start(persona, { command: ['sh', '-c', 'echo $(date)'] });
      s.h.clock.advanceMs(3600 * SECOND_MS);
      assert.equal(s.h.state.containerStatus(s.id).state, 'CONTAINER_RUNNING');
      assert.equal(s.notices.length, 1);
      assert.match(s.notices[0]!, /\(app\): command "sh -c echo \$\(date\)" is not simulated \(command substitution .*\); it runs until stopped/);
    });

    it('answers ExecSync through the command model, on the files the main process made', () => {
      const s = start(persona, { command: ['sh', '-c', 'touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600'] });
      const exec = (cmd: string[]) => s.h.state.execSync({ containerId: s.id, cmd, timeoutSeconds: 5n }).result;
      assert.deepEqual(exec(['echo', 'hello']), { exitCode: 0, stdout: 'hello\n', stderr: '' });
      assert.deepEqual(exec(['sh', '-c', 'echo hello']), { exitCode: 0, stdout: 'hello\n', stderr: '' });
      assert.equal(exec(['cat', '/tmp/healthy'])?.exitCode, 0);
      s.h.clock.advanceMs(31 * SECOND_MS);
      assert.deepEqual(exec(['cat', '/tmp/healthy']), { exitCode: 1, stdout: '', stderr: "cat: can't open '/tmp/healthy': No such file or directory\n" });
    });

    it('keeps logging to the path after the kubelet rotates the file and asks ReopenContainerLog', () => {
      const s = start(persona, { command: ['sh', '-c', 'i=0; while true; do echo line; sleep 10; done'] });
      s.h.clock.advanceMs(10 * SECOND_MS);
      s.h.state.advance(); // what the server's due timer does at the process's next wake-up
      s.logs.rotate(s.logFile, `${s.logFile}.20261204-100000`);
      s.h.state.reopenContainerLog(s.id);
      s.h.clock.advanceMs(10 * SECOND_MS);
      s.h.state.advance();
      assert.equal((s.logs.read(`${s.logFile}.20261204-100000`) ?? '').split('\n').filter((l) => l !== '').length, 2);
      assert.deepEqual(logRecords(s), ['stdout F line']);
    });

    it('replays a running command after a restart (--state-dir) without logging its past output again', () => {
      const s = start(persona, { command: ['sh', '-c', 'echo start; sleep 10; echo ten; sleep 10; exit 5'] });
      s.h.clock.advanceMs(12 * SECOND_MS);
      s.h.state.advance();
      assert.deepEqual(logRecords(s), ['stdout F start', 'stdout F ten']);
      const snapshot = parseStateSnapshot(decodeSnapshotText(encodeSnapshot(s.h.state.exportSnapshot())), persona);
      const restored = new RuntimeState({ persona, clock: s.h.clock, seed: 42, restore: snapshot, containerLogWriter: s.logs });
      s.h.clock.advanceMs(8 * SECOND_MS);
      const status = restored.containerStatus(s.id);
      assert.deepEqual([status.state, status.exitCode], ['CONTAINER_EXITED', 5]);
      assert.equal(status.finishedAtNs - status.startedAtNs, 20_000_000_000n);
      assert.deepEqual(logRecords(s), ['stdout F start', 'stdout F ten']);
    });

    it('passes the container env over the image env, with the runtime HOSTNAME', () => {
      const s = start(persona, {
        command: ['sh', '-c', 'echo "$HOSTNAME $GREETING $PATH"'],
        envs: [['GREETING', 'hi'], ['PATH', '/custom']],
      });
      assert.deepEqual(logRecords(s), ['stdout F web hi /custom']);
    });
  });
}

describe('RuntimeState images from the catalog', () => {
  it('lists one image with every tag pulled that shares it, and reports the config user', () => {
    const h = newHarness('containerd');
    const a = h.state.pullImage({ image: 'nginx:1.27' }).image;
    const b = h.state.pullImage({ image: 'nginx:latest' }).image;
    assert.equal(a.id, b.id);
    const nginx = h.state.listImages().filter((img) => img.id === a.id);
    assert.equal(nginx.length, 1);
    assert.deepEqual(nginx[0]!.repoTags, ['docker.io/library/nginx:1.27', 'docker.io/library/nginx:latest']);
    assert.equal(nginx[0]!.repoDigests.length, 1);
    assert.notEqual(h.state.pullImage({ image: 'nginx:1.26' }).image.id, a.id);
    const pause = h.state.imageStatus('registry.k8s.io/pause:3.10')!;
    assert.deepEqual([pause.uid, pause.username], [65535, '']);
    const coredns = h.state.pullImage({ image: 'registry.k8s.io/coredns/coredns:v1.12.0' }).image;
    assert.deepEqual([coredns.uid, coredns.username], [null, 'nonroot']);
    assert.deepEqual([a.uid, a.username], [null, '']);
  });

  it('fails CreateContainer when neither the container nor the image names a command', () => {
    const catalog = parseImageCatalog('images:\n  - tags: [example.com/scratch:1]\n    sizeBytes: 1000\n', 'test-catalog.yaml');
    for (const persona of PERSONAS) {
      const h = newHarness(persona, { imageCatalog: catalog });
      const pod = podConfig('web');
      const sandboxId = runPod(h.state, pod);
      h.state.pullImage({ image: 'example.com/scratch:1' });
      assert.throws(
        () => h.state.createContainer(createReq(sandboxId, pod, containerConfig('app', 'example.com/scratch:1'))),
        (err: unknown) => err instanceof CriError && /no command specified/.test(err.message),
      );
    }
  });
});

describe('RuntimeState container log directories', () => {
  for (const persona of PERSONAS) {
    it(`[${persona}] ${persona === 'crio' ? 'fails CreateContainer as conmon does' : 'makes the directory itself'} when the kubelet did not make the log directory`, () => {
      const pod = podConfig('web', { logDirectory: '/logs/default_web_uid-web' });
      const logs = new InMemoryLogWriter(100, { directories: ['/logs/default_web_uid-web'] });
      const notices: string[] = [];
      const h = newHarness(persona, { containerLogWriter: logs, onNotice: (m) => notices.push(m) });
      const sandboxId = runPod(h.state, pod);
      h.state.pullImage({ image: 'docker.io/library/busybox:1.37' });
      const create = () => h.state.createContainer(createReq(sandboxId, pod, containerConfig('app', 'docker.io/library/busybox:1.37')));
      if (persona === 'crio') {
        assert.throws(create, (err: unknown) => err instanceof CriError && err.code === 2 && err.message === 'exit status 1');
        assert.match(notices[0] ?? '', /^conmon: Failed to open log file \/logs\/default_web_uid-web\/app\/0\.log: No such file or directory/);
        logs.directories!.add('/logs/default_web_uid-web/app');
      }
      assert.match(create().containerId, /^[0-9a-f]{64}$/);
    });
  }
});
