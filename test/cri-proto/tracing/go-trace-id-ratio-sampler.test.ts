import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { GoTraceIdRatioBasedSampler, isTraceIdBelow } from '../../../cri-proto/src/tracing/go-trace-id-ratio-sampler';

const HIGH = '0123456789abcdef';
const decide = (fraction: number, lowHex: string): SamplingDecision =>
  new GoTraceIdRatioBasedSampler(fraction).shouldSample(ROOT_CONTEXT, HIGH + lowHex, 'syncPod', SpanKind.INTERNAL, {}, []).decision;

describe('GoTraceIdRatioBasedSampler (otel-go TraceIDRatioBased)', () => {
  describe('shouldSample', () => {
    it('samples a trace id whose low 64 bits >> 1 fall below fraction * 2^63', () => {
      assert.equal(decide(0.5, '7fffffffffffffff'), SamplingDecision.RECORD_AND_SAMPLED);
    });
    it('drops the first trace id at the bound', () => {
      assert.equal(decide(0.5, '8000000000000000'), SamplingDecision.NOT_RECORD);
    });
    it('ignores the high 64 bits of the trace id, as Go does', () => {
      const sampler = new GoTraceIdRatioBasedSampler(0.5);
      for (const high of ['0000000000000000', 'ffffffffffffffff']) {
        assert.equal(sampler.shouldSample(ROOT_CONTEXT, high + '0000000000000001', 'x', SpanKind.INTERNAL, {}, []).decision, SamplingDecision.RECORD_AND_SAMPLED);
      }
    });
    it('samples every trace id at fraction 1 and none at fraction 0', () => {
      assert.equal(decide(1, 'ffffffffffffffff'), SamplingDecision.RECORD_AND_SAMPLED);
      assert.equal(decide(0, '0000000000000000'), SamplingDecision.NOT_RECORD);
    });
    it('samples about the fraction of random trace ids', () => {
      let sampled = 0;
      for (let i = 0; i < 4000; i++) {
        const low = BigInt.asUintN(64, BigInt(i) * 0x9e3779b97f4a7c15n).toString(16).padStart(16, '0');
        if (decide(0.25, low) === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
      }
      assert.ok(sampled > 900 && sampled < 1100, `sampled ${sampled} of 4000 at 0.25`);
    });
  });
  describe('isTraceIdBelow', () => {
    it('compares the shifted low half with the bound', () => {
      assert.equal(isTraceIdBelow(HIGH + '0000000000000002', 2n), true);
      assert.equal(isTraceIdBelow(HIGH + '0000000000000004', 2n), false);
    });
  });
});
