/**
 * The shell subset the command model understands, as a syntax tree, parsed from ./shell-tokens.ts.
 * The grammar is the POSIX shell grammar (XCU 2.10) cut down to what container commands use:
 *
 *   list      := and-or ((';' | '&' | NEWLINE) and-or)*        '&' runs the and-or in the background
 *   and-or    := pipeline (('&&' | '||') NEWLINE* pipeline)*
 *   pipeline  := ['!'] command ('|' NEWLINE* command)*
 *   command   := simple | while | until | for | if | '{' list '}'
 *   simple    := (NAME=word)* word (word | redirect)*
 *   redirect  := [fd] ('>' | '>>' | '<' | '>&' | '&>' | '&>>') word
 *
 * Anything else (subshells, functions, case, here-documents, command and arithmetic substitution)
 * is refused with UnsupportedScriptError naming the construct; the runtime then lets the container
 * run until it is stopped and says why once.
 */
import { tokenizeScript, VAR_MARK, type ShellToken } from './shell-tokens';

/** A word as written, with VAR_MARK-delimited variable references still in it. */
export type Word = string;

export interface Redirect {
  /** 0 stdin, 1 stdout, 2 stderr; `&>` redirects both and is recorded as fd 1 with `both`. */
  readonly fd: number;
  readonly op: '>' | '>>' | '<' | '>&';
  readonly target: Word;
  readonly both: boolean;
}

export interface SimpleCommand {
  readonly type: 'simple';
  readonly assignments: readonly (readonly [string, Word])[];
  readonly words: readonly Word[];
  readonly redirects: readonly Redirect[];
}

export interface Pipeline {
  readonly type: 'pipeline';
  readonly negated: boolean;
  readonly commands: readonly Command[];
}

export interface AndOr {
  readonly type: 'and-or';
  readonly first: Pipeline;
  readonly rest: readonly { readonly op: '&&' | '||'; readonly pipeline: Pipeline }[];
}

export interface ListItem {
  readonly andOr: AndOr;
  readonly background: boolean;
}

export interface CommandList {
  readonly type: 'list';
  readonly items: readonly ListItem[];
}

export interface LoopCommand {
  readonly type: 'while' | 'until';
  readonly condition: CommandList;
  readonly body: CommandList;
}

export interface ForCommand {
  readonly type: 'for';
  readonly name: string;
  /** null: `for x; do` iterates the positional parameters. */
  readonly items: readonly Word[] | null;
  readonly body: CommandList;
}

export interface IfCommand {
  readonly type: 'if';
  readonly branches: readonly { readonly condition: CommandList; readonly body: CommandList }[];
  readonly otherwise: CommandList | null;
}

export interface GroupCommand {
  readonly type: 'group';
  readonly body: CommandList;
}

export type Command = SimpleCommand | LoopCommand | ForCommand | IfCommand | GroupCommand;

