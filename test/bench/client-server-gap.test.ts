import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FlatSpan } from '../../trace-sink/src';
import { clientServerGaps, summariseGaps } from './client-server-gap';

let nextId = 1;
function span(fields: Partial<FlatSpan> & Pick<FlatSpan, 'name' | 'service' | 'kind'>, startNs: bigint, endNs: bigint): FlatSpan {
  return {
    traceId: 't'.repeat(32),
    spanId: (nextId++).toString(16).padStart(16, '0'),
    parentSpanId: '',
    scope: '',
    scopeVersion: '',
    startTimeUnixNano: startNs.toString(),
    endTimeUnixNano: endNs.toString(),
    startTimeMs: Number(startNs / 1000n) / 1000,
    durationMs: Number(endNs - startNs) / 1e6,
    attributes: {},
    resource: {},
    events: [],
    links: [],
    status: { code: 'UNSET', message: '' },
    traceState: '',
    flags: 1,
    ...fields,
  };
}

describe('client-server-gap', () => {
  const RUN = 'runtime.v1.RuntimeService/RunPodSandbox';
  const root = span({ name: 'syncPod', service: 'kubelet', kind: 'INTERNAL' }, 0n, 10_000_000n);
  const client = span({ name: RUN, service: 'kubelet', kind: 'CLIENT', parentSpanId: root.spanId }, 1_000_000n, 3_500_000n);
  const server = span({ name: RUN, service: 'crio', kind: 'SERVER', parentSpanId: client.spanId }, 1_200_000n, 2_200_000n);
  const inner = span({ name: `/${RUN}`, service: 'crio', kind: 'INTERNAL', parentSpanId: server.spanId }, 1_300_000n, 2_100_000n);

  it('pairs a runtime SERVER span with the kubelet CLIENT span it is a child of, with ns precision', () => {
    const gaps = clientServerGaps([root, client, server, inner]);
    assert.deepEqual(gaps, [{ rpc: 'RunPodSandbox', gapMs: 1.5, requestSideMs: 0.2, responseSideMs: 1.3, rootName: 'syncPod' }]);
  });

  it('ignores SERVER spans whose parent is missing, not a kubelet CLIENT span, or another RPC', () => {
    const orphan = span({ name: RUN, service: 'crio', kind: 'SERVER', parentSpanId: 'ffffffffffffffff' }, 0n, 1n);
    const otherRpc = span({ name: 'runtime.v1.RuntimeService/Version', service: 'crio', kind: 'SERVER', parentSpanId: client.spanId }, 0n, 1n);
    const underInternal = span({ name: 'syncPod', service: 'crio', kind: 'SERVER', parentSpanId: root.spanId }, 0n, 1n);
    assert.deepEqual(clientServerGaps([root, client, orphan, otherRpc, underInternal]), []);
  });

  it('summarises per RPC and over all calls', () => {
    const rows = summariseGaps([
      { rpc: 'B', gapMs: 1, requestSideMs: 0.5, responseSideMs: 0.5, rootName: '' },
      { rpc: 'A', gapMs: 2, requestSideMs: 2, responseSideMs: 0, rootName: '' },
      { rpc: 'A', gapMs: 4, requestSideMs: 1, responseSideMs: 3, rootName: '' },
    ]);
    assert.deepEqual(rows.map((r) => [r.rpc, r.count, r.p50Ms, r.maxMs, r.requestSideP50Ms, r.responseSideP50Ms]), [
      ['A', 2, 3, 4, 1.5, 1.5],
      ['B', 1, 1, 1, 0.5, 0.5],
      ['all', 3, 2, 4, 1, 0.5],
    ]);
  });
});
