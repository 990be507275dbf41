/**
 * The measured fleet (./fleet-check-run.ts) beside what ./fleet-extrapolation.ts predicts for the same number
 * of nodes at the same per-node churn, from the single-node runs of the same setting. Target: within ±15%.
 */
import { extrapolateFleet } from './fleet-extrapolation';
import type { FleetCheckResult } from './fleet-check-run';
import type { SettingSummary } from './run-summary';
import { mdTable } from './render-sampling-report';

export const FLEET_CHECK_TOLERANCE = 0.15;

export interface FleetComparison {
  measured: FleetCheckResult;
  extrapolated: { spansPerSecond: number; protobufBytesPerSecond: number; gzipBytesPerSecond: number };
  /** measured / extrapolated. */
  ratios: { spans: number; bytes: number; gzip: number };
  withinTolerance: boolean;
}

export function compareFleet(measured: FleetCheckResult, summaries: readonly SettingSummary[], perNodeChurn: number): FleetComparison | undefined {
  const single = summaries.find((s) => s.setting.id === measured.settingId);
  const full = summaries.find((s) => s.setting.series === single?.setting.series && s.setting.kubeletRate === 1_000_000);
  if (!single) return undefined;
  const row = extrapolateFleet({ nodes: measured.nodes, podChurnPerSecond: measured.nodes * perNodeChurn, label: `${measured.nodes} nodes` }, single, full);
  const extrapolated = { spansPerSecond: row.spansPerSecond, protobufBytesPerSecond: row.protobufMBPerSecond * 1e6, gzipBytesPerSecond: row.gzipMBPerSecond * 1e6 };
  const ratios = {
    spans: measured.spansPerSecond / extrapolated.spansPerSecond,
    bytes: measured.protobufBytesPerSecond / extrapolated.protobufBytesPerSecond,
    gzip: measured.gzipBytesPerSecond / extrapolated.gzipBytesPerSecond,
  };
  const within = (r: number): boolean => Math.abs(r - 1) <= FLEET_CHECK_TOLERANCE;
  return { measured, extrapolated, ratios, withinTolerance: within(ratios.spans) && within(ratios.bytes) };
}

export function renderFleetCheck(c: FleetComparison, machineCores: number): string {
  const m = c.measured;
  const verdict = c.withinTolerance ? `within ±${FLEET_CHECK_TOLERANCE * 100}%` : `**outside ±${FLEET_CHECK_TOLERANCE * 100}%**`;
  return [
    `### Fleet check: ${m.nodes} nodes measured (kubelet-sim and runtime-sim --nodes ${m.nodes}, same churn per node, ${m.settingId}, ${m.windowSeconds.toFixed(0)} s window) against the extrapolation`,
    '',
    mdTable(
      ['', 'spans/s', 'KB/s protobuf', 'KB/s gzip'],
      [
        ['measured', m.spansPerSecond.toFixed(1), (m.protobufBytesPerSecond / 1000).toFixed(2), (m.gzipBytesPerSecond / 1000).toFixed(2)],
        ['extrapolated from one node', c.extrapolated.spansPerSecond.toFixed(1), (c.extrapolated.protobufBytesPerSecond / 1000).toFixed(2), (c.extrapolated.gzipBytesPerSecond / 1000).toFixed(2)],
        ['measured / extrapolated', c.ratios.spans.toFixed(3), c.ratios.bytes.toFixed(3), c.ratios.gzip.toFixed(3)],
      ],
    ),
    '',
    `Spans/s and protobuf bytes/s ${verdict}. The fleet's two processes used ${m.cores.toFixed(2)} of the machine's ${machineCores} cores in the window` +
      (m.cores > machineCores * 0.8 ? ': CPU-bound, so its nodes ran behind their loops and churn and sent less than the extrapolation.' : '.') +
      ` Exported (fleet exit lines): kubelet ${m.exit.kubelet?.exported ?? 'untraced'}, runtime ${m.exit.runtime?.exported ?? 'untraced'} (dropped ${(m.exit.kubelet?.dropped ?? 0) + (m.exit.runtime?.dropped ?? 0)}, failed ${(m.exit.kubelet?.lost ?? 0) + (m.exit.runtime?.lost ?? 0)}); received ${m.received}.`,
  ].join('\n') + '\n';
}
