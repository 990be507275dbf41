/**
 * Reads the summaries kubelet-sim and runtime-sim print when a fleet stops (node/kubelet-fleet.ts,
 * node/runtime-fleet.ts): one `node=<name> key=value ...` line per node and one `fleet ...` line per process.
 */
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
