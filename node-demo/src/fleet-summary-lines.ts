/**
 * Reads the summaries kubelet-sim and runtime-sim print when a fleet stops (node/kubelet-fleet.ts,
 * node/runtime-fleet.ts): one `node=<name> key=value ...` line per node and one `fleet ...` line per process.
 */
import { IntervalHistogram } from '../../kubelet-sim/src/node/interval-histogram';

export type SummaryFields = Record<string, string>;

export interface FleetSummaries {
  kubeletNodes: Map<string, SummaryFields>;
  runtimeNodes: Map<string, SummaryFields>;
  kubeletFleet: SummaryFields | undefined;
  runtimeFleet: SummaryFields | undefined;
}

export function parseFleetSummaries(log: string): FleetSummaries {
  const result: FleetSummaries = { kubeletNodes: new Map(), runtimeNodes: new Map(), kubeletFleet: undefined, runtimeFleet: undefined };
  for (const line of log.split('\n')) {
    const m = /^(kubelet-sim|runtime-sim): (node=\S+|fleet) (.*)$/.exec(line);
    if (m === null) continue;
    const fields = keyValues(m[3]);
    const kubelet = m[1] === 'kubelet-sim';
    if (m[2] === 'fleet') {
      if (kubelet) result.kubeletFleet = fields;
      else result.runtimeFleet = fields;
    } else {
      (kubelet ? result.kubeletNodes : result.runtimeNodes).set(m[2].slice('node='.length), fields);
    }
  }
  return result;
}

/** `a=1 b=2ms (errors 0) c=x` → { a: '1', b: '2ms', c: 'x' } (bare words and parentheses are skipped). */
export function keyValues(text: string): SummaryFields {
  const fields: SummaryFields = {};
  for (const match of text.matchAll(/([A-Za-z][\w.]*)=(\S+)/g)) fields[match[1]] = match[2];
  return fields;
}

/** Fleet-line fields that add up across shards. */
const SUMMED_FIELDS = ['nodes', 'pods', 'syncPod', 'syncTerminatingPod', 'plegEvents', 'spansExported', 'spansLost', 'spansDropped', 'unscopedSpans'];

/**
 * One fleet's summaries from its shards' (each a kubelet-sim and runtime-sim pair with its own nodes): the
 * nodes side by side, counts added, and the relist percentiles taken again from the merged histograms the
 * kubelet-sims print (`relistBuckets`, `steadyRelistBuckets`), since percentiles themselves do not add up.
 */
export function mergeFleetSummaries(shards: readonly FleetSummaries[]): FleetSummaries {
  if (shards.length === 1) return shards[0];
  const merged: FleetSummaries = { kubeletNodes: new Map(), runtimeNodes: new Map(), kubeletFleet: undefined, runtimeFleet: undefined };
  for (const shard of shards) {
    for (const [name, fields] of shard.kubeletNodes) merged.kubeletNodes.set(name, fields);
    for (const [name, fields] of shard.runtimeNodes) merged.runtimeNodes.set(name, fields);
  }
  merged.kubeletFleet = mergeFleetLines(shards.map((s) => s.kubeletFleet), true);
  merged.runtimeFleet = mergeFleetLines(shards.map((s) => s.runtimeFleet), false);
  return merged;
}

function mergeFleetLines(lines: readonly (SummaryFields | undefined)[], kubelet: boolean): SummaryFields | undefined {
  // A shard that did not print its line (killed) makes the totals unknown, not smaller.
  if (lines.some((line) => line === undefined)) return undefined;
  const all = lines as SummaryFields[];
  const fields: SummaryFields = {};
  for (const key of SUMMED_FIELDS) {
    const values = all.map((line) => line[key]);
    if (values.every((v) => v !== undefined && Number.isFinite(Number(v)))) fields[key] = String(values.reduce((sum, v) => sum + Number(v), 0));
  }
  if (all.some((line) => line.tracing === 'off')) fields.tracing = 'off';
  if (!kubelet) return fields;
  for (const prefix of ['relist', 'steadyRelist']) {
    const histograms = all.map((line) => IntervalHistogram.decode(line[`${prefix}Buckets`] ?? ''));
    if (histograms.some((h) => h === undefined)) continue;
    const total = new IntervalHistogram();
    for (const h of histograms) total.add(h!);
    fields[`${prefix}s`] = String(total.total);
    if (total.total === 0) continue;
    // The shards' exact maxima (a decoded histogram knows only its top bucket), which also bound the percentiles.
    const maxima = all.map((line) => parseInt(line[`${prefix}IntervalMax`] ?? '', 10)).filter((v) => Number.isFinite(v));
    const max = maxima.length === all.length ? Math.max(...maxima) : Number.POSITIVE_INFINITY;
    if (Number.isFinite(max)) fields[`${prefix}IntervalMax`] = `${max}ms`;
    fields[`${prefix}IntervalP50`] = `${Math.min(max, total.quantileMs(0.5)!)}ms`;
    fields[`${prefix}IntervalP99`] = `${Math.min(max, total.quantileMs(0.99)!)}ms`;
  }
  return fields;
}
