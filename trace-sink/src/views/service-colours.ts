/**
 * A stable colour per service: services sorted by name take the palette in turn, so kubelet and the runtime
 * keep their colours between views of the same file. Red is left for errors.
 */
const ANSI_PALETTE = ['36', '35', '33', '32', '34', '96', '95', '93'] as const;
export const HTML_PALETTE = ['#3b82c4', '#c2410c', '#15803d', '#7c3aed', '#0e7490', '#a16207', '#be185d', '#4d7c0f'] as const;

export const ANSI = { RED: '31', DIM: '2', BOLD: '1' } as const;

export function serviceColourIndex(services: readonly string[]): Map<string, number> {
  return new Map([...new Set(services)].sort().map((s, i) => [s, i]));
}

export function ansiServiceColour(index: number): string {
  return ANSI_PALETTE[index % ANSI_PALETTE.length]!;
}

export function htmlServiceColour(index: number): string {
  return HTML_PALETTE[index % HTML_PALETTE.length]!;
}

/** Wraps text in an SGR sequence when `enabled`. */
export function paint(text: string, sgr: string, enabled: boolean): string {
  return enabled ? `\u001b[${sgr}m${text}\u001b[0m` : text;
}

/**
 * Whether to colour a stream: a TTY, unless NO_COLOR is set (no-color.org); FORCE_COLOR=1 colours a pipe too
 * (as Node's own util.inspect and most CLIs read it).
 */
export function shouldColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
