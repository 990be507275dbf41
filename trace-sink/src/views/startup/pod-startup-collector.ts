import type { FlatSpan } from '../../store/flat-span';
import { computeStartupBreakdown, type StartupBreakdown } from './startup-breakdown';
import { StringPool } from '../string-pool';
import { containerFacts, criCallRecord, syncPodRecord, type ContainerFact, type CriCallRecord, type SyncPodRecord } from './startup-records';

/** One pod's startup, from its first `syncPod` to the start of its last container. */
export interface PodStartup {
  /** "namespace/name". */
  pod: string;
  podUid: string | undefined;
  node: string | undefined;
  /** Start of the first syncPod (Unix ms). */
  startMs: number;
  /** End of the last StartContainer that started a container for the first time; equals startMs when none did. */
  endMs: number;
  totalMs: number;
  /** True when at least one container was started; incomplete pods stay out of the percentiles. */
  complete: boolean;
  /** Containers started, by name where the runtime's spans say it ("nginx"), in start order. */
  containers: string[];
  /**
   * How containers were told apart: `runtime` (names from the runtime's spans: a second start of a name is a
   * restart and ends the startup), or `first-sync` (no names: the startup ends with the first syncPod that
   * started containers).
   */
  containerIdentity: 'runtime' | 'first-sync';
  syncPodCount: number;
  /** The syncPod traces inside the window, first one first. */
  traceIds: string[];
  breakdown: StartupBreakdown;
}

/**
 * Collects the records the startup view needs from spans in any order (kubelet and runtime spans of one trace
 * arrive in different export requests) and computes each pod's startup at the end. State: one small record per
 * syncPod, per non-root kubelet CRI call and per runtime container fact; never whole spans.
 */
export class PodStartupCollector {
  private readonly syncPods: SyncPodRecord[] = [];
  private readonly callsByTrace = new Map<string, CriCallRecord[]>();
  private readonly factsByTrace = new Map<string, ContainerFact[]>();
  private readonly strings = new StringPool();

  add(span: FlatSpan): void {
    const sync = syncPodRecord(span);
    if (sync) {
      sync.pod = this.strings.intern(sync.pod);
      sync.node = this.strings.intern(sync.node);
      this.syncPods.push(sync);
      return;
    }
    const call = criCallRecord(span);
    if (call) {
      call.method = this.strings.intern(call.method);
      push(this.callsByTrace, span.traceId, call);
      return;
    }
    for (const fact of containerFacts(span)) {
      fact.name = this.strings.intern(fact.name);
      push(this.factsByTrace, span.traceId, fact);
    }
  }

  /** Pods in order of their first syncPod. */
  startups(): PodStartup[] {
    const byPod = new Map<string, SyncPodRecord[]>();
    for (const sync of this.syncPods) push(byPod, sync.podUid ?? sync.pod, sync);
    return [...byPod.values()].map((syncs) => this.podStartup(syncs.sort((a, b) => a.startMs - b.startMs))).sort((a, b) => a.startMs - b.startMs);
  }

  private podStartup(syncs: SyncPodRecord[]): PodStartup {
    const first = syncs[0]!;
    // Container names by id, from every CreateContainer of the pod's syncs.
    const nameById = new Map<number, string>();
    for (const sync of syncs) {
      for (const fact of this.factsByTrace.get(sync.traceId) ?? []) if (fact.id !== undefined && fact.name !== undefined) nameById.set(fact.id, fact.name);
    }
    const started: string[] = [];
    let endMs = first.startMs;
    let identity: PodStartup['containerIdentity'] = 'runtime';
    let lastSync = 0;
    scan: for (const [index, sync] of syncs.entries()) {
      const calls = this.callsOf(sync);
      const starts = calls.filter((c) => c.method === 'StartContainer' && !c.error);
      for (const start of starts) {
        const name = this.containerOf(sync.traceId, start, nameById);
        if (name === undefined) identity = 'first-sync';
        if (identity === 'runtime' && started.includes(name!)) break scan; // a restart: every container had started
        started.push(name ?? `container ${started.length + 1}`);
        endMs = start.endMs;
        lastSync = index;
      }
      if (identity === 'first-sync' && started.length > 0) break;
    }
    const complete = started.length > 0;
    const inWindow = complete ? syncs.slice(0, lastSync + 1) : syncs.slice(0, 1);
    const windowEnd = complete ? endMs : first.endMs;
    const calls = inWindow.flatMap((s) => this.callsOf(s));
    return {
      pod: first.pod,
      podUid: first.podUid,
      node: first.node,
      startMs: first.startMs,
      endMs: windowEnd,
      totalMs: windowEnd - first.startMs,
      complete,
      containers: started,
      containerIdentity: identity,
      syncPodCount: inWindow.length,
      traceIds: inWindow.map((s) => s.traceId),
      breakdown: computeStartupBreakdown({ startMs: first.startMs, endMs: windowEnd }, inWindow, calls),
    };
  }

  /** The CRI calls a syncPod made: CLIENT spans of its trace inside its interval. */
  private callsOf(sync: SyncPodRecord): CriCallRecord[] {
    return (this.callsByTrace.get(sync.traceId) ?? [])
      .filter((c) => c.startMs >= sync.startMs && c.startMs <= sync.endMs)
      .sort((a, b) => a.startMs - b.startMs);
  }

  /** The container a StartContainer call started, from the runtime span inside it. */
  private containerOf(traceId: string, call: CriCallRecord, nameById: ReadonlyMap<number, string>): string | undefined {
    for (const fact of this.factsByTrace.get(traceId) ?? []) {
      if (fact.call !== 'StartContainer' || fact.atMs < call.startMs || fact.atMs > call.endMs) continue;
      const name = fact.name ?? (fact.id === undefined ? undefined : nameById.get(fact.id));
      if (name !== undefined) return name;
    }
    return undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
