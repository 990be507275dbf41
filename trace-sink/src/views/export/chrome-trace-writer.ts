import type { FlatSpan } from '../../store/flat-span';
import { formatValue } from '../key-attributes';

/**
 * Chrome Trace Event Format (the "JSON Object Format" of Google's Trace Event Format document, read by
 * Perfetto's JSON importer and chrome://tracing): a complete event (`"ph":"X"`, `ts` and `dur` in
 * microseconds) per span; a process per service and, within it, a thread per trace, named with `"ph":"M"`
 * metadata events (`process_name`, `thread_name`). Spans stream through: the writer keeps only the service and
 * trace numbering, so a file of any size converts in bounded memory.
 */
export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args: Record<string, unknown>;
}

export class ChromeTraceWriter {
  private readonly pids = new Map<string, number>();
  private readonly tids = new Map<string, number>();
  private readonly namedThreads = new Set<string>();
  private first = true;
  private events = 0;

  /** `write` receives the document in pieces; call `begin`, `add` per span, then `end`. */
  constructor(private readonly write: (chunk: string) => void) {}

  begin(): void {
    this.write('{"displayTimeUnit":"ms","traceEvents":[\n');
  }

  add(span: FlatSpan): void {
    const pid = this.pidOf(span.service);
    const tid = this.tidOf(span.traceId);
    const thread = `${pid}/${tid}`;
    if (!this.namedThreads.has(thread) || span.parentSpanId === '') {
      this.namedThreads.add(thread);
      const label = span.parentSpanId === '' ? `${span.name} (trace ${span.traceId.slice(0, 8)})` : `trace ${span.traceId.slice(0, 8)}`;
      this.emit({ name: 'thread_name', ph: 'M', pid, tid, args: { name: label } });
    }
    const startNs = BigInt(span.startTimeUnixNano);
    const endNs = BigInt(span.endTimeUnixNano);
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(span.attributes)) attributes[k] = formatValue(v);
    this.emit({
      name: span.name,
      cat: span.kind,
      ph: 'X',
      pid,
      tid,
      // Integer microseconds since the epoch fit a double exactly; dur keeps sub-microsecond digits.
      ts: Number(startNs / 1000n),
      dur: Number(endNs > startNs ? endNs - startNs : 0n) / 1000,
      args: {
        traceId: span.traceId,
        spanId: span.spanId,
        ...(span.parentSpanId === '' ? {} : { parentSpanId: span.parentSpanId }),
        status: span.status.message ? `${span.status.code}: ${span.status.message}` : span.status.code,
        ...attributes,
      },
    });
  }

  end(): void {
    this.write('\n]}\n');
  }

  get eventCount(): number {
    return this.events;
  }

  private pidOf(service: string): number {
    let pid = this.pids.get(service);
    if (pid === undefined) {
      pid = this.pids.size + 1;
      this.pids.set(service, pid);
      this.emit({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: service } });
    }
    return pid;
  }

  private tidOf(traceId: string): number {
    let tid = this.tids.get(traceId);
    if (tid === undefined) {
      tid = this.tids.size + 1;
      this.tids.set(traceId, tid);
    }
    return tid;
  }

  private emit(event: ChromeTraceEvent): void {
    this.write(`${this.first ? '' : ',\n'}${JSON.stringify(event)}`);
    this.first = false;
    this.events += 1;
  }
}
