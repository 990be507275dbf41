/**
 * CRI container events (GetContainerEvents) from the simulated runtime's transitions.
 *
 * What each runtime sends, and when:
 *  - containerd 2.1 (internal/cri/server: sandbox_run.go, container_create.go, container_start.go,
 *    events.go handleContainerExit / handleSandboxExit, container_remove.go, sandbox_remove.go):
 *    CREATED / STARTED / STOPPED (on exit) / DELETED for containers, and for the sandbox itself with
 *    container_id = sandbox id. The event carries the PodSandboxStatus of the container's sandbox and
 *    the statuses of that sandbox's containers (generateAndSendContainerEvent). Delivery through
 *    internal/eventq: every subscriber gets every event (channel of 100); with no subscriber,
 *    events are held for 5 minutes and replayed to the next one.
 *  - CRI-O 1.33 (server/server.go generateCRIEvent, server/container_events.go): only when
 *    `enable_pod_events` is set (default false; when off GetContainerEvents returns at once with
 *    no events). Containers: CREATED, STARTED, STOPPED, DELETED; the sandbox's infra container
 *    (same id as the sandbox): CREATED on RunPodSandbox, STOPPED on StopPodSandbox. Statuses are of
 *    every container labelled with the pod's UID. Events go through one channel of 1000 that a
 *    broadcaster (started by the first subscriber) fans out; a full channel drops the event.
 *
 * Time: created_at is the instant of the transition on the runtime's clock (for an exit, the exit
 * instant, which is when the real runtime's exit monitor fires).
 */
import type { Persona } from './persona';
import type { ContainerView, PodSandboxView } from './types';

/** ContainerEventType enum names (api.proto). */
export const CONTAINER_EVENT_TYPE = {
  CREATED: 'CONTAINER_CREATED_EVENT',
  STARTED: 'CONTAINER_STARTED_EVENT',
  STOPPED: 'CONTAINER_STOPPED_EVENT',
  DELETED: 'CONTAINER_DELETED_EVENT',
} as const;
export type ContainerEventType = (typeof CONTAINER_EVENT_TYPE)[keyof typeof CONTAINER_EVENT_TYPE];

/** A lifecycle step of a container or of a sandbox (then containerId === sandboxId). */
export interface ContainerTransition {
  readonly type: ContainerEventType;
  readonly containerId: string;
  readonly sandboxId: string;
  readonly atNs: bigint;
}

/** One ContainerEventResponse, as views taken at the moment of the transition. */
export interface ContainerEvent {
  readonly containerId: string;
  readonly type: ContainerEventType;
  readonly createdAtNs: bigint;
  /** null when the sandbox is already gone (e.g. the sandbox's own DELETED event). */
  readonly podSandbox: PodSandboxView | null;
  readonly containers: readonly ContainerView[];
}

/** Kubernetes' pod UID label on containers (pkg/kubelet/types KubernetesPodUIDLabel). */
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';

/** Delivery parameters per runtime (sources in the file comment). */
export const EVENT_DELIVERY = {
  containerd: {
    /** internal/eventq Subscribe: each subscriber's channel capacity. */
    subscriberBuffer: 100,
    /** criService containerEventsQ: eventq.New(5*time.Minute, ...). */
    holdWithoutSubscriberMs: 5 * 60_000,
    /** Our bound on held events (upstream holds every event of the window). */
    maxHeld: 10_000,
    enabledByDefault: true,
    sandboxEvents: [CONTAINER_EVENT_TYPE.CREATED, CONTAINER_EVENT_TYPE.STOPPED, CONTAINER_EVENT_TYPE.DELETED],
    /** container_events.go: the stream ends with this status when the queue shuts down. */
    closedByServer: 'container events subscription closed by server',
  },
  crio: {
    /** server.go: ContainerEventsChan = make(chan ..., 1000). */
    channelCapacity: 1000,
    /** Per-subscriber bound for our transport (upstream sends synchronously). */
    subscriberBuffer: 1000,
    /** pkg/config enable_pod_events default. */
    enabledByDefault: false,
    sandboxEvents: [CONTAINER_EVENT_TYPE.CREATED, CONTAINER_EVENT_TYPE.STOPPED],
  },
} as const;

/** Where the hub reads transitions and views; RuntimeState implements it. */
export interface ContainerEventSource {
  onTransition(listener: (t: ContainerTransition) => void): () => void;
  /** Views without advancing time (safe inside a transition). */
  peekSandbox(sandboxId: string): PodSandboxView | undefined;
  peekContainers(): readonly ContainerView[];
}

