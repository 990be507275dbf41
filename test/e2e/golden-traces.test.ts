import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { runSimulatedNode } from '../helpers/simulated-node';
import type { SimulatedNodeRun } from '../helpers/simulated-node';
import { assertMatchesGolden, renderSpanShape, subtreeOf } from '../helpers/span-shape';

/*
 * Golden trace shapes (test/fixtures/golden-traces/*.txt) from one run of the real processes: runtime-sim
 * (crio persona), kubelet-sim and the trace sink. After an intended change of span shapes, regenerate with
 *   npm run build && UPDATE_GOLDEN=1 node --test --test-concurrency=1 dist/test/e2e/golden-traces.test.js
 * and review the fixture diff.
 *
 * The scenario is laid out so that every selected trace has one possible shape:
 *  - each pod uses images no other pod uses, so each pull happens exactly once, in that pod's create syncPod;
 *  - `crasher` exits after CRASH_AFTER: the first crash restarts at once (no back-off entry yet); its second
 *    crash would come after the run ends, so it never has two dead containers and container GC
 *    (maxPerPodContainer 1) never removes one of its containers;
 *  - `victim` (long-running) loses its manifest at VICTIM_DELETE_AFTER_MS, well before crasher's first crash:
 *    syncTerminatingPod stops it, and the next container GC pass removes its container and sandbox (the only
 *    pass that removes anything);
 *  - the image filesystem is sized so usage stays above imageGCHighThresholdPercent (85) until victim's redis
 *    image becomes unused; removing that one image brings usage under the threshold, so exactly one image GC
 *    pass removes exactly one image. imageMinimumGCAge 3s keeps a just-pulled image from being a candidate.
 */

const NODE = 'e2e-node';
/** kubelet-sim --duration, counted from the kubelet's start. */
const RUN_DURATION_MS = 17_000;
/**
 * Counted from process spawn, not from the kubelet's start: on a loaded machine loading the sims takes
 * seconds, so this leaves the kubelet time to start victim before its manifest goes.
 */
const VICTIM_DELETE_AFTER_MS = 7_000;
/** Crasher crashes once in the run (about 9.5 s after the kubelet starts, restarted at once); its second crash (about 19 s) comes after the run. */
const CRASH_AFTER = '9s';
/** Images here (seed 1): pause 0.3 MB + busybox ~2 MB + nginx ~72 MB + alpine ~4 MB + redis ~46 MB. */
const IMAGE_FS_CAPACITY_BYTES = 130_000_000;

