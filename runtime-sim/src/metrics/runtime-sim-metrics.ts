import { Registry } from 'prom-client';
import type { ProcessTracing } from '../../../cri-proto/src/tracing/process-tracing';
import { registerSpanPipelineMetrics, spanPipelineCounts } from '../../../cri-proto/src/tracing/span-pipeline-metrics';
import type { MetricsEndpoint } from './metrics-endpoint';
import { startMetricsServer, type RunningMetricsServer } from './metrics-server';

/** Prefix of runtime-sim's own metrics: they are the emulator's, not CRI-O's or containerd's. */
export const RUNTIME_SIM_METRIC_PREFIX = 'runtime_sim';

/**
 * runtime-sim's metrics server where its persona serves metrics: the span pipeline's counters (spans ended,
 * exported ok / failed, dropped by the full batch queue, the queue's size and capacity), read at each scrape;
 * all zero with tracing off. CRI-O's and containerd's own metrics (operations, latencies) are not modelled.
 */
export function startRuntimeSimMetrics(endpoint: MetricsEndpoint, tracing: ProcessTracing | undefined): Promise<RunningMetricsServer> {
  const registry = new Registry();
  registerSpanPipelineMetrics(registry, RUNTIME_SIM_METRIC_PREFIX, 'runtime-sim', () => spanPipelineCounts(tracing));
  return startMetricsServer(endpoint, registry);
}
