/**
 * What `npm test` runs after the build: every compiled `*.test.js` under dist/test with `node --test`, one
 * file at a time (the e2e files time real processes on a shared machine), and beside them, in a second
 * `node --test` process, the files named `*.long.test.js`: tests that wait for minutes by nature (the
 * kubelet's 3-minute PLEG threshold, its 5-minute sync loop check; collectors that stay away or stall for an
 * export timeout) while using little CPU, so they overlap the rest instead of adding to it. The long files'
 * report is printed once both are done; the exit status is the first non-zero one.
 *
 * Last comes a list of every failed test with its error block, because a CI log is often read only by its
 * tail, and a TAP report puts a failure wherever it happened among thousands of lines.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { failureReport } from './tap-failures';

const LONG_SUFFIX = '.long.test.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

/** Runs `node --test` on the files; `echo` passes its output through as it comes (and keeps a copy). */
function runNodeTest(files: string[], echo: boolean): Promise<{ code: number; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => {
      chunks.push(c);
      if (echo) process.stdout.write(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      chunks.push(c);
      if (echo) process.stderr.write(c);
    });
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), text: Buffer.concat(chunks).toString('utf8') }));
  });
}

async function main(): Promise<void> {
  const root = join(__dirname);
  const cwd = process.cwd();
  const files = testFiles(root).map((f) => relative(cwd, f)).sort();
  const long = files.filter((f) => f.endsWith(LONG_SUFFIX));
  const rest = files.filter((f) => !f.endsWith(LONG_SUFFIX));
  const longRun = long.length > 0 ? runNodeTest(long, false) : Promise.resolve({ code: 0, text: '' });
  const restRun = await runNodeTest(rest, true);
  const longResult = await longRun;
  if (long.length > 0) process.stdout.write(`\n# long-running files, run beside the others: ${long.join(' ')}\n${longResult.text}`);
  const report = failureReport([
    { lane: 'serial lane', text: restRun.text, code: restRun.code },
    { lane: 'long lane', text: longResult.text, code: longResult.code },
  ]);
  process.stdout.write(`\n${report}`);
  process.exitCode = restRun.code !== 0 ? restRun.code : longResult.code;
}

void main();