export class UnsupportedScriptError extends Error {
  override readonly name = 'UnsupportedScriptError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variable references the interpreter expands: $NAME, ${NAME}, ${NAME:-w}, ${NAME-w}, ${NAME:=w}, $0-$9, $#, $?, $@, $*, $$. */
const SUPPORTED_VARIABLE = /^(?:[A-Za-z_][A-Za-z0-9_]*(?::?[-=][\s\S]*)?|[0-9]|[#?@*$!-])$/;

function checkVariables(word: Word): void {
  const parts = word.split(VAR_MARK);
  for (let i = 1; i < parts.length; i += 2) {
    if (parts[i] === '') throw new UnsupportedScriptError('command substitution $( ) and arithmetic $(( )) are not simulated');
    if (!SUPPORTED_VARIABLE.test(parts[i]!)) throw new UnsupportedScriptError(`the expansion \${${parts[i]}} is not simulated`);
  }
}
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;
/** Words that close a compound command's list when they stand in command position. */
const CLOSERS: ReadonlySet<string> = new Set(['do', 'done', 'then', 'elif', 'else', 'fi', '}']);
const UNSUPPORTED_WORDS: Readonly<Record<string, string>> = {
  case: 'case statements',
  function: 'function definitions',
  select: 'select loops',
  '[[': '[[ ]] tests (use [ ])',
};

class Parser {
  private pos = 0;

  constructor(private readonly tokens: readonly ShellToken[]) {}

  parseScript(): CommandList {
    const list = this.parseList();
    const next = this.peek();
    if (next !== undefined) throw new UnsupportedScriptError(`unexpected ${describe(next)}`);
    return list;
  }

  private peek(): ShellToken | undefined {
    return this.tokens[this.pos];
  }

  private peekWord(): string | undefined {
    const t = this.peek();
    return t?.kind === 'word' ? t.text : undefined;
  }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.op === op;
  }

  private skipNewlines(): void {
    while (this.peek()?.kind === 'newline') this.pos++;
  }

  private skipSeparators(): void {
    while (this.peek()?.kind === 'newline' || this.isOp(';')) this.pos++;
  }

  private expectWord(word: string, context: string): void {
    this.skipSeparators();
    if (this.peekWord() !== word) {
      const t = this.peek();
      throw new UnsupportedScriptError(`expected "${word}" ${context}, found ${t === undefined ? 'end of script' : describe(t)}`);
    }
    this.pos++;
  }

  /** A list ends at end of input or at a closing reserved word (left for the caller). */
  private parseList(): CommandList {
    const items: ListItem[] = [];
    this.skipSeparators();
    for (;;) {
      const t = this.peek();
      if (t === undefined) break;
      if (t.kind === 'word' && CLOSERS.has(t.text)) break;
      const andOr = this.parseAndOr();
      let background = false;
      if (this.isOp('&')) {
        background = true;
        this.pos++;
      }
      items.push({ andOr, background });
      const sep = this.peek();
      if (sep === undefined) break;
      if (!background && sep.kind !== 'newline' && !(sep.kind === 'op' && sep.op === ';')) {
        if (sep.kind === 'word' && CLOSERS.has(sep.text)) break;
        throw new UnsupportedScriptError(`unexpected ${describe(sep)}`);
      }
      this.skipSeparators();
    }
    return { type: 'list', items };
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: { op: '&&' | '||'; pipeline: Pipeline }[] = [];
    while (this.isOp('&&') || this.isOp('||')) {
      const op = (this.peek() as { op: '&&' | '||' }).op;
      this.pos++;
      this.skipNewlines();
      rest.push({ op, pipeline: this.parsePipeline() });
    }
    return { type: 'and-or', first, rest };
  }

  private parsePipeline(): Pipeline {
    let negated = false;
    if (this.peekWord() === '!') {
      negated = true;
      this.pos++;
    }
    const commands = [this.parseCommand()];
    while (this.isOp('|')) {
      this.pos++;
      this.skipNewlines();
      commands.push(this.parseCommand());
    }
    return { type: 'pipeline', negated, commands };
  }

  private parseCommand(): Command {
    const t = this.peek();
    if (t === undefined) throw new UnsupportedScriptError('a command is missing at the end of the script');
    if (t.kind === 'op') throw new UnsupportedScriptError(unsupportedOperator(t.op));
    if (t.kind === 'newline') throw new UnsupportedScriptError('a command is missing before a line break');
    const word = t.text;
    const unsupported = UNSUPPORTED_WORDS[word];
    if (unsupported !== undefined) throw new UnsupportedScriptError(`${unsupported} are not simulated`);
    switch (word) {
      case 'while':
      case 'until': {
        this.pos++;
        const condition = this.parseList();
        this.expectWord('do', `after the ${word} condition`);
        const body = this.parseList();
        this.expectWord('done', `to close the ${word} loop`);
        return { type: word, condition, body };
      }
      case 'for':
        return this.parseFor();
      case 'if':
        return this.parseIf();
      case '{': {
        this.pos++;
        const body = this.parseList();
        this.expectWord('}', 'to close the { } group');
        return { type: 'group', body };
      }
      default:
        return this.parseSimple();
    }
  }

  private parseFor(): ForCommand {
    this.pos++;
    const name = this.peekWord();
    if (name === undefined || !NAME.test(name)) throw new UnsupportedScriptError('a for loop needs a variable name');
    this.pos++;
    let items: Word[] | null = null;
    this.skipNewlines();
    if (this.peekWord() === 'in') {
      this.pos++;
      items = [];
      for (let w = this.peekWord(); w !== undefined; w = this.peekWord()) {
        checkVariables(w);
        items.push(w);
        this.pos++;
      }
    }
    this.expectWord('do', 'after the for list');
    const body = this.parseList();
    this.expectWord('done', 'to close the for loop');
    return { type: 'for', name, items, body };
  }

  private parseIf(): IfCommand {
    const branches: { condition: CommandList; body: CommandList }[] = [];
    let otherwise: CommandList | null = null;
    this.pos++;
    for (;;) {
      const condition = this.parseList();
      this.expectWord('then', 'after the if condition');
      const body = this.parseList();
      branches.push({ condition, body });
      this.skipSeparators();
      const w = this.peekWord();
      if (w === 'elif') {
        this.pos++;
        continue;
      }
      if (w === 'else') {
        this.pos++;
        otherwise = this.parseList();
      }
      this.expectWord('fi', 'to close the if statement');
      return { type: 'if', branches, otherwise };
    }
  }

  private parseSimple(): SimpleCommand {
    const assignments: [string, Word][] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t === undefined || t.kind === 'newline') break;
      if (t.kind === 'op') {
        const redirect = this.tryRedirect(words);
        if (redirect === undefined) break;
        redirects.push(redirect);
        continue;
      }
      checkVariables(t.text);
      const assignment = words.length === 0 ? ASSIGNMENT.exec(t.text) : null;
      if (assignment !== null) assignments.push([assignment[1]!, assignment[2]!]);
      else words.push(t.text);
      this.pos++;
    }
    return { type: 'simple', assignments, words, redirects };
  }

