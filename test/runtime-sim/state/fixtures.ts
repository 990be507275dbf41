/**
 * Builders for state-machine tests: kubelet-shaped sandbox and container configs, and a state with
 * a fake clock. Tests read the state only through its public API.
 */
import assert from 'node:assert/strict';
import { FakeClock } from '../../../runtime-sim/src/state/clock';
import type { Persona } from '../../../runtime-sim/src/state/persona';
import { RuntimeState, type RuntimeStateOptions } from '../../../runtime-sim/src/state/runtime-state';
import type {
  ContainerConfigInput,
  CreateContainerInput,
  PodSandboxConfigInput,
  RunPodSandboxInput,
  StringMap,
} from '../../../runtime-sim/src/state/types';

export interface Harness {
  readonly clock: FakeClock;
  readonly state: RuntimeState;
}

export function newHarness(persona: Persona, extra: Partial<RuntimeStateOptions> = {}): Harness {
  const clock = new FakeClock();
  const state = new RuntimeState({ persona, clock, seed: 42, ...extra });
  return { clock, state };
}

export function podConfig(
  name = 'web',
  opts: { uid?: string; namespace?: string; attempt?: number; annotations?: StringMap; labels?: StringMap; hostNetwork?: boolean; logDirectory?: string } = {},
): PodSandboxConfigInput {
  const uid = opts.uid ?? `uid-${name}`;
  const namespace = opts.namespace ?? 'default';
  return {
    metadata: { name, uid, namespace, attempt: opts.attempt ?? 0 },
    hostname: name,
    logDirectory: opts.logDirectory ?? `/var/log/pods/${namespace}_${name}_${uid}`,
    labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': namespace, ...(opts.labels ?? {}) },
    annotations: opts.annotations ?? {},
    hostNetwork: opts.hostNetwork ?? false,
  };
}

export function runPod(state: RuntimeState, config: PodSandboxConfigInput = podConfig()): string {
  const req: RunPodSandboxInput = { config };
  return state.runPodSandbox(req).podSandboxId;
}

export function containerConfig(
  name = 'app',
  image = 'docker.io/library/nginx:latest',
  opts: { attempt?: number; annotations?: StringMap; labels?: StringMap } = {},
): ContainerConfigInput {
  return {
    metadata: { name, attempt: opts.attempt ?? 0 },
    image: { image, userSpecifiedImage: image },
    labels: { 'io.kubernetes.container.name': name, ...(opts.labels ?? {}) },
    annotations: opts.annotations ?? {},
    logPath: `${name}/${opts.attempt ?? 0}.log`,
  };
}

export function createReq(podSandboxId: string, pod: PodSandboxConfigInput, config: ContainerConfigInput): CreateContainerInput {
  return { podSandboxId, config, sandboxConfig: pod };
}

/** Runs a pod with one pulled image and one container; returns the ids. */
export function podWithContainer(
  h: Harness,
  opts: { pod?: PodSandboxConfigInput; container?: ContainerConfigInput; start?: boolean } = {},
): { sandboxId: string; containerId: string } {
  const pod = opts.pod ?? podConfig();
  const ctr = opts.container ?? containerConfig();
  const sandboxId = runPod(h.state, pod);
  h.state.pullImage({ image: ctr.image?.image ?? '' });
  const containerId = h.state.createContainer(createReq(sandboxId, pod, ctr)).containerId;
  if (opts.start ?? true) h.state.startContainer(containerId);
  return { sandboxId, containerId };
}

export function assertConsistent(state: RuntimeState): void {
  assert.deepEqual(state.checkInvariants(), []);
}

/** Asserts `fn` throws a CriError with this code and a message matching `message`. */
export function assertCriError(fn: () => unknown, code: number, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error, 'expected an Error');
    assert.equal((err as { code?: unknown }).code, code, `code of: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

export const SECOND_NS = 1_000_000_000n;
