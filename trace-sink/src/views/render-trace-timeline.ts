import type { FlatSpan } from '../store/flat-span';
import { formatMs } from './format-ms';
import { formatAttributes } from './key-attributes';
import { ANSI, ansiServiceColour, paint, serviceColourIndex } from './service-colours';
import { spanExtent } from './span-extent';
import { traceTreeRows } from './trace-tree';

export interface TimelineOptions {
  /** ANSI colours per service (a TTY); plain text otherwise. */
  colour: boolean;
  /** Every attribute, on its own lines under the span, instead of the key ones inline. */
  allAttributes: boolean;
  /** Width of the time bar in characters. */
  barWidth?: number;
}

const DEFAULT_BAR_WIDTH = 32;
const BAR = { FILL: '█', EMPTY: ' ', EDGE: '│' } as const;

/**
 * `traces show`: the spans of one trace as an indented tree, each line led by a time bar scaled to the
 * whole trace and its start offset, then name, service, kind, duration, status and key attributes:
 *
 *     │████████████████████████████████│      +0.0ms syncPod [kubelet] INTERNAL 173.1ms k8s.pod=default/web
 *     │██████                          │      +0.4ms ├─ runtime.v1.RuntimeService/RunPodSandbox [kubelet] CLIENT 31.3ms
 */
export function renderTraceTimeline(spans: readonly FlatSpan[], options: TimelineOptions): string {
  if (spans.length === 0) return '(no spans)';
  const width = options.barWidth ?? DEFAULT_BAR_WIDTH;
  const { startMs: t0, endMs: t1 } = spanExtent(spans);
  const total = Math.max(t1 - t0, 1e-6);
  const colours = serviceColourIndex(spans.map((s) => s.service));
  const offsetWidth = spans.reduce((w, s) => Math.max(w, formatMs(s.startTimeMs - t0).length + 1), 0);
  const lines: string[] = [];
  for (const row of traceTreeRows(spans)) {
    const span = row.span;
    const colour = ansiServiceColour(colours.get(span.service) ?? 0);
    const isError = span.status.code === 'ERROR';
    const bar = paint(timeBar(span.startTimeMs - t0, span.durationMs, total, width), isError ? ANSI.RED : colour, options.colour);
    const offset = `+${formatMs(span.startTimeMs - t0)}`.padStart(offsetWidth);
    const parts = [`${row.prefix}${span.name}`, paint(`[${span.service}]`, colour, options.colour), span.kind, formatMs(span.durationMs)];
    if (row.orphan) parts.push('(parent not received)');
    if (isError) parts.push(paint(span.status.message ? `ERROR: ${span.status.message}` : 'ERROR', ANSI.RED, options.colour));
    else if (span.status.code === 'OK') parts.push('OK');
    if (!options.allAttributes) parts.push(...formatAttributes(span.attributes, false));
    lines.push(`${BAR.EDGE}${bar}${BAR.EDGE} ${offset} ${parts.join(' ')}`);
    if (options.allAttributes) {
      const indent = ' '.repeat(width + 3 + offsetWidth + 1) + row.prefix.replace(/├─ /g, '│  ').replace(/└─ /g, '   ');
      for (const attr of formatAttributes(span.attributes, true)) lines.push(`${indent}   ${paint(attr, ANSI.DIM, options.colour)}`);
      for (const event of span.events) {
        const at = formatMs(Number(BigInt(event.timeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6);
        lines.push(`${indent}   ${paint(`event +${at} ${event.name} ${formatAttributes(event.attributes, true).join(' ')}`.trimEnd(), ANSI.DIM, options.colour)}`);
      }
    }
  }
  return lines.join('\n');
}

/** A bar of `width` cells with the span's interval filled; at least one cell so short spans stay visible. */
export function timeBar(offsetMs: number, durationMs: number, totalMs: number, width: number): string {
  const from = Math.min(width - 1, Math.max(0, Math.floor((offsetMs / totalMs) * width)));
  const to = Math.min(width, Math.max(from + 1, Math.ceil(((offsetMs + durationMs) / totalMs) * width)));
  return BAR.EMPTY.repeat(from) + BAR.FILL.repeat(to - from) + BAR.EMPTY.repeat(width - to);
}
