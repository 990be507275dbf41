/**
 * Watches a saturation run from the runtime's side, over CRI (ListPodSandbox and ListContainers every
 * `periodMs`), so the measurement needs nothing from the kubelet and works with tracing off: when each pod's
 * app containers were all seen running or exited (started), and when its sandbox, once seen ready, was seen
 * not ready or gone (stopped: the kubelet's syncTerminatingPod has run StopPodSandbox; a lifecycle done). Each poll carries a `traceparent` whose
 * sampled flag is 0, so a parent-based runtime sampler (CRI-O, containerd 2.x) exports nothing for it.
 */
import { randomBytes } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { createRuntimeServiceClient } from '../../../cri-proto/src/load-cri';

/** What the poller expects: per pod UID, the names of the containers that must run (init containers excluded). */
export type ExpectedPods = ReadonlyMap<string, readonly string[]>;

export interface PodMilestones {
  /** First poll that saw any of the expected sandboxes. */
  firstSandboxMs: number | undefined;
  /**
   * Poll at which 90% of the pods seen started so far had started (the end of the start phase: the last tenth
   * are churn pods whose init or app containers crash and wait on the kubelet's back-off timers, not on the pair).
   */
  startP90Ms: number | undefined;
  /** Last poll at which a pod was first seen started. */
  lastStartMs: number | undefined;
  /** First poll that saw a sandbox not ready or gone after it had been ready. */
  firstStopMs: number | undefined;
  /** First poll at which every expected pod's sandbox had been seen and then stopped. */
  allStoppedMs: number | undefined;
  /** Pods whose app containers were all seen started (a pod whose image cannot be pulled never is). */
  started: number;
  /** Pods whose sandbox was seen ready, then not ready or gone: lifecycles completed. */
  stopped: number;
  /** Last poll at which a pod was first seen started or stopped. */
  lastChangeMs: number | undefined;
}

const POD_UID_LABEL = 'io.kubernetes.pod.uid';
const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
/**
 * A container the kubelet has started: running, or exited since (some churn images, e.g. alpine with its
 * default shell, exit at once and restart with back-off; a poll may never catch them running).
 */
const STARTED_STATES: ReadonlySet<string> = new Set(['CONTAINER_RUNNING', 'CONTAINER_EXITED']);

interface Listed {
  id?: string;
  state?: string;
  labels?: Record<string, string>;
}

/** ListPodSandboxResponse.items, ListContainersResponse.containers. */
interface Listing {
  items?: Listed[];
  containers?: Listed[];
}

export class PodProgressPoller {
  private readonly client: grpc.Client & Record<string, (req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: Listing) => void) => void>;
  private readonly grpcModule: typeof grpc;
  private readonly running = new Map<string, Set<string>>();
  private readonly startedAt = new Map<string, number>();
  private readonly readySeen = new Set<string>();
  private readonly stoppedAt = new Map<string, number>();
  private readonly milestones: PodMilestones = { firstSandboxMs: undefined, startP90Ms: undefined, lastStartMs: undefined, firstStopMs: undefined, allStoppedMs: undefined, started: 0, stopped: 0, lastChangeMs: undefined };
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(endpoint: string, private readonly expected: ExpectedPods, private readonly periodMs = 100) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.grpcModule = require('@grpc/grpc-js') as typeof grpc;
    this.client = createRuntimeServiceClient(endpoint, { grpc: this.grpcModule }) as unknown as typeof this.client;
  }

  start(): void {
    const tick = (): void => {
      this.polling = this.poll().catch(() => undefined).finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.periodMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Milestones so far (a copy). */
  snapshot(): PodMilestones {
    return { ...this.milestones };
  }

  /**
   * Every pod stopped; or, once stops have begun, every sandbox seen ready has stopped and nothing changed for
   * `quietMs` (a pod deleted before its sandbox was seen ready is not counted).
   */
  done(quietMs: number): boolean {
    const m = this.milestones;
    if (m.allStoppedMs !== undefined) return true;
    return m.firstStopMs !== undefined && m.stopped === this.readySeen.size && m.lastChangeMs !== undefined && Date.now() - m.lastChangeMs > quietMs;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    this.client.close();
  }

  private call(method: string, request: object): Promise<Listing> {
    const md = new this.grpcModule.Metadata();
    md.set('traceparent', `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`);
    return new Promise((resolve, reject) => this.client[method]!(request, md, (err, res) => (err ? reject(err) : resolve(res))));
  }

  private async poll(): Promise<void> {
    const [sandboxes, containers] = await Promise.all([this.call('ListPodSandbox', {}), this.call('ListContainers', {})]);
    const now = Date.now();
    const ready = new Set<string>();
    let anyExpected = false;
    for (const s of sandboxes.items ?? []) {
      const uid = s.labels?.[POD_UID_LABEL];
      if (uid === undefined || !this.expected.has(uid)) continue;
      anyExpected = true;
      if (s.state === 'SANDBOX_READY') ready.add(uid);
    }
    if (anyExpected) this.milestones.firstSandboxMs ??= now;
    for (const c of containers.containers ?? []) {
      const uid = c.labels?.[POD_UID_LABEL];
      const name = c.labels?.[CONTAINER_NAME_LABEL];
      if (uid === undefined || name === undefined || !STARTED_STATES.has(c.state ?? '') || !this.expected.has(uid)) continue;
      const seen = this.running.get(uid) ?? new Set<string>();
      seen.add(name);
      this.running.set(uid, seen);
    }
    for (const [uid, names] of this.expected) {
      if (!this.startedAt.has(uid) && names.every((n) => this.running.get(uid)?.has(n))) {
        this.startedAt.set(uid, now);
        this.milestones.lastStartMs = now;
      }
      if (ready.has(uid)) this.readySeen.add(uid);
      else if (this.readySeen.has(uid) && !this.stoppedAt.has(uid)) this.stoppedAt.set(uid, now);
    }
    if (this.startedAt.size !== this.milestones.started || this.stoppedAt.size !== this.milestones.stopped) this.milestones.lastChangeMs = now;
    this.milestones.started = this.startedAt.size;
    this.milestones.stopped = this.stoppedAt.size;
    if (this.stoppedAt.size > 0) this.milestones.firstStopMs ??= now;
    const starts = [...this.startedAt.values()].sort((a, b) => a - b);
    this.milestones.startP90Ms = starts[Math.max(0, Math.ceil(starts.length * 0.9) - 1)];
    if (this.stoppedAt.size === this.expected.size) this.milestones.allStoppedMs ??= now;
  }
}
