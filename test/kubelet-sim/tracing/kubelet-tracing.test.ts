import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { kubeletSampler, startKubeletTracing } from '../../../kubelet-sim/src/tracing/kubelet-tracing';
import type { KubeletTracing } from '../../../kubelet-sim/src/tracing/kubelet-tracing';

const parent = (sampled: boolean) => trace.setSpanContext(ROOT_CONTEXT, { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });
const decide = (rate: number | undefined, ctx = ROOT_CONTEXT, traceId = '0'.repeat(32)) => kubeletSampler(rate).shouldSample(ctx, traceId, 'syncPod', SpanKind.INTERNAL, {}, []).decision;

describe('kubeletSampler (component-base NewProvider)', () => {
  it('never starts a sampled root when samplingRatePerMillion is unset or 0', () => {
    assert.equal(decide(undefined), SamplingDecision.NOT_RECORD);
    assert.equal(decide(0), SamplingDecision.NOT_RECORD);
  });
  it('samples roots by trace id at rate / 1e6', () => {
    assert.equal(decide(1_000_000, ROOT_CONTEXT, 'f'.repeat(32)), SamplingDecision.RECORD_AND_SAMPLED);
    assert.equal(decide(1, ROOT_CONTEXT, '0'.repeat(16) + 'f'.repeat(16)), SamplingDecision.NOT_RECORD);
  });
  it('follows a sampled parent even at rate 0, and an unsampled parent even at rate 1000000', () => {
    assert.equal(decide(0, parent(true)), SamplingDecision.RECORD_AND_SAMPLED);
    assert.equal(decide(1_000_000, parent(false)), SamplingDecision.NOT_RECORD);
  });
});

describe('startKubeletTracing', () => {
  describe('with a tracing block', () => {
    const exporter = new InMemorySpanExporter();
    let tracing: KubeletTracing;
    before(async () => {
      process.env.OTEL_RESOURCE_ATTRIBUTES = 'service.name=not-the-kubelet,k8s.cluster.name=lab';
      tracing = await startKubeletTracing({ samplingRatePerMillion: 1_000_000 }, 'node-a', exporter);
    });
    after(async () => {
      delete process.env.OTEL_RESOURCE_ATTRIBUTES;
      await tracing.shutdown();
    });

    it('sets service.name=kubelet and host.name over OTEL_RESOURCE_ATTRIBUTES, keeping the other env attributes', () => {
      tracing.getTracer('k8s.io/kubernetes/pkg/kubelet').startSpan('syncPod').end();
      const [span] = exporter.getFinishedSpans();
      assert.equal(span.resource.attributes['service.name'], 'kubelet');
      assert.equal(span.resource.attributes['host.name'], 'node-a');
      assert.equal(span.resource.attributes['k8s.cluster.name'], 'lab');
      assert.equal(span.resource.attributes['telemetry.sdk.language'], undefined, 'component-base passes only its own attributes');
      assert.equal(span.instrumentationScope.name, 'k8s.io/kubernetes/pkg/kubelet');
    });
  });

  describe('without a tracing block', () => {
    it('records nothing: the tracer is a no-op', async () => {
      const tracing = await startKubeletTracing(undefined, 'node-a');
      const span = tracing.getTracer('k8s.io/kubernetes/pkg/kubelet').startSpan('syncPod');
      assert.equal(span.isRecording(), false);
      span.end();
      assert.equal(tracing.tracing, undefined);
    });
  });
});
