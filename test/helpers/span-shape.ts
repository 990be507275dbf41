import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { AttributeValue, FlatSpan } from '../../trace-sink/src';

/**
 * The *shape* of a trace as deterministic text, for golden-file tests: which spans exist, who is whose
 * parent, their service, name, kind, scope, attribute keys, event names (with their attribute keys) and
 * status code. Ids, timestamps, durations and most attribute values change from run to run and are left
 * out; the few values that are part of the shape (SHAPE_VALUE_KEYS) are printed as `key=value`.
 *
 *     kubelet syncPod INTERNAL scope=k8s.io/kubernetes/pkg/kubelet attrs={k8s.pod, k8s.pod.update_type=create} status=UNSET
 *       kubelet runtime.v1.RuntimeService/RunPodSandbox CLIENT scope=…/otelgrpc attrs={rpc.method=RunPodSandbox, …} events=[message{message.id=1, message.type=SENT}, …] status=UNSET
 *         crio runtime.v1.RuntimeService/RunPodSandbox SERVER attrs={…} status=UNSET
 */

/** Attribute keys whose values are part of a shape (on spans and on events). */
export const SHAPE_VALUE_KEYS = [
  'k8s.pod.update_type',
  'rpc.system',
  'rpc.service',
  'rpc.method',
  'rpc.grpc.status_code',
  'message.type',
  'message.id',
  'http.route',
  'http.method',
  'http.status_code',
] as const;

const INDENT = '  ';
/** Root mark for a span whose parent is not in the rendered set (e.g. a runtime subtree under a kubelet client span). */
const FOREIGN_PARENT_MARK = 'parent=not-in-selection';

export interface SpanShapeOptions {
  /** Keys whose values are printed; default SHAPE_VALUE_KEYS. */
  valueKeys?: readonly string[];
  /** Print the instrumentation scope where it changes: on roots and where a child's differs from its parent's (default true). */
  includeScope?: boolean;
}

/**
 * Renders spans as an indented shape tree (see the file comment). Children are ordered by start time;
 * spans starting at the same nanosecond are ordered by their rendered line, so equal inputs always give
 * equal text. A span whose parent is not among `spans` becomes a root.
 */
export function renderSpanShape(spans: readonly FlatSpan[], options: SpanShapeOptions = {}): string {
  const valueKeys = new Set(options.valueKeys ?? SHAPE_VALUE_KEYS);
  const includeScope = options.includeScope ?? true;
  const ids = new Set(spans.map((s) => s.spanId));
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  // The scope is printed where it changes (on roots, and where a child's differs from its parent's) to keep lines short.
  const line = (span: FlatSpan, isRoot: boolean): string => {
    const showScope = includeScope && (isRoot || byId.get(span.parentSpanId)?.scope !== span.scope);
    return describeSpan(span, isRoot, valueKeys, showScope);
  };
  const children = new Map<string, FlatSpan[]>();
  const roots: FlatSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId !== '' && span.parentSpanId !== span.spanId && ids.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else {
      roots.push(span);
    }
  }
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (span: FlatSpan, depth: number, isRoot: boolean): void => {
    if (seen.has(span.spanId)) return;
    seen.add(span.spanId);
    out.push(INDENT.repeat(depth) + line(span, isRoot));
    for (const kid of inStartOrder(children.get(span.spanId) ?? [], (s) => line(s, false))) visit(kid, depth + 1, false);
  };
  for (const root of inStartOrder(roots, (s) => line(s, true))) visit(root, 0, true);
  // Spans in a parent cycle are reachable from no root; render them rather than drop them silently.
  for (const span of inStartOrder(spans, (s) => line(s, true))) visit(span, 0, true);
  return out.join('\n') + '\n';
}

/** `root` and every span below it in its trace. */
export function subtreeOf(spans: readonly FlatSpan[], root: FlatSpan): FlatSpan[] {
  const sameTrace = spans.filter((s) => s.traceId === root.traceId);
  const members = new Set([root.spanId]);
  // Parents may appear after their children in `spans`; repeat until no span joins (bounded by the trace size).
  for (let grew = true, rounds = 0; grew && rounds <= sameTrace.length; rounds += 1) {
    grew = false;
    for (const s of sameTrace) {
      if (!members.has(s.spanId) && members.has(s.parentSpanId)) {
        members.add(s.spanId);
        grew = true;
      }
    }
  }
  return sameTrace.filter((s) => members.has(s.spanId));
}

function describeSpan(span: FlatSpan, isRoot: boolean, valueKeys: ReadonlySet<string>, showScope: boolean): string {
  const parts = [span.service, span.name, span.kind];
  if (showScope) parts.push(`scope=${span.scope || '-'}`);
  if (isRoot && span.parentSpanId !== '') parts.push(FOREIGN_PARENT_MARK);
  parts.push(`attrs={${describeAttributes(span.attributes, valueKeys)}}`);
  if (span.events.length > 0) {
    parts.push(`events=[${span.events.map((e) => `${e.name}{${describeAttributes(e.attributes, valueKeys)}}`).join(', ')}]`);
  }
  if (span.links.length > 0) parts.push(`links=${span.links.length}`);
  parts.push(`status=${span.status.code}`);
  return parts.join(' ');
}

function describeAttributes(attributes: Record<string, AttributeValue>, valueKeys: ReadonlySet<string>): string {
  return Object.keys(attributes)
    .sort()
    .map((key) => (valueKeys.has(key) ? `${key}=${formatValue(attributes[key])}` : key))
    .join(', ');
}

