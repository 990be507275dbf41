/** The span counters each sim prints when it exits (kubelet-sim/src/main.ts, runtime-sim/src/main.ts). */
export interface ExitCounts {
  /** Spans in export requests the collector accepted. */
  exported: number;
  /** Spans in export requests that failed. */
  lost: number;
  /** Spans the batch processor dropped because its queue was full. */
  dropped: number;
}

/** Single node (kubelet-sim/src/main.ts, runtime-sim/src/main.ts) and fleet (node/kubelet-fleet.ts, node/runtime-fleet.ts). */
const EXIT_LINE_PREFIX = {
  kubelet: 'kubelet-sim: syncPod=',
  runtime: 'runtime-sim: spansExported=',
  'kubelet-fleet': 'kubelet-sim: fleet nodes=',
  'runtime-fleet': 'runtime-sim: fleet nodes=',
} as const;

/**
 * The counters of a process's exit line in the shared log, or undefined if it ran untraced (`tracing=off`, or
 * runtime-sim without tracing prints none). Throws if a traced process left no exit line.
 */
export function exitCounts(log: string, process: keyof typeof EXIT_LINE_PREFIX, traced: boolean): ExitCounts | undefined {
  const line = log.split('\n').reverse().find((l) => l.startsWith(EXIT_LINE_PREFIX[process]));
  if (!traced) return undefined;
  if (line === undefined || !line.includes('spansExported=')) {
    throw new Error(`${process.startsWith('kubelet') ? 'kubelet-sim' : 'runtime-sim'}${process.endsWith('fleet') ? ' --nodes' : ''} left no exit line with spansExported= (did it crash or get killed?); its last lines:\n${log}`);
  }
  const count = (name: string): number => {
    const m = new RegExp(`\\b${name}=(\\d+)`).exec(line);
    if (!m) throw new Error(`${process}-sim exit line has no ${name}=: ${line}`);
    return Number(m[1]);
  };
  return { exported: count('spansExported'), lost: count('spansLost'), dropped: count('spansDropped') };
}
