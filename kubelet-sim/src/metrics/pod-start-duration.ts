import type { Pod } from '../container/pod';
import type { PodStatus } from '../container/pod-status';
import { CONFIG_ANNOTATION } from '../pod-sources/static-pod-source';
import type { PodPhase } from '../server/api-pod-status';
import { generatePodPhase } from '../server/api-pod-status';
import type { Clock } from '../util/clock';
import type { KubeletMetrics } from './kubelet-metrics';

/**
 * kubelet_pod_start_duration_seconds as kubelet.go SyncPod records it: the status is generated from the
 * cached runtime status at the start of each sync; the time since the pod was first seen
 * (`kubernetes.io/config.seen`) is observed when the status manager has no status for the pod yet (its
 * first sync) and again when the phase goes from Pending to Running. This class keeps the last phase per
 * pod in place of the status manager; `forget` drops it when the pod is terminated, so the map is bounded
 * by the pods the kubelet manages.
 * Deviation: a pod without a parseable config.seen is not observed (upstream would observe the time since
 * the zero time on its first sync).
 */
export class PodStartDurationRecorder {
  private readonly lastPhase = new Map<string, PodPhase>();

  constructor(private readonly metrics: KubeletMetrics, private readonly clock: Clock) {}

  observeSync(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata.uid;
    const phase = generatePodPhase(pod, status);
    const previous = this.lastPhase.get(uid);
    this.lastPhase.set(uid, phase);
    const firstSeenMs = Date.parse(pod.metadata.annotations[CONFIG_ANNOTATION.SEEN] ?? '');
    if (Number.isNaN(firstSeenMs)) return;
    if (previous === undefined || (previous === 'Pending' && phase === 'Running')) {
      this.metrics.podStartDuration.observe(Math.max(0, this.clock.nowMs() - firstSeenMs) / 1000);
    }
  }

  forget(uid: string): void {
    this.lastPhase.delete(uid);
  }
}
