import type { DecodedExportTraceServiceRequest } from '../proto/decoded-types';

const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;

/**
 * Returns why a decoded request is unusable, or undefined when it is fine.
 * The OTLP data model calls an id invalid when it is all zeroes or has the
 * wrong length; a span without usable ids cannot be indexed or linked.
 */
export function findRequestProblem(request: DecodedExportTraceServiceRequest): string | undefined {
  for (const [r, rs] of (request.resourceSpans ?? []).entries()) {
    for (const [s, ss] of (rs.scopeSpans ?? []).entries()) {
      for (const [i, span] of (ss.spans ?? []).entries()) {
        const where = `resource_spans[${r}].scope_spans[${s}].spans[${i}]`;
        const problem =
          idProblem('trace_id', span.traceId, TRACE_ID_BYTES, false) ??
          idProblem('span_id', span.spanId, SPAN_ID_BYTES, false) ??
          idProblem('parent_span_id', span.parentSpanId, SPAN_ID_BYTES, true);
        if (problem) return `${where}: ${problem}`;
        for (const [l, link] of (span.links ?? []).entries()) {
          const linkProblem =
            idProblem('trace_id', link.traceId, TRACE_ID_BYTES, false) ??
            idProblem('span_id', link.spanId, SPAN_ID_BYTES, false);
          if (linkProblem) return `${where}.links[${l}]: ${linkProblem}`;
        }
      }
    }
  }
  return undefined;
}

function idProblem(field: string, id: Buffer | undefined, size: number, optional: boolean): string | undefined {
  if (id === undefined || id.length === 0) return optional ? undefined : `${field} is missing`;
  if (id.length !== size) return `${field} must be ${size} bytes, got ${id.length}`;
  // An all-zero parent id is read as "no parent", like the Collector does.
  if (!optional && id.every((b) => b === 0)) return `${field} is all zeroes`;
  return undefined;
}
