/**
 * `npm run bench` (second part): the traces command over a file of a million spans, each subcommand in its own
 * process, reporting wall time and peak RSS (getrusage ru_maxrss through process.resourceUsage(), read at exit
 * by a preloaded reporter). The file is synthetic-node-traces.ts's, with malformed lines mixed in, which every
 * command must report and skip. BENCH_TRACE_SPANS sets the size (default 1,000,000).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderTable } from './bench-stats';
import { writeSyntheticNodeTraces } from './synthetic-node-traces';

const DIST = resolve(__dirname, '..', '..');
const TRACES = join(DIST, 'trace-sink/src/traces-main.js');
const MALFORMED_LINES = 25;

async function main(): Promise<void> {
  const spans = Number(process.env.BENCH_TRACE_SPANS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'traces-bench-'));
  try {
    const file = join(dir, 'spans.jsonl');
    const reporter = join(dir, 'peak-rss.js');
    writeFileSync(reporter, "process.on('exit', () => process.stderr.write(`PEAK_RSS_KB=${process.resourceUsage().maxRSS}\\n`));\n");
    const t0 = Date.now();
    const written = await writeSyntheticNodeTraces(file, spans, MALFORMED_LINES);
    const mb = statSync(file).size / 1e6;
    console.log(`traces bench: ${written} spans, ${MALFORMED_LINES} malformed lines, ${mb.toFixed(0)} MB, written in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const runs: [string, string[]][] = [
      ['list --sort duration', ['list', '-f', file, '--sort', 'duration', '--limit', '10']],
      ['list --pod default/app-7', ['list', '-f', file, '--pod', 'default/app-7']],
      ['show default/app-7', ['show', 'default/app-7', '-f', file]],
      ['startup --json', ['startup', '-f', file, '--json']],
      ['report (200 traces)', ['report', '-f', file, '--out', join(dir, 'report.html')]],
      ['export --format chrome', ['export', '--format', 'chrome', '-f', file, '--out', join(dir, 'chrome.json')]],
    ];
    const rows: string[][] = [];
    for (const [label, args] of runs) {
      const started = Date.now();
      const r = spawnSync(process.execPath, ['--require', reporter, TRACES, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1' } });
      const seconds = (Date.now() - started) / 1000;
      if (r.status !== 0) throw new Error(`traces ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
      const peak = Number(/PEAK_RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
      const skipped = (r.stderr.match(/skipped: /g) ?? []).length + Number(/(\d+) more malformed lines skipped/.exec(r.stderr)?.[1] ?? 0);
      rows.push([label, seconds.toFixed(1), peak.toFixed(0), String(skipped)]);
      console.log(`  ${label}: ${seconds.toFixed(1)} s, peak RSS ${peak.toFixed(0)} MiB, ${skipped} malformed lines reported`);
    }
    console.log(`\n${renderTable(['traces command', 'wall s', 'peak RSS MiB', 'malformed reported'], rows)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
