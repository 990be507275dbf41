import type { FlatSpan } from '../store/flat-span';
import type { RequestWireSizes } from './request-wire-sizes';

/** Spans and bytes received for one service or one span name. */
export interface VolumeCount {
  spans: number;
  /** Protobuf bytes as received (ExportTraceServiceRequest encoding, before any transport compression). */
  protobufBytes: number;
  /** What gzip makes of those bytes; 0 unless the sink measures gzip. Split by protobuf share within a request. */
  gzipBytes: number;
}

export interface ServiceVolume extends VolumeCount {
  /** Export requests that carried this service's spans. */
  requests: number;
  /** Per span name; protobufBytes here are the spans' own framed bytes, without the resource and scope envelope. */
  bySpanName: Record<string, VolumeCount>;
}

export interface WireVolumeSnapshot extends VolumeCount {
  requests: number;
  byService: Record<string, ServiceVolume>;
}

/** The byte accounting of one accepted request, aligned with its flattened spans. */
export interface RequestVolume {
  readonly protobufBytes: number;
  /** 0 unless the sink measures gzip. */
  readonly gzipBytes: number;
  /** Each span's own framed bytes, index for index with the request's spans. */
  readonly spanBytes: readonly number[];
  /** The ResourceSpans framed bytes of each span's resource, index for index with the spans. */
  readonly resourceBytes: readonly number[];
}

/** Aligns a request's wire sizes with its flattened spans; throws if they disagree. */
export function requestVolume(sizes: RequestWireSizes, spans: readonly FlatSpan[], gzipBytes: number): RequestVolume {
  const spanBytes: number[] = [];
  const resourceBytes: number[] = [];
  for (const resource of sizes.resources) {
    for (const bytes of resource.spanBytes) {
      spanBytes.push(bytes);
      resourceBytes.push(resource.bytes);
    }
  }
  if (spanBytes.length !== spans.length) {
    throw new Error(`wire walk found ${spanBytes.length} spans but the decoded request has ${spans.length}`);
  }
  return { protobufBytes: sizes.totalBytes, gzipBytes, spanBytes, resourceBytes };
}

/** Running totals of spans and bytes received, per service and per span name. */
export class WireVolume {
  private readonly totals: WireVolumeSnapshot = { requests: 0, spans: 0, protobufBytes: 0, gzipBytes: 0, byService: {} };

  /** Adds one request's spans; a ResourceSpans's bytes count for the service of its spans. */
  add(spans: readonly FlatSpan[], sizes: RequestWireSizes, volume: RequestVolume): void {
    const t = this.totals;
    t.requests += 1;
    t.spans += spans.length;
    t.protobufBytes += volume.protobufBytes;
    t.gzipBytes += volume.gzipBytes;
    const gzipPerByte = volume.protobufBytes === 0 ? 0 : volume.gzipBytes / volume.protobufBytes;
    const seen = new Set<string>();
    let index = 0;
    for (const resource of sizes.resources) {
      // A ResourceSpans without spans counts in the request's total only: it names no service we keep.
      const first = resource.spanBytes.length === 0 ? undefined : spans[index];
      if (first === undefined) continue;
      const service = this.service(first.service);
      service.protobufBytes += resource.bytes;
      service.gzipBytes += resource.bytes * gzipPerByte;
      if (!seen.has(first.service)) {
        seen.add(first.service);
        service.requests += 1;
      }
      for (let i = 0; i < resource.spanBytes.length; i++, index++) {
        const span = spans[index] as FlatSpan;
        const own = volume.spanBytes[index] as number;
        service.spans += 1;
        const byName = (service.bySpanName[span.name] ??= { spans: 0, protobufBytes: 0, gzipBytes: 0 });
        byName.spans += 1;
        byName.protobufBytes += own;
        byName.gzipBytes += own * gzipPerByte;
      }
    }
  }

  /** A deep copy of the totals so far. */
  snapshot(): WireVolumeSnapshot {
    return structuredClone(this.totals);
  }

  private service(name: string): ServiceVolume {
    return (this.totals.byService[name] ??= { requests: 0, spans: 0, protobufBytes: 0, gzipBytes: 0, bySpanName: {} });
  }
}
