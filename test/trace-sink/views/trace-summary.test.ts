import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesTraceFilter, sortTraces } from '../../../trace-sink/src/views/trace-filter';
import { TraceSummaryCollector, type TraceSummary } from '../../../trace-sink/src/views/trace-summary';
import { renderTraceList } from '../../../trace-sink/src/views/render-trace-list';
import { cri, span, syncPod, T1, T2, T3 } from './view-spans';

function summaries(watch: string[] = []): TraceSummary[] {
  const c = new TraceSummaryCollector(watch);
  // Runtime span first: arrival order must not decide the root, node or pod.
  c.add(span({ traceId: T1, spanId: 'c1', parentSpanId: 'b1', name: 'runtime.v1.RuntimeService/RunPodSandbox', service: 'crio', kind: 'SERVER', startMs: 11, durationMs: 80, resource: { 'host.name': 'real-host' } }));
  c.add(syncPod(T1, 'a1', 'default/web', 0, 300));
  c.add(cri(T1, 'b1', 'a1', 'RunPodSandbox', 10, 90, 'boom'));
  c.add(span({ traceId: T2, spanId: 'a2', name: 'runtime.v1.RuntimeService/ListContainers', service: 'kubelet', kind: 'CLIENT', startMs: 500, durationMs: 2, resource: { 'host.name': 'node-b' } }));
  c.add(span({ traceId: T3, spanId: 'a3', parentSpanId: 'ff', name: 'orphan', service: 'crio', startMs: 100, durationMs: 1000 }));
  return c.summaries();
}

describe('TraceSummaryCollector', () => {
  it('summarises each trace: root, services, node of the root, pod, times, counts', () => {
    const t1 = summaries().find((t) => t.traceId === T1)!;
    assert.equal(t1.rootName, 'syncPod');
    assert.equal(t1.rootService, 'kubelet');
    assert.equal(t1.hasRoot, true);
    assert.deepEqual(t1.services, ['crio', 'kubelet']);
    assert.equal(t1.node, 'node-a');
    assert.equal(t1.pod, 'default/web');
    assert.equal(t1.durationMs, 300);
    assert.equal(t1.spanCount, 3);
    assert.equal(t1.errorCount, 1);
  });

  it('falls back to the earliest span when the root was not received', () => {
    const t3 = summaries().find((t) => t.traceId === T3)!;
    assert.equal(t3.hasRoot, false);
    assert.equal(t3.rootName, 'orphan');
    assert.match(renderTraceList([t3]), /orphan \[crio\] \(root not received\)/);
  });
});

describe('matchesTraceFilter and sortTraces', () => {
  const all = summaries(['syncPod']);
  const ids = (f: Parameters<typeof matchesTraceFilter>[1]): string[] => all.filter((t) => matchesTraceFilter(t, f)).map((t) => t.traceId).sort();
  it('filters by pod (namespace/name or bare name), node, service, span name, duration, window, errors', () => {
    assert.deepEqual(ids({ pod: 'default/web' }), [T1]);
    assert.deepEqual(ids({ pod: 'web' }), [T1]);
    assert.deepEqual(ids({ pod: 'kube-system/web' }), []);
    assert.deepEqual(ids({ node: 'node-b' }), [T2]);
    assert.deepEqual(ids({ service: 'crio' }), [T1, T3]);
    assert.deepEqual(ids({ spanName: 'syncPod' }), [T1]);
    assert.deepEqual(ids({ minDurationMs: 300 }), [T1, T3]);
    const base = all.find((t) => t.traceId === T1)!.startMs;
    assert.deepEqual(ids({ sinceMs: base + 50, untilMs: base + 600 }), [T2, T3]);
    assert.deepEqual(ids({ errorsOnly: true }), [T1]);
  });

  it('sorts by start ascending and by duration, spans, errors descending', () => {
    assert.deepEqual(sortTraces([...all], 'start').map((t) => t.traceId), [T1, T3, T2]);
    assert.deepEqual(sortTraces([...all], 'duration').map((t) => t.traceId), [T3, T1, T2]);
    assert.deepEqual(sortTraces([...all], 'spans').map((t) => t.traceId)[0], T1);
    assert.deepEqual(sortTraces([...all], 'errors').map((t) => t.traceId)[0], T1);
  });
});

describe('renderTraceList', () => {
  it('shows a start time outside the range of JavaScript dates as "-" instead of throwing', () => {
    const [t] = summaries();
    assert.match(renderTraceList([{ ...t!, startMs: 1e17 }]), / - +/);
  });
});
