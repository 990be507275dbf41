import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One example in a command's --help: what it does, then the command, one line per element. */
export interface CliExample {
  what: string;
  lines: readonly string[];
}

/** Longest example line: yargs wraps help text at 80 columns and would split a longer command. */
export const MAX_EXAMPLE_LINE = 78;

/**
 * The `Examples:` section of a --help, as an epilogue: a comment line, then the command as it is typed, long
 * ones split with `\` so that they stay copy-pasteable (yargs' own `.example()` puts command and description
 * side by side and breaks long commands mid-way).
 */
export function examplesEpilogue(examples: readonly CliExample[], footer?: string): string {
  const blocks = examples.map((e) => [`  # ${e.what}`, ...e.lines.map((line, i) => (i === 0 ? `  ${line}` : `      ${line}`))].join('\n'));
  return ['Examples:', blocks.join('\n\n'), ...(footer === undefined ? [] : ['', footer])].join('\n');
}

const PACKAGE_NAME = 'kubelet-cri-tracing-emulator';

/** The project's version from its package.json, found by walking up from the compiled file. */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // not ours; keep walking
      }
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

/** `--version` output: `<command> <version> (<what it plays>)`. */
export function versionText(command: string, plays: string): string {
  return `${command} ${packageVersion()} (${PACKAGE_NAME}; ${plays})`;
}
