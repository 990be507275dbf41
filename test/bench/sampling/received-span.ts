import type { ExportEvent, FlatSpan } from '../../../trace-sink/src';

/** A span as received, with its share of its export request's bytes. */
export interface ReceivedSpan {
  readonly span: FlatSpan;
  /** Its own framed protobuf bytes plus its share (by own bytes) of the request's resource and scope envelope. */
  readonly bytes: number;
  /** The same share of the request's gzip size. */
  readonly gzipBytes: number;
}

/** Splits one accepted request's bytes over its spans so that they add up to the request. */
export function receivedSpansOf(event: ExportEvent): ReceivedSpan[] {
  const { spanBytes, protobufBytes, gzipBytes } = event.volume;
  const own = spanBytes.reduce((n, b) => n + b, 0);
  return event.spans.map((span, i) => {
    const share = own === 0 ? 0 : (spanBytes[i] as number) / own;
    return { span, bytes: protobufBytes * share, gzipBytes: gzipBytes * share };
  });
}
