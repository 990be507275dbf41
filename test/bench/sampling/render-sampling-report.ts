/** The benchmark's markdown report: cost per setting and process, latency, volume by span name, fleet. */
import { formatRatio } from '../bench-stats';
import type { FleetRow } from './fleet-extrapolation';
import type { LatencySummary, ProcessSummary, SettingSummary, Spread } from './run-summary';
import { BASELINE_ID, describeSetting } from './sampling-settings';
import type { NameVolume } from './span-figures';

export interface ReportContext {
  summaries: readonly SettingSummary[];
  fleet: readonly FleetRow[];
  /** One line about the run: machine, rounds, churn. */
  header: string;
  fleetAssumption: string;
}

export function renderSamplingReport(ctx: ReportContext): string {
  const base = ctx.summaries.find((s) => s.setting.id === BASELINE_ID);
  const external = ctx.summaries.some((s) => s.external);
  const out: string[] = [ctx.header, ''];
  if (external) {
    out.push('**Spans went to the collector given with `--endpoint`, not to the embedded receiver.** Spans/s below are each process\'s own export count (its exit line) over its whole life; bytes, latencies, volume by span name and the fleet extrapolation need the embedded receiver and are left out.', '');
  }
  out.push('### Cost per setting and process (medians over rounds, min–max in brackets; ×off against both processes untraced)', '');
  out.push(mdTable(
    ['setting', 'process', 'CPU ms / pod lifecycle', '×off', 'peak RSS MiB', 'spans/s', 'KB/s protobuf', 'KB/s gzip', 'exported / received', 'dropped', 'export failures'],
    ctx.summaries.flatMap((s) => (['kubelet', 'runtime'] as const).map((who) => processRow(s, who, s[who], base?.[who]))),
  ));
  if (external) return out.join('\n') + '\n';
  out.push('', '### Latency from the sampled spans (window; n = samples over all rounds; none when nothing is sampled)', '');
  out.push(mdTable(
    ['setting', 'syncPod p50 / p99 ms (n)', 'pod startup p50 / p99 ms (n)', 'CRI CLIENT p50 / p99 ms (n)'],
    ctx.summaries.map((s) => [s.setting.id, latencyCell(s.syncPod), latencyCell(s.podStartup), latencyCell(s.criClient)]),
  ));
  const full = ctx.summaries.find((s) => s.setting.id === 'follow/1000000');
  if (full) {
    out.push('', `### Volume per pod lifecycle at ${describeSetting(full.setting)} (pooled; bytes include each span's share of its request's envelope)`, '');
    out.push(volumeTable(full.perLifecycle, 'per lifecycle'));
    out.push('', '### Volume of the background loops per node-hour at the same setting', '');
    out.push(volumeTable(full.perNodeHour, 'per node-hour'));
  }
  if (ctx.fleet.length > 0) {
    out.push('', '### What the fleet sends its collector', '', ctx.fleetAssumption, '');
    out.push(mdTable(
      ['fleet', 'setting', 'spans/s', 'MB/s protobuf', 'MB/s gzip', 'GB/day gzip'],
      ctx.fleet.map((r) => [r.fleet.label, r.settingId, fixed(r.spansPerSecond, 0), fixed(r.protobufMBPerSecond, 3), fixed(r.gzipMBPerSecond, 3), fixed(r.gzipGBPerDay, 2)]),
    ));
  }
  return out.join('\n') + '\n';
}

function processRow(s: SettingSummary, who: 'kubelet' | 'runtime', p: ProcessSummary, base: ProcessSummary | undefined): string[] {
  const traced = p.exported !== undefined;
  return [
    s.setting.id,
    who === 'kubelet' ? 'kubelet-sim' : 'runtime-sim',
    spreadCell(p.cpuSecondsPerLifecycle, 1000, 2),
    base ? formatRatio(p.cpuSecondsPerLifecycle.median, base.cpuSecondsPerLifecycle.median) : 'n/a',
    spreadCell(p.peakRssMiB, 1, 0),
    fixed(p.spansPerSecond.median, 1),
    fixed(p.bytesPerSecond.median / 1000, 2),
    fixed(p.gzipBytesPerSecond.median / 1000, 2),
    s.external ? (traced ? `${p.exported} / (collector)` : 'untraced') : traced ? `${p.exported} / ${p.received}` : `untraced / ${p.received}`,
    traced ? String(p.dropped) : '',
    traced ? String(p.lost) : '',
  ];
}

function volumeTable(rows: readonly NameVolume[], unit: string): string {
  const total = rows.reduce((a, r) => ({ spans: a.spans + r.spans, bytes: a.bytes + r.bytes, gzip: a.gzip + r.gzipBytes }), { spans: 0, bytes: 0, gzip: 0 });
  return mdTable(
    ['service', 'span name', `spans ${unit}`, `bytes ${unit}`, `gzip bytes ${unit}`],
    [
      ...rows.map((r) => [r.service, r.name, fixed(r.spans, 2), fixed(r.bytes, 0), fixed(r.gzipBytes, 0)]),
      ['**all**', '', fixed(total.spans, 2), fixed(total.bytes, 0), fixed(total.gzip, 0)],
    ],
  );
}

function latencyCell(l: LatencySummary): string {
  if (l.samples === 0) return '–';
  return `${fixed(l.p50Ms.median, 2)} / ${fixed(l.p99Ms.median, 2)} (${l.samples})`;
}

function spreadCell(s: Spread, factor: number, digits: number): string {
  if (!Number.isFinite(s.median)) return 'n/a';
  return `${(s.median * factor).toFixed(digits)} (${(s.min * factor).toFixed(digits)}–${(s.max * factor).toFixed(digits)})`;
}

/** `n` with `digits` decimals, or "n/a" when it is not a finite number. */
export function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** A GitHub-flavoured markdown table; pipes in cells are escaped. */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
