/**
 * Command-line hygiene shared by the four commands, on top of yargs.
 */

/**
 * yargs reads `--duration -5s` as the short flags `-5` and `-s` ("Unknown arguments: 5, s"). A value that
 * starts with a minus and a digit is glued to the long flag before it (`--duration=-5s`), so the flag's own
 * check reports it ("must be greater than 0"). None of our commands has a digit short flag.
 */
export function attachNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    const next = argv[i + 1];
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (/^--[a-z][a-z0-9-]*$/.test(token) && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${token}=${next}`);
      i++;
    } else {
      out.push(token);
    }
  }
  return out;
}

/**
 * yargs turns a repeated flag into an array, which reaches code expecting a string (`text.trim is not a
 * function`). None of our flags is a list, so a repeat is refused with the values given. Returns the message,
 * or undefined when every flag was given at most once.
 */
export function repeatedFlagMessage(parsed: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(parsed)) {
    // yargs also keeps a camelCase twin of each kebab-case flag; report the flag as typed.
    if (key === '_' || key === '$0' || /[A-Z]/.test(key) || !Array.isArray(value)) continue;
    const values = value.map((v) => JSON.stringify(String(v))).join(', ');
    return `flag --${key} was given ${value.length} times (${values}): give it once`;
  }
  return undefined;
}
