/**
 * "The time our two processes add" to a CRI call: the kubelet's CLIENT span minus the runtime's SERVER span
 * directly under it (same trace, parent link, same RPC name). On a real node this is the gRPC transport
 * (a few tens of µs on a unix socket); in the emulator it also holds both event loops' queueing and the work
 * each process does outside the spans, which users would otherwise read as node latency.
 */
import type { FlatSpan } from '../../trace-sink/src';
import { quantile } from './bench-stats';

export interface GapSample {
  /** RPC name without the service, e.g. "RunPodSandbox". */
  rpc: string;
  /** CLIENT duration minus SERVER duration, milliseconds (ns precision). */
  gapMs: number;
  /** SERVER start minus CLIENT start (request side) and CLIENT end minus SERVER end (response side), ms. */
  requestSideMs: number;
  responseSideMs: number;
  /** The CLIENT span's trace is rooted at this kubelet span name ('' for a root CLIENT span). */
  rootName: string;
}

export interface GapRow {
  rpc: string;
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Medians of the two sides (their sum is not the median gap); they say which process queues. */
  requestSideP50Ms: number;
  responseSideP50Ms: number;
}

const NS_PER_MS = 1_000_000;

function durationNs(span: FlatSpan): bigint {
  return BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano);
}

/** Every kubelet CLIENT span with a runtime SERVER child of the same name, as a gap sample. */
export function clientServerGaps(spans: readonly FlatSpan[], kubeletService = 'kubelet'): GapSample[] {
  const byId = new Map<string, FlatSpan>();
  for (const s of spans) byId.set(`${s.traceId}/${s.spanId}`, s);
  const rootName = (span: FlatSpan): string => {
    let current = span;
    for (let hops = 0; current.parentSpanId !== '' && hops < 64; hops++) {
      const parent = byId.get(`${current.traceId}/${current.parentSpanId}`);
      if (parent === undefined) break;
      current = parent;
    }
    return current === span ? '' : current.name;
  };
  const samples: GapSample[] = [];
  for (const server of spans) {
    if (server.kind !== 'SERVER' || server.service === kubeletService || server.parentSpanId === '') continue;
    const client = byId.get(`${server.traceId}/${server.parentSpanId}`);
    if (client === undefined || client.kind !== 'CLIENT' || client.service !== kubeletService || client.name !== server.name) continue;
    samples.push({
      rpc: client.name.slice(client.name.lastIndexOf('/') + 1),
      gapMs: Number(durationNs(client) - durationNs(server)) / NS_PER_MS,
      requestSideMs: Number(BigInt(server.startTimeUnixNano) - BigInt(client.startTimeUnixNano)) / NS_PER_MS,
      responseSideMs: Number(BigInt(client.endTimeUnixNano) - BigInt(server.endTimeUnixNano)) / NS_PER_MS,
      rootName: rootName(client),
    });
  }
  return samples;
}

/** p50/p99/max per RPC (sorted by name), then an "all" row. */
export function summariseGaps(samples: readonly GapSample[]): GapRow[] {
  const groups = new Map<string, GapSample[]>();
  for (const s of samples) {
    const list = groups.get(s.rpc) ?? [];
    list.push(s);
    groups.set(s.rpc, list);
  }
  const row = (rpc: string, group: readonly GapSample[]): GapRow => {
    const gaps = group.map((s) => s.gapMs);
    return {
      rpc,
      count: gaps.length,
      p50Ms: quantile(gaps, 0.5),
      p99Ms: quantile(gaps, 0.99),
      maxMs: Math.max(...gaps),
      requestSideP50Ms: quantile(group.map((s) => s.requestSideMs), 0.5),
      responseSideP50Ms: quantile(group.map((s) => s.responseSideMs), 0.5),
    };
  };
  const rows = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([rpc, group]) => row(rpc, group));
  if (samples.length > 0) rows.push(row('all', samples));
  return rows;
}
