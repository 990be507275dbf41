import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCallDecider, createContainerBehaviourSource, type CallModel } from '../../../runtime-sim/src/model/call-decider';
import { resolveCallSubject } from '../../../runtime-sim/src/model/call-subject';
import { describeImage } from '../../../runtime-sim/src/model/image-catalog';
import { parseRuntimeModel } from '../../../runtime-sim/src/model/load-runtime-model';
import type { RuntimeModel } from '../../../runtime-sim/src/model/runtime-model-types';
import { FakeClock } from '../../../runtime-sim/src/state/clock';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';
import { RuntimeState } from '../../../runtime-sim/src/state/runtime-state';

const SEED = 11;

function model(rulesYaml: string): RuntimeModel {
  return parseRuntimeModel(`apiVersion: sim.cri.io/v1alpha1\nkind: RuntimeModel\nrules:\n${rulesYaml}`, 'm.yaml');
}

function newState(extra: Partial<ConstructorParameters<typeof RuntimeState>[0]> = {}): RuntimeState {
  return new RuntimeState({ persona: 'containerd', clock: new FakeClock(), seed: SEED, ...extra });
}

/** Wire-shaped (snake_case, as proto-loader decodes) PodSandboxConfig. */
function wirePod(name: string, opts: { namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {}) {
  return {
    metadata: { name, uid: `uid-${name}`, namespace: opts.namespace ?? 'default', attempt: 0 },
    labels: opts.labels ?? {},
    annotations: opts.annotations ?? {},
  };
}

/** Runs a pod with a created nginx container in `state`; returns the ids. */
function podWithContainer(state: RuntimeState, pod: ReturnType<typeof wirePod>): { sandboxId: string; containerId: string } {
  const sandboxId = state.runPodSandbox({ config: pod }).podSandboxId;
  const pulled = state.pullImage({ image: 'nginx:1.27' });
  const containerId = state.createContainer({
    podSandboxId: sandboxId,
    config: { metadata: { name: 'app' }, image: { image: pulled.image.id, userSpecifiedImage: 'nginx:1.27' } },
    sandboxConfig: pod,
  }).containerId;
  return { sandboxId, containerId };
}

function delays(decider: CallModel, method: string, request: unknown, count: number): number[] {
  return Array.from({ length: count }, () => decider.decide(method, request).delayMs);
}

describe('createCallDecider', () => {
  describe('latency', () => {
    it('the first rule with latency that matches wins; later ones are fallbacks', () => {
      const decider = createCallDecider(
        model(`  - name: sandboxes
    match: { methods: [RunPodSandbox] }
    latency: { distribution: fixed, valueMs: 100 }
  - name: default
    latency: { distribution: fixed, valueMs: 5 }
`),
        { state: newState(), seed: SEED },
      );
      assert.deepEqual(decider.decide('RunPodSandbox', { config: wirePod('a') }), { delayMs: 100, rules: { latency: 'sandboxes' } });
      assert.deepEqual(decider.decide('Version', {}), { delayMs: 5, rules: { latency: 'default' } });
    });

    it('no matching rule: no delay', () => {
      const decider = createCallDecider(model('  - name: only-pulls\n    match: { methods: [PullImage] }\n    latency: { distribution: fixed, valueMs: 9 }\n'), {
        state: newState(),
      });
      assert.deepEqual(decider.decide('Version', {}), { delayMs: 0, rules: {} });
    });

    it('same seed, model and calls: the same delays', () => {
      const m = model('  - name: jitter\n    latency: { distribution: uniform, minMs: 0, maxMs: 1000 }\n');
      const run = (seed: number): number[] => {
        const d = createCallDecider(m, { state: newState(), seed });
        return [...delays(d, 'RunPodSandbox', { config: wirePod('a') }, 5), ...delays(d, 'Version', {}, 5)];
      };
      assert.deepEqual(run(3), run(3));
      assert.notDeepEqual(run(3), run(4));
      assert.equal(new Set(run(3)).size, 10, 'successive calls draw fresh numbers');
    });

    it("one pod's calls do not shift another pod's delays", () => {
      const m = model('  - name: jitter\n    latency: { distribution: uniform, minMs: 0, maxMs: 1000 }\n');
      const alone = createCallDecider(m, { state: newState(), seed: SEED });
      const podB = delays(alone, 'RunPodSandbox', { config: wirePod('b') }, 3);

      const busy = createCallDecider(m, { state: newState(), seed: SEED });
      const interleaved: number[] = [];
      for (let i = 0; i < 3; i++) {
        busy.decide('RunPodSandbox', { config: wirePod('a') });
        busy.decide('ListContainers', {});
        interleaved.push(busy.decide('RunPodSandbox', { config: wirePod('b') }).delayMs);
      }
      assert.deepEqual(interleaved, podB);
    });
  });

  describe('image pull time', () => {
    it('adds size / bandwidth for an image not yet present, nothing once it is', () => {
      const state = newState();
      const decider = createCallDecider(
        model('  - name: pulls\n    match: { methods: [PullImage] }\n    latency: { distribution: fixed, valueMs: 200 }\n    imagePull: { bandwidthBytesPerSecond: 10000000 }\n'),
        { state, seed: SEED },
      );
      const request = { image: { image: 'nginx:1.27' } };
      const size = describeImage('docker.io/library/nginx', '1.27', SEED).sizeBytes;
      const first = decider.decide('PullImage', request);
      assert.equal(first.delayMs, 200 + (size / 10_000_000) * 1000);
      assert.deepEqual(first.rules, { latency: 'pulls', imagePull: 'pulls' });

      state.pullImage({ image: 'nginx:1.27' });
      assert.equal(decider.decide('PullImage', request).delayMs, 200);
    });

    it('the size is the one the runtime state reports after the pull', () => {
      const state = newState();
      const decider = createCallDecider(model('  - name: pulls\n    imagePull: { bandwidthBytesPerSecond: 1000 }\n'), { state, seed: SEED });
      const delay = decider.decide('PullImage', { image: { image: 'docker.io/library/redis:7' } }).delayMs;
      const pulled = state.pullImage({ image: 'docker.io/library/redis:7' });
      assert.equal(delay, pulled.image.sizeBytes);
    });
  });

  describe('hang', () => {
    it('probability 1 hangs the matching calls (before any error rule), 0 never', () => {
      const decider = createCallDecider(
        model(`  - name: wedged
    match: { methods: [RunPodSandbox] }
    hang: { probability: 1 }
  - name: calm
    match: { methods: [Version] }
    hang: { probability: 0 }
  - name: down
    error: { probability: 1, code: UNAVAILABLE }
`),
        { state: newState() },
      );
      const decision = decider.decide('RunPodSandbox', { config: wirePod('web') });
      assert.equal(decision.hang, true);
      assert.equal(decision.error, undefined);
      assert.deepEqual(decision.rules, { hang: 'wedged' });
      assert.equal(decider.decide('Version', {}).hang, undefined);
      assert.equal(decider.decide('Version', {}).error?.code, GRPC_STATUS.UNAVAILABLE);
    });

    it('hangs at about the configured rate, reproducibly', () => {
      const m = model('  - name: sometimes\n    hang: { probability: 0.25 }\n');
      const outcomes = (seed: number): boolean[] => {
        const d = createCallDecider(m, { state: newState(), seed });
        return Array.from({ length: 2000 }, () => d.decide('ListContainers', {}).hang === true);
      };
      const hits = outcomes(3).filter(Boolean).length;
      assert.ok(hits > 400 && hits < 600, `hits ${hits}`);
      assert.deepEqual(outcomes(3), outcomes(3));
    });
  });

  describe('error injection', () => {
    it('probability 1 always fails with the configured code and message; 0 never', () => {
      const decider = createCallDecider(
        model(`  - name: down
    match: { methods: [StartContainer] }
    error: { probability: 1, code: UNAVAILABLE, message: runtime is restarting }
  - name: never
    match: { methods: [Version] }
    error: { probability: 0, code: INTERNAL }
`),
        { state: newState() },
      );
      const decision = decider.decide('StartContainer', { container_id: 'x' });
      assert.equal(decision.error?.code, GRPC_STATUS.UNAVAILABLE);
      assert.equal(decision.error?.message, 'runtime is restarting');
      assert.deepEqual(decision.rules, { error: 'down' });
      assert.equal(decider.decide('Version', {}).error, undefined);
    });

    it('fires at about the configured rate, reproducibly', () => {
      const m = model('  - name: flaky\n    error: { probability: 0.3, code: DEADLINE_EXCEEDED }\n');
      const outcomes = (seed: number): boolean[] => {
        const d = createCallDecider(m, { state: newState(), seed });
        return Array.from({ length: 2000 }, () => d.decide('ListPodSandbox', {}).error !== undefined);
      };
      const hits = outcomes(1).filter(Boolean).length;
      assert.ok(hits > 500 && hits < 700, `hits ${hits}`);
      assert.deepEqual(outcomes(1), outcomes(1));
    });

    it('an injected error on PullImage transfers nothing', () => {
      const decider = createCallDecider(
        model('  - name: registry-down\n    latency: { distribution: fixed, valueMs: 50 }\n    imagePull: { bandwidthBytesPerSecond: 1 }\n    error: { probability: 1, code: UNAVAILABLE }\n'),
        { state: newState() },
      );
      const decision = decider.decide('PullImage', { image: { image: 'nginx' } });
      assert.equal(decision.delayMs, 50);
      assert.equal(decision.error?.code, GRPC_STATUS.UNAVAILABLE);
    });
  });

  describe('matching on calls that carry only an id', () => {
    it('resolves the pod labels and image of a container id through the runtime state', () => {
      const state = newState();
      const { sandboxId, containerId } = podWithContainer(state, wirePod('web', { namespace: 'shop', labels: { app: 'web' } }));
      podWithContainer(state, wirePod('db', { labels: { app: 'db' } }));
      const decider = createCallDecider(
        model(`  - name: web-starts
    match: { methods: [StartContainer, StopPodSandbox], namespaces: [shop], podSelector: { matchLabels: { app: web } }, images: ["nginx:1.27"] }
    latency: { distribution: fixed, valueMs: 70 }
  - name: web-sandbox-stops
    match: { methods: [StopPodSandbox], podSelector: { matchLabels: { app: web } } }
    latency: { distribution: fixed, valueMs: 40 }
`),
        { state },
      );
      assert.equal(decider.decide('StartContainer', { container_id: containerId }).delayMs, 70);
      assert.equal(decider.decide('StartContainer', { container_id: containerId.slice(0, 12) }).delayMs, 70, 'an id prefix resolves too');
      assert.deepEqual(
        decider.decide('StopPodSandbox', { pod_sandbox_id: sandboxId }).rules,
        { latency: 'web-sandbox-stops' },
        'a sandbox call has no image, so a rule with an image condition passes it by',
      );
      assert.equal(decider.decide('StartContainer', { container_id: 'unknown' }).delayMs, 0);
    });

    it('describes each kind of call', () => {
      const state = newState();
      const pod = wirePod('web', { labels: { app: 'web' }, annotations: { note: 'x' } });
      const { sandboxId, containerId } = podWithContainer(state, pod);

      const run = resolveCallSubject('RunPodSandbox', { config: pod }, state);
      assert.deepEqual(run.pod, { namespace: 'default', name: 'web', uid: 'uid-web', labels: { app: 'web' }, annotations: { note: 'x' } });
      assert.deepEqual(run.images, []);

      const create = resolveCallSubject(
        'CreateContainer',
        { pod_sandbox_id: sandboxId, config: { metadata: { name: 'side' }, image: { image: 'nginx:1.27', user_specified_image: 'nginx:1.27' } }, sandbox_config: pod },
        state,
      );
      assert.equal(create.containerName, 'side');
      assert.equal(create.pod?.uid, 'uid-web');
      assert.ok(create.images.includes('docker.io/library/nginx:1.27'), 'the local image adds its tag');

      const status = resolveCallSubject('ContainerStatus', { container_id: containerId }, state);
      assert.equal(status.containerName, 'app');
      assert.deepEqual(status.pod?.labels, { app: 'web' });

      const pull = resolveCallSubject('PullImage', { image: { image: 'redis' }, sandbox_config: pod }, state);
      assert.deepEqual(pull.images, ['redis']);
      assert.equal(pull.pod?.name, 'web');

      const list = resolveCallSubject('ListImages', {}, state);
      assert.equal(list.pod, undefined);
      assert.deepEqual(list.images, []);
    });
  });
});

describe('createContainerBehaviourSource', () => {
  const m = model(`  - name: crash-loop
    match: { methods: [CreateContainer], podSelector: { matchLabels: { chaos: crash } } }
    container: { exitAfter: 3s, exitCode: 1 }
  - name: oom-for-python
    match: { images: ["docker.io/library/python:*"] }
    container: { oomKilled: true }
`);

  it('is undefined for a model without container rules', () => {
    assert.equal(createContainerBehaviourSource(model('  - name: l\n    latency: { distribution: fixed, valueMs: 1 }\n')), undefined);
  });

  it('answers the first matching container rule', () => {
    const source = createContainerBehaviourSource(m)!;
    const query = {
      podNamespace: 'default',
      podName: 'p',
      podUid: 'u',
      podLabels: { chaos: 'crash' },
      podAnnotations: {},
      containerName: 'c',
      images: ['docker.io/library/python:3.12'],
    };
    assert.deepEqual(source(query), { exitAfterNs: 3_000_000_000n, exitCode: 1, oomKilled: false, stopGraceNs: 0n, stopExitCode: 0 });
    assert.equal(source({ ...query, podLabels: {} })?.oomKilled, true);
    assert.equal(source({ ...query, podLabels: {}, images: ['nginx'] }), undefined);
  });

  it('drives the runtime state; sim.cri.io annotations still win', () => {
    const clock = new FakeClock();
    const state = new RuntimeState({ persona: 'crio', clock, seed: SEED, containerBehaviour: createContainerBehaviourSource(m) });
    const crashing = wirePod('crasher', { labels: { chaos: 'crash' } });
    const { containerId } = podWithContainer(state, crashing);
    const annotated = wirePod('annotated', { labels: { chaos: 'crash' }, annotations: { 'sim.cri.io/exit-after': '10s' } });
    const other = podWithContainer(state, annotated);
    state.startContainer(containerId);
    state.startContainer(other.containerId);

    clock.advanceMs(3000);
    const crashed = state.containerStatus(containerId);
    assert.equal(crashed.state, 'CONTAINER_EXITED');
    assert.equal(crashed.exitCode, 1);
    assert.equal(crashed.reason, 'Error');
    assert.equal(state.containerStatus(other.containerId).state, 'CONTAINER_RUNNING', 'annotations (exit after 10s) replace the model rule');
    clock.advanceMs(7000);
    assert.equal(state.containerStatus(other.containerId).exitCode, 0);
  });
});
