import { formatMs } from '../format-ms';
import { renderTextTable } from '../text-table';
import { BREAKDOWN_PARTS } from './startup-breakdown';
import { STARTUP_PERCENTILES, type StartupReport } from './startup-stats';

/**
 * `traces startup` as text: a row per pod with its total and breakdown, the percentiles across complete pods,
 * and the slowest pods with where their time went.
 */
export function renderStartupReport(report: StartupReport): string {
  if (report.pods.length === 0) return 'No pod startups: no syncPod span with k8s.pod attributes was found.';
  const headers = ['POD', 'NODE', 'TOTAL', ...BREAKDOWN_PARTS.map((p) => p.label.toUpperCase()), 'CONTAINERS'];
  const right = [false, false, true, ...BREAKDOWN_PARTS.map(() => true), false];
  const podRows = report.pods.map((p) => [
    p.pod,
    p.node ?? '-',
    p.complete ? formatMs(p.totalMs) : 'not started',
    ...BREAKDOWN_PARTS.map((part) => formatMs(p.breakdown[part.key])),
    p.containers.join(',') || '-',
  ]);
  const sections = [`Pod startup: first syncPod to all containers started (${report.completePods} pods${report.incompletePods > 0 ? `, ${report.incompletePods} with no container started` : ''})`, '', renderTextTable(headers, podRows, right)];
  if (report.completePods > 0) {
    const pHeaders = ['', ...STARTUP_PERCENTILES.map((p) => `P${p}`), 'MAX'];
    const pRows = report.percentiles.map((r) => [r.label, ...STARTUP_PERCENTILES.map((p) => formatMs(r.values[`p${p}`] ?? 0)), formatMs(r.max)]);
    sections.push('', `Across ${report.completePods} pods:`, '', renderTextTable(pHeaders, pRows, pHeaders.map((_, i) => i > 0)));
    sections.push('', 'Slowest:');
    for (const pod of report.slowest) {
      const parts = BREAKDOWN_PARTS.map((part) => ({ label: part.label, ms: pod.breakdown[part.key] }))
        .filter((p) => p.ms > 0)
        .sort((a, b) => b.ms - a.ms)
        .map((p) => `${p.label} ${formatMs(p.ms)} (${Math.round((p.ms / Math.max(pod.totalMs, 1e-9)) * 100)}%)`);
      sections.push(`  ${pod.pod} ${formatMs(pod.totalMs)}: ${parts.join(', ')}; trace ${pod.traceIds[0] ?? '-'}`);
    }
  }
  return sections.join('\n');
}
