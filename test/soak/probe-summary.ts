/**
 * `node dist/test/soak/probe-summary.js [--warm-up-share 0.25] FILE…`: summarises soak-probe files (./soak-probe.ts)
 * written by processes that were not started by node-soak.ts, e.g. a fleet run through the launcher with
 * `NODE_OPTIONS="--require $PWD/dist/test/soak/soak-probe.js" SOAK_PROBE_FILE=/tmp/fleet-probe-%p.jsonl`.
 * One markdown row per file: V8 heap used (after the warm-up share of the run → end) with its least-squares
 * growth per hour, and the range of live handles and timers keeping the loop alive.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { perHour } from './growth-per-hour';
import type { ProbeLine } from './soak-probe';

function summary(file: string, warmUpShare: number): string {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ProbeLine);
  const endMs = lines[lines.length - 1]?.atMs ?? 0;
  const steady = lines.filter((l) => l.atMs >= endMs * warmUpShare);
  if (steady.length === 0) return `| ${file} | no samples | | | | |`;
  const timers = steady.map((l) => l.resources.Timeout ?? 0);
  const handles = steady.map((l, i) => Object.values(l.resources).reduce((a, b) => a + b, 0) - (timers[i] as number));
  const first = steady[0] as ProbeLine;
  const last = steady[steady.length - 1] as ProbeLine;
  return `| ${file} | ${(endMs / 60_000).toFixed(1)} | ${first.heapUsedMiB.toFixed(1)} → ${last.heapUsedMiB.toFixed(1)} | ` +
    `${perHour(steady, (l) => l.heapUsedMiB).toFixed(1)} | ${Math.min(...handles)}–${Math.max(...handles)} | ${Math.min(...timers)}–${Math.max(...timers)} |`;
}

const args = yargs(process.argv.slice(2))
  .scriptName('probe-summary')
  .usage('$0 [--warm-up-share S] FILE…')
  .option('warm-up-share', { type: 'number', default: 0.25, describe: 'share of each run left out of the growth (start-up)' })
  .demandCommand(1, 'give the probe files to summarise')
  .strict()
  .parseSync();
const share = args['warm-up-share'];
if (!(share >= 0 && share < 1)) {
  process.stderr.write(`probe-summary: --warm-up-share ${share}: give 0 <= share < 1\n`);
  process.exit(2);
}
process.stdout.write([
  '| probe file | minutes | heap used MiB (after warm-up → end) | heap MiB/hour | live handles (min–max) | timers (min–max) |',
  '|---|---|---|---|---|---|',
  ...args._.map((f) => summary(String(f), share)),
  '',
].join('\n'));
