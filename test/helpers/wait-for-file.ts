import { existsSync } from 'node:fs';

/** Resolves once `path` exists (e.g. a server's unix socket); rejects naming it after `timeoutMs`. */
export async function waitForFile(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
