import type { FlatSpan } from '../store/flat-span';
import { formatMs } from './format-ms';

const BRANCH = { mid: '├─ ', last: '└─ ', pipe: '│  ', gap: '   ' } as const;
const ORPHAN_MARK = '(parent not received)';

/**
 * Renders the spans of one trace as an indented tree:
 *
 *     syncPod [kubelet] INTERNAL 812.3ms
 *     └─ runtime.v1.RuntimeService/RunPodSandbox [kubelet] CLIENT 101.2ms
 *        └─ runtime.v1.RuntimeService/RunPodSandbox [crio] SERVER 100.1ms
 *
 * Siblings are ordered by start time. A span whose parent is not among
 * `spans` becomes a root marked `(parent not received)`; an error status
 * adds `ERROR` and the status message.
 */
export function renderTraceTree(spans: readonly FlatSpan[]): string {
  const known = new Set(spans.map((s) => spanKey(s.traceId, s.spanId)));
  const children = new Map<string, FlatSpan[]>();
  const roots: FlatSpan[] = [];
  for (const span of spans) {
    const parentKey = spanKey(span.traceId, span.parentSpanId);
    if (span.parentSpanId !== '' && span.parentSpanId !== span.spanId && known.has(parentKey)) {
      const list = children.get(parentKey);
      if (list) list.push(span);
      else children.set(parentKey, [span]);
    } else {
      roots.push(span);
    }
  }

  const lines: string[] = [];
  const seen = new Set<string>();
  const visit = (span: FlatSpan, prefix: string, branch: string, isRoot: boolean): void => {
    const key = spanKey(span.traceId, span.spanId);
    if (seen.has(key)) return;
    seen.add(key);
    lines.push(`${prefix}${branch}${describe(span, isRoot)}`);
    const kids = byStart(children.get(key) ?? []);
    const childPrefix = prefix + (branch === BRANCH.mid ? BRANCH.pipe : branch === BRANCH.last ? BRANCH.gap : '');
    kids.forEach((kid, i) => visit(kid, childPrefix, i === kids.length - 1 ? BRANCH.last : BRANCH.mid, false));
  };
  for (const root of byStart(roots)) visit(root, '', '', true);
  // Spans caught in a parent cycle are unreachable from any root; show them anyway.
  for (const span of byStart(spans)) visit(span, '', '', true);
  return lines.join('\n');
}

function describe(span: FlatSpan, isRoot: boolean): string {
  const parts = [span.name, `[${span.service}]`, span.kind, formatMs(span.durationMs)];
  if (isRoot && span.parentSpanId !== '') parts.push(ORPHAN_MARK);
  if (span.status.code === 'ERROR') parts.push(span.status.message ? `ERROR: ${span.status.message}` : 'ERROR');
  return parts.join(' ');
}

function byStart(spans: readonly FlatSpan[]): FlatSpan[] {
  return [...spans].sort((a, b) => {
    const d = BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
}

function spanKey(traceId: string, spanId: string): string {
  return `${traceId}/${spanId}`;
}