  /**
   * A redirection at the current operator, or undefined when the operator ends the command. shell-quote
   * splits `2>&1` into "2", ">&", "1": a lone digit word right before a redirection is its fd (so
   * `echo 2 > f` is read as `echo 2>f`, a documented limit of the subset).
   */
  private tryRedirect(words: Word[]): Redirect | undefined {
    const t = this.peek() as { kind: 'op'; op: string };
    const op = t.op;
    if (!['>', '>>', '<', '>&', '&>', '&>>', '>|'].includes(op)) {
      if (['(', ')', '<<', '<<-', '<<<', '<(', '>(', ';;', ';&', ';;&', '|&', '<&', '<>'].includes(op)) {
        throw new UnsupportedScriptError(unsupportedOperator(op));
      }
      return undefined;
    }
    this.pos++;
    const target = this.peekWord();
    if (target === undefined) throw new UnsupportedScriptError(`redirection ${op} needs a target`);
    checkVariables(target);
    this.pos++;
    let fd = op === '<' ? 0 : 1;
    const last = words[words.length - 1];
    if (last !== undefined && /^[0-9]$/.test(last) && op !== '&>' && op !== '&>>') {
      fd = Number(last);
      words.pop();
    }
    if (op === '&>' || op === '&>>') return { fd: 1, op: op === '&>' ? '>' : '>>', target, both: true };
    return { fd, op: op === '>|' ? '>' : (op as Redirect['op']), target, both: false };
  }
}

function unsupportedOperator(op: string): string {
  if (op === '(' || op === ')') return 'subshells ( ), functions and $( ) are not simulated';
  if (op.startsWith('<<')) return 'here-documents are not simulated';
  if (op === '<(' || op === '>(') return 'process substitution is not simulated';
  if (op.startsWith(';;') || op === ';&') return 'case statements are not simulated';
  return `the operator ${op} is not simulated`;
}

function describe(t: ShellToken): string {
  if (t.kind === 'newline') return 'a line break';
  if (t.kind === 'op') return `"${t.op}"`;
  return `"${t.text.split(VAR_MARK).join('')}"`;
}

/** Parses a script (the text after `sh -c`); throws UnsupportedScriptError outside the subset. */
export function parseScript(script: string): CommandList {
  return new Parser(tokenizeScript(script)).parseScript();
}

/** A direct exec (argv without a shell) as a one-command script, so both run through one interpreter. */
export function argvAsScript(argv: readonly string[]): CommandList {
  const simple: SimpleCommand = { type: 'simple', assignments: [], words: [...argv], redirects: [] };
  return {
    type: 'list',
    items: [{ andOr: { type: 'and-or', first: { type: 'pipeline', negated: false, commands: [simple] }, rest: [] }, background: false }],
  };
}
