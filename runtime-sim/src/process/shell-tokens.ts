/**
 * Shell words and operators of a container's script, tokenised by `shell-quote` (quoting, escapes,
 * `$VAR` / `${VAR...}` references, operators, comments).
 *
 * shell-quote drops the whitespace between tokens, newlines included, but a newline ends a command
 * in sh just as `;` does, and most multi-line manifests (`args: [ "|\n echo a\n sleep 1" ]`) rely
 * on it. So the script is cut into lines first and each line tokenised on its own, with a NEWLINE
 * token between them; a line that leaves a quote open or ends in a backslash continues on the next.
 * Comments are then per line, as in sh.
 *
 * Variable references become VAR_MARK-delimited names inside the word (`a${X:-d}b` becomes
 * `a\0X:-d\0b`) and are expanded when the command runs, so assignments made by the script itself
 * and loop variables are seen.
 */
import parse = require('shell-quote/parse');

/** Delimits a variable reference inside a word; no script text contains NUL. */
export const VAR_MARK = '\u0000';

export type ShellOperator = parse.ControlOperator['op'];

export type ShellToken =
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'op'; readonly op: ShellOperator }
  | { readonly kind: 'newline' };

const NEWLINE: ShellToken = Object.freeze({ kind: 'newline' });

/** Whether `line` leaves a single or double quote open (so the quoted text goes on past the newline). */
function leavesQuoteOpen(line: string): boolean {
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote === null) {
      if (ch === '\\') i++;
      else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return false;
      else if (ch === "'" || ch === '"') quote = ch;
    } else if (quote === '"' && ch === '\\') {
      i++;
    } else if (ch === quote) {
      quote = null;
    }
  }
  return quote !== null;
}

function endsWithContinuation(line: string): boolean {
  const trailing = /\\+$/.exec(line);
  return trailing !== null && trailing[0].length % 2 === 1;
}

/** Physical lines joined into logical ones: open quotes keep their newline, `\`-newline is removed. */
function logicalLines(script: string): string[] {
  const lines: string[] = [];
  let pending: string | null = null;
  for (const raw of script.split(/\r?\n/)) {
    let line: string = pending === null ? raw : pending + raw;
    pending = null;
    if (endsWithContinuation(line)) {
      pending = line.slice(0, -1);
      continue;
    }
    if (leavesQuoteOpen(line)) {
      pending = `${line}\n`;
      continue;
    }
    lines.push(line);
  }
  if (pending !== null) lines.push(pending);
  return lines;
}

const markVariable = (name: string): string => `${VAR_MARK}${name}${VAR_MARK}`;

export function tokenizeScript(script: string): ShellToken[] {
  const tokens: ShellToken[] = [];
  for (const line of logicalLines(script)) {
    for (const entry of parse(line, markVariable)) {
      if (typeof entry === 'string') tokens.push({ kind: 'word', text: entry });
      else if ('comment' in entry) break;
      else if (entry.op === 'glob') tokens.push({ kind: 'word', text: (entry as parse.GlobPattern).pattern });
      else tokens.push({ kind: 'op', op: (entry as parse.ControlOperator).op });
    }
    tokens.push(NEWLINE);
  }
  return tokens;
}
