import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { OtlpJsonExportTraceServiceRequest } from '../otlp-json/otlp-json-types';
import type { FlatSpan } from './flat-span';
import { flattenRequest } from './flatten-request';

/** A line that could not be read as OTLP JSON; it was skipped. */
export interface MalformedLine {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

export interface StreamSpansOptions {
  /** Called for each skipped line, in file order. */
  onMalformed?: (malformed: MalformedLine) => void;
  /** Called after each line; a returned promise is awaited before the next line (back-pressure from a writer). */
  afterLine?: () => Promise<void> | undefined;
}

export interface StreamSpansResult {
  lines: number;
  spans: number;
  malformedLines: number;
}

const TRACE_ID_RE = /^[0-9a-f]{32}$/;
const SPAN_ID_RE = /^[0-9a-f]{16}$/;

/**
 * Reads a JSON-lines file of OTLP JSON trace requests (trace-sink's output, or the OpenTelemetry Collector
 * `file` exporter's, one `{"resourceSpans":[...]}` per line) line by line and hands each span to `onSpan`,
 * holding one line in memory at a time. A line that is not JSON, not an object, or has a span whose
 * trace or span id is not hex of the right length is reported through `onMalformed` with its
 * line number and skipped, whole: a request is accepted or rejected as a unit, as the receiver does.
 * Lines of other signals (`resourceMetrics`, `resourceLogs`) carry no spans and are passed over.
 */
export async function streamSpansFromJsonl(
  filePath: string,
  onSpan: (span: FlatSpan) => void,
  options: StreamSpansOptions = {},
): Promise<StreamSpansResult> {
  const input = createReadStream(filePath, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  await opened;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const result: StreamSpansResult = { lines: 0, spans: 0, malformedLines: 0 };
  for await (const text of lines) {
    result.lines += 1;
    if (text.trim() === '') continue;
    const spans = parseLine(text);
    if (typeof spans === 'string') {
      result.malformedLines += 1;
      options.onMalformed?.({ line: result.lines, message: spans });
      continue;
    }
    for (const span of spans) onSpan(span);
    result.spans += spans.length;
    const wait = options.afterLine?.();
    if (wait !== undefined) await wait;
  }
  return result;
}

/** The spans of one line, or why the line cannot be read. */
export function parseLine(text: string): FlatSpan[] | string {
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (err) {
    return `not valid JSON (${(err as Error).message})`;
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    return 'not an OTLP JSON object such as {"resourceSpans":[...]}';
  }
  const resourceSpans = (request as { resourceSpans?: unknown }).resourceSpans;
  if (resourceSpans === undefined) return [];
  if (!Array.isArray(resourceSpans)) return '"resourceSpans" is not a list';
  let spans: FlatSpan[];
  try {
    spans = flattenRequest(request as OtlpJsonExportTraceServiceRequest);
  } catch (err) {
    return `not an OTLP trace request (${(err as Error).message})`;
  }
  for (const [i, span] of spans.entries()) {
    // pdata reads hex ids in either case; views compare them in lowercase.
    span.traceId = span.traceId.toLowerCase();
    span.spanId = span.spanId.toLowerCase();
    span.parentSpanId = span.parentSpanId.toLowerCase();
    if (!TRACE_ID_RE.test(span.traceId)) return `span ${i} ("${span.name}"): traceId ${JSON.stringify(span.traceId)} is not 32 hex digits`;
    if (!SPAN_ID_RE.test(span.spanId)) return `span ${i} ("${span.name}"): spanId ${JSON.stringify(span.spanId)} is not 16 hex digits`;
    if (span.parentSpanId !== '' && !SPAN_ID_RE.test(span.parentSpanId)) {
      return `span ${i} ("${span.name}"): parentSpanId ${JSON.stringify(span.parentSpanId)} is not 16 hex digits`;
    }
  }
  return spans;
}
