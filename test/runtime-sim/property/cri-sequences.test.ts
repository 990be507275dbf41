/**
 * Property: random sequences of CRI operations (valid and invalid, with random and truncated ids, on a
 * fake clock) against RuntimeState never crash and keep the invariants:
 *  - RuntimeState.checkInvariants() is empty (every container's sandbox exists, ids and names indexed);
 *  - a container's state only moves CREATED -> RUNNING -> EXITED (CREATED -> EXITED allowed: a stop of a
 *    created container on CRI-O, a failed start on containerd);
 *  - removed ids never come back from any List* call;
 *  - a "name is reserved" error only happens while a live object holds that name, and a removed
 *    object's name can be taken again;
 *  - every failure is a CriError with a gRPC code (1..16) and a non-empty message.
 * Seeded and bounded: set FC_SEED to replay; fast-check prints the seed and the shrunk sequence on failure.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../../../runtime-sim/src/state/clock';
import { isCriError } from '../../../runtime-sim/src/state/cri-error';
import { InMemoryLogWriter } from '../../../runtime-sim/src/state/container-log-writer';
import { PERSONAS, type Persona } from '../../../runtime-sim/src/state/persona';
import { RuntimeState } from '../../../runtime-sim/src/state/runtime-state';
import type { PodSandboxConfigInput, StringMap } from '../../../runtime-sim/src/state/types';

const SEED = process.env.FC_SEED === undefined ? 20261122 : Number(process.env.FC_SEED);
const NUM_RUNS = 100;
const MAX_OPS = 40;

const POD_NAMES = ['web', 'db', 'cache'] as const;
const CONTAINER_NAMES = ['app', 'sidecar'] as const;
const IMAGES = ['docker.io/library/nginx:latest', 'docker.io/library/busybox:1.36', 'example.com/never/pulled:1'] as const;
const BEHAVIOURS: readonly StringMap[] = [
  {},
  { 'sim.cri.io/exit-after': '3s', 'sim.cri.io/exit-code': '2' },
  { 'sim.cri.io/oom': 'true' },
  { 'sim.cri.io/stop-grace': 'never' },
  { 'sim.cri.io/exec-duration': '5s' },
];

/** A reference to an id: one the test has seen (live or removed), truncated, or random hex. */
const idRef = fc.record({
  // Mostly ids the runtime handed out, so sequences get far; sometimes random hex.
  known: fc.nat(4).map((n) => n > 0),
  index: fc.nat(20),
  // 0 = the full id; otherwise a prefix as crictl users type them (1 char is often ambiguous).
  truncate: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 64 })),
  random: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 1, maxLength: 64 }),
});
type IdRef = typeof idRef extends fc.Arbitrary<infer T> ? T : never;

const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('runp' as const), pod: fc.nat(POD_NAMES.length - 1), attempt: fc.nat(1), behaviour: fc.nat(BEHAVIOURS.length - 1), hostNetwork: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pull' as const), image: fc.nat(1) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), pod: idRef, name: fc.nat(CONTAINER_NAMES.length - 1), image: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('create' as const), pod: idRef, name: fc.nat(CONTAINER_NAMES.length - 1), image: fc.constant(IMAGES.length - 1) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('start' as const), ctr: idRef }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('rm', 'status', 'stats', 'reopen', 'update', 'checkpoint' as const), ctr: idRef }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('stop' as const), ctr: idRef, timeout: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('exec' as const), ctr: idRef, cmd: fc.constantFrom(['true'], ['sleep', '2'], ['nope'], [] as string[]), timeout: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('stopp', 'rmp', 'podStatus', 'podStats' as const), pod: idRef }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rmi' as const), image: fc.nat(IMAGES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('list' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(8000) }) },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

const ORDER: Readonly<Record<string, number>> = { CONTAINER_CREATED: 0, CONTAINER_RUNNING: 1, CONTAINER_EXITED: 2 };