const POD_MANIFESTS: Record<string, string> = {
  'web.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
  annotations:
    sim.cri.io/exit-after.init-config: "1s"
spec:
  initContainers:
    - name: init-config
      image: docker.io/library/busybox:1.36
  containers:
    - name: nginx
      image: docker.io/library/nginx:1.27
`,
  'crasher.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: crasher
  namespace: default
  annotations:
    sim.cri.io/exit-after: "${CRASH_AFTER}"
    sim.cri.io/exit-code: "1"
spec:
  restartPolicy: Always
  containers:
    - name: worker
      image: docker.io/library/alpine:3.20
`,
  'victim.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: victim
  namespace: default
spec:
  terminationGracePeriodSeconds: 5
  containers:
    - name: redis
      image: docker.io/library/redis:7.4
`,
};

const RPC = {
  START_CONTAINER: 'runtime.v1.RuntimeService/StartContainer',
  REMOVE_CONTAINER: 'runtime.v1.RuntimeService/RemoveContainer',
  REMOVE_POD_SANDBOX: 'runtime.v1.RuntimeService/RemovePodSandbox',
  REMOVE_IMAGE: 'runtime.v1.ImageService/RemoveImage',
} as const;

describe('golden trace shapes of a simulated node (runtime-sim crio + kubelet-sim)', () => {
  let run: SimulatedNodeRun;
  let spans: FlatSpan[];

  const roots = (name: string, pod?: string): FlatSpan[] =>
    spans
      .filter((s) => s.name === name && s.service === 'kubelet' && s.parentSpanId === '' && (pod === undefined || s.attributes['k8s.pod.name'] === `${pod}-${NODE}`))
      .sort((a, b) => a.startTimeMs - b.startTimeMs);
  const hasClientChild = (parent: FlatSpan, rpc: string): boolean =>
    spans.some((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId && s.kind === 'CLIENT' && s.name === rpc);
  const shapeOf = (...selected: FlatSpan[]): string => renderSpanShape(selected.flatMap((root) => subtreeOf(spans, root)));
  const only = (found: FlatSpan[], what: string): FlatSpan => {
    assert.equal(found.length, 1, `expected exactly one ${what}, found ${found.length}; log:\n${readFileSync(run.logPath, 'utf8')}`);
    return found[0];
  };

  before(async () => {
    run = await runSimulatedNode({
      kubeletSamplingRatePerMillion: 1_000_000,
      durationMs: RUN_DURATION_MS,
      podManifests: POD_MANIFESTS,
      removeManifest: { file: 'victim.yaml', afterMs: VICTIM_DELETE_AFTER_MS },
      extraKubeletConfigLines: ['imageMinimumGCAge: 3s'],
      extraKubeletArgs: ['--container-gc-period', '2s', '--image-gc-period', '3s', '--image-fs-capacity-bytes', String(IMAGE_FS_CAPACITY_BYTES)],
    });
    spans = run.sink.index.spans();
  });
  after(async () => run?.cleanup());

  it('runs both processes to a clean exit', () => {
    assert.equal(run.kubeletExit, 0, readFileSync(run.logPath, 'utf8'));
    assert.equal(run.runtimeExit, 0, readFileSync(run.logPath, 'utf8'));
  });

  it('startup: the create syncPod of a pod with an init container', () => {
    const root = only(roots('syncPod', 'web').filter((s) => s.attributes['k8s.pod.update_type'] === 'create'), 'create syncPod for web');
    assertMatchesGolden('startup', shapeOf(root));
  });

  it('restart: the first sync syncPod that starts the crashed container again', () => {
    const restarts = roots('syncPod', 'crasher').filter((s) => s.attributes['k8s.pod.update_type'] === 'sync' && hasClientChild(s, RPC.START_CONTAINER));
    assert.ok(restarts.length > 0, `no sync syncPod restarting crasher; log:\n${readFileSync(run.logPath, 'utf8')}`);
    assertMatchesGolden('restart', shapeOf(restarts[0]));
  });

  it('termination: syncTerminatingPod then syncTerminatedPod after the manifest is deleted', () => {
    const terminating = only(roots('syncTerminatingPod', 'victim'), 'syncTerminatingPod for victim');
    const terminated = only(roots('syncTerminatedPod', 'victim'), 'syncTerminatedPod for victim');
    assert.ok(terminated.startTimeMs >= terminating.startTimeMs, 'syncTerminatedPod started before syncTerminatingPod');
    assertMatchesGolden('termination', shapeOf(terminating, terminated));
  });

  it('container GC: the pass that removes the terminated pod\'s container and sandbox', () => {
    const pass = only(roots('Containers/GarbageCollect').filter((s) => hasClientChild(s, RPC.REMOVE_POD_SANDBOX)), 'Containers/GarbageCollect with RemovePodSandbox');
    // The scenario promises one removing pass; another one means its timing assumptions broke.
    only(roots('Containers/GarbageCollect').filter((s) => hasClientChild(s, RPC.REMOVE_CONTAINER)), 'Containers/GarbageCollect with RemoveContainer');
    assertMatchesGolden('container-gc', shapeOf(pass));
  });

  it('image GC: the pass that removes the unused image', () => {
    const pass = only(roots('Images/GarbageCollect').filter((s) => hasClientChild(s, RPC.REMOVE_IMAGE)), 'Images/GarbageCollect with RemoveImage');
    assertMatchesGolden('image-gc', shapeOf(pass));
  });
});
