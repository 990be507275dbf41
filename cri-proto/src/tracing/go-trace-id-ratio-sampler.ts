import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';

/**
 * otel-go's `TraceIDRatioBased` (sdk/trace/sampling.go), bit for bit: the low 8 bytes of the trace id,
 * read big-endian and shifted right by one, are compared with `fraction * 2^63`. The JS SDK's
 * TraceIdRatioBasedSampler hashes ids differently, so it would sample other traces than a Go kubelet,
 * CRI-O or containerd given the same ids; this one samples the same ones.
 */
export class GoTraceIdRatioBasedSampler implements Sampler {
  private readonly upperBound: bigint;

  constructor(private readonly fraction: number) {
    const clamped = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
    // 2^63 as a float, times the fraction, truncated like Go's uint64(float64) conversion.
    this.upperBound = clamped >= 1 ? 1n << 64n : BigInt(Math.trunc(clamped * 2 ** 63));
  }

  shouldSample(
    context: Context,
    traceId: string,
    _spanName: string,
    _spanKind: SpanKind,
    _attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    const traceState = trace.getSpanContext(context)?.traceState;
    const decision = isTraceIdBelow(traceId, this.upperBound) ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD;
    return { decision, traceState };
  }

  toString(): string {
    return this.fraction >= 1 ? 'AlwaysOnSampler' : `TraceIDRatioBased{${this.fraction}}`;
  }
}

/** True when the trace id's low 64 bits >> 1 fall under the bound (otel-go traceIDRatioSampler.ShouldSample). */
export function isTraceIdBelow(traceIdHex: string, upperBound: bigint): boolean {
  const low = BigInt('0x' + traceIdHex.slice(16, 32));
  return low >> 1n < upperBound;
}