function podConfig(op: Extract<Op, { kind: 'runp' }>): PodSandboxConfigInput {
  const name = POD_NAMES[op.pod]!;
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: op.attempt },
    hostname: name,
    logDirectory: `/var/log/pods/default_${name}_uid-${name}`,
    labels: { app: name },
    annotations: BEHAVIOURS[op.behaviour]!,
    hostNetwork: op.hostNetwork,
  };
}

class Model {
  readonly clock = new FakeClock();
  readonly state: RuntimeState;
  readonly sandboxIds: string[] = [];
  readonly containerIds: string[] = [];
  readonly removed = new Set<string>();
  readonly lastState = new Map<string, string>();
  readonly podConfigs = new Map<string, PodSandboxConfigInput>();

  constructor(readonly persona: Persona) {
    this.state = new RuntimeState({ persona, clock: this.clock, seed: 5, containerLogWriter: new InMemoryLogWriter() });
  }

  resolve(ref: IdRef, pool: readonly string[]): string {
    const full = ref.known && pool.length > 0 ? pool[ref.index % pool.length]! : ref.random;
    return full.slice(0, ref.truncate === 0 ? full.length : ref.truncate);
  }

  apply(o: Op): void {
    const s = this.state;
    switch (o.kind) {
      case 'runp': {
        const config = podConfig(o);
        const id = s.runPodSandbox({ config }).podSandboxId;
        if (!this.sandboxIds.includes(id)) this.sandboxIds.push(id);
        this.podConfigs.set(id, config);
        return;
      }
      case 'pull':
        s.pullImage({ image: IMAGES[o.image]! });
        return;
      case 'create': {
        const podQuery = this.resolve(o.pod, this.sandboxIds);
        const lookup = s.listPodSandboxes({ id: podQuery })[0];
        const sandboxConfig = lookup === undefined ? podConfig({ kind: 'runp', pod: 0, attempt: 0, behaviour: 0, hostNetwork: false }) : this.podConfigs.get(lookup.id)!;
        const name = CONTAINER_NAMES[o.name]!;
        const id = s.createContainer({
          podSandboxId: podQuery,
          sandboxConfig,
          config: { metadata: { name, attempt: 0 }, image: { image: IMAGES[o.image]! }, labels: {}, annotations: {}, logPath: `${name}/0.log` },
        }).containerId;
        if (!this.containerIds.includes(id)) this.containerIds.push(id);
        return;
      }
      case 'start':
        return s.startContainer(this.resolve(o.ctr, this.containerIds));
      case 'stop':
        s.stopContainer(this.resolve(o.ctr, this.containerIds), BigInt(o.timeout));
        return;
      case 'rm': {
        const q = this.resolve(o.ctr, this.containerIds);
        const target = s.listContainers({ id: q })[0];
        s.removeContainer(q);
        if (target !== undefined) this.removed.add(target.id);
        return;
      }
      case 'status':
        s.containerStatus(this.resolve(o.ctr, this.containerIds));
        return;
      case 'stats':
        s.containerStats(this.resolve(o.ctr, this.containerIds));
        return;
      case 'reopen':
        return s.reopenContainerLog(this.resolve(o.ctr, this.containerIds));
      case 'update':
        return s.updateContainerResources(this.resolve(o.ctr, this.containerIds), {
          cpuPeriod: 100000, cpuQuota: 20000, cpuShares: 2, memoryLimitInBytes: 32 << 20, oomScoreAdj: 0,
          cpusetCpus: '', cpusetMems: '', memorySwapLimitInBytes: 0, unified: {}, hugepageLimits: [],
        });
      case 'checkpoint':
        return s.checkpointContainer(this.resolve(o.ctr, this.containerIds));
      case 'exec':
        s.execSync({ containerId: this.resolve(o.ctr, this.containerIds), cmd: o.cmd, timeoutSeconds: BigInt(o.timeout) });
        return;
      case 'stopp':
        s.stopPodSandbox(this.resolve(o.pod, this.sandboxIds));
        return;
      case 'rmp': {
        const q = this.resolve(o.pod, this.sandboxIds);
        const target = q === '' ? undefined : s.listPodSandboxes({ id: q })[0];
        const members = target === undefined ? [] : s.listContainers({ podSandboxId: target.id });
        s.removePodSandbox(q);
        if (target !== undefined) {
          this.removed.add(target.id);
          for (const c of members) this.removed.add(c.id);
        }
        return;
      }
      case 'podStatus':
        s.podSandboxStatus(this.resolve(o.pod, this.sandboxIds));
        return;
      case 'podStats':
        s.podSandboxStats(this.resolve(o.pod, this.sandboxIds));
        return;
      case 'rmi':
        s.removeImage(IMAGES[o.image]!);
        return;
      case 'list':
        s.listContainerStats();
        s.listPodSandboxStats();
        return;
      case 'advance':
        this.clock.advanceMs(o.ms);
        return;
    }
  }

