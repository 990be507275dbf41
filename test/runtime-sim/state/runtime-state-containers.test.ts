import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { PERSONAS, type Persona } from '../../../runtime-sim/src/state/persona';
import { CONTAINER_STATE, SANDBOX_STATE, type CreateContainerInput } from '../../../runtime-sim/src/state/types';
import {
  assertConsistent,
  assertCriError,
  containerConfig,
  createReq,
  newHarness,
  podConfig,
  podWithContainer,
  runPod,
} from './fixtures';

describe('RuntimeState containers', () => {
  describe('CreateContainer', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] creates a CREATED container with created_at = now and no start/finish`, () => {
        const h = newHarness(persona);
        const { containerId, sandboxId } = podWithContainer(h, { start: false });
        const c = h.state.containerStatus(containerId);
        assert.match(containerId, /^[0-9a-f]{64}$/);
        assert.equal(c.state, CONTAINER_STATE.CREATED);
        assert.equal(c.podSandboxId, sandboxId);
        assert.equal(c.createdAtNs, h.clock.nowNs());
        assert.deepEqual([c.startedAtNs, c.finishedAtNs, c.exitCode, c.reason], [0n, 0n, 0, '']);
        assertConsistent(h.state);
      });
    }

    it('[containerd] reports image id sha256:<hex>, repo digest as image_ref, log path under the pod log dir', () => {
      const h = newHarness('containerd');
      const { containerId } = podWithContainer(h, { start: false });
      const c = h.state.containerStatus(containerId);
      assert.match(c.imageId, /^sha256:[0-9a-f]{64}$/);
      assert.match(c.imageRef, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
      assert.equal(c.image.image, 'docker.io/library/nginx:latest');
      assert.equal(c.logPath, '/var/log/pods/default_web_uid-web/app/0.log');
      assert.equal(c.reservedName, 'app_web_default_uid-web_0');
    });

    it('[crio] reports a bare hex image id and the k8s_ container name', () => {
      const h = newHarness('crio');
      const { containerId } = podWithContainer(h, { start: false });
      const c = h.state.containerStatus(containerId);
      assert.match(c.imageId, /^[0-9a-f]{64}$/);
      assert.match(c.imageRef, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
      assert.equal(c.reservedName, 'k8s_app_web_default_uid-web_0');
    });

    it('accepts the image by id, as the kubelet passes it', () => {
      for (const persona of PERSONAS) {
        const h = newHarness(persona);
        const pod = podConfig();
        const sandboxId = runPod(h.state, pod);
        const image = h.state.pullImage({ image: 'busybox' }).image;
        const id = h.state.createContainer(createReq(sandboxId, pod, containerConfig('app', image.id))).containerId;
        assert.equal(h.state.containerStatus(id).imageId, image.id);
      }
    });

    const missingImage: Array<[Persona, number, string]> = [
      ['containerd', GRPC_STATUS.NOT_FOUND, 'failed to resolve image "docker.io/library/redis:7": not found'],
      [
        'crio',
        GRPC_STATUS.UNKNOWN,
        'reference "[overlay@/var/lib/containers/storage+/run/containers/storage]docker.io/library/redis:7" does not resolve to an image ID: identifier is not an image',
      ],
    ];
    for (const [persona, code, message] of missingImage) {
      it(`[${persona}] refuses an image that is not present locally`, () => {
        const h = newHarness(persona);
        const pod = podConfig();
        const sandboxId = runPod(h.state, pod);
        assertCriError(
          () => h.state.createContainer(createReq(sandboxId, pod, containerConfig('app', 'docker.io/library/redis:7'))),
          code,
          message,
        );
        h.state.pullImage({ image: 'redis:7' });
        h.state.createContainer(createReq(sandboxId, pod, containerConfig('app', 'docker.io/library/redis:7')));
        assertConsistent(h.state);
      });
    }

    const unknownSandbox: Array<[Persona, string, number, string]> = [
      ['containerd', 'deadbeef', GRPC_STATUS.NOT_FOUND, 'failed to find sandbox id "deadbeef": not found'],
      [
        'crio',
        'deadbeef',
        GRPC_STATUS.UNKNOWN,
        'specified sandbox not found: deadbeef: PodSandbox with ID starting with deadbeef not found: ID does not exist',
      ],
      ['crio', '', GRPC_STATUS.UNKNOWN, 'PodSandboxId should not be empty'],
      ['containerd', '', GRPC_STATUS.UNKNOWN, "failed to find sandbox id \"\": Prefix can't be empty"],
    ];
    for (const [persona, id, code, message] of unknownSandbox) {
      it(`[${persona}] refuses sandbox id ${JSON.stringify(id)} with "${message}"`, () => {
        const h = newHarness(persona);
        h.state.pullImage({ image: 'nginx' });
        assertCriError(() => h.state.createContainer(createReq(id, podConfig(), containerConfig())), code, message);
      });
    }

    it('[crio] refuses a stopped sandbox', () => {
      const h = newHarness('crio');
      const pod = podConfig();
      const sandboxId = runPod(h.state, pod);
      h.state.pullImage({ image: 'nginx' });
      h.state.stopPodSandbox(sandboxId);
      assertCriError(
        () => h.state.createContainer(createReq(sandboxId, pod, containerConfig())),
        GRPC_STATUS.UNKNOWN,
        `CreateContainer failed as the sandbox was stopped: ${sandboxId}`,
      );
    });

    it('[containerd] creates in a stopped sandbox but refuses to start: EXITED 128 StartError', () => {
      const h = newHarness('containerd');
      const pod = podConfig();
      const sandboxId = runPod(h.state, pod);
      h.state.pullImage({ image: 'nginx' });
      h.state.stopPodSandbox(sandboxId);
      const id = h.state.createContainer(createReq(sandboxId, pod, containerConfig())).containerId;
      const message = `sandbox container "${sandboxId}" is not running`;
      assertCriError(() => h.state.startContainer(id), GRPC_STATUS.UNKNOWN, message);
      const c = h.state.containerStatus(id);
      assert.deepEqual([c.state, c.exitCode, c.reason, c.message], [CONTAINER_STATE.EXITED, 128, 'StartError', message]);
      assertConsistent(h.state);
    });

    const invalidConfig: Array<[Persona, string, (sb: string) => CreateContainerInput, string]> = [
      ['crio', 'no config', (sb) => ({ podSandboxId: sb, config: null, sandboxConfig: podConfig() }), 'config is nil'],
      ['crio', 'no image', (sb) => ({ podSandboxId: sb, config: { metadata: { name: 'a' } }, sandboxConfig: podConfig() }), 'config image is nil'],
      ['crio', 'no sandbox config', (sb) => ({ podSandboxId: sb, config: containerConfig() }), 'sandbox config is nil'],
      ['crio', 'no metadata', (sb) => ({ podSandboxId: sb, config: { image: { image: 'nginx' } }, sandboxConfig: podConfig() }), 'setting container config: metadata is nil'],
      ['crio', 'no name', (sb) => createReq(sb, podConfig(), containerConfig('')), 'setting container config: name is empty'],
      ['containerd', 'no config', (sb) => ({ podSandboxId: sb, config: null, sandboxConfig: podConfig() }), 'container config must include metadata'],
      ['containerd', 'no sandbox config', (sb) => ({ podSandboxId: sb, config: containerConfig() }), 'pod sandbox config must include metadata'],
    ];
    for (const [persona, what, req, message] of invalidConfig) {
      it(`[${persona}] rejects ${what} with "${message}"`, () => {
        const h = newHarness(persona);
        const sandboxId = runPod(h.state);
        h.state.pullImage({ image: 'nginx' });
        assertCriError(() => h.state.createContainer(req(sandboxId)), GRPC_STATUS.UNKNOWN, message);
        assertConsistent(h.state);
      });
    }

    for (const persona of PERSONAS) {
      it(`[${persona}] rejects an invalid behaviour annotation with INVALID_ARGUMENT naming it`, () => {
        const h = newHarness(persona);
        const pod = podConfig('web', { annotations: { 'sim.cri.io/exit-after': 'soon' } });
        const sandboxId = runPod(h.state, pod);
        h.state.pullImage({ image: 'nginx' });
        assertCriError(
          () => h.state.createContainer(createReq(sandboxId, pod, containerConfig())),
          GRPC_STATUS.INVALID_ARGUMENT,
          /"sim\.cri\.io\/exit-after": "soon" is not a Go duration/,
        );
        assert.equal(h.state.listContainers().length, 0);
      });
    }

    it('[crio] answers a duplicate create with the existing container id', () => {
      const h = newHarness('crio');
      const pod = podConfig();
      const { sandboxId, containerId } = podWithContainer(h, { pod, start: false });
      assert.equal(h.state.createContainer(createReq(sandboxId, pod, containerConfig())).containerId, containerId);
    });

    it('[containerd] refuses a duplicate container name', () => {
      const h = newHarness('containerd');
      const pod = podConfig();
      const { sandboxId, containerId } = podWithContainer(h, { pod, start: false });
      const name = 'app_web_default_uid-web_0';
      assertCriError(
        () => h.state.createContainer(createReq(sandboxId, pod, containerConfig())),
        GRPC_STATUS.UNKNOWN,
        `failed to reserve container name "${name}": name "${name}" is reserved for "${containerId}"`,
      );
      // The next attempt is a new name.
      h.state.createContainer(createReq(sandboxId, pod, containerConfig('app', undefined, { attempt: 1 })));
      assertConsistent(h.state);
    });
  });

  describe('StartContainer', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] moves CREATED to RUNNING with started_at = now`, () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h, { start: false });
        h.clock.advanceMs(250);
        h.state.startContainer(containerId);
        const c = h.state.containerStatus(containerId);
        assert.equal(c.state, CONTAINER_STATE.RUNNING);
        assert.equal(c.startedAtNs, h.clock.nowNs());
        assert.ok(c.createdAtNs < c.startedAtNs);
        assertConsistent(h.state);
      });
    }

    const notCreated: Array<[Persona, (id: string) => string]> = [
      ['crio', (id) => `container ${id} is not in created state: running`],
      ['containerd', (id) => `failed to set starting state for container "${id}": container is in CONTAINER_RUNNING state`],
    ];
    for (const [persona, message] of notCreated) {
      it(`[${persona}] refuses a container that is not CREATED`, () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        assertCriError(() => h.state.startContainer(containerId), GRPC_STATUS.UNKNOWN, message(containerId));
      });
    }

    it('[crio] names the stopped state "stopped"', () => {
      const h = newHarness('crio');
      const { containerId } = podWithContainer(h);
      h.state.stopContainer(containerId, 30);
      assertCriError(() => h.state.startContainer(containerId), GRPC_STATUS.UNKNOWN, `container ${containerId} is not in created state: stopped`);
    });

    const unknownId: Array<[Persona, number, string]> = [
      ['crio', GRPC_STATUS.NOT_FOUND, 'could not find container "abc": container with ID starting with abc not found: ID does not exist'],
      ['containerd', GRPC_STATUS.NOT_FOUND, 'an error occurred when try to find container "abc": not found'],
    ];
    for (const [persona, code, message] of unknownId) {
      it(`[${persona}] answers an unknown id with "${message}"`, () => {
        assertCriError(() => newHarness(persona).state.startContainer('abc'), code, message);
      });
    }
  });

  describe('StopContainer', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] exits a RUNNING container gracefully (0, Completed) at once by default`, () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        h.clock.advanceMs(5000);
        const { completesAtNs } = h.state.stopContainer(containerId, 30);
        assert.equal(completesAtNs, h.clock.nowNs());
        const c = h.state.containerStatus(containerId);
        assert.deepEqual([c.state, c.exitCode, c.reason, c.finishedAtNs], [CONTAINER_STATE.EXITED, 0, 'Completed', h.clock.nowNs()]);
        assertConsistent(h.state);
      });

      it(`[${persona}] is idempotent on EXITED and succeeds for an unknown id`, () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        h.state.stopContainer(containerId, 30);
        const before = h.state.containerStatus(containerId);
        h.clock.advanceMs(1000);
        h.state.stopContainer(containerId, 30);
        assert.deepEqual(h.state.containerStatus(containerId), before);
        h.state.stopContainer('f'.repeat(64), 30);
      });

      it(`[${persona}] kills at once with timeout 0 (137, Error)`, () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        h.state.stopContainer(containerId, 0);
        const c = h.state.containerStatus(containerId);
        assert.deepEqual([c.state, c.exitCode, c.reason], [CONTAINER_STATE.EXITED, 137, 'Error']);
      });

      it(`[${persona}] SIGKILLs when the stop grace is not shorter than the timeout`, () => {
        const h = newHarness(persona);
        const pod = podConfig('web', { annotations: { 'sim.cri.io/stop-grace': '45s' } });
        const { containerId } = podWithContainer(h, { pod });
        const t0 = h.clock.nowNs();
        const { completesAtNs } = h.state.stopContainer(containerId, 30);
        assert.equal(completesAtNs, t0 + 30n * 1_000_000_000n);
        h.clock.advanceMs(29_999);
        assert.equal(h.state.containerStatus(containerId).state, CONTAINER_STATE.RUNNING);
        assertConsistent(h.state);
        h.clock.advanceMs(1);
        const c = h.state.containerStatus(containerId);
        assert.deepEqual([c.state, c.exitCode, c.reason, c.finishedAtNs], [CONTAINER_STATE.EXITED, 137, 'Error', completesAtNs]);
      });

      it(`[${persona}] exits with the stop exit code after the grace when it is shorter`, () => {
        const h = newHarness(persona);
        const pod = podConfig('web', { annotations: { 'sim.cri.io/stop-grace': '2s', 'sim.cri.io/stop-exit-code': '143' } });
        const { containerId } = podWithContainer(h, { pod });
        const { completesAtNs } = h.state.stopContainer(containerId, 30);
        h.clock.advanceMs(2000);
        const c = h.state.containerStatus(containerId);
        assert.deepEqual([c.state, c.exitCode, c.reason, c.finishedAtNs], [CONTAINER_STATE.EXITED, 143, 'Error', completesAtNs]);
      });

      it(`[${persona}] lets a later stop with timeout 0 cut a pending grace short`, () => {
        const h = newHarness(persona);
        const pod = podConfig('web', { annotations: { 'sim.cri.io/stop-grace': 'never' } });
        const { containerId } = podWithContainer(h, { pod });
        h.state.stopContainer(containerId, 30);
        h.clock.advanceMs(1000);
        const { completesAtNs } = h.state.stopContainer(containerId, 0);
        assert.equal(completesAtNs, h.clock.nowNs());
        assert.equal(h.state.containerStatus(containerId).exitCode, 137);
      });
    }

    it('[containerd] leaves a CREATED container alone', () => {
      const h = newHarness('containerd');
      const { containerId } = podWithContainer(h, { start: false });
      h.state.stopContainer(containerId, 10);
      assert.equal(h.state.containerStatus(containerId).state, CONTAINER_STATE.CREATED);
    });

    it('[crio] kills a CREATED container', () => {
      const h = newHarness('crio');
      const { containerId } = podWithContainer(h, { start: false });
      h.state.stopContainer(containerId, 10);
      const c = h.state.containerStatus(containerId);
      assert.deepEqual([c.state, c.exitCode, c.startedAtNs], [CONTAINER_STATE.EXITED, 137, 0n]);
      assertConsistent(h.state);
    });

    it('[crio] answers an empty id with NOT_FOUND', () => {
      assertCriError(
        () => newHarness('crio').state.stopContainer('', 10),
        GRPC_STATUS.NOT_FOUND,
        'could not find container "": container ID should not be empty',
      );
    });
  });

  describe('RemoveContainer', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] removes an EXITED container and frees its name`, () => {
        const h = newHarness(persona);
        const pod = podConfig();
        const { sandboxId, containerId } = podWithContainer(h, { pod });
        h.state.stopContainer(containerId, 30);
        h.state.removeContainer(containerId);
        assert.equal(h.state.listContainers().length, 0);
        h.state.createContainer(createReq(sandboxId, pod, containerConfig()));
        assertConsistent(h.state);
      });

      it(`[${persona}] force-stops and removes a RUNNING container`, () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        h.state.removeContainer(containerId);
        assert.equal(h.state.listContainers().length, 0);
        assertConsistent(h.state);
      });
    }

    it('[crio] gives a running container the 10 s grace before removing it', () => {
      const h = newHarness('crio');
      const pod = podConfig('web', { annotations: { 'sim.cri.io/stop-grace': 'never' } });
      const { containerId } = podWithContainer(h, { pod });
      const { completesAtNs } = h.state.removeContainer(containerId);
      assert.equal(completesAtNs, h.clock.nowNs() + 10n * 1_000_000_000n);
    });

    it('[containerd] kills a running container at once before removing it, and succeeds for an unknown id', () => {
      const h = newHarness('containerd');
      const pod = podConfig('web', { annotations: { 'sim.cri.io/stop-grace': 'never' } });
      const { containerId } = podWithContainer(h, { pod });
      assert.equal(h.state.removeContainer(containerId).completesAtNs, h.clock.nowNs());
      h.state.removeContainer(containerId);
    });

    it('[crio] answers an unknown id with NOT_FOUND', () => {
      const id = 'e'.repeat(64);
      assertCriError(
        () => newHarness('crio').state.removeContainer(id),
        GRPC_STATUS.NOT_FOUND,
        `could not find container "${id}": container with ID starting with ${id} not found: ID does not exist`,
      );
    });
  });

  describe('ContainerStatus', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] answers NOT_FOUND for an unknown id and resolves a unique prefix`, () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        assertCriError(() => h.state.containerStatus('zzz'), GRPC_STATUS.NOT_FOUND, /zzz/);
        assert.equal(h.state.containerStatus(containerId.slice(0, 12)).id, containerId);
      });
    }
  });

  describe('ListContainers', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] filters by id, pod sandbox id (prefixes too), state and labels`, () => {
        const h = newHarness(persona);
        const podA = podConfig('a');
        const podB = podConfig('b');
        const a = runPod(h.state, podA);
        const b = runPod(h.state, podB);
        h.state.pullImage({ image: 'nginx' });
        const a1 = h.state.createContainer(createReq(a, podA, containerConfig('one', undefined, { labels: { role: 'main' } }))).containerId;
        const a2 = h.state.createContainer(createReq(a, podA, containerConfig('two', undefined, { labels: { role: 'side' } }))).containerId;
        const b1 = h.state.createContainer(createReq(b, podB, containerConfig('one', undefined, { labels: { role: 'main' } }))).containerId;
        h.state.startContainer(a1);
        h.state.startContainer(b1);
        h.state.stopContainer(b1, 10);
        const ids = (list: { id: string }[]) => list.map((c) => c.id);
        assert.deepEqual(ids(h.state.listContainers()), [a1, a2, b1]);
        assert.deepEqual(ids(h.state.listContainers({ id: a2.slice(0, 16) })), [a2]);
        assert.deepEqual(ids(h.state.listContainers({ podSandboxId: a })), [a1, a2]);
        assert.deepEqual(ids(h.state.listContainers({ podSandboxId: b.slice(0, 16) })), [b1]);
        assert.deepEqual(ids(h.state.listContainers({ podSandboxId: 'nope' })), []);
        assert.deepEqual(ids(h.state.listContainers({ state: CONTAINER_STATE.RUNNING })), [a1]);
        assert.deepEqual(ids(h.state.listContainers({ state: CONTAINER_STATE.CREATED })), [a2]);
        assert.deepEqual(ids(h.state.listContainers({ state: CONTAINER_STATE.EXITED })), [b1]);
        assert.deepEqual(ids(h.state.listContainers({ labelSelector: { role: 'main' } })), [a1, b1]);
        assert.deepEqual(ids(h.state.listContainers({ labelSelector: { role: 'main' }, podSandboxId: a })), [a1]);
        assertConsistent(h.state);
      });
    }
  });

  describe('ListContainers image fields', () => {
    it('[containerd] echoes the config image and the image id (container_list.go)', () => {
      const h = newHarness('containerd');
      const pod = podConfig();
      const sandboxId = runPod(h.state, pod);
      const image = h.state.pullImage({ image: 'nginx' }).image;
      h.state.createContainer(createReq(sandboxId, pod, containerConfig('app', image.id)));
      const [listed] = h.state.listContainers();
      assert.equal(listed!.listImage, image.id);
      assert.equal(listed!.listImageRef, image.id);
      assert.equal(listed!.image.image, 'docker.io/library/nginx:latest');
    });

    it('[crio] reports the image name and repo digest as in ContainerStatus', () => {
      const h = newHarness('crio');
      const pod = podConfig();
      const sandboxId = runPod(h.state, pod);
      const image = h.state.pullImage({ image: 'nginx' }).image;
      h.state.createContainer(createReq(sandboxId, pod, containerConfig('app', image.id)));
      const [listed] = h.state.listContainers();
      assert.equal(listed!.listImage, 'docker.io/library/nginx:latest');
      assert.equal(listed!.listImageRef, image.repoDigests[0]);
    });
  });

  describe('invariants over a kubelet-style lifecycle', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] hold after every step`, () => {
        const h = newHarness(persona);
        const pod = podConfig('web', { annotations: { 'sim.cri.io/exit-after.init': '1s' } });
        const steps: Array<() => void> = [];
        let sandboxId = '';
        let init = '';
        let app = '';
        steps.push(() => (sandboxId = runPod(h.state, pod)));
        steps.push(() => h.state.pullImage({ image: 'busybox' }));
        steps.push(() => (init = h.state.createContainer(createReq(sandboxId, pod, containerConfig('init', 'busybox'))).containerId));
        steps.push(() => h.state.startContainer(init));
        steps.push(() => h.clock.advanceMs(1500));
        steps.push(() => assert.equal(h.state.containerStatus(init).state, CONTAINER_STATE.EXITED));
        steps.push(() => h.state.pullImage({ image: 'nginx' }));
        steps.push(() => (app = h.state.createContainer(createReq(sandboxId, pod, containerConfig('app'))).containerId));
        steps.push(() => h.state.startContainer(app));
        steps.push(() => h.clock.advanceMs(60_000));
        steps.push(() => h.state.stopContainer(app, 30));
        steps.push(() => h.state.stopPodSandbox(sandboxId));
        steps.push(() => assert.equal(h.state.podSandboxStatus(sandboxId).state, SANDBOX_STATE.NOTREADY));
        steps.push(() => h.state.removeContainer(init));
        steps.push(() => h.state.removePodSandbox(sandboxId));
        for (const step of steps) {
          step();
          assertConsistent(h.state);
        }
        assert.equal(h.state.listPodSandboxes().length, 0);
      });
    }
  });
});
