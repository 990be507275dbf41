import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { runtimeServiceDefinition } from '../../../cri-proto/src/load-cri';
import type * as cri from '../../../cri-proto/src/types';
import { toContainer, toPodSandbox } from '../../../runtime-sim/src/server/cri-mapping';
import { createRuntimeServiceHandlers } from '../../../runtime-sim/src/server/runtime-service-handlers';
import { PERSONAS } from '../../../runtime-sim/src/state/persona';
import { containerConfig, createReq, newHarness, podConfig, podWithContainer, runPod, type Harness } from '../state/fixtures';

function invoke<Req, Res>(handler: unknown, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    const callback: sendUnaryData<Res> = (err, value) => (err ? reject(err) : resolve(value as Res));
    (handler as handleUnaryCall<Req, Res>)({ request } as ServerUnaryCall<Req, Res>, callback);
  });
}

/** A plain, unfrozen copy, so the serializer encodes it afresh. */
function thaw<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function rig(h: Harness) {
  const handlers = createRuntimeServiceHandlers(h.state);
  const definition = runtimeServiceDefinition();
  const listPods = (filter: cri.PodSandboxFilter | null = null) =>
    invoke<unknown, cri.ListPodSandboxResponse>(handlers.ListPodSandbox, { filter });
  const listContainers = (filter: cri.ContainerFilter | null = null) =>
    invoke<unknown, cri.ListContainersResponse>(handlers.ListContainers, { filter });
  return {
    listPods,
    listContainers,
    encodePods: (r: cri.ListPodSandboxResponse) => definition.ListPodSandbox.responseSerialize(r),
    encodeContainers: (r: cri.ListContainersResponse) => definition.ListContainers.responseSerialize(r),
    /** Both lists as the state holds them now, built afresh. */
    fresh: () => ({
      pods: { items: h.state.listPodSandboxes().map(toPodSandbox) },
      containers: { containers: h.state.listContainers().map(toContainer) },
    }),
  };
}

describe('ListPodSandbox / ListContainers answer reuse', () => {
  for (const persona of PERSONAS) {
    describe(`[${persona}]`, () => {
      it('answers an unchanged list with the same frozen message, encoded to the bytes of a fresh encode', async () => {
        const h = newHarness(persona);
        podWithContainer(h);
        const r = rig(h);
        const pods = await r.listPods();
        const containers = await r.listContainers();
        assert.equal(await r.listPods(), pods);
        assert.equal(await r.listContainers(), containers);
        assert.ok(Object.isFrozen(pods) && Object.isFrozen(pods.items) && Object.isFrozen(pods.items?.[0]?.metadata));
        assert.throws(() => (pods.items as cri.PodSandbox[]).push({}), TypeError);
        const podBytes = r.encodePods(pods);
        assert.equal(r.encodePods(pods), podBytes, 'a frozen message is encoded once');
        assert.deepEqual(podBytes, r.encodePods(thaw(pods)));
        assert.deepEqual(r.encodeContainers(containers), r.encodeContainers(thaw(containers)));
        assert.deepEqual(thaw(pods), thaw(r.fresh().pods));
        assert.deepEqual(thaw(containers), thaw(r.fresh().containers));
      });

      it('keeps one answer per filter', async () => {
        const h = newHarness(persona);
        const { sandboxId } = podWithContainer(h);
        runPod(h.state, podConfig('other'));
        const r = rig(h);
        const all = await r.listPods();
        const one = await r.listPods({ id: sandboxId, state: null, label_selector: {} });
        assert.equal(all.items?.length, 2);
        assert.equal(one.items?.length, 1);
        assert.equal(await r.listPods(), all);
        assert.equal(await r.listPods({ id: sandboxId, state: null, label_selector: {} }), one);
      });

      // Every kind of change: the next answer is a new message equal to a fresh listing, with fresh bytes.
      const changes: ReadonlyArray<readonly [string, (h: Harness, ids: { sandboxId: string; containerId: string }) => void]> = [
        ['run sandbox', (h) => void runPod(h.state, podConfig('second'))],
        ['stop sandbox', (h, ids) => void h.state.stopPodSandbox(ids.sandboxId)],
        ['remove sandbox', (h, ids) => {
          h.state.stopPodSandbox(ids.sandboxId);
          h.clock.advanceMs(60_000);
          h.state.removePodSandbox(ids.sandboxId);
        }],
        ['create container', (h, ids) => {
          const pod = podConfig();
          h.state.createContainer(createReq(ids.sandboxId, pod, containerConfig('sidecar')));
        }],
        ['start container', (h, ids) => {
          const pod = podConfig();
          const id = h.state.createContainer(createReq(ids.sandboxId, pod, containerConfig('sidecar'))).containerId;
          ids.containerId = id;
        }],
        ['stop container', (h, ids) => {
          h.state.stopContainer(ids.containerId, 0);
          h.clock.advanceMs(1000);
        }],
        ['remove container', (h, ids) => {
          h.state.stopContainer(ids.containerId, 0);
          h.clock.advanceMs(1000);
          h.state.removeContainer(ids.containerId);
        }],
        ['container exit by its behaviour', (h) => h.clock.advanceMs(10_000)],
      ];
      for (const [name, change] of changes) {
        it(`answers anew after: ${name}`, async () => {
          const h = newHarness(persona);
          const ids = podWithContainer(h, { pod: podConfig('web', { annotations: { 'sim.cri.io/exit-after': '5s' } }) });
          const r = rig(h);
          if (name === 'start container') {
            change(h, ids);
            const before = { pods: await r.listPods(), containers: await r.listContainers() };
            h.state.startContainer(ids.containerId);
            await assertAnswersAnew(r, before);
            return;
          }
          const before = { pods: await r.listPods(), containers: await r.listContainers() };
          change(h, ids);
          await assertAnswersAnew(r, before);
        });
      }
    });
  }
});

async function assertAnswersAnew(
  r: ReturnType<typeof rig>,
  before: { pods: cri.ListPodSandboxResponse; containers: cri.ListContainersResponse },
): Promise<void> {
  const pods = await r.listPods();
  const containers = await r.listContainers();
  const fresh = r.fresh();
  assert.ok(pods !== before.pods || containers !== before.containers, 'at least one list changed');
  assert.deepEqual(thaw(pods), thaw(fresh.pods));
  assert.deepEqual(thaw(containers), thaw(fresh.containers));
  assert.deepEqual(r.encodePods(pods), r.encodePods(thaw(fresh.pods)));
  assert.deepEqual(r.encodeContainers(containers), r.encodeContainers(thaw(fresh.containers)));
  if (pods !== before.pods) assert.notDeepEqual(thaw(pods), thaw(before.pods));
  if (containers !== before.containers) assert.notDeepEqual(thaw(containers), thaw(before.containers));
}
