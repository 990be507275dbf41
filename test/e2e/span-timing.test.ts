/**
 * Span timing over a whole simulated node run: every span has nanosecond-resolution timestamps from one
 * clock per process (cri-proto/src/tracing/span-clock.ts), children lie inside their parents (kubelet CLIENT
 * → runtime SERVER across processes, and the runtime's INTERNAL layers), and the kubelet's sequential CRI
 * calls under one syncPod do not overlap.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { runSimulatedNode, type SimulatedNodeRun } from '../helpers/simulated-node';

const NS_PER_MS = 1_000_000n;

for (const persona of ['crio', 'containerd'] as const) {
  describe(`span timing on a simulated node (${persona})`, () => {
    let run: SimulatedNodeRun;
    let spans: FlatSpan[];
    const start = (s: FlatSpan): bigint => BigInt(s.startTimeUnixNano);
    const end = (s: FlatSpan): bigint => BigInt(s.endTimeUnixNano);

    before(async () => {
      run = await runSimulatedNode({ kubeletSamplingRatePerMillion: 1_000_000, persona, durationMs: 7_000 });
      spans = run.sink.index.spans();
    });
    after(async () => run?.cleanup());

    it('stamps spans with sub-millisecond precision, not on whole milliseconds', () => {
      assert.ok(spans.length > 100, `only ${spans.length} spans`);
      const stamps = spans.flatMap((s) => [start(s), end(s)]);
      const whole = stamps.filter((t) => t % NS_PER_MS === 0n).length;
      // By chance one stamp in a million falls on a whole millisecond; allow a handful.
      assert.ok(whole <= Math.max(2, stamps.length / 1000), `${whole} of ${stamps.length} timestamps are whole milliseconds`);
    });

    it('keeps every child inside its parent, across processes too', () => {
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const outside: string[] = [];
      let checked = 0;
      for (const child of spans) {
        const parent = byId.get(child.parentSpanId);
        if (parent === undefined) continue;
        checked++;
        if (start(child) < start(parent) || end(child) > end(parent)) {
          outside.push(`${child.service} ${child.name} [${start(child) - start(parent)} ns after start, ${end(parent) - end(child)} ns before end] under ${parent.service} ${parent.name}`);
        }
      }
      assert.ok(checked > 100, `only ${checked} parent links`);
      assert.deepEqual(outside.slice(0, 10), [], `${outside.length} of ${checked} children lie outside their parent`);
    });

    it('exports OTLP span flags as otel-go does: 256, or 768 under a remote parent (no trace-flag bits)', () => {
      const flags = new Set<number>();
      for (const line of readFileSync(join(run.workDir, 'spans.jsonl'), 'utf8').split('\n').filter((l) => l !== '')) {
        for (const rs of JSON.parse(line).resourceSpans) for (const ss of rs.scopeSpans) for (const span of ss.spans) flags.add(span.flags ?? 0);
      }
      assert.deepEqual([...flags].sort(), [256, 768]);
    });

    it("does not overlap the kubelet's sequential CRI calls under a create syncPod", () => {
      const roots = spans.filter((s) => s.name === 'syncPod' && s.attributes['k8s.pod.update_type'] === 'create');
      assert.ok(roots.length >= 3);
      for (const root of roots) {
        const calls = spans.filter((s) => s.parentSpanId === root.spanId && s.kind === 'CLIENT').sort((a, b) => (start(a) < start(b) ? -1 : 1));
        for (let i = 1; i < calls.length; i++) {
          assert.ok(start(calls[i]!) >= end(calls[i - 1]!), `${calls[i]!.name} starts before ${calls[i - 1]!.name} ends`);
        }
      }
    });
  });
}
