import type { ContainerSpec, Pod } from '../container/pod';
import type { Clock } from '../util/clock';
import { defaultPullPolicy } from './pod-manifest';
import { CONFIG_ANNOTATION, CONFIG_SOURCE } from './static-pod-source';

/**
 * `--workload churn`: a synthetic API-server pod source. It creates `pods` pods at `creationRatePerSecond`,
 * deletes each one `podLifetimeMs` after its creation, and gives some of them an in-place label and annotation
 * change halfway through their life, which the kubelet's config merger turns into an UPDATE (the spec, labels
 * or annotations of a known UID changed; config.go podsDifferSemantically) and the pod worker into a syncPod
 * with update type `update` (kubelet.go HandlePodUpdates). Everything is derived from the seed: the same seed
 * gives the same pods, UIDs and timetable. Bounded in count (exactly `pods` creations) and time (the last
 * deletion is at (pods-1)/rate + lifetime); the process still stops at --duration.
 */
export interface ChurnWorkloadOptions {
  /** --pods: how many pods to create in total. */
  pods: number;
  /** --pod-lifetime: how long each pod exists before it is deleted. */
  podLifetimeMs: number;
  /** --creation-rate: pods created per second. */
  creationRatePerSecond: number;
  /** --workload-seed. */
  seed: number;
}

/** Limits on the workload flags, so a typo cannot ask for an unbounded run. */
export const CHURN_LIMITS = {
  MAX_PODS: 100_000,
  MAX_CREATION_RATE_PER_SECOND: 1_000,
  MAX_POD_LIFETIME_MS: 24 * 60 * 60 * 1000,
  MAX_SEED: 0xffff_ffff,
} as const;

export const CHURN_WORKLOAD = {
  /** Share of pods that get an in-place label/annotation change. */
  UPDATE_FRACTION: 0.25,
  /** When, as a share of its lifetime, an updated pod is changed. */
  UPDATE_AT_LIFETIME_FRACTION: 0.5,
  /** Events run in one timer callback at most; the rest run on the next, so one tick never blocks long. */
  MAX_EVENTS_PER_TICK: 1_000,
  /** The label and annotation the in-place change sets. */
  UPDATE_LABEL: 'sim.kubelet-sim.io/revision',
  UPDATE_ANNOTATION: 'sim.kubelet-sim.io/updated-by',
} as const;

/** What the workload drives: the kubelet's pod config handlers. */
export interface PodSink {
  addPod(pod: Pod): void;
  updatePod(pod: Pod): void;
  deletePod(uid: string): void;
}

