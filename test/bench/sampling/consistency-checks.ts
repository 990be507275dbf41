/** What must hold between the figures of a benchmark run, whatever the machine: the smoke test asserts these. */
import { binomialBounds } from './binomial-bounds';
import type { NodeRunResult } from './node-run';
import type { SamplingSetting } from './sampling-settings';

export interface CheckResult {
  check: string;
  ok: boolean;
  detail: string;
}

/** One-sided tail of the binomial check: a false alarm once in 20,000 honest runs. */
const BINOMIAL_TAIL = 5e-5;

export function consistencyChecks(runs: ReadonlyArray<{ setting: SamplingSetting; result: NodeRunResult }>): CheckResult[] {
  const out: CheckResult[] = [];
  for (const { setting, result } of runs) {
    if (result.external) {
      // The user's collector got the spans: all that can be checked here is that none was lost or dropped.
      for (const who of ['kubelet', 'runtime'] as const) {
        const e = result[who].exit;
        if (e !== undefined) out.push({ check: `${setting.id} ${who}: no export failures and no drops (to the user's collector)`, ok: e.lost === 0 && e.dropped === 0, detail: `exported ${e.exported}, failed ${e.lost}, dropped ${e.dropped}` });
      }
      continue;
    }
    for (const who of ['kubelet', 'runtime'] as const) {
      const p = result[who];
      if (p.exit === undefined) {
        out.push({ check: `${setting.id} ${who}: untraced, nothing received`, ok: p.received.spans === 0, detail: `received ${p.received.spans}` });
        continue;
      }
      out.push({ check: `${setting.id} ${who}: spans received = spans it reports exported`, ok: p.exit.exported === p.received.spans, detail: `exported ${p.exit.exported}, received ${p.received.spans}` });
    }
    // A low rate over a short run may sample nothing. The kubelet at 1,000,000 always samples; CRI-O at
    // 1,000,000 only when the kubelet sends no trace context (a traced kubelet's unsampled parent wins: ParentBased).
    const spans = result.kubelet.received.spans + result.runtime.received.spans;
    const mustSample = setting.kubeletRate === 1_000_000 || (setting.runtimeRate === 1_000_000 && setting.kubeletRate === undefined);
    const bytes = result.kubelet.received.bytes + result.runtime.received.bytes;
    const gzip = result.kubelet.received.gzipBytes + result.runtime.received.gzipBytes;
    if (mustSample || spans > 0) {
      out.push({ check: `${setting.id}: spans and bytes > 0 (protobuf and gzip)`, ok: spans > 0 && bytes > 0 && gzip > 0, detail: `${spans} spans, protobuf ${bytes} B, gzip ${gzip.toFixed(0)} B` });
    }
    if (setting.kubeletRate === 0) out.push({ check: `${setting.id}: 0 kubelet spans at rate 0`, ok: result.kubelet.received.spans === 0, detail: `kubelet spans ${result.kubelet.received.spans}` });
  }
  for (const series of new Set(runs.filter((r) => !r.result.external).map((r) => r.setting.series))) {
    const of = (rate: number) => runs.filter((r) => r.setting.series === series && r.setting.kubeletRate === rate).map((r) => r.result);
    const full = of(1_000_000);
    const partial = of(10_000);
    if (full.length === 0 || partial.length === 0) continue;
    // Every kubelet root span at 1,000,000 is one sampling decision; the 10,000 runs make about as many.
    const decisions = Math.round(full.reduce((n, r) => n + r.spans.kubeletRootSpans, 0) * (partial.length / full.length));
    const sampledRoots = partial.reduce((n, r) => n + r.spans.kubeletRootSpans, 0);
    const { low, high } = binomialBounds(decisions, 0.01, BINOMIAL_TAIL);
    out.push({
      check: `${series}: kubelet root traces sampled at 10000 within Binomial(${decisions}, 0.01) bounds [${low}, ${high}]`,
      ok: decisions > 0 && sampledRoots >= low && sampledRoots <= high,
      detail: `sampled ${sampledRoots} of about ${decisions} roots`,
    });
  }
  return out;
}
