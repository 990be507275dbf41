/**
 * N plain pods starting at once on one real node: kubelet-sim (every span sampled) and runtime-sim (CRI-O,
 * following the kubelet) as child processes, N static pod manifests present before the kubelet starts, so
 * its first file-source listing hands them all to the pod workers together. Returns the spans the in-process
 * trace-sink received, for client-server-gap.ts.
 */
import { join } from 'node:path';
import type { FlatSpan } from '../../trace-sink/src';
import { runSimulatedNode } from '../helpers/simulated-node';

export interface PodBurstOptions {
  pods: number;
  /** kubelet-sim --duration, ms (the pods start in the first seconds; the rest is steady state). */
  durationMs: number;
  /** Directory for each process's event-loop delay report (./loop-delay-probe.ts); unset: no probe. */
  loopDelayDir?: string;
}

/** One nginx container per pod, as the demo's plain pods. */
function plainPodManifest(i: number): string {
  const name = `burst-${String(i).padStart(3, '0')}`;
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${name}`,
    '  namespace: default',
    '  labels:',
    `    app: ${name}`,
    'spec:',
    '  containers:',
    '    - name: web',
    '      image: docker.io/library/nginx:1.27',
    '',
  ].join('\n');
}

export async function runPodBurst(options: PodBurstOptions): Promise<FlatSpan[]> {
  const podManifests: Record<string, string> = {};
  for (let i = 0; i < options.pods; i++) podManifests[`burst-${i}.yaml`] = plainPodManifest(i);
  const processEnv = options.loopDelayDir === undefined
    ? undefined
    : { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'loop-delay-probe.js')}`.trim(), LOOP_DELAY_PROBE_DIR: options.loopDelayDir };
  const run = await runSimulatedNode({ kubeletSamplingRatePerMillion: 1_000_000, durationMs: options.durationMs, podManifests, processEnv });
  try {
    if (run.kubeletExit !== 0) throw new Error(`kubelet-sim exited ${run.kubeletExit} (log: ${run.logPath})`);
    return run.sink.index.spans();
  } finally {
    await run.cleanup();
  }
}
