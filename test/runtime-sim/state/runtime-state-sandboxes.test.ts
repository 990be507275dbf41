import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { PERSONAS } from '../../../runtime-sim/src/state/persona';
import { CONTAINER_STATE, SANDBOX_STATE } from '../../../runtime-sim/src/state/types';
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

describe('RuntimeState sandboxes', () => {
  describe('RunPodSandbox', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] creates a READY sandbox with a 64-hex id, created_at = now and a pod IP`, () => {
        const h = newHarness(persona);
        const id = runPod(h.state);
        assert.match(id, /^[0-9a-f]{64}$/);
        const status = h.state.podSandboxStatus(id);
        assert.equal(status.state, SANDBOX_STATE.READY);
        assert.equal(status.createdAtNs, h.clock.nowNs());
        assert.deepEqual(status.metadata, { name: 'web', uid: 'uid-web', namespace: 'default', attempt: 0 });
        assert.match(status.ip, persona === 'crio' ? /^10\.85\.0\.2$/ : /^10\.88\.0\.2$/);
        assertConsistent(h.state);
      });

      it(`[${persona}] gives host-network pods no IP and distinct IPs to other pods`, () => {
        const h = newHarness(persona);
        const host = runPod(h.state, podConfig('host', { hostNetwork: true }));
        const a = runPod(h.state, podConfig('a'));
        const b = runPod(h.state, podConfig('b'));
        assert.equal(h.state.podSandboxStatus(host).ip, '');
        assert.notEqual(h.state.podSandboxStatus(a).ip, h.state.podSandboxStatus(b).ip);
        assertConsistent(h.state);
      });

      it(`[${persona}] produces the same ids for the same seed`, () => {
        const one = runPod(newHarness(persona).state);
        const two = runPod(newHarness(persona).state);
        assert.equal(one, two);
      });
    }

    it('[crio] reserves k8s_<name>_<ns>_<uid>_<attempt>', () => {
      const h = newHarness('crio');
      const id = runPod(h.state);
      assert.equal(h.state.podSandboxStatus(id).reservedName, 'k8s_web_default_uid-web_0');
    });

    it('[containerd] reserves <name>_<ns>_<uid>_<attempt>', () => {
      const h = newHarness('containerd');
      const id = runPod(h.state);
      assert.equal(h.state.podSandboxStatus(id).reservedName, 'web_default_uid-web_0');
    });

    it('[crio] answers a duplicate request with the existing sandbox id', () => {
      const h = newHarness('crio');
      const first = runPod(h.state);
      assert.equal(runPod(h.state), first);
      assert.equal(h.state.listPodSandboxes().length, 1);
    });

    it('[containerd] refuses a duplicate name with the registrar error', () => {
      const h = newHarness('containerd');
      const first = runPod(h.state);
      assertCriError(
        () => runPod(h.state),
        GRPC_STATUS.UNKNOWN,
        `failed to reserve sandbox name "web_default_uid-web_0": name "web_default_uid-web_0" is reserved for "${first}"`,
      );
      assertConsistent(h.state);
    });

    for (const persona of PERSONAS) {
      it(`[${persona}] accepts the same pod with the next attempt, and the same name again after removal`, () => {
        const h = newHarness(persona);
        const first = runPod(h.state);
        const second = runPod(h.state, podConfig('web', { attempt: 1 }));
        assert.notEqual(first, second);
        h.state.removePodSandbox(first);
        const third = runPod(h.state);
        assert.notEqual(third, first);
        assertConsistent(h.state);
      });
    }

    const invalid: Array<[string, 'crio' | 'containerd', Parameters<typeof runPod>[1] | null, string]> = [
      ['no config', 'crio', null, 'setting sandbox config: config is nil'],
      ['no metadata', 'crio', { metadata: null }, 'setting sandbox config: metadata is nil'],
      ['no name', 'crio', { metadata: { namespace: 'ns', uid: 'u' } }, 'setting sandbox config: PodSandboxConfig.Metadata.Name should not be empty'],
      ['no namespace', 'crio', { metadata: { name: 'n', uid: 'u' } }, 'setting pod sandbox name and id: cannot generate pod name without namespace'],
      ['no config', 'containerd', null, 'sandbox config must include metadata'],
      ['no metadata', 'containerd', { metadata: null }, 'sandbox config must include metadata'],
    ];
    for (const [what, persona, config, message] of invalid) {
      it(`[${persona}] rejects ${what} with UNKNOWN "${message}"`, () => {
        const h = newHarness(persona);
        assertCriError(() => h.state.runPodSandbox({ config }), GRPC_STATUS.UNKNOWN, message);
        assert.equal(h.state.listPodSandboxes().length, 0);
      });
    }

    it('[containerd] refuses an unknown runtime handler and frees the name', () => {
      const h = newHarness('containerd');
      assertCriError(
        () => h.state.runPodSandbox({ config: podConfig(), runtimeHandler: 'kata' }),
        GRPC_STATUS.UNKNOWN,
        /^unable to get OCI runtime for sandbox "[0-9a-f]{64}": no runtime for "kata" is configured$/,
      );
      runPod(h.state);
      assertConsistent(h.state);
    });
  });

  describe('StopPodSandbox', () => {
    it('[containerd] kills running containers (137, Error), leaves created ones, turns NOTREADY, drops the IP', () => {
      const h = newHarness('containerd');
      const pod = podConfig();
      const { sandboxId, containerId } = podWithContainer(h, { pod });
      const created = h.state.createContainer(createReq(sandboxId, pod, containerConfig('side'))).containerId;
      h.clock.advanceMs(1000);
      const { completesAtNs } = h.state.stopPodSandbox(sandboxId);
      assert.equal(completesAtNs, h.clock.nowNs());
      const status = h.state.containerStatus(containerId);
      assert.equal(status.state, CONTAINER_STATE.EXITED);
      assert.equal(status.exitCode, 137);
      assert.equal(status.reason, 'Error');
      assert.equal(status.finishedAtNs, h.clock.nowNs());
      assert.equal(h.state.containerStatus(created).state, CONTAINER_STATE.CREATED);
      const sb = h.state.podSandboxStatus(sandboxId);
      assert.equal(sb.state, SANDBOX_STATE.NOTREADY);
      assert.equal(sb.ip, '');
      assertConsistent(h.state);
    });

    it('[crio] stops containers gracefully within 10 s, kills created ones, keeps reporting the IP', () => {
      const h = newHarness('crio');
      const pod = podConfig();
      const { sandboxId, containerId } = podWithContainer(h, { pod });
      const created = h.state.createContainer(createReq(sandboxId, pod, containerConfig('side'))).containerId;
      const ip = h.state.podSandboxStatus(sandboxId).ip;
      h.state.stopPodSandbox(sandboxId);
      const status = h.state.containerStatus(containerId);
      assert.deepEqual([status.state, status.exitCode, status.reason], [CONTAINER_STATE.EXITED, 0, 'Completed']);
      const killed = h.state.containerStatus(created);
      assert.deepEqual([killed.state, killed.exitCode, killed.reason], [CONTAINER_STATE.EXITED, 137, 'Error']);
      assert.equal(h.state.podSandboxStatus(sandboxId).state, SANDBOX_STATE.NOTREADY);
      assert.equal(h.state.podSandboxStatus(sandboxId).ip, ip);
      assertConsistent(h.state);
    });

    it('[crio] waits the 10 s grace for a container that ignores SIGTERM, then SIGKILLs it', () => {
      const h = newHarness('crio');
      const pod = podConfig('web', { annotations: { 'sim.cri.io/stop-grace': 'never' } });
      const { sandboxId, containerId } = podWithContainer(h, { pod });
      const t0 = h.clock.nowNs();
      const { completesAtNs } = h.state.stopPodSandbox(sandboxId);
      assert.equal(completesAtNs, t0 + 10n * 1_000_000_000n);
      assert.equal(h.state.containerStatus(containerId).state, CONTAINER_STATE.RUNNING);
      assert.equal(h.state.podSandboxStatus(sandboxId).state, SANDBOX_STATE.READY);
      assertConsistent(h.state);
      h.clock.advanceMs(10_000);
      const status = h.state.containerStatus(containerId);
      assert.deepEqual([status.state, status.exitCode, status.finishedAtNs], [CONTAINER_STATE.EXITED, 137, completesAtNs]);
      assert.equal(h.state.podSandboxStatus(sandboxId).state, SANDBOX_STATE.NOTREADY);
      assertConsistent(h.state);
    });

    for (const persona of PERSONAS) {
      it(`[${persona}] is idempotent, and succeeds for an unknown id`, () => {
        const h = newHarness(persona);
        const id = runPod(h.state);
        h.state.stopPodSandbox(id);
        h.state.stopPodSandbox(id);
        h.state.stopPodSandbox('f'.repeat(64));
        assert.equal(h.state.podSandboxStatus(id).state, SANDBOX_STATE.NOTREADY);
        assertConsistent(h.state);
      });
    }

    it('[crio] rejects an empty id', () => {
      assertCriError(() => newHarness('crio').state.stopPodSandbox(''), GRPC_STATUS.UNKNOWN, 'PodSandboxId should not be empty');
    });
  });

  describe('RemovePodSandbox', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] removes a running pod with its containers, and is idempotent`, () => {
        const h = newHarness(persona);
        const { sandboxId, containerId } = podWithContainer(h);
        h.state.removePodSandbox(sandboxId);
        assert.equal(h.state.listPodSandboxes().length, 0);
        assert.equal(h.state.listContainers().length, 0);
        assertCriError(() => h.state.containerStatus(containerId), GRPC_STATUS.NOT_FOUND, /.*/);
        h.state.removePodSandbox(sandboxId);
        assertConsistent(h.state);
      });
    }
  });

  describe('PodSandboxStatus', () => {
    it('[crio] answers NOT_FOUND for an unknown id', () => {
      const id = 'a'.repeat(64);
      assertCriError(
        () => newHarness('crio').state.podSandboxStatus(id),
        GRPC_STATUS.NOT_FOUND,
        `could not find pod "${id}": PodSandbox with ID starting with ${id} not found: ID does not exist`,
      );
    });

    it('[containerd] answers NOT_FOUND for an unknown id', () => {
      assertCriError(
        () => newHarness('containerd').state.podSandboxStatus('abc'),
        GRPC_STATUS.NOT_FOUND,
        'an error occurred when try to find sandbox: not found',
      );
    });

    for (const persona of PERSONAS) {
      it(`[${persona}] resolves a unique id prefix and refuses an ambiguous one`, () => {
        const h = newHarness(persona);
        // 17 ids over 16 hex digits: at least two share their first character.
        const ids = Array.from({ length: 17 }, (_, i) => runPod(h.state, podConfig(`p${i}`)));
        const id = ids[0]!;
        let prefixLen = 1;
        while (ids.filter((other) => other.startsWith(id.slice(0, prefixLen))).length > 1) prefixLen++;
        assert.equal(h.state.podSandboxStatus(id.slice(0, prefixLen)).id, id);
        const firsts = ids.map((x) => x[0]!);
        const common = firsts.find((ch, i) => firsts.indexOf(ch) !== i)!;
        const expected =
          persona === 'crio'
            ? new RegExp(`^could not find pod "${common}": PodSandbox with ID starting with ${common} not found: Multiple IDs found with provided prefix: ${common}$`)
            : new RegExp(`^an error occurred when try to find sandbox: Multiple IDs found with provided prefix: ${common}$`);
        assertCriError(
          () => h.state.podSandboxStatus(common),
          persona === 'crio' ? GRPC_STATUS.NOT_FOUND : GRPC_STATUS.UNKNOWN,
          expected,
        );
      });
    }
  });

  describe('ListPodSandbox', () => {
    for (const persona of PERSONAS) {
      it(`[${persona}] filters by id prefix, state and label selector`, () => {
        const h = newHarness(persona);
        const a = runPod(h.state, podConfig('a', { labels: { app: 'x', tier: 'web' } }));
        const b = runPod(h.state, podConfig('b', { labels: { app: 'x', tier: 'db' } }));
        const c = runPod(h.state, podConfig('c', { labels: { app: 'y' } }));
        h.state.stopPodSandbox(c);
        const ids = (list: { id: string }[]) => list.map((s) => s.id);
        assert.deepEqual(ids(h.state.listPodSandboxes()), [a, b, c]);
        assert.deepEqual(ids(h.state.listPodSandboxes({ id: b })), [b]);
        assert.deepEqual(ids(h.state.listPodSandboxes({ id: b.slice(0, 20) })), [b]);
        assert.deepEqual(ids(h.state.listPodSandboxes({ id: 'nope' })), []);
        assert.deepEqual(ids(h.state.listPodSandboxes({ state: SANDBOX_STATE.READY })), [a, b]);
        assert.deepEqual(ids(h.state.listPodSandboxes({ state: SANDBOX_STATE.NOTREADY })), [c]);
        assert.deepEqual(ids(h.state.listPodSandboxes({ labelSelector: { app: 'x' } })), [a, b]);
        assert.deepEqual(ids(h.state.listPodSandboxes({ labelSelector: { app: 'x', tier: 'db' } })), [b]);
        assert.deepEqual(ids(h.state.listPodSandboxes({ labelSelector: { app: 'x', tier: 'none' } })), []);
        assert.deepEqual(ids(h.state.listPodSandboxes({ state: SANDBOX_STATE.READY, labelSelector: { tier: 'web' } })), [a]);
      });
    }
  });
});