/** A subscriber: the gRPC stream of one GetContainerEvents call. */
export interface EventSink {
  deliver(event: ContainerEvent): void;
  /** The hub is closing; end the stream. */
  end(): void;
}

export interface ContainerEventHubOptions {
  readonly persona: Persona;
  /** CRI-O enable_pod_events; containerd always sends. Default per persona. */
  readonly enabled?: boolean;
  /** Milliseconds on the runtime's clock, for the containerd hold window. */
  readonly nowMs: () => number;
}

interface Held {
  readonly event: ContainerEvent;
  readonly discardAtMs: number;
}

export class ContainerEventHub {
  readonly persona: Persona;
  readonly enabled: boolean;
  private readonly nowMs: () => number;
  private readonly sinks = new Set<EventSink>();
  private held: Held[] = [];
  private broadcasterStarted = false;
  private dropped = 0;
  private closed = false;
  private readonly unsubscribeSource: () => void;
  private readonly source: ContainerEventSource;

  constructor(source: ContainerEventSource, options: ContainerEventHubOptions) {
    this.persona = options.persona;
    this.enabled = options.enabled ?? EVENT_DELIVERY[options.persona].enabledByDefault;
    this.nowMs = options.nowMs;
    this.source = source;
    this.unsubscribeSource = source.onTransition((t) => this.onTransition(t));
  }

  /** Events dropped (CRI-O full channel, containerd hold window expired or over our bound). */
  get droppedEvents(): number {
    return this.dropped;
  }

  get subscriberCount(): number {
    return this.sinks.size;
  }

  /**
   * Adds a subscriber and replays what the runtime kept for it. Returns the unsubscribe function,
   * or null when events are disabled (CRI-O enable_pod_events=false) or the hub is closed.
   */
  subscribe(sink: EventSink): (() => void) | null {
    if (!this.enabled || this.closed) return null;
    this.sinks.add(sink);
    if (this.persona === 'crio') this.broadcasterStarted = true;
    const now = this.nowMs();
    const replay = this.held;
    this.held = [];
    for (const h of replay) {
      if (this.persona === 'containerd' && h.discardAtMs <= now) {
        this.dropped++;
        continue;
      }
      sink.deliver(h.event);
    }
    return () => {
      this.sinks.delete(sink);
    };
  }

  /** Ends every subscription; further transitions are ignored. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeSource();
    this.held = [];
    const sinks = [...this.sinks];
    this.sinks.clear();
    for (const s of sinks) s.end();
  }

  private onTransition(t: ContainerTransition): void {
    if (!this.enabled || this.closed) return;
    if (t.containerId === t.sandboxId && !(EVENT_DELIVERY[this.persona].sandboxEvents as readonly string[]).includes(t.type)) return;
    const event = this.buildEvent(t);
    if (this.sinks.size > 0) {
      for (const s of [...this.sinks]) s.deliver(event);
      return;
    }
    if (this.persona === 'containerd') {
      this.expireHeld();
      if (this.held.length >= EVENT_DELIVERY.containerd.maxHeld) {
        this.held.shift();
        this.dropped++;
      }
      this.held.push({ event, discardAtMs: this.nowMs() + EVENT_DELIVERY.containerd.holdWithoutSubscriberMs });
      return;
    }
    // CRI-O: before the broadcaster runs, the channel buffers; once it runs, an event with no client is gone.
    if (this.broadcasterStarted) return;
    if (this.held.length >= EVENT_DELIVERY.crio.channelCapacity) {
      this.dropped++;
      return;
    }
    this.held.push({ event, discardAtMs: Number.POSITIVE_INFINITY });
  }

  private expireHeld(): void {
    const now = this.nowMs();
    while (this.held.length > 0 && this.held[0]!.discardAtMs <= now) {
      this.held.shift();
      this.dropped++;
    }
  }

  private buildEvent(t: ContainerTransition): ContainerEvent {
    const podSandbox = this.source.peekSandbox(t.sandboxId) ?? null;
    const all = this.source.peekContainers();
    let containers: ContainerView[];
    if (this.persona === 'crio') {
      const uid = podSandbox?.metadata.uid ?? '';
      containers = podSandbox === null ? [] : all.filter((c) => (c.labels[POD_UID_LABEL] ?? '') === uid && uid !== '');
    } else {
      containers = all.filter((c) => c.podSandboxId === t.sandboxId);
    }
    return Object.freeze({ containerId: t.containerId, type: t.type, createdAtNs: t.atNs, podSandbox, containers: Object.freeze(containers) });
  }
}
