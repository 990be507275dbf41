/**
 * The rounds behind the medians: each run's CPU per pod lifecycle for both processes, its ratio to the same
 * round's untraced run (rounds are interleaved, so a round shares the machine's mood of the moment), and the
 * machine probe's CPU for its fixed work in that run's window (./machine-probe.ts), and the median ratio once
 * more with each run's CPU divided by its probe (the machine's speed taken out). The closing line says how
 * far the machine explains the spread: the rank correlation, over all runs, between a run's CPU (against its
 * setting's median) and its probe (against the median probe).
 */
import { median } from '../bench-stats';
import type { NodeRunResult } from './node-run';
import { fixed, mdTable } from './render-sampling-report';
import type { SamplingSetting } from './sampling-settings';
import { BASELINE_ID } from './sampling-settings';

type Who = 'kubelet' | 'runtime';

export function renderRoundByRound(settings: readonly SamplingSetting[], runs: ReadonlyMap<string, readonly NodeRunResult[]>): string {
  const rounds = Math.max(0, ...settings.map((s) => runs.get(s.id)?.length ?? 0));
  if (rounds === 0) return '';
  const base = runs.get(BASELINE_ID) ?? [];
  const ms = (r: NodeRunResult, who: Who): number => r[who].cpuSecondsPerLifecycle * 1000;
  const ratio = (r: NodeRunResult, round: number, who: Who): number => {
    const off = base[round];
    return off === undefined ? Number.NaN : ms(r, who) / ms(off, who);
  };
  /** The same ratio with each run's CPU divided by its probe: what is left once the machine's speed is taken out. */
  const adjusted = (r: NodeRunResult, round: number, who: Who): number => {
    const off = base[round];
    return off === undefined ? Number.NaN : ratio(r, round, who) * (off.machineProbe.medianCpuMs / r.machineProbe.medianCpuMs);
  };
  const rows = settings.map((s) => {
    const list = runs.get(s.id) ?? [];
    const cells = Array.from({ length: rounds }, (_, i) => {
      const r = list[i];
      if (r === undefined) return '–';
      const cpu = `${fixed(ms(r, 'kubelet'), 1)} / ${fixed(ms(r, 'runtime'), 1)}`;
      const ratios = s.id === BASELINE_ID ? '' : `${fixed(ratio(r, i, 'kubelet'), 2)}× / ${fixed(ratio(r, i, 'runtime'), 2)}×; `;
      return `${cpu} (${ratios}probe ${fixed(r.machineProbe.medianCpuMs, 2)})`;
    });
    const medianOf = (of: typeof ratio, who: Who): string => (s.id === BASELINE_ID ? '1.00' : fixed(median(list.map((r, i) => of(r, i, who)).filter(Number.isFinite)), 2));
    return [s.id, ...cells, `${medianOf(ratio, 'kubelet')}× / ${medianOf(ratio, 'runtime')}×`, `${medianOf(adjusted, 'kubelet')}× / ${medianOf(adjusted, 'runtime')}×`];
  });
  const header = ['setting', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`), '×off, median of rounds', 'the same, CPU ÷ probe'];
  const all = settings.flatMap((s) => runs.get(s.id) ?? []);
  const probes = all.map((r) => r.machineProbe.medianCpuMs).filter(Number.isFinite);
  const probeLine = probes.length === 0
    ? 'Machine probe: no samples.'
    : `Machine probe (CPU ms for its fixed work, median per run): median ${fixed(median(probes), 2)}, ${fixed(Math.min(...probes), 2)}–${fixed(Math.max(...probes), 2)} over ${probes.length} runs. ` +
      `Rank correlation of a run's CPU per lifecycle (against its setting's median) with its probe (against the median probe): ` +
      `kubelet-sim ${fixed(machineCorrelation(settings, runs, 'kubelet'), 2)}, runtime-sim ${fixed(machineCorrelation(settings, runs, 'runtime'), 2)} ` +
      '(near 1: the spread is the machine; near 0: it is not).';
  return [
    '### Round by round (CPU ms per pod lifecycle, kubelet-sim / runtime-sim; in brackets ×off against the same round\'s untraced run, and the machine probe)',
    '',
    mdTable(header, rows),
    '',
    probeLine,
    '',
  ].join('\n');
}

/** Spearman's rank correlation between each run's CPU relative to its setting's median and its probe relative to the median probe. */
export function machineCorrelation(settings: readonly SamplingSetting[], runs: ReadonlyMap<string, readonly NodeRunResult[]>, who: Who): number {
  const all = settings.flatMap((s) => runs.get(s.id) ?? []);
  const probeMedian = median(all.map((r) => r.machineProbe.medianCpuMs).filter(Number.isFinite));
  const pairs: [number, number][] = [];
  for (const s of settings) {
    const list = runs.get(s.id) ?? [];
    const cpuMedian = median(list.map((r) => r[who].cpuSecondsPerLifecycle));
    for (const r of list) {
      const x = r[who].cpuSecondsPerLifecycle / cpuMedian;
      const y = r.machineProbe.medianCpuMs / probeMedian;
      if (Number.isFinite(x) && Number.isFinite(y)) pairs.push([x, y]);
    }
  }
  return spearman(pairs);
}

/** Spearman's rho (Pearson's r over the ranks, ties sharing their mean rank); NaN for fewer than 3 pairs or no spread. */
export function spearman(pairs: readonly (readonly [number, number])[]): number {
  if (pairs.length < 3) return Number.NaN;
  const rx = ranks(pairs.map((p) => p[0]));
  const ry = ranks(pairs.map((p) => p[1]));
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].v === order[start].v) end++;
    for (let k = start; k <= end; k++) out[order[k].i] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return out;
}
