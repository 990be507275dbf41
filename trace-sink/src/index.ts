// Public API of trace-sink, an embedded OTLP/gRPC trace receiver.
export { startTraceSink } from './receiver/start-trace-sink';
export type { TraceSink, TraceSinkOptions, ExportEvent, ExportListener } from './receiver/start-trace-sink';
export { ListenError } from './receiver/listen-error';
export { parseListenAddress, formatListenAddress, DEFAULT_LISTEN } from './receiver/listen-address';
export type { ListenAddress } from './receiver/listen-address';
export { readSpansFromJsonl } from './store/read-spans-from-jsonl';
export { flattenRequest } from './store/flatten-request';
export { SpanIndex, DEFAULT_MAX_SPANS } from './store/span-index';
export type { SpanIndexView, TraceRecord } from './store/span-index';
export type { FlatSpan, FlatSpanEvent, FlatSpanLink } from './store/flat-span';
export type { AttributeValue, Attributes } from './store/attribute-value';
export { SPAN_KIND_NAMES, STATUS_CODE_NAMES } from './store/otlp-enums';
export type { SpanKindName, StatusCodeName } from './store/otlp-enums';
export type * from './otlp-json/otlp-json-types';
export { renderTraceTree } from './views/render-trace-tree';
export { renderSpanSummaryTable } from './views/render-span-summary-table';
export { findTraces, findMostInterestingTrace, groupByTrace, traceHasError, traceServices, traceDurationMs } from './views/find-traces';
export { formatMs } from './views/format-ms';