/** Timers, injectable so tests drive time by hand. */
export interface WorkloadTimers {
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const REAL_WORKLOAD_TIMERS: WorkloadTimers = {
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type ChurnOp = 'ADD' | 'UPDATE' | 'REMOVE';

export interface ChurnEvent {
  /** Milliseconds after the workload started. */
  atMs: number;
  op: ChurnOp;
  /** Which pod (0-based creation order). */
  index: number;
}

/**
 * The timetable as a lazy, time-ordered stream: creation i at i/rate, its update (if any) at half its
 * lifetime, its deletion after its lifetime. Each kind is monotone in i, so a three-way merge is enough;
 * ties go ADD, UPDATE, REMOVE, then by index. Memory stays O(1) whatever `pods` is.
 */
export class ChurnSchedule {
  private nextAdd = 0;
  private nextUpdate: number;
  private nextRemove = 0;
  private readonly intervalMs: number;

  constructor(private readonly options: ChurnWorkloadOptions) {
    this.intervalMs = 1000 / options.creationRatePerSecond;
    this.nextUpdate = this.findUpdate(0);
  }

  /** The next event without taking it. */
  peek(): ChurnEvent | undefined {
    const candidates: ChurnEvent[] = [];
    const { pods, podLifetimeMs } = this.options;
    if (this.nextAdd < pods) candidates.push({ atMs: this.creationMs(this.nextAdd), op: 'ADD', index: this.nextAdd });
    if (this.nextUpdate < pods) candidates.push({ atMs: this.creationMs(this.nextUpdate) + podLifetimeMs * CHURN_WORKLOAD.UPDATE_AT_LIFETIME_FRACTION, op: 'UPDATE', index: this.nextUpdate });
    if (this.nextRemove < pods) candidates.push({ atMs: this.creationMs(this.nextRemove) + podLifetimeMs, op: 'REMOVE', index: this.nextRemove });
    return candidates.sort((a, b) => a.atMs - b.atMs || OP_ORDER[a.op] - OP_ORDER[b.op] || a.index - b.index)[0];
  }

  next(): ChurnEvent | undefined {
    const event = this.peek();
    if (event === undefined) return undefined;
    if (event.op === 'ADD') this.nextAdd++;
    else if (event.op === 'UPDATE') this.nextUpdate = this.findUpdate(this.nextUpdate + 1);
    else this.nextRemove++;
    return event;
  }

  private creationMs(index: number): number {
    return index * this.intervalMs;
  }

  private findUpdate(from: number): number {
    let i = from;
    while (i < this.options.pods && !isUpdatedPod(this.options.seed, i)) i++;
    return i;
  }
}

const OP_ORDER: Record<ChurnOp, number> = { ADD: 0, UPDATE: 1, REMOVE: 2 };

/**
 * Runs a ChurnSchedule against a PodSink on one re-armed timer. `runDue()` does every event whose time has
 * come by the injected clock; tests call it directly after moving a fake clock.
 */
export class ChurnWorkload {
  private readonly schedule: ChurnSchedule;
  private startMs: number | undefined;
  private timer: unknown;
  private stopped = false;
  readonly stats = { created: 0, updated: 0, deleted: 0 };

  constructor(
    private readonly options: ChurnWorkloadOptions,
    private readonly sink: PodSink,
    private readonly clock: Clock,
    private readonly timers: WorkloadTimers = REAL_WORKLOAD_TIMERS,
  ) {
    this.schedule = new ChurnSchedule(options);
  }

  start(): void {
    if (this.startMs !== undefined || this.stopped) return;
    this.startMs = this.clock.nowMs();
    this.tick();
  }

  /** Stops creating, updating and deleting; pods already created stay, as when an API server goes quiet. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** True once every pod has been created and deleted. */
  isDone(): boolean {
    return this.schedule.peek() === undefined;
  }

  /** Runs the events that are due (at most MAX_EVENTS_PER_TICK); returns how many ran. */
  runDue(): number {
    if (this.startMs === undefined || this.stopped) return 0;
    const elapsed = this.clock.nowMs() - this.startMs;
    let ran = 0;
    for (let event = this.schedule.peek(); event !== undefined && event.atMs <= elapsed && ran < CHURN_WORKLOAD.MAX_EVENTS_PER_TICK; event = this.schedule.peek()) {
      this.schedule.next();
      this.apply(event);
      ran++;
    }
    return ran;
  }

  private tick(): void {
    this.timer = undefined;
    this.runDue();
    const next = this.schedule.peek();
    if (next === undefined || this.stopped || this.startMs === undefined) return;
    const delayMs = Math.max(0, this.startMs + next.atMs - this.clock.nowMs());
    this.timer = this.timers.setTimeout(() => this.tick(), delayMs);
  }

  private apply(event: ChurnEvent): void {
    const seenMs = (this.startMs ?? 0) + this.creationMs(event.index);
    const pod = churnPod(this.options.seed, event.index, seenMs);
    if (event.op === 'ADD') {
      this.stats.created++;
      this.sink.addPod(pod);
    } else if (event.op === 'UPDATE') {
      this.stats.updated++;
      this.sink.updatePod(updatedChurnPod(pod));
    } else {
      this.stats.deleted++;
      this.sink.deletePod(pod.metadata.uid);
    }
  }

  private creationMs(index: number): number {
    return (index * 1000) / this.options.creationRatePerSecond;
  }
}

/** Deployments the pods belong to: namespace, app, containers, init containers. Images are public ones. */
const CHURN_TEMPLATES: ReadonlyArray<{ namespace: string; app: string; containers: Array<[string, string]>; initContainers: Array<[string, string]> }> = [
  { namespace: 'default', app: 'web', containers: [['nginx', 'docker.io/library/nginx:1.27']], initContainers: [] },
  { namespace: 'shop', app: 'cart', containers: [['cart', 'docker.io/library/python:3.12-slim']], initContainers: [['wait-for-redis', 'docker.io/library/busybox:1.36']] },
  { namespace: 'shop', app: 'cache', containers: [['redis', 'docker.io/library/redis:7.4']], initContainers: [] },
  { namespace: 'payments', app: 'payments-api', containers: [['api', 'registry.k8s.io/e2e-test-images/agnhost:2.53'], ['envoy', 'docker.io/envoyproxy/envoy:v1.31.2']], initContainers: [['migrate', 'registry.k8s.io/e2e-test-images/agnhost:2.53']] },
  { namespace: 'monitoring', app: 'log-shipper', containers: [['fluent-bit', 'cr.fluentbit.io/fluent/fluent-bit:latest']], initContainers: [] },
  { namespace: 'batch', app: 'report', containers: [['report', 'docker.io/library/alpine:3.20']], initContainers: [['fetch', 'docker.io/library/busybox']] },
];

/** k8s.io/apimachinery/pkg/util/rand: the alphabet of generated name suffixes and pod-template-hash values. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Pod `index` of the workload with `seed`: deterministic, like one the API server would send. */
export function churnPod(seed: number, index: number, seenMs: number): Pod {
  const rng = seededRandom(mixSeed(seed, index, 1));
  const templateIndex = Math.floor(rng() * CHURN_TEMPLATES.length);
  const template = CHURN_TEMPLATES[templateIndex];
  // One ReplicaSet per template and seed, so pods of one app share their pod-template-hash.
  const templateHash = randomString(seededRandom(mixSeed(seed, templateIndex, 2)), 10);
  const name = `${template.app}-${templateHash}-${randomString(rng, 5)}`;
  const uid = randomUuid(rng);
  const toSpec = ([containerName, image]: [string, string]): ContainerSpec => ({
    name: containerName,
    image,
    imagePullPolicy: defaultPullPolicy(image),
    command: [],
    args: [],
    workingDir: '',
    env: [],
    terminationMessagePath: '/dev/termination-log',
  });
  return {
    metadata: {
      name,
      namespace: template.namespace,
      uid,
      labels: { app: template.app, 'pod-template-hash': templateHash },
      annotations: {
        [CONFIG_ANNOTATION.SOURCE]: CONFIG_SOURCE.API,
        [CONFIG_ANNOTATION.SEEN]: new Date(seenMs).toISOString(),
      },
    },
    spec: {
      initContainers: template.initContainers.map(toSpec),
      containers: template.containers.map(toSpec),
      restartPolicy: 'Always',
      hostNetwork: false,
      terminationGracePeriodSeconds: 30,
      hostname: '',
      subdomain: '',
      qosClass: 'BestEffort',
    },
  };
}

/** The same pod after an in-place `kubectl label` / `kubectl annotate`: spec untouched. */
export function updatedChurnPod(pod: Pod): Pod {
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      labels: { ...pod.metadata.labels, [CHURN_WORKLOAD.UPDATE_LABEL]: '2' },
      annotations: { ...pod.metadata.annotations, [CHURN_WORKLOAD.UPDATE_ANNOTATION]: 'kubelet-sim-churn' },
    },
  };
}

function isUpdatedPod(seed: number, index: number): boolean {
  return seededRandom(mixSeed(seed, index, 3))() < CHURN_WORKLOAD.UPDATE_FRACTION;
}

/** A 32-bit seed per (workload seed, pod, purpose), so each pod's values do not depend on the others. */
function mixSeed(seed: number, index: number, purpose: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(purpose, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: small, fast, seeded; uniform floats in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomString(rng: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NAME_ALPHABET[Math.floor(rng() * NAME_ALPHABET.length)];
  return out;
}

/** A version-4 UUID from the seeded generator, like the API server's (random) pod UIDs. */
function randomUuid(rng: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(rng() * 256));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
