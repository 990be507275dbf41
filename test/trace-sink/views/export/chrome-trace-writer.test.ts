import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChromeTraceWriter } from '../../../../trace-sink/src/views/export/chrome-trace-writer';
import { cri, span, syncPod, T1 } from '../view-spans';

describe('ChromeTraceWriter', () => {
  it('writes a Trace Event JSON object: X events in µs, a process per service, a thread per trace', () => {
    let text = '';
    const w = new ChromeTraceWriter((chunk) => {
      text += chunk;
    });
    w.begin();
    w.add(syncPod(T1, 'a1', 'default/web', 0, 100));
    w.add(cri(T1, 'b1', 'a1', 'RunPodSandbox', 10.5, 20.25));
    w.add(span({ traceId: T1, spanId: 'c1', parentSpanId: 'b1', name: 'runtime.v1.RuntimeService/RunPodSandbox', service: 'crio', kind: 'SERVER', startMs: 11, durationMs: 19 }));
    w.end();
    const doc = JSON.parse(text) as { displayTimeUnit: string; traceEvents: Record<string, unknown>[] };
    assert.equal(doc.displayTimeUnit, 'ms');
    const meta = doc.traceEvents.filter((e) => e.ph === 'M');
    assert.deepEqual(meta.filter((e) => e.name === 'process_name').map((e) => (e.args as { name: string }).name), ['kubelet', 'crio']);
    const complete = doc.traceEvents.filter((e) => e.ph === 'X');
    assert.equal(complete.length, 3);
    const [root, client, server] = complete;
    assert.equal(root!.name, 'syncPod');
    assert.equal(root!.dur, 100_000);
    assert.equal((client!.ts as number) - (root!.ts as number), 10_500);
    assert.equal(client!.dur, 20_250);
    assert.equal(client!.pid, root!.pid);
    assert.equal(client!.tid, root!.tid);
    assert.notEqual(server!.pid, client!.pid);
    assert.equal((client!.args as Record<string, string>).parentSpanId, 'a1');
    assert.equal((root!.args as Record<string, string>)['k8s.pod'], 'default/web');
    assert.equal(w.eventCount, doc.traceEvents.length);
  });
});