  checkError(o: Op, err: unknown): void {
    assert.ok(isCriError(err), `${o.kind} threw a non-CRI error: ${(err as Error)?.stack ?? String(err)}`);
    assert.ok(Number.isInteger(err.code) && err.code >= 1 && err.code <= 16, `${o.kind}: bad gRPC code ${err.code}`);
    assert.ok(err.message.length > 0, `${o.kind}: empty error message`);
    if (/name .*is reserved|is reserved for/.test(err.message)) {
      const liveNames = [
        ...this.state.listPodSandboxes().map((p) => p.reservedName),
        ...this.state.listContainers().map((c) => c.reservedName),
      ];
      assert.ok(liveNames.some((n) => err.message.includes(n)), `${o.kind}: name reserved without a live holder: ${err.message}`);
    }
  }

  checkInvariants(): void {
    assert.deepEqual(this.state.checkInvariants(), []);
    const containers = this.state.listContainers();
    const sandboxes = this.state.listPodSandboxes();
    const listed = [
      ...containers.map((c) => c.id),
      ...sandboxes.map((p) => p.id),
      ...this.state.listContainerStats().map((c) => c.id),
      ...this.state.listPodSandboxStats().map((p) => p.id),
    ];
    for (const id of listed) assert.ok(!this.removed.has(id), `removed id ${id} is listed again`);
    for (const c of containers) {
      const before = this.lastState.get(c.id);
      if (before !== undefined) {
        assert.ok(ORDER[c.state]! >= ORDER[before]!, `container ${c.id} went ${before} -> ${c.state}`);
      }
      this.lastState.set(c.id, c.state);
    }
  }
}

for (const persona of PERSONAS) {
  describe(`CRI call sequences against RuntimeState [${persona}]`, () => {
    it('never crash and keep the invariants', () => {
      fc.assert(
        fc.property(fc.array(op, { minLength: 1, maxLength: MAX_OPS, size: 'max' }), (ops) => {
          const m = new Model(persona);
          // Every sequence starts from a pod and a pulled image, so random suffixes reach deep states.
          const prefix: Op[] = [
            { kind: 'runp', pod: 0, attempt: 0, behaviour: 0, hostNetwork: false },
            { kind: 'pull', image: 0 },
          ];
          for (const o of [...prefix, ...ops]) {
            try {
              m.apply(o);
            } catch (err) {
              m.checkError(o, err);
            }
            m.checkInvariants();
          }
          // A removed pod's name can be taken again.
          for (const id of m.removed) {
            const config = m.podConfigs.get(id);
            if (config === undefined || m.state.listPodSandboxes().some((p) => p.metadata.name === config.metadata?.name && p.metadata.attempt === config.metadata?.attempt)) continue;
            m.state.runPodSandbox({ config });
            break;
          }
          m.checkInvariants();
        }),
        { seed: SEED, numRuns: NUM_RUNS, endOnFailure: false },
      );
    });
  });
}
