/**
 * The machine probe's process (./machine-probe.ts): every interval it does the same fixed piece of work and
 * prints the CPU time it took, `probe <µs>`, until its stdin closes. The work is a small mix of what the sims
 * spend their CPU on: objects and maps, JSON, strings, buffers and a hash.
 */
import { createHash } from 'node:crypto';

const INTERVAL_MS = Number(process.argv[2] ?? 1000);
const PAYLOAD = Buffer.alloc(32 * 1024, 7);

/** One unit of reference work; returns something derived from all of it so no part can be skipped. */
export function referenceWork(): number {
  const byId = new Map<string, { id: string; labels: Record<string, string>; restarts: number }>();
  for (let i = 0; i < 2_000; i++) {
    const id = `pod-${i.toString(16)}`;
    byId.set(id, { id, labels: { app: `web-${i % 7}`, tier: i % 2 === 0 ? 'front' : 'back' }, restarts: i % 5 });
  }
  let restarts = 0;
  for (let i = 0; i < 2_000; i += 3) restarts += byId.get(`pod-${i.toString(16)}`)?.restarts ?? 0;
  const text = JSON.stringify([...byId.values()]);
  const parsed = JSON.parse(text) as unknown[];
  const hash = createHash('sha256').update(PAYLOAD).update(text).digest();
  return restarts + parsed.length + (hash[0] ?? 0);
}

function sample(): void {
  const before = process.cpuUsage();
  const sink = referenceWork();
  const used = process.cpuUsage(before);
  process.stdout.write(`probe ${used.user + used.system} ${sink}\n`);
}

if (require.main === module) {
  const timer = setInterval(sample, INTERVAL_MS);
  process.stdin.resume();
  process.stdin.on('end', () => clearInterval(timer));
  process.stdin.on('close', () => clearInterval(timer));
}
