// Finding Debian's chromium for the browser tests. CI machines may lack it: the tests then skip, saying how to
// get it. No browser is ever downloaded (playwright-core ships none).
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'] as const;

/** CHROMIUM_PATH if set, else the first browser found in the usual places, else undefined. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env.CHROMIUM_PATH;
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

export const NO_CHROMIUM_MESSAGE =
  'no chromium found (looked at CHROMIUM_PATH and /usr/bin/chromium, chromium-browser, google-chrome): install it with `apt-get install -y chromium` (Debian) or set CHROMIUM_PATH to run this browser test';