function formatValue(value: AttributeValue): string {
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  // Plain words print bare (update_type=create); anything else as JSON so spaces and type stay visible.
  if (typeof value === 'string' && /^[A-Za-z0-9_./-]+$/.test(value)) return value;
  return JSON.stringify(value);
}

function inStartOrder(spans: readonly FlatSpan[], tieBreak: (span: FlatSpan) => string): FlatSpan[] {
  return [...spans].sort((a, b) => {
    const d = BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano);
    if (d !== 0n) return d < 0n ? -1 : 1;
    const ta = tieBreak(a);
    const tb = tieBreak(b);
    return ta < tb ? -1 : ta > tb ? 1 : a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
  });
}

/** Unchanged lines kept around each change in diffShapes output. */
const DIFF_CONTEXT_LINES = 3;
/** Largest LCS table (expected lines × actual lines) diffShapes builds; bigger inputs are shown as a whole replacement. */
const MAX_DIFF_CELLS = 4_000_000;

/**
 * A unified-style line diff ('-' expected only, '+' actual only, ' ' context) with `@@` hunk headers,
 * or '' when both texts are equal.
 */
export function diffShapes(expected: string, actual: string): string {
  if (expected === actual) return '';
  const a = splitLines(expected);
  const b = splitLines(actual);
  const ops = a.length * b.length <= MAX_DIFF_CELLS ? lineDiff(a, b) : wholeReplace(a, b);
  // Each change shows DIFF_CONTEXT_LINES around it; overlapping windows merge into one hunk.
  const hunks: Array<[number, number]> = [];
  ops.forEach((o, i) => {
    if (o.op === ' ') return;
    const from = Math.max(0, i - DIFF_CONTEXT_LINES);
    const to = Math.min(ops.length, i + DIFF_CONTEXT_LINES + 1);
    const last = hunks[hunks.length - 1];
    if (last && from <= last[1]) last[1] = to;
    else hunks.push([from, to]);
  });
  const out = ['--- expected', '+++ actual'];
  for (const [from, to] of hunks) {
    out.push(`@@ -${ops[from].aLine} +${ops[from].bLine} @@`);
    for (const o of ops.slice(from, to)) out.push(`${o.op}${o.text}`);
  }
  return out.join('\n');
}

interface DiffOp { op: ' ' | '-' | '+'; text: string; aLine: number; bLine: number }

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function lineDiff(a: readonly string[], b: readonly string[]): DiffOp[] {
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ op: ' ', text: a[i], aLine: i + 1, bLine: j + 1 });
      i += 1; j += 1;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      // Removals before additions, as unified diffs print a replaced line.
      ops.push({ op: '-', text: a[i], aLine: i + 1, bLine: j + 1 });
      i += 1;
    } else {
      ops.push({ op: '+', text: b[j], aLine: i + 1, bLine: j + 1 });
      j += 1;
    }
  }
  return ops;
}

function wholeReplace(a: readonly string[], b: readonly string[]): DiffOp[] {
  return [
    ...a.map((text, i) => ({ op: '-' as const, text, aLine: i + 1, bLine: 1 })),
    ...b.map((text, j) => ({ op: '+' as const, text, aLine: a.length + 1, bLine: j + 1 })),
  ];
}

/** The source checkout: tests run from <repo>/<outDir>/test/helpers, goldens live in <repo>/test/fixtures. */
const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const GOLDEN_TRACES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'golden-traces');
const UPDATE_ENV = 'UPDATE_GOLDEN';
const GOLDEN_NAME = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

export interface GoldenOptions {
  /** Fixture directory (default GOLDEN_TRACES_DIR, in the source tree). */
  dir?: string;
}

/**
 * Compares `actual` with the fixture `<dir>/<name>.txt`. With UPDATE_GOLDEN=1 in the environment the
 * fixture is written (or rewritten) instead and the check passes. A missing or different fixture fails
 * with the diff and the command that regenerates it.
 */
export function assertMatchesGolden(name: string, actual: string, options: GoldenOptions = {}): void {
  if (!GOLDEN_NAME.test(name)) {
    throw new TypeError(`golden name ${JSON.stringify(name)} must be lowercase letters, digits, '.', '_', '-', optionally in '/'-separated folders`);
  }
  const dir = options.dir ?? GOLDEN_TRACES_DIR;
  const path = join(dir, `${name}.txt`);
  const shown = relative(REPO_ROOT, path).split(sep).join('/');
  const text = actual.endsWith('\n') ? actual : `${actual}\n`;
  if (process.env[UPDATE_ENV] === '1') {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    return;
  }
  if (!existsSync(path)) {
    assert.fail(`golden trace shape ${shown} does not exist yet. Create it with:\n  ${regenerateCommand()}\n`
      + `then review the new file and commit it. Shape of this run:\n${text}`);
  }
  const expected = readFileSync(path, 'utf8');
  if (expected === text) return;
  assert.fail(`trace shape differs from golden ${shown}:\n${diffShapes(expected, text)}\n`
    + `If the change is intended, regenerate the goldens with:\n  ${regenerateCommand()}\nand review the fixture diff.`);
}

/** The command that reruns the current test file with UPDATE_GOLDEN=1 (node --test runs each file as argv[1]). */
function regenerateCommand(): string {
  const script = process.argv[1] ?? '';
  const target = script.endsWith('.test.js') ? relative(REPO_ROOT, script).split(sep).join('/') : 'dist/test/e2e/golden-traces.test.js';
  return `npm run build && ${UPDATE_ENV}=1 node --test --test-concurrency=1 ${target}`;
}
