/**
 * RuntimeState: ExecSync, stats, resource updates, log reopen, runtime config and checkpoint, per
 * persona, table-driven where the runtimes differ.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { InMemoryLogWriter } from '../../../runtime-sim/src/state/container-log-writer';
import { PERSONAS, type Persona } from '../../../runtime-sim/src/state/persona';
import type { LinuxResourcesInput } from '../../../runtime-sim/src/state/types';
import {
  assertConsistent,
  assertCriError,
  containerConfig,
  createReq,
  newHarness,
  podConfig,
  podWithContainer,
  runPod,
  SECOND_NS,
} from './fixtures';

const UNKNOWN_ID = 'f'.repeat(64);

function limits(overrides: Partial<LinuxResourcesInput> = {}): LinuxResourcesInput {
  return {
    cpuPeriod: 100_000,
    cpuQuota: 50_000,
    cpuShares: 512,
    memoryLimitInBytes: 64 * 1024 * 1024,
    oomScoreAdj: 0,
    cpusetCpus: '',
    cpusetMems: '',
    memorySwapLimitInBytes: 0,
    unified: {},
    hugepageLimits: [],
    ...overrides,
  };
}

for (const persona of PERSONAS) {
  describe(`RuntimeState exec, stats, resources [${persona}]`, () => {
    describe('execSync', () => {
      it('answers from the command table and waits for the command to run', () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        const echo = h.state.execSync({ containerId: containerId.slice(0, 10), cmd: ['echo', 'hello', 'world'], timeoutSeconds: 0n });
        assert.deepEqual(echo.result, { exitCode: 0, stdout: 'hello world\n', stderr: '' });
        assert.equal(echo.completesAtNs, h.clock.nowNs());
        assert.equal(h.state.execSync({ containerId, cmd: ['/bin/false'], timeoutSeconds: 0n }).result?.exitCode, 1);
        assert.equal(h.state.execSync({ containerId, cmd: ['sh', '-c', 'exit 3'], timeoutSeconds: 0n }).result?.exitCode, 3);
        const sleep = h.state.execSync({ containerId, cmd: ['sleep', '2'], timeoutSeconds: 5n });
        assert.equal(sleep.completesAtNs - h.clock.nowNs(), 2n * SECOND_NS);
        assert.equal(sleep.result?.exitCode, 0);
        assertConsistent(h.state);
      });

      it('takes exit code, output and duration from sim.cri.io/exec-* annotations', () => {
        const h = newHarness(persona);
        const pod = podConfig('probe', {
          annotations: { 'sim.cri.io/exec-exit-code.app': '7', 'sim.cri.io/exec-stdout.app': 'not ready\n' },
        });
        const { containerId } = podWithContainer(h, { pod });
        assert.deepEqual(h.state.execSync({ containerId, cmd: ['cat', '/tmp/healthy'], timeoutSeconds: 1n }).result, {
          exitCode: 7,
          stdout: 'not ready\n',
          stderr: '',
        });
      });

      it('times out the way the runtime does', () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        const out = h.state.execSync({ containerId, cmd: ['sleep', '10'], timeoutSeconds: 1n });
        assert.equal(out.completesAtNs - h.clock.nowNs(), SECOND_NS);
        if (persona === 'crio') {
          // internal/oci/runtime_oci.go: OK, exit code -1, conmon's TimedOutMessage.
          assert.deepEqual(out.result, { exitCode: -1, stdout: '', stderr: 'command timed out' });
          assert.equal(out.error, undefined);
        } else {
          assert.equal(out.error?.code, GRPC_STATUS.DEADLINE_EXCEEDED);
          assert.equal(out.error?.message, 'failed to exec in container: timeout 1s exceeded: context deadline exceeded');
        }
      });

      it('reports a program missing from the image per runtime', () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        if (persona === 'crio') {
          const out = h.state.execSync({ containerId, cmd: ['nosuch-tool'], timeoutSeconds: 0n });
          assert.equal(out.result?.exitCode, 127);
          assert.match(out.result?.stderr ?? '', /executable file `nosuch-tool` not found in \$PATH/);
        } else {
          assertCriError(
            () => h.state.execSync({ containerId, cmd: ['nosuch-tool'], timeoutSeconds: 0n }),
            GRPC_STATUS.UNKNOWN,
            /^failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: .*exec: "nosuch-tool": executable file not found in \$PATH: unknown$/,
          );
        }
      });

      const errorTable: readonly { name: string; code: Record<Persona, number>; message: Record<Persona, string | RegExp>; run: (h: ReturnType<typeof newHarness>) => unknown }[] = [
        {
          name: 'unknown id',
          code: { crio: GRPC_STATUS.NOT_FOUND, containerd: GRPC_STATUS.NOT_FOUND },
          message: {
            crio: `could not find container "${UNKNOWN_ID}": container with ID starting with ${UNKNOWN_ID} not found: ID does not exist`,
            containerd: `failed to exec in container: failed to find container "${UNKNOWN_ID}" in store: not found`,
          },
          run: (h) => h.state.execSync({ containerId: UNKNOWN_ID, cmd: ['true'], timeoutSeconds: 0n }),
        },
        {
          name: 'exited container',
          code: { crio: GRPC_STATUS.NOT_FOUND, containerd: GRPC_STATUS.UNKNOWN },
          message: {
            crio: /^container is not created or running: checking if PID of [0-9a-f]{64} is running failed: container process not found$/,
            containerd: 'failed to exec in container: container is in CONTAINER_EXITED state',
          },
          run: (h) => {
            const { containerId } = podWithContainer(h);
            h.state.stopContainer(containerId, 0n);
            return h.state.execSync({ containerId, cmd: ['true'], timeoutSeconds: 0n });
          },
        },
        {
          name: 'empty command',
          code: { crio: GRPC_STATUS.UNKNOWN, containerd: GRPC_STATUS.UNKNOWN },
          message: { crio: 'exec command cannot be empty', containerd: /exec: "": executable file not found/ },
          run: (h) => h.state.execSync({ containerId: podWithContainer(h).containerId, cmd: [], timeoutSeconds: 0n }),
        },
      ];
      for (const row of errorTable) {
        it(`fails for ${row.name}`, () => {
          const h = newHarness(persona);
          assertCriError(() => row.run(h), row.code[persona], row.message[persona]);
        });
      }
    });

    describe('stats', () => {
      it('grows CPU monotonically with running time and is deterministic for a clock', () => {
        const a = newHarness(persona);
        const b = newHarness(persona);
        const ida = podWithContainer(a).containerId;
        const idb = podWithContainer(b).containerId;
        let lastCpu = 0n;
        for (let i = 0; i < 5; i++) {
          a.clock.advanceMs(1500);
          b.clock.advanceMs(1500);
          const sa = a.state.containerStats(ida);
          const sb = b.state.containerStats(idb);
          assert.deepEqual(sa, sb, 'same seed and clock, same numbers');
          assert.ok(sa.usage !== null);
          assert.ok(sa.usage.usageCoreNanoSeconds > lastCpu, 'usage_core_nano_seconds grows');
          assert.ok(sa.usage.workingSetBytes > 0);
          assert.equal(sa.usage.timestampNs, a.clock.nowNs());
          // The first sample has no earlier one to derive a rate from.
          if (i === 0) assert.equal(sa.usage.usageNanoCores, null);
          else assert.ok(sa.usage.usageNanoCores !== null && sa.usage.usageNanoCores > 0n);
          lastCpu = sa.usage.usageCoreNanoSeconds;
        }
      });

      it('caps usage at the limits from UpdateContainerResources and shows them in ContainerStatus', () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        h.state.updateContainerResources(containerId.slice(0, 8), limits({ memoryLimitInBytes: 1024 * 1024 }));
        assert.equal(h.state.containerStatus(containerId).resources?.memoryLimitInBytes, 1024 * 1024);
        h.clock.advanceMs(60_000);
        const usage = h.state.containerStats(containerId).usage!;
        assert.ok(usage.workingSetBytes <= 1024 * 1024);
        assert.equal(usage.availableBytes, 1024 * 1024 - usage.workingSetBytes);
      });

      it('lists container stats with filters, exited containers per runtime', () => {
        const h = newHarness(persona);
        const pod = podConfig('a');
        const sandboxId = runPod(h.state, pod);
        h.state.pullImage({ image: 'docker.io/library/nginx:latest' });
        const ids = ['one', 'two'].map((n) =>
          h.state.createContainer(createReq(sandboxId, pod, containerConfig(n, 'docker.io/library/nginx:latest', { labels: { tier: n } })))
            .containerId,
        );
        for (const id of ids) h.state.startContainer(id);
        h.state.stopContainer(ids[1]!, 0n);
        const all = h.state.listContainerStats();
        assert.deepEqual(all.map((s) => s.id), persona === 'containerd' ? ids : [ids[0]]);
        if (persona === 'containerd') assert.equal(all[1]!.usage, null, 'no task, no cgroup numbers');
        assert.deepEqual(h.state.listContainerStats({ labelSelector: { tier: 'one' } }).map((s) => s.id), [ids[0]]);
        assert.deepEqual(h.state.listContainerStats({ id: ids[0]!.slice(0, 6) }).map((s) => s.id), [ids[0]]);
        assert.deepEqual(h.state.listContainerStats({ podSandboxId: sandboxId.slice(0, 6), labelSelector: { tier: 'nope' } }), []);
        if (persona === 'containerd') {
          assertCriError(() => h.state.containerStats(ids[1]!), GRPC_STATUS.UNKNOWN, 'unexpected metrics response: []');
        } else {
          assert.equal(h.state.containerStats(ids[1]!).usage, null);
        }
      });

      it('reports pod sandbox stats with its containers, network and processes', () => {
        const h = newHarness(persona);
        const { sandboxId, containerId } = podWithContainer(h);
        h.clock.advanceMs(10_000);
        const stats = h.state.podSandboxStats(sandboxId.slice(0, 7));
        assert.equal(stats.id, sandboxId);
        assert.deepEqual(stats.containers.map((c) => c.id), [containerId]);
        assert.ok(stats.usage.usageCoreNanoSeconds >= stats.containers[0]!.usage!.usageCoreNanoSeconds);
        assert.equal(stats.network?.interfaceName, 'eth0');
        assert.ok(stats.processCount >= 2);
        h.state.stopPodSandbox(sandboxId);
        const listed = h.state.listPodSandboxStats().map((s) => s.id);
        if (persona === 'containerd') {
          assert.deepEqual(listed, []);
          assertCriError(() => h.state.podSandboxStats(sandboxId), GRPC_STATUS.UNAVAILABLE, /is not in ready state: unavailable$/);
        } else {
          assert.deepEqual(listed, [sandboxId]);
        }
        assertCriError(
          () => h.state.podSandboxStats(UNKNOWN_ID),
          persona === 'crio' ? GRPC_STATUS.UNKNOWN : GRPC_STATUS.NOT_FOUND,
          persona === 'crio'
            ? `PodSandbox with ID starting with ${UNKNOWN_ID} not found: ID does not exist`
            : `an error occurred when trying to find sandbox ${UNKNOWN_ID}: not found`,
        );
      });
    });

    describe('updateContainerResources / reopenContainerLog / runtime config / checkpoint', () => {
      it('refuses or accepts an exited container per runtime', () => {
        const h = newHarness(persona);
        const { containerId } = podWithContainer(h);
        h.state.stopContainer(containerId, 0n);
        if (persona === 'crio') {
          assertCriError(
            () => h.state.updateContainerResources(containerId, limits()),
            GRPC_STATUS.UNKNOWN,
            `container ${containerId} is not running or created state: stopped`,
          );
        } else {
          h.state.updateContainerResources(containerId, limits());
          assert.equal(h.state.containerStatus(containerId).resources?.cpuQuota, 50_000);
        }
        assertCriError(
          () => h.state.updateContainerResources(UNKNOWN_ID, limits()),
          persona === 'crio' ? GRPC_STATUS.UNKNOWN : GRPC_STATUS.NOT_FOUND,
          persona === 'crio' ? `container with ID starting with ${UNKNOWN_ID} not found: ID does not exist` : 'failed to find container: not found',
        );
      });

      it('writes start-up logs in the CRI format and reopens the file after rotation', () => {
        const logs = new InMemoryLogWriter();
        const h = newHarness(persona, { containerLogWriter: logs });
        const pod = podConfig('web', { annotations: { 'sim.cri.io/log-lines.app': 'hello\nstderr: oops' } });
        const { containerId } = podWithContainer(h, { pod, start: false });
        const path = h.state.containerStatus(containerId).logPath;
        assert.equal(path, '/var/log/pods/default_web_uid-web/app/0.log');
        assert.equal(logs.read(path), undefined, 'nothing before start');
        if (persona === 'crio') h.state.reopenContainerLog(containerId);
        else assertCriError(() => h.state.reopenContainerLog(containerId), GRPC_STATUS.UNKNOWN, 'container is not running');
        h.state.startContainer(containerId);
        const stamp = persona === 'crio' ? String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}\+00:00` : String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z`;
        assert.match(logs.read(path) ?? '', new RegExp(`^${stamp} stdout F hello\\n${stamp} stderr F oops\\n$`));
        h.state.execSync({ containerId, cmd: ['echo', 'not logged'], timeoutSeconds: 0n });
        assert.doesNotMatch(logs.read(path) ?? '', /not logged/);
        logs.rotate(path, `${path}.20250101-000000`);
        h.state.reopenContainerLog(containerId.slice(0, 5));
        assert.equal(logs.read(path), '');
        h.state.stopContainer(containerId, 0n);
        assertCriError(
          () => h.state.reopenContainerLog(containerId),
          GRPC_STATUS.UNKNOWN,
          persona === 'crio' ? 'container is not created or running' : 'container is not running',
        );
      });

      it('keeps the pod CIDR (containerd) or ignores it (CRI-O), and reports the cgroup driver', () => {
        const h = newHarness(persona);
        h.state.updateRuntimeConfig('10.244.1.0/24, fd00:10:244:1::/64');
        assert.deepEqual(h.state.runtimeConfig(), {
          cgroupDriver: persona === 'crio' ? 'SYSTEMD' : 'CGROUPFS',
          podCidrs: persona === 'crio' ? [] : ['10.244.1.0/24', 'fd00:10:244:1::/64'],
        });
        if (persona === 'containerd') {
          assertCriError(() => h.state.updateRuntimeConfig('10.244.1.0'), GRPC_STATUS.UNKNOWN, 'get routes: invalid CIDR address: 10.244.1.0');
        } else {
          h.state.updateRuntimeConfig('not a cidr');
        }
      });

      it('fails CheckpointContainer without CRIU, before looking the container up', () => {
        const h = newHarness(persona);
        assertCriError(
          () => h.state.checkpointContainer('abc'),
          GRPC_STATUS.UNKNOWN,
          persona === 'crio' ? 'checkpoint/restore support not available' : /^CRIU binary not found or too old \(<31600\)\. Failed to checkpoint container "abc"/,
        );
      });

      it('keeps UpdatePodSandboxResources and answers lookups per runtime', () => {
        const h = newHarness(persona);
        const sandboxId = runPod(h.state);
        h.state.updatePodSandboxResources(sandboxId.slice(0, 9), null, limits());
        assertCriError(
          () => h.state.updatePodSandboxResources(UNKNOWN_ID, null, null),
          GRPC_STATUS.NOT_FOUND,
          persona === 'crio'
            ? `could not find pod "${UNKNOWN_ID}": PodSandbox with ID starting with ${UNKNOWN_ID} not found: ID does not exist`
            : 'failed to find sandbox: not found',
        );
        assertConsistent(h.state);
      });
    });
  });
}
